"""Etherscan V2 (``/v2/api``): ``{"status": "1", "message": "OK", "result": ...}``.

Etherscan answers HTTP 200 even for errors: ``status`` "0" with ``message`` "NOTOK" and the
reason as the ``result`` string (rate limit, missing key, API Pro endpoint), or "0" with a
"No ... found" message and an empty list when there is nothing to return.
"""

from __future__ import annotations

from typing import Any

# Etherscan's own texts (docs.etherscan.io "Common Error Messages" and real answers).
RATE_LIMIT = "Max calls per sec rate limit reached ({rate}/sec)"
API_PRO = (
    "Sorry, it looks like you are trying to access an API Pro endpoint. "
    "Contact us to upgrade to API Pro."
)
MISSING_KEY = "Missing/Invalid API Key"
MISSING_CHAIN_ID = (
    "Missing chainid parameter (required for v2 api), please see "
    "https://api.etherscan.io/v2/chainlist for the list of supported chainids"
)


def ok(result: Any) -> dict[str, Any]:
    """A successful answer."""
    return {"status": "1", "message": "OK", "result": result}


def notok(result: str) -> dict[str, Any]:
    """An error answer (sent with HTTP 200)."""
    return {"status": "0", "message": "NOTOK", "result": result}


def nothing(message: str) -> dict[str, Any]:
    """Nothing to return ("No transactions found", "No data found")."""
    return {"status": "0", "message": message, "result": []}
