"""Etherscan's ``/v2/api`` client: chain id, key, status envelope, limits, error classes.

Etherscan answers HTTP 200 for its errors too: ``status`` "0", ``message`` "NOTOK" and the
reason as the ``result`` text (docs.etherscan.io "Common Error Messages"). Each reason is
classified here into :class:`IngestionError` attributes the flow and the pipeline act on.
"""

from __future__ import annotations

from typing import Any

from ingestion.errors import IngestionError
from ingestion.etherscan import limits
from ingestion.etherscan.settings import API_PATH, CHAIN_ID, EMPTY_MESSAGES
from ingestion.http import ApiClient


class EtherscanClient(ApiClient):
    """Etherscan's ``/v2/api`` with chain id and key, unwrapping its status envelope.

    Every call waits for the process-wide rate limiter (``limits.LIMITER``, set to
    ``calls_per_second``); a "Max calls per sec" NOTOK is retried with backoff.
    """

    def __init__(self, base_url: str, api_key: str, calls_per_second: float | None = None) -> None:
        self._limiter = limits.LIMITER
        if calls_per_second:
            self._limiter.rate = calls_per_second
        super().__init__(base_url, before_request=self._limiter.wait)
        self._api_key = api_key

    def call(self, endpoint: str, **params: Any) -> Any:
        """The ``result`` of a module/action call; [] for Etherscan's "nothing found"."""
        for delay in (*limits.RATE_LIMIT_BACKOFF, None):
            body = self.get_json(
                API_PATH, endpoint, {"chainid": CHAIN_ID, **params, "apikey": self._api_key}
            )
            if not isinstance(body, dict) or "result" not in body:
                raise IngestionError(endpoint, "response has no 'result'")
            if str(body.get("status")) == "1":
                return body["result"]
            message = str(body.get("message", ""))
            if message.startswith(EMPTY_MESSAGES):
                return []
            detail = body["result"] if isinstance(body["result"], str) else ""
            # Documented: past the plan's calls/s Etherscan answers 200 NOTOK "Max calls per
            # sec rate limit reached (3/sec)": wait and ask again, the cap is per second.
            if not limits.is_rate_limit(detail) or delay is None:
                break
            self._limiter.pause(delay)
        raise _notok(endpoint, message, detail)


def _notok(endpoint: str, message: str, detail: str) -> IngestionError:
    """The IngestionError of a status "0" answer, classified by Etherscan's own text."""
    text = f"Etherscan error: {message} {detail[:200]}".strip()
    if limits.is_rate_limit(detail):
        return IngestionError(
            endpoint, f"{text} (still after {len(limits.RATE_LIMIT_BACKOFF)} retries; lower "
            "sources.etherscan.calls_per_second or use a key of a higher plan)",
            error_code="rate_limit", retryable=True,
        )  # fmt: skip
    if limits.is_api_pro_refusal(detail):
        return IngestionError(
            endpoint,
            f"{text}: your Etherscan plan does not include this API Pro endpoint",
            error_code="api_pro",
        )
    if "Invalid API Key" in detail or ("Missing" in detail and "API Key" in detail):
        return IngestionError(
            endpoint,
            f"{text}: set ETHERSCAN_API_KEY (or sources.etherscan.api_key) to a valid key",
            error_code="api_key",
        )
    return IngestionError(endpoint, text, error_code="notok")
