"""EthGasTracker ``/api/gas/average``: ``{"data": {"network", "data": [hours], "lastUpdate"}}``."""

from __future__ import annotations

from typing import Any


def average(hours: list[dict[str, Any]], last_update_ms: int, network: str = "mainnet") -> dict:
    """The hourly averages (newest first) and the time of the last update (Unix ms)."""
    return {"data": {"network": network, "data": hours, "lastUpdate": last_update_ms}}


def error(message: str) -> dict[str, Any]:
    """The service's error body (its middleware answers ``{"error": ...}``)."""
    return {"error": message}
