"""The recordings hold what ``recordings/README.md`` promises.

These files drive the demo and the replayed tests, so a rebuild that drops the USDC depeg,
loses real pools or makes the wallet's balances disagree with its transfers must fail here.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import itertools
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from core.paths import RECORDINGS_DIR, SEEDS_DIR
from ingestion.defillama_coins.settings import COINGECKO_IDS
from replay.recordings import Recordings

END = dt.date(2025, 6, 30)
WALLET = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
POOL_FIELDS = {
    "chain", "project", "symbol", "tvlUsd", "apyBase", "apyReward", "apy", "rewardTokens", "pool",
    "apyPct1D", "apyPct7D", "apyPct30D", "stablecoin", "ilRisk", "exposure", "predictions",
    "poolMeta", "mu", "sigma", "count", "outlier", "underlyingTokens", "il7d", "apyBase7d",
    "apyMean30d", "volumeUsd1d", "volumeUsd7d", "apyBaseInception",
}  # fmt: skip
CHART_FIELDS = ("tvlUsd", "apy", "apyBase", "apyReward", "il7d", "apyBase7d")
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@cache
def load(relative: str) -> Any:
    path = RECORDINGS_DIR / relative
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def chart_ids() -> list[str]:
    return sorted(
        p.name.removesuffix(".json.gz") for p in (RECORDINGS_DIR / "defillama" / "chart").iterdir()
    )


def quotes(cmc_id: str) -> list[dict[str, Any]]:
    return load(f"coinmarketcap/ohlcv_historical/{cmc_id}.json.gz")["data"]["quotes"]


def test_usdc_depeg_of_2023_03_11_is_recorded() -> None:
    by_day = {q["time_open"][:10]: q["quote"]["USD"] for q in quotes("3408")}
    assert round(by_day["2023-03-11"]["low"], 3) == 0.877
    assert by_day["2023-03-10"]["low"] > 0.99


def test_pools_snapshot_is_large_complete_and_unique() -> None:
    payload = load("defillama/pools.json.gz")
    pools = payload["data"]
    assert payload["status"] == "success"
    assert len(pools) > 10_000
    assert all(set(p) == POOL_FIELDS for p in pools)
    assert max(Counter(p["pool"] for p in pools).values()) == 1
    assert {"Ethereum", "Arbitrum", "Base"} <= {p["chain"] for p in pools}
    assert "aave-v3" in {p["project"] for p in pools}


def test_charted_pools_are_in_the_snapshot_with_their_last_chart_values() -> None:
    pools = {p["pool"]: p for p in load("defillama/pools.json.gz")["data"]}
    ids = chart_ids()
    assert len(ids) >= 180
    for pool_id in ids:
        points = load(f"defillama/chart/{pool_id}.json.gz")["data"]
        last = points[-1]
        assert {k: pools[pool_id][k] for k in CHART_FIELDS} == {k: last[k] for k in CHART_FIELDS}


@pytest.mark.parametrize(
    "pool_id",
    ["aa70268e-4b52-42bf-a116-608b370f9501", "665dc8bc-c79d-4800-97f7-304bf368e547",
     "5fd328af-4203-471b-bd16-1705c726d926"],
)  # fmt: skip
def test_charts_are_daily_ascending_in_the_api_shape(pool_id: str) -> None:
    payload = load(f"defillama/chart/{pool_id}.json.gz")
    points = payload["data"]
    stamps = [p["timestamp"] for p in points]
    assert payload["status"] == "success"
    assert all(ISO_MS.match(s) for s in stamps)
    assert stamps == sorted(stamps) and len(set(s[:10] for s in stamps)) == len(stamps)
    assert all(
        isinstance(p["tvlUsd"], int) and set(p) == {"timestamp", *CHART_FIELDS} for p in points
    )
    assert stamps[-1][:10] <= END.isoformat()


def test_every_tracked_token_has_daily_ohlcv_to_the_end() -> None:
    for token in seed("tracked_tokens.csv"):
        coin = load(f"coinmarketcap/ohlcv_historical/{token['cmc_id']}.json.gz")["data"]
        assert coin["id"] == int(token["cmc_id"])
        assert coin["symbol"].upper() == token["token_symbol"]
        opens = [dt.date.fromisoformat(q["time_open"][:10]) for q in coin["quotes"]]
        assert opens[-1] == END
        assert all(b - a == dt.timedelta(days=1) for a, b in itertools.pairwise(opens))
        for q in coin["quotes"]:
            usd = q["quote"]["USD"]
            assert (
                usd["low"]
                <= min(usd["open"], usd["close"])
                <= max(usd["open"], usd["close"])
                <= usd["high"]
            )
            assert usd["market_cap"] > 0 and usd["volume"] >= 0


def test_wrapped_tokens_follow_their_underlying() -> None:
    eth = {q["time_open"]: q["quote"]["USD"]["close"] for q in quotes("1027")}
    weth = {q["time_open"]: q["quote"]["USD"]["close"] for q in quotes("2396")}
    assert all(eth[day] == close for day, close in weth.items())


def test_wallet_balances_equal_summed_transfers() -> None:
    account = f"etherscan/accounts/{WALLET}"
    txs = load(f"{account}/txlist.json.gz")["result"]
    transfers = load(f"{account}/tokentx.json.gz")["result"]
    assert [int(t["blockNumber"]) for t in txs] == sorted(int(t["blockNumber"]) for t in txs)
    wei = sum(
        (int(t["value"]) if t["to"] == WALLET and t["isError"] == "0" else 0)
        - (int(t["gasUsed"]) * int(t["gasPrice"]) if t["from"] == WALLET else 0)
        - (int(t["value"]) if t["from"] == WALLET and t["isError"] == "0" else 0)
        for t in txs
    )
    assert int(load(f"{account}/balance.json")["result"]) == wei
    assert 100 < wei / 1e18 < 250
    held: Counter[str] = Counter()
    for t in transfers:
        held[t["contractAddress"]] += ((t["to"] == WALLET) - (t["from"] == WALLET)) * int(
            t["value"]
        )
    tokens = {t["contract_address"]: t for t in seed("tracked_tokens.csv") if t["contract_address"]}
    for contract, token in tokens.items():
        recorded = load(f"{account}/tokenbalance/{contract}.json")["result"]
        assert int(recorded) == held[contract], token["token_symbol"]
    usd_held = {
        tokens[c]["token_symbol"]: v / 10 ** int(tokens[c]["decimals"]) for c, v in held.items()
    }
    assert (
        usd_held["USDC"] > 1_000_000 and usd_held["USDT"] > 1_000_000 and usd_held["DAI"] > 500_000
    )
    assert len({(t["hash"], t["logIndex"]) for t in transfers}) == len(transfers)


def test_reserve_contracts_name_snapshot_pools_with_recorded_token_balances() -> None:
    pools = {p["pool"]: p for p in load("defillama/pools.json.gz")["data"]}
    rows = seed("pool_reserve_contracts.csv")
    assert any(r["contract_address"] == "0xbebc44782c7db0a1a60cb6fe97d0b483032ff1c7" for r in rows)
    for row in rows:
        assert row["pool_id"] in pools
        folder = (
            RECORDINGS_DIR / "etherscan" / "accounts" / row["contract_address"] / "tokenbalance"
        )
        balances = [
            int(load(str(p.relative_to(RECORDINGS_DIR)))["result"]) for p in folder.iterdir()
        ]
        assert len(balances) >= 2 and min(balances) > 0


def test_hourly_gas_averages_to_the_real_daily_price() -> None:
    hours = load("ethgastracker/gas_average.json.gz")["data"]["data"]
    periods = [h["period"] for h in hours]
    assert periods == sorted(periods, reverse=True)
    assert periods[0] == "2025-06-30T23:00:00+00:00" and periods[-1] == "2024-06-01T00:00:00+00:00"
    assert len(periods) == len(set(periods)) == 24 * ((END - dt.date(2024, 6, 1)).days + 1)
    daily = {
        r["UTCDate"]: int(r["avgGasPrice_Wei"]) / 1e9
        for r in load("etherscan/dailyavggasprice.json.gz")["result"]
    }
    for day in ("2024-06-01", "2024-12-25", "2025-06-30"):
        medians = [h["median"] for h in hours if h["period"].startswith(day)]
        assert sum(medians) / 24 == pytest.approx(daily[day], rel=1e-3)


def test_replay_answers_pools_as_of_the_demo_day() -> None:
    """The agreed layout works with the replay server: at the run's moment (02:30 UTC) the
    latest chart value is the day before's."""
    status, body = Recordings(RECORDINGS_DIR, dt.date(2025, 6, 5)).defillama_pools()
    aave_usdc = next(p for p in body["data"] if p["pool"] == "aa70268e-4b52-42bf-a116-608b370f9501")
    chart = load("defillama/chart/aa70268e-4b52-42bf-a116-608b370f9501.json.gz")["data"]
    assert status == 200 and len(body["data"]) > 10_000
    assert aave_usdc["tvlUsd"] == next(
        p["tvlUsd"] for p in chart if p["timestamp"].startswith("2025-06-04")
    )


