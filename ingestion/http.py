"""GET a JSON document from an API with retries, and turn every failure into a clear error.

Built on dlt's requests client: transient failures (connection errors, timeouts, 429 and 5xx)
are retried with exponential backoff, honouring ``Retry-After``; attempts, backoff and the
timeout are dlt's ``runtime.request_*`` settings. Error messages name the endpoint and the
problem but never quote the URL or the underlying exception, which can carry an API key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
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


class ApiClient:
    """One API's base URL, default headers and a retrying session."""

    def __init__(self, base_url: str, headers: Mapping[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.session = requests.Client(raise_for_status=False).session

    def get_json(self, path: str, endpoint: str, params: Mapping[str, Any] | None = None) -> Any:
        """The decoded JSON answer of ``GET base_url/path``; IngestionError otherwise.

        ``endpoint`` is the human name used in logs and errors (e.g. ``defillama GET /pools``).
        """
        try:
            response = self.session.get(
                f"{self.base_url}/{path.lstrip('/')}", params=params, headers=self.headers
            )
        except requests.Timeout:
            raise IngestionError(endpoint, "timed out (after retries)") from None
        except requests.ConnectionError:
            raise IngestionError(endpoint, "could not connect (after retries)") from None
        except requests.RequestException as error:
            raise IngestionError(endpoint, f"request failed: {type(error).__name__}") from None
        if response.status_code >= 400:
            raise IngestionError(
                endpoint, f"HTTP {response.status_code} {response.reason} {_error_detail(response)}"
            )
        try:
            return response.json()
        except ValueError:
            raise IngestionError(
                endpoint, f"response is not valid JSON: {response.text[:60]!r}"
            ) from None


def _error_detail(response: requests.Response) -> str:
    """The API's own error message from a JSON error body, if any."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        status = body.get("status")
        if isinstance(status, dict):
            return str(status.get("error_message", ""))[:200]
        return str(body.get("message") or body.get("error") or "")[:200]
    return ""
