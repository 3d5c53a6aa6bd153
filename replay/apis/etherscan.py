"""Etherscan V2 ``/v2/api`` answers from the recordings, as the documented API gives them.

Every answer is HTTP 200 in the ``status``/``message``/``result`` envelope. Documented
behaviours served (docs.etherscan.io): ``chainid`` and ``apikey`` required; the plan's calls
per second ("Max calls per sec rate limit reached (3/sec)" past it); ``stats/dailyavggasprice``
is an API Pro endpoint (the Pro refusal for other plans) and lists whole UTC days only;
``txlist``/``tokentx`` page with ``page``/``offset`` inside a 10,000-row window.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict, deque
from collections.abc import Mapping

from replay.envelopes import etherscan
from replay.plans import Plan
from replay.recordings import Answer, Recordings

MAX_RESULT_WINDOW = 10_000


class RateWindow:
    """The calls of the last second per key, to refuse the ones past the plan's rate."""

    def __init__(self) -> None:
        self._calls: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self.refused = 0  # calls answered "Max calls per sec rate limit reached"

    def allows(self, key: str, calls_per_second: float) -> bool:
        now = time.monotonic()
        with self._lock:
            calls = self._calls[key]
            while calls and now - calls[0] >= 1.0:
                calls.popleft()
            if len(calls) >= calls_per_second:
                self.refused += 1
                return False
            calls.append(now)
            return True


def _notok(result: str) -> Answer:
    return 200, etherscan.notok(result)


def answer(store: Recordings, plan: Plan, window: RateWindow, params: Mapping[str, str]) -> Answer:
    """Etherscan's module/action dispatch, with its envelope, limits and errors."""
    if not params.get("chainid"):
        return _notok(etherscan.MISSING_CHAIN_ID)
    if params["chainid"] != "1":
        return _notok(f"Unsupported chainid {params['chainid']} in this replay")
    if not params.get("apikey"):
        return _notok(etherscan.MISSING_KEY)
    rate = plan.etherscan_calls_per_second
    if rate is not None and not window.allows(params["apikey"], rate):
        return _notok(etherscan.RATE_LIMIT.format(rate=f"{rate:g}"))
    action = (params.get("module", ""), params.get("action", ""))
    address = params.get("address", "").lower()
    if action == ("gastracker", "gasoracle"):
        recorded = store.load("etherscan/gasoracle.json")
        return (200, recorded) if recorded else _notok("Error! No data")
    if action == ("stats", "dailyavggasprice"):
        if not plan.etherscan_pro:
            return _notok(etherscan.API_PRO)
        return _daily_avg_gas_price(store, params)
    if action == ("account", "balance"):
        recorded = store.load(f"etherscan/accounts/{address}/balance.json")
        return 200, recorded or etherscan.ok("0")
    if action == ("account", "tokenbalance"):
        token = params.get("contractaddress", "").lower()
        recorded = store.load(f"etherscan/accounts/{address}/tokenbalance/{token}.json")
        return 200, recorded or etherscan.ok("0")
    if action in (("account", "txlist"), ("account", "tokentx")):
        return _account_list(store, address, action[1], params)
    return _notok("Error! Missing Or invalid Module name / Action name")


def _daily_avg_gas_price(store: Recordings, params: Mapping[str, str]) -> Answer:
    """The days in [startdate, enddate] that have ended at the store's moment."""
    recorded = store.load("etherscan/dailyavggasprice.json.gz")
    try:
        start = dt.date.fromisoformat(params["startdate"])
        end = dt.date.fromisoformat(params["enddate"])
    except (KeyError, ValueError):
        return _notok("Error! Invalid startdate or enddate (yyyy-MM-dd)")
    last_complete = store.moment.date() - dt.timedelta(days=1)
    rows = [
        r
        for r in (recorded or {}).get("result", [])
        if start <= dt.date.fromisoformat(r["UTCDate"]) <= min(end, last_complete)
    ]
    rows.sort(key=lambda r: r["UTCDate"], reverse=params.get("sort") == "desc")
    if not rows:
        return 200, etherscan.nothing("No data found")
    return 200, etherscan.ok(rows)


def _account_list(
    store: Recordings, address: str, action: str, params: Mapping[str, str]
) -> Answer:
    """txlist / tokentx with Etherscan's block range and page/offset paging."""
    try:
        start_block = int(params.get("startblock", 0))
        end_block = int(params.get("endblock", 99_999_999))
        page = int(params.get("page", 1))
        offset = int(params.get("offset", MAX_RESULT_WINDOW))
    except ValueError:
        return _notok("Error! Invalid parameter value")
    if page < 1 or offset < 1:
        return _notok("Error! Invalid page or offset")
    if page * offset > MAX_RESULT_WINDOW:
        return _notok(
            "Result window is too large, PageNo x Offset size must be less than or equal to 10000"
        )
    recorded = store.load(f"etherscan/accounts/{address}/{action}.json.gz")
    rows = [
        r
        for r in (recorded or {}).get("result", [])
        if start_block <= int(r["blockNumber"]) <= end_block
        and store.is_past(dt.datetime.fromtimestamp(int(r["timeStamp"]), dt.UTC))
    ]
    rows.sort(key=lambda r: int(r["blockNumber"]), reverse=params.get("sort") == "desc")
    rows = rows[(page - 1) * offset : page * offset]
    if not rows:
        return 200, etherscan.nothing("No transactions found")
    return 200, etherscan.ok(rows)
