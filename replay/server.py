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
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from replay.envelopes import coinmarketcap
from replay.faults import Delay, Fault, RawBody, Status, Transform
from replay.recordings import Answer, Recordings

logger = logging.getLogger(__name__)

SOURCES = ("defillama", "coinmarketcap", "ethgastracker", "etherscan")
# Query parameters and headers that carry API keys; never logged or kept in clear.
SECRET_PARAMS = frozenset({"apikey", "cmc_pro_api_key"})
CMC_KEY_HEADER = "X-CMC_PRO_API_KEY"
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
    """Context manager serving ``recordings_dir`` as the APIs were on ``as_of``."""

    def __init__(self, recordings_dir: Path, as_of: dt.date, port: int = 0) -> None:
        self.recordings = Recordings(Path(recordings_dir), as_of)
        self.as_of = as_of
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

    def answer(self, path: str, params: dict[str, str], headers: dict[str, str]) -> Answer:
        """The normal answer for a request path (with its source prefix) and query."""
        source, _, rest = path.lstrip("/").partition("/")
        rest = "/" + rest
        recordings = self.recordings
        if source == "defillama":
            if rest == "/pools":
                return recordings.defillama_pools()
            if rest.startswith("/chart/"):
                return recordings.defillama_chart(rest.removeprefix("/chart/"))
        elif source == "coinmarketcap":
            if not (headers.get(CMC_KEY_HEADER.lower()) or params.get("CMC_PRO_API_KEY")):
                return coinmarketcap.error(1002)
            if rest == "/v2/cryptocurrency/ohlcv/historical":
                return recordings.cmc_ohlcv_historical(params)
            if rest == "/v2/cryptocurrency/quotes/latest":
                return recordings.cmc_quotes_latest(params)
        elif source == "ethgastracker":
            if rest in ("/api/gas/average", "/api/gas/average/mainnet"):
                return recordings.ethgastracker_average()
        elif source == "etherscan" and rest in ("/v2/api", "/v2/api/"):
            return recordings.etherscan(params)
        return 404, {"status": "error", "message": f"no such endpoint: {path}"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                headers = {k.lower(): v for k, v in self.headers.items()}
                fault = server._next_fault(parts.path, params)
                status, body, extra = self._respond(parts.path, params, headers, fault)
                redacted = {
                    k: (REDACTED if k.lower() in SECRET_PARAMS else v) for k, v in params.items()
                }
                server.requests.append(
                    RecordedRequest(
                        "GET",
                        parts.path,
                        redacted,
                        status,
                        time.monotonic(),
                        type(fault).__name__ if fault else None,
                    )
                )
                self._send(status, body, extra)

            def _respond(
                self,
                path: str,
                params: dict[str, str],
                headers: dict[str, str],
                fault: Fault | None,
            ) -> tuple[int, bytes, dict[str, str]]:
                if isinstance(fault, Status):
                    return fault.code, fault.body.encode(), dict(fault.headers)
                if isinstance(fault, RawBody):
                    return fault.code, fault.body.encode(), {"Content-Type": fault.content_type}
                if isinstance(fault, Delay):
                    time.sleep(fault.seconds)
                status, payload = server.answer(path, params, headers)
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
