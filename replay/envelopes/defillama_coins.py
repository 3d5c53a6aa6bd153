"""DeFiLlama coins API (``coins.llama.fi``): ``{"coins": {"<chain>:<id>": {...}}}``.

``/chart/{coins}`` gives each coin's ``symbol``, ``confidence``, ``decimals`` (where known)
and ``prices`` [{timestamp (Unix s), price}]; ``/prices/historical`` one ``price`` and
``timestamp`` per coin; ``POST /mcaps`` ``{"<coin>": {"mcap", "timestamp"}}`` without the
``coins`` wrapper. A coin DeFiLlama has no price for is simply absent.
"""

from __future__ import annotations

from typing import Any


def chart(coins: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A /chart (or /prices) answer: per coin its metadata and points."""
    return {"coins": coins}


def chart_coin(
    symbol: str, prices: list[dict[str, Any]], confidence: float = 0.99, decimals: int | None = None
) -> dict[str, Any]:
    """One coin of a /chart answer (the recorded MNEMON fixture's key order)."""
    coin: dict[str, Any] = {"symbol": symbol, "confidence": confidence}
    if decimals is not None:
        coin["decimals"] = decimals
    coin["prices"] = prices
    return coin


def mcaps(entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A POST /mcaps answer: coin -> {mcap, timestamp}."""
    return dict(entries)
