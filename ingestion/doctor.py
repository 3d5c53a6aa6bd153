"""``yieldopt doctor``: one cheap call per configured source and key, and what the daily run
will do with each answer.

Each check returns a :class:`Check` (endpoint, answer ok / refused / unreachable, the reason,
and the run's action: use, fall back, or stop). A day can run when no check says stop. The
calls are the smallest each API offers (one candle, one hour, the gas oracle); keys travel
as the sources send them and never appear in the table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import dlt

from ingestion.coinmarketcap import explain_refusal
from ingestion.coinmarketcap.settings import (
    API_KEY_HEADER,
    KEY_ERRORS,
    OHLCV_ENDPOINT,
    OHLCV_PATH,
    PLAN_ERROR,
    PLANS_WITHOUT_OHLCV,
)
from ingestion.coinmarketcap.settings import DEFAULT_BASE_URL as CMC_URL
from ingestion.defillama.settings import DEFAULT_BASE_URL as LLAMA_URL
from ingestion.defillama_coins.settings import CHART_ENDPOINT as COINS_ENDPOINT
from ingestion.defillama_coins.settings import DEFAULT_BASE_URL as COINS_URL
from ingestion.errors import IngestionError
from ingestion.etherscan.client import EtherscanClient
from ingestion.etherscan.settings import DAILY_GAS_ENDPOINT, GASORACLE_ENDPOINT
from ingestion.etherscan.settings import DEFAULT_BASE_URL as ETHERSCAN_URL
from ingestion.ethgastracker.settings import AVERAGE_ENDPOINT, AVERAGE_PATH
from ingestion.ethgastracker.settings import DEFAULT_BASE_URL as GAS_URL
from ingestion.http import ApiClient
from ingestion.prices import cmc_plan
from ingestion.runner import configured_key, scrub

# A pool DeFiLlama has listed for years (Lido stETH): its /chart is a small, cheap answer.
PROBE_POOL = "747c1d2a-c668-4682-b9f9-296708a3dd90"
PROBE_COIN = "coingecko:ethereum"
REASON_WIDTH = 110


@dataclass(frozen=True)
class Check:
    """One row of the doctor's table."""

    endpoint: str
    answer: str  # ok | refused | unreachable | not configured
    reason: str
    action: str  # use | fall back | stop

    @property
    def stops(self) -> bool:
        return self.action.startswith("stop")


def _base(source: str, default: str) -> str:
    return dlt.config.get(f"sources.{source}.base_url", str) or default


def _failed(error: IngestionError, refused_action: str) -> tuple[str, str, str]:
    """(answer, reason, action) of a failed call: refused by the API, or unreachable."""
    transient = error.retryable and error.status in (None, 500, 502, 503, 504)
    answer = "unreachable" if transient else "refused"
    action = "stop: the step fails" if answer == "unreachable" else refused_action
    reason = "an API Pro endpoint, not in this key's plan" if error.error_code == "api_pro" else ""
    return answer, reason or scrub(error.problem)[:REASON_WIDTH], action


def check_defillama() -> Check:
    endpoint = "defillama GET /chart/{pool}"
    try:
        ApiClient(_base("defillama", LLAMA_URL)).get_json(f"/chart/{PROBE_POOL}", endpoint)
    except IngestionError as error:
        return Check(endpoint, *_failed(error, "stop: steps 1 and 9 fail"))
    return Check(endpoint, "ok", "pools and histories answer", "use (steps 1, 9)")


def check_coinmarketcap(day: dt.date) -> Check:
    key, plan = configured_key("coinmarketcap"), cmc_plan()
    if not key:
        return Check(OHLCV_ENDPOINT, "not configured", "no COINMARKETCAP_API_KEY", "fall back")
    if plan in PLANS_WITHOUT_OHLCV:
        return Check(OHLCV_ENDPOINT, "not configured", f"{plan} plan has no OHLCV", "fall back")
    client = ApiClient(_base("coinmarketcap", CMC_URL), headers={API_KEY_HEADER: key})
    params = {
        "id": 1027,
        "time_start": (day - dt.timedelta(days=2)).isoformat(),
        "time_end": (day - dt.timedelta(days=1)).isoformat(),
        "interval": "daily",
    }
    try:
        client.get_json(OHLCV_PATH, OHLCV_ENDPOINT, params)
    except IngestionError as error:
        error = explain_refusal(error, plan)
        if error.error_code in (PLAN_ERROR, *KEY_ERRORS):
            return Check(
                OHLCV_ENDPOINT, "refused", scrub(error.problem)[:REASON_WIDTH], "fall back"
            )
        return Check(OHLCV_ENDPOINT, *_failed(error, "stop: step 2 fails (retryable)"))
    return Check(OHLCV_ENDPOINT, "ok", f"{plan} plan serves daily OHLCV", "use (step 2)")


