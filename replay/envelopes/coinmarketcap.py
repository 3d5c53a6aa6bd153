"""CoinMarketCap Pro API: every answer carries a ``status`` object; successes add ``data``.

Error answers have no ``data`` and the HTTP status of the documented error table
("Errors and Rate Limits"): 401/1002 key missing, 403/1006 plan does not include the
endpoint, 429/1008 minute rate limit; 400 for a bad parameter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

# error_code -> (HTTP status, documented error_message)
ERRORS = {
    1001: (401, "This API Key is invalid."),
    1002: (401, "API key missing."),
    1006: (403, "Your API Key subscription plan doesn't support this endpoint."),
    1008: (
        429,
        "You've exceeded your API Key's HTTP request rate limit. Rate limits reset every minute.",
    ),
}


def now() -> str:
    """The ``status.timestamp`` format: ISO-8601 UTC with milliseconds and ``Z``."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def status(
    timestamp: str | None = None,
    error_code: int = 0,
    error_message: str = "",
    elapsed: int = 1,
    credit_count: int = 1,
) -> dict[str, Any]:
    """The ``status`` object of every answer."""
    return {
        "timestamp": timestamp or now(),
        "error_code": error_code,
        "error_message": error_message,
        "elapsed": elapsed,
        "credit_count": credit_count,
        "notice": None,
    }


def success(data: Any, **status_fields: Any) -> dict[str, Any]:
    """A successful answer."""
    return {"status": status(**status_fields), "data": data}


def error(error_code: int, message: str | None = None) -> tuple[int, dict[str, Any]]:
    """``(http_status, body)`` of a documented error (400 with ``message`` for bad input)."""
    http, text = ERRORS.get(error_code, (400, ""))
    return http, {"status": status(error_code=error_code, error_message=message or text)}
