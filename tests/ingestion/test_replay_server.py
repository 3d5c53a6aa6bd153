"""The replay server answers like the real APIs at the run's moment (02:30 UTC on the as-of
day): nothing later, real paging, real error answers when a key is missing, and the injected
faults in order. The documented behaviour of each endpoint is pinned in test_api_contracts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import requests
from recorded import AS_OF, CHARTED_POOLS, UNCHARTED_POOL, WALLET

from replay import ReplayServer, Status

EARLY = AS_OF - dt.timedelta(days=5)


@pytest.fixture(scope="module")
def early(recordings_dir: Path):
    with ReplayServer(recordings_dir, as_of=EARLY) as server:
        yield server


def get(server: ReplayServer, source: str, path: str, **params) -> requests.Response:
    return requests.get(f"{server.base_urls[source]}{path}", params=params, timeout=10)


def test_pools_carry_the_latest_chart_values_before_the_moment(early: ReplayServer) -> None:
    pools = {p["pool"]: p for p in get(early, "defillama", "/pools").json()["data"]}
    chart = get(early, "defillama", f"/chart/{CHARTED_POOLS[0]}").json()["data"]
    # EARLY's point is taken at 23:01, after 02:30: the day before's is the latest
    assert chart[-1]["timestamp"].startswith((EARLY - dt.timedelta(days=1)).isoformat())
    assert pools[CHARTED_POOLS[0]]["tvlUsd"] == chart[-1]["tvlUsd"]
    assert pools[UNCHARTED_POOL]["tvlUsd"] == 7e8


def test_unknown_pool_chart_is_200_with_no_points(early: ReplayServer) -> None:
    answer = get(early, "defillama", "/chart/00000000-0000-0000-0000-000000000000")
    assert answer.status_code == 200 and answer.json() == {"status": "success", "data": []}


def test_cmc_needs_a_key_and_serves_nothing_later(early: ReplayServer) -> None:
    path = "/v2/cryptocurrency/ohlcv/historical"
    missing = get(early, "coinmarketcap", path, id=3408)
    assert missing.status_code == 401
    assert missing.json()["status"]["error_code"] == 1002
    answer = requests.get(
        f"{early.base_urls['coinmarketcap']}{path}",
        params={"id": 3408, "time_start": "2025-01-01", "convert": "USD"},
        headers={"X-CMC_PRO_API_KEY": "k"},
        timeout=10,
    ).json()
    # the day in progress at 02:30 is not returned: the last candle is the day before's
    day_before = (EARLY - dt.timedelta(days=1)).isoformat()
    assert answer["data"]["quotes"][-1]["time_open"].startswith(day_before)
    quotes = requests.get(
        f"{early.base_urls['coinmarketcap']}/v2/cryptocurrency/quotes/latest",
        params={"id": "3408,1027"},
        headers={"X-CMC_PRO_API_KEY": "k"},
        timeout=10,
    ).json()["data"]
    assert set(quotes) == {"3408", "1027"}
    assert quotes["1027"]["quote"]["USD"]["last_updated"].startswith(day_before)


def test_gas_average_is_the_week_of_hours_ended_by_the_moment(early: ReplayServer) -> None:
    hours = get(early, "ethgastracker", "/api/gas/average").json()["data"]["data"]
    assert len(hours) == 168
    assert hours[0]["period"].startswith(f"{EARLY.isoformat()}T01:00")  # 01:00-02:00 ended


def test_etherscan_key_chain_and_paging(early: ReplayServer) -> None:
    base = {"chainid": "1", "module": "account", "action": "txlist", "address": WALLET}
    assert get(early, "etherscan", "/v2/api", **base).json() == {
        "status": "0",
        "message": "NOTOK",
        "result": "Missing/Invalid API Key",
    }
    keyed = {**base, "apikey": "k", "sort": "asc", "offset": "4"}
    page1 = get(early, "etherscan", "/v2/api", **keyed, page="1").json()["result"]
    page2 = get(early, "etherscan", "/v2/api", **keyed, page="2").json()["result"]
    assert len(page1) == 4 and int(page1[-1]["blockNumber"]) < int(page2[0]["blockNumber"])
    too_far = get(early, "etherscan", "/v2/api", **keyed, page="2501").json()
    assert too_far["message"] == "NOTOK" and "Result window is too large" in too_far["result"]
    everything = get(early, "etherscan", "/v2/api", **{**keyed, "offset": "100"}).json()
    # the last five days are after EARLY, and EARLY's 12:00 transaction after 02:30
    assert len(everything["result"]) == 25 - 6
    logged = early.requests_to("/etherscan")[-1]
    assert logged.params["apikey"] == "***"


def test_faults_are_answered_in_order_then_normal(early: ReplayServer) -> None:
    early.inject("/defillama/pools", Status(500), Status(429, headers={"Retry-After": "3"}))
    first = get(early, "defillama", "/pools")
    second = get(early, "defillama", "/pools")
    third = get(early, "defillama", "/pools")
    assert (first.status_code, second.status_code, third.status_code) == (500, 429, 200)
    assert second.headers["Retry-After"] == "3"
