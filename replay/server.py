"""The replay server: recorded API responses over real HTTP on a free loopback port.

The pipeline's HTTP code cannot tell it from the real APIs: same paths, query parameters,
envelopes, paging and error answers, one URL prefix per API (``base_urls``). Tests steer it
with :meth:`ReplayServer.inject` (faults answered in order before the normal answers) and
read :attr:`ReplayServer.requests` (what the clients asked, API keys redacted).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from replay import lendborrow
from replay.apis import coinmarketcap, defillama_coins, etherscan
from replay.faults import Delay, Fault, RawBody, Status, Transform
from replay.plans import RUN_TIME, Plan
from replay.recordings import Answer, Recordings

logger = logging.getLogger(__name__)

SOURCES = ("defillama", "coinmarketcap", "defillama_coins", "ethgastracker", "etherscan")
# Query parameters and headers that carry API keys; never logged or kept in clear.
SECRET_PARAMS = frozenset({"apikey", "cmc_pro_api_key"})
REDACTED = "***"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it, with API keys replaced by ``***``."""

    method: str
    path: str
    params: dict[str, str]
    status: int
    at: float
    fault: str | None = None


@dataclass
class _Injection:
    path_prefix: str
    params: dict[str, str]
    faults: deque[Fault] = field(default_factory=deque)

    def matches(self, path: str, params: dict[str, str]) -> bool:
        return path.startswith(self.path_prefix) and all(
            params.get(key) == value for key, value in self.params.items()
        )


class ReplayServer:
    """Context manager serving ``recordings_dir`` as the APIs answer at ``at`` (the run's
    scheduled time, 02:30 UTC) on ``as_of``, for keys of the plans ``plan`` describes.

    ``clock`` (seconds, monotonic) times the requests and Etherscan's calls-per-second
    window: a test passes the simulated clock its Etherscan rate limiter runs on.
    """

    def __init__(
        self,
        recordings_dir: Path,
        as_of: dt.date,
        port: int = 0,
        at: dt.time = RUN_TIME,
        plan: Plan | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.recordings = Recordings(Path(recordings_dir), as_of, at)
        self.as_of = as_of
        self.plan = plan or Plan()
        self._clock = clock
        self._rate_window = etherscan.RateWindow(clock)
        self.requests: list[RecordedRequest] = []
        self._injections: list[_Injection] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def etherscan_rate_refusals(self) -> int:
        """Etherscan calls refused for exceeding the plan's calls per second."""
        return self._rate_window.refused

    @property
    def base_urls(self) -> dict[str, str]:
        """The base URL of every API, as the sources' ``base_url`` configuration wants it."""
        return {source: f"{self.url}/{source}" for source in SOURCES}

    def __enter__(self) -> ReplayServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="replay-server", daemon=True
        )
        self._thread.start()
        logger.info("replay server on %s as of %s", self.url, self.as_of)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def inject(
        self, path_prefix: str, *faults: Fault, params: dict[str, str] | None = None
    ) -> None:
        """Answer the next requests whose path starts with ``path_prefix`` (and whose query
        has ``params``) with ``faults``, one per request, in order; then normally again."""
        with self._lock:
            self._injections.append(_Injection(path_prefix, dict(params or {}), deque(faults)))

    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        """The logged requests whose path starts with ``path_prefix``."""
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    def _next_fault(self, path: str, params: dict[str, str]) -> Fault | None:
        with self._lock:
            for injection in self._injections:
                if injection.faults and injection.matches(path, params):
                    return injection.faults.popleft()
        return None

    def answer(
        self,
        path: str,
        params: dict[str, str],
        headers: dict[str, str],
        method: str = "GET",
        body: bytes = b"",
    ) -> Answer:
        """The normal answer for a request path (with its source prefix), query and body."""
        source, _, rest = path.lstrip("/").partition("/")
        rest = "/" + rest
        store = self.recordings
        answered: Answer | None = None
        if source == "defillama" and method == "GET":
            if rest == "/pools":
                answered = store.defillama_pools()
            elif rest.startswith("/chart/"):
                answered = store.defillama_chart(rest.removeprefix("/chart/"))
            elif rest == "/lendBorrow":
                answered = lendborrow.answer(store)
        elif source == "coinmarketcap" and method == "GET":
            answered = coinmarketcap.answer(store, self.plan, rest, params, headers)
        elif source == "defillama_coins":
            answered = defillama_coins.answer(store, method, rest, params, body)
        elif source == "ethgastracker" and method == "GET":
            if rest in ("/api/gas/average", "/api/gas/average/mainnet"):
                # wslyvh/eth-gas-tracker src/middleware.ts: other origins need ?apiKey=.
                if self.plan.ethgastracker_key and not params.get("apiKey"):
                    return 401, "No API Key provided"
                answered = store.ethgastracker_average()
        elif source == "etherscan" and method == "GET" and rest in ("/v2/api", "/v2/api/"):
            answered = etherscan.answer(store, self.plan, self._rate_window, params)
        if answered is None:
            return 404, {"status": "error", "message": f"no such endpoint: {path}"}
        return answered

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._handle("GET", b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._handle("POST", self.rfile.read(length) if length else b"")

            def _handle(self, method: str, request_body: bytes) -> None:
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                headers = {k.lower(): v for k, v in self.headers.items()}
                fault = server._next_fault(parts.path, params)
                status, body, extra = self._respond(
                    method, parts.path, params, headers, fault, request_body
                )
                redacted = {
                    k: (REDACTED if k.lower() in SECRET_PARAMS else v) for k, v in params.items()
                }
                server.requests.append(
                    RecordedRequest(
                        method,
                        parts.path,
                        redacted,
                        status,
                        server._clock(),
                        type(fault).__name__ if fault else None,
                    )
                )
                self._send(status, body, extra)

            def _respond(
                self,
                method: str,
                path: str,
                params: dict[str, str],
                headers: dict[str, str],
                fault: Fault | None,
                request_body: bytes,
            ) -> tuple[int, bytes, dict[str, str]]:
                if isinstance(fault, Status):
                    return fault.code, fault.body.encode(), dict(fault.headers)
                if isinstance(fault, RawBody):
                    return fault.code, fault.body.encode(), {"Content-Type": fault.content_type}
                if isinstance(fault, Delay):
                    time.sleep(fault.seconds)
                status, payload = server.answer(path, params, headers, method, request_body)
                if isinstance(fault, Transform):
                    payload = fault.change(payload)
                return status, json.dumps(payload).encode(), {"Content-Type": "application/json"}

            def _send(self, status: int, body: bytes, headers: dict[str, Any]) -> None:
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, str(value))
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    logger.debug("client went away before the answer (timeout)")

            def log_message(self, format: str, *args: Any) -> None:
                # The default logs the raw request line, which holds the API key.
                return

        return Handler
