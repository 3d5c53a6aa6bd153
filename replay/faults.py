"""Faults a test can make the replay server answer with, instead of the recorded response.

Each fault stands for a way a real API misbehaves: a server error or a rate limit (``Status``),
a response that arrives too late (``Delay``), a body that is not JSON (``RawBody``), a
well-formed answer with the wrong content (``Transform``: a dropped field, an empty list), and
the providers' documented refusals (``etherscan_rate_limited``, ``etherscan_pro_refusal``,
``cmc_error``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from replay.envelopes import coinmarketcap, etherscan


@dataclass(frozen=True)
class Status:
    """Answer with this HTTP status (e.g. 500; 429 with ``{"Retry-After": "1"}``)."""

    code: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Delay:
    """Wait this long, then give the normal answer (a client with a shorter timeout gives up)."""

    seconds: float


@dataclass(frozen=True)
class RawBody:
    """Answer with this body verbatim (malformed JSON, HTML error pages)."""

    body: str
    code: int = 200
    content_type: str = "application/json"


@dataclass(frozen=True)
class Transform:
    """Change the normal JSON answer before sending it (drop a field, empty a list)."""

    change: Callable[[Any], Any]


Fault = Status | Delay | RawBody | Transform


def drop_field(name: str) -> Transform:
    """Remove ``name`` from every record of the answer's record list."""

    def change(payload: Any) -> Any:
        for record in record_list(payload):
            record.pop(name, None)
        return payload

    return Transform(change)


def empty_list() -> Transform:
    """Empty the answer's record list, keeping the envelope."""

    def change(payload: Any) -> Any:
        record_list(payload).clear()
        return payload

    return Transform(change)


def record_list(payload: Any) -> list[dict[str, Any]]:
    """The list of records inside a response of any of the replayed APIs."""
    node = payload
    for key in ("data", "result", "data", "quotes"):
        if isinstance(node, list):
            return node
        if isinstance(node, dict) and key in node:
            node = node[key]
    if isinstance(node, list):
        return node
    raise ValueError("the response holds no record list to transform")


def _json_status(code: int, payload: Any) -> Status:
    return Status(code, json.dumps(payload), {"Content-Type": "application/json"})


def etherscan_rate_limited(calls_per_second: int = 3) -> Status:
    """Etherscan past the plan's calls per second: HTTP 200, status "0", NOTOK."""
    return _json_status(200, etherscan.notok(etherscan.RATE_LIMIT.format(rate=calls_per_second)))


def etherscan_pro_refusal() -> Status:
    """Etherscan's answer to an API Pro endpoint for a key without API Pro (HTTP 200)."""
    return _json_status(200, etherscan.notok(etherscan.API_PRO))


def cmc_error(error_code: int) -> Status:
    """CoinMarketCap's documented error answer (e.g. 403/1006, 429/1008)."""
    return _json_status(*coinmarketcap.error(error_code))
