"""GET a JSON document from an API with retries, and turn every failure into a clear error.

Built on dlt's requests client: transient failures (connection errors, timeouts, 429 and 5xx)
are retried with exponential backoff, honouring ``Retry-After``; attempts, backoff and the
timeout are dlt's ``runtime.request_*`` settings. Error messages name the endpoint and the
problem but never quote the URL or the underlying exception, which can carry an API key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from dlt.sources.helpers import requests

from ingestion.errors import IngestionError

logger = logging.getLogger(__name__)


class RedactApiKeys(logging.Filter):
    """Masks API keys in query strings; urllib3 logs request lines at DEBUG."""

    PATTERN = re.compile(r"(apikey|CMC_PRO_API_KEY)=[^&\s\"']+", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.PATTERN.sub(r"\1=***", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(RedactApiKeys())


# HTTP statuses a later attempt can get past unchanged (server trouble, rate limits).
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class ApiClient:
    """One API's base URL, default headers and a retrying session.

    ``before_request`` runs before every HTTP call (Etherscan's shared rate limiter).
    """

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        before_request: Callable[[], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.session = requests.Client(raise_for_status=False).session
        self._before_request = before_request

    def get_json(self, path: str, endpoint: str, params: Mapping[str, Any] | None = None) -> Any:
        """The decoded JSON answer of ``GET base_url/path``; IngestionError otherwise.

        ``endpoint`` is the human name used in logs and errors (e.g. ``defillama GET /pools``).
        """
        return self._request("GET", path, endpoint, params=params)

    def post_json(self, path: str, endpoint: str, body: Any) -> Any:
        """The decoded JSON answer of ``POST base_url/path`` with a JSON body."""
        return self._request("POST", path, endpoint, json=body)

    def _request(self, method: str, path: str, endpoint: str, **kwargs: Any) -> Any:
        if self._before_request is not None:
            self._before_request()
        try:
            response = self.session.request(
                method, f"{self.base_url}/{path.lstrip('/')}", headers=self.headers, **kwargs
            )
        except requests.Timeout:
            raise IngestionError(endpoint, "timed out (after retries)", retryable=True) from None
        except requests.ConnectionError:
            raise IngestionError(
                endpoint, "could not connect (after retries)", retryable=True
            ) from None
        except requests.RequestException as error:
            raise IngestionError(
                endpoint, f"request failed: {type(error).__name__}", retryable=True
            ) from None
        if response.status_code >= 400:
            code, detail = _error_detail(response)
            raise IngestionError(
                endpoint,
                f"HTTP {response.status_code} {response.reason} {detail}".strip(),
                status=response.status_code,
                error_code=code,
                retryable=response.status_code in RETRYABLE_STATUSES,
            )
        try:
            return response.json()
        except ValueError:
            # A provider's maintenance page is HTML sent with 200: transient, worth a retry.
            html = (
                "html" in response.headers.get("Content-Type", "")
                or response.text.lstrip()[:1] == "<"
            )
            what = "an HTML page (maintenance?)" if html else "not valid JSON"
            raise IngestionError(
                endpoint,
                f"response is {what}: {response.text[:60]!r}",
                status=response.status_code,
                retryable=html,
            ) from None


def _error_detail(response: requests.Response) -> tuple[int | str | None, str]:
    """The API's own error code and message from a JSON error body, if any."""
    try:
        body = response.json()
    except ValueError:
        return None, ""
    if isinstance(body, dict):
        status = body.get("status")
        if isinstance(status, dict):
            # CoinMarketCap: {"status": {"error_code": 1006, "error_message": ...}}
            return status.get("error_code"), str(status.get("error_message", ""))[:200]
        return None, str(body.get("message") or body.get("error") or "")[:200]
    if isinstance(body, str):  # EthGasTracker's 401: a bare JSON string
        return None, body[:200]
    return None, ""