def check_coins(cmc: Check) -> Check:
    needed = cmc.action == "fall back"
    try:
        ApiClient(_base("defillama_coins", COINS_URL)).get_json(
            f"/chart/{PROBE_COIN}", COINS_ENDPOINT, {"span": 1, "period": "1h"}
        )
    except IngestionError as error:
        answer, reason, _ = _failed(error, "")
        action = "stop: step 2 has no price source" if needed else "none (CoinMarketCap used)"
        return Check(COINS_ENDPOINT, answer, reason, action)
    action = "use (step 2, free price path)" if needed else "stand-by (if CoinMarketCap refuses)"
    return Check(COINS_ENDPOINT, "ok", "free, no key", action)


def check_ethgastracker() -> Check:
    key = configured_key("ethgastracker")
    try:
        ApiClient(_base("ethgastracker", GAS_URL)).get_json(
            AVERAGE_PATH, AVERAGE_ENDPOINT, {"apiKey": key} if key else None
        )
    except IngestionError as error:
        if error.status == 401:
            reason = f"HTTP 401: set ETHGASTRACKER_API_KEY ({'refused' if key else 'none set'})"
            return Check(AVERAGE_ENDPOINT, "refused", reason, "stop: step 3 fails")
        return Check(AVERAGE_ENDPOINT, *_failed(error, "stop: step 3 fails"))
    reason = "hourly averages" + (" (with key)" if key else " (no key needed)")
    return Check(AVERAGE_ENDPOINT, "ok", reason, "use (step 3)")


def _etherscan_call(endpoint: str, refused_action: str, ok: str, **params: object) -> Check:
    key = configured_key("etherscan")
    if not key:
        return Check(endpoint, "not configured", "no ETHERSCAN_API_KEY", "stop: steps 3-4 fail")
    try:
        EtherscanClient(_base("etherscan", ETHERSCAN_URL), key).call(endpoint, **params)
    except IngestionError as error:
        return Check(endpoint, *_failed(error, refused_action))
    return Check(endpoint, "ok", "answered", ok)


def check_etherscan(day: dt.date) -> list[Check]:
    oracle = _etherscan_call(
        GASORACLE_ENDPOINT,
        "stop: steps 3-4 fail",
        "use (gas oracle, steps 3-4 on this key)",
        module="gastracker",
        action="gasoracle",
    )
    yesterday = (day - dt.timedelta(days=1)).isoformat()
    daily = _etherscan_call(
        DAILY_GAS_ENDPOINT,
        "fall back (EthGasTracker hours and gas-oracle polls)",
        "use (step 3)",
        module="stats",
        action="dailyavggasprice",
        startdate=yesterday,
        enddate=yesterday,
        sort="asc",
    )
    if daily.answer == "refused" and "API Pro" not in daily.reason:
        daily = Check(daily.endpoint, daily.answer, daily.reason, "stop: step 3 fails")
    return [oracle, daily]


def run_checks(day: dt.date) -> list[Check]:
    """Every check, in the order of the daily run's steps."""
    cmc = check_coinmarketcap(day)
    checks: list[Callable[[], Check | list[Check]]] = [
        check_defillama,
        lambda: cmc,
        lambda: check_coins(cmc),
        check_ethgastracker,
        lambda: check_etherscan(day),
    ]
    rows: list[Check] = []
    for check in checks:
        result = check()
        rows.extend(result if isinstance(result, list) else [result])
    return rows


def table(rows: list[Check]) -> str:
    """The rows as an aligned plain-text table."""
    header = ("endpoint", "answer", "reason", "daily run")
    cells = [header, *((r.endpoint, r.answer, r.reason, r.action) for r in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row))
        for row in cells
    )