def test_recordings_stay_small() -> None:
    total = sum(p.stat().st_size for p in Path(RECORDINGS_DIR).rglob("*") if p.is_file())
    assert total < 15 * 1024 * 1024


def test_coins_charts_are_hourly_and_agree_with_the_daily_candles() -> None:
    """The free price path's hourly points: 24 a UTC day to the end, the day's CoinMarketCap
    candle their open, close and extremes, so both price paths curate the same day."""
    for row in seed("tracked_tokens.csv"):
        gecko = COINGECKO_IDS[row["token_symbol"]]
        coins = load(f"defillama_coins/chart/{gecko}.json.gz")["coins"]
        points = coins[f"coingecko:{gecko}"]["prices"]
        by_day: dict[str, list[float]] = {}
        for point in points:
            day = dt.datetime.fromtimestamp(point["timestamp"], dt.UTC).date().isoformat()
            by_day.setdefault(day, []).append(point["price"])
        assert set(map(len, by_day.values())) == {24}
        assert max(by_day) == END.isoformat()
        candles = {q["time_open"][:10]: q["quote"]["USD"] for q in quotes(row["cmc_id"])}
        for day in ("2024-12-25", "2025-06-04"):
            prices, candle = by_day[day], candles[day]
            assert (prices[0], prices[-1]) == (candle["open"], candle["close"])
            assert min(prices) <= candle["low"] + 1e-9 and max(prices) >= candle["high"] - 1e-9
        mcaps = load(f"defillama_coins/mcaps/{gecko}.json.gz")
        assert len(mcaps) == len(by_day) and all(m["mcap"] > 0 for m in mcaps)
