"""Etherscan V2 ``/v2/api`` answers from the recordings, as the documented API gives them.

Every answer is HTTP 200 in the ``status``/``message``/``result`` envelope. Documented
behaviours served (docs.etherscan.io): ``chainid`` and ``apikey`` required; the plan's calls
per second ("Max calls per sec rate limit reached (3/sec)" past it); ``stats/dailyavggasprice``
is an API Pro endpoint (the Pro refusal for other plans) and lists whole UTC days only;
``txlist``/``tokentx`` page with ``page``/``offset`` inside a 10,000-row window;
``balancemulti`` answers up to 20 comma-separated addresses as ``[{"account", "balance"}]``.

Balances are answered as of the store's moment, like everything else: the recorded
``balance``/``tokenbalance`` answers are the chain's at the end of the recordings, so an
account with recorded transactions gets that answer minus what its later records moved
(ETH: value of successful transactions and gas of every sent one; a token: its transfers).
A pool reserve contract has no recorded transfers: its one recorded answer holds throughout.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from typing import Any

from replay.envelopes import etherscan
from replay.plans import Plan
from replay.recordings import Answer, Recordings

MAX_RESULT_WINDOW = 10_000
# account/balancemulti: "up to 20 addresses" per call (docs.etherscan.io).
MAX_BALANCEMULTI_ADDRESSES = 20
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


class RateWindow:
    """The calls of the last second per key, to refuse the ones past the plan's rate.

    ``clock`` gives seconds on a monotonic scale: a test's simulated clock shared with the
    client's rate limiter checks the real spacing logic without waiting.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._calls: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._clock = clock
        self.refused = 0  # calls answered "Max calls per sec rate limit reached"

    def allows(self, key: str, calls_per_second: float) -> bool:
        now = self._clock()
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
        return 200, etherscan.ok(str(_balance(store, address, None)))
    if action == ("account", "balancemulti"):
        return _balance_multi(store, params.get("address", ""))
    if action == ("account", "tokenbalance"):
        token = params.get("contractaddress", "").lower()
        return 200, etherscan.ok(str(_balance(store, address, token)))
    if action in (("account", "txlist"), ("account", "tokentx")):
        return _account_list(store, address, action[1], params)
    return _notok("Error! Missing Or invalid Module name / Action name")


def _balance_multi(store: Recordings, addresses: str) -> Answer:
    """The ETH balances of the comma-separated addresses, in the order asked."""
    asked = [a.strip() for a in addresses.split(",") if a.strip()]
    if not asked or not all(ADDRESS.match(a) for a in asked):
        return _notok("Error! Invalid address format")
    if len(asked) > MAX_BALANCEMULTI_ADDRESSES:
        # The documented limit; the real refusal's wording is not recorded.
        return _notok(f"Error! Maximum of {MAX_BALANCEMULTI_ADDRESSES} addresses per call")
    return 200, etherscan.ok(
        [{"account": a, "balance": str(_balance(store, a.lower(), None))} for a in asked]
    )


def _balance(store: Recordings, address: str, token: str | None) -> int:
    """The recorded ETH (``token`` None) or token balance, as of the store's moment: the
    recorded end-of-recordings answer minus what the account's later records moved; an
    address or token never recorded holds 0, as Etherscan answers for an empty account."""
    folder = f"etherscan/accounts/{address}"
    path = f"{folder}/balance.json" if token is None else f"{folder}/tokenbalance/{token}.json"
    recorded = store.load(path)
    held = int(recorded["result"]) if recorded else 0
    action = "txlist" if token is None else "tokentx"
    later = [
        r
        for r in (store.load(f"{folder}/{action}.json.gz") or {}).get("result", [])
        if not store.is_past(dt.datetime.fromtimestamp(int(r["timeStamp"]), dt.UTC))
    ]
    return held - sum(_moved(address, token, r) for r in later)


def _moved(address: str, token: str | None, record: Mapping[str, Any]) -> int:
    """What one txlist (``token`` None) or tokentx record moved into ``address``."""
    to, sender = record["to"].lower() == address, record["from"].lower() == address
    if token is not None:
        mine = record["contractAddress"].lower() == token
        return (to - sender) * int(record["value"]) if mine else 0
    # txlist: a reverted transaction ("isError" 1) moves no value; its sender pays the gas.
    value = int(record["value"]) if record.get("isError", "0") == "0" else 0
    gas = int(record["gasUsed"]) * int(record["gasPrice"]) if sender else 0
    return (to - sender) * value - gas


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
