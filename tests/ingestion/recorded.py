"""Small recordings in the agreed ``recordings/`` layout, written by :func:`write_recordings`
with the APIs' real shapes and small sizes:
three pools (two with 60 days of chart history), daily OHLCV and DeFiLlama coins hourly
prices for every tracked token,
two weeks of hourly gas, Etherscan's daily gas price, gas oracle and one wallet with
25 transactions and 30 token transfers (enough to page with a small page size).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

from core import db
from ingestion import seeds
from ingestion.defillama_coins.settings import COINGECKO_IDS
from replay.envelopes import coinmarketcap, defillama, defillama_coins, etherscan, ethgastracker

AS_OF = dt.date(2025, 6, 5)
WALLET = "0x1111111111111111111111111111111111111111"
RESERVE_CONTRACT = "0x2222222222222222222222222222222222222222"
CHARTED_POOLS = (
    "aa70268e-4b52-42bf-a116-608b370f9501",
    "747c1d2a-c668-4682-b9f9-296708a3dd90",
)
UNCHARTED_POOL = "43641cf5-a92e-416b-bce9-27113d3c0db6"
HISTORY_START = AS_OF - dt.timedelta(days=59)
TX_BLOCK_START = 22_000_000


def _write(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            json.dump(payload, handle)
    else:
        path.write_text(json.dumps(payload))


def _pool(pool_id: str, symbol: str, tvl: float, apy: float) -> dict[str, Any]:
    return {
        "chain": "Ethereum",
        "project": "aave-v3",
        "symbol": symbol,
        "tvlUsd": tvl,
        "apyBase": apy,
        "apyReward": None,
        "apy": apy,
        "rewardTokens": None,
        "pool": pool_id,
        "apyPct1D": 0.01,
        "apyPct7D": -0.2,
        "apyPct30D": 0.3,
        "stablecoin": True,
        "ilRisk": "no",
        "exposure": "single",
        "predictions": {
            "predictedClass": "Stable/Up",
            "predictedProbability": 70,
            "binnedConfidence": 2,
        },
        "poolMeta": None,
        "mu": 4.1,
        "sigma": 0.2,
        "count": 900,
        "outlier": False,
        "underlyingTokens": ["0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"],
        "il7d": None,
        "apyBase7d": None,
        "apyMean30d": 4.0,
        "volumeUsd1d": None,
        "volumeUsd7d": None,
        "apyBaseInception": None,
    }


def _chart(seed: int) -> dict[str, Any]:
    points = []
    for offset in range(60):
        day = HISTORY_START + dt.timedelta(days=offset)
        apy = 3 + seed + (offset % 7) / 10
        points.append(
            {
                "timestamp": f"{day.isoformat()}T23:01:13.171Z",
                "tvlUsd": 1_000_000 * (seed + 1) + offset * 1000,
                "apy": apy,
                "apyBase": apy,
                "apyReward": None,
                "il7d": None,
                "apyBase7d": None,
            }
        )
    return defillama.success(points)


def _ohlcv(token: seeds.TrackedToken) -> dict[str, Any]:
    price = 1.0 if token.cmc_id not in (1, 1027) else 2500.0 * (1 + (token.cmc_id == 1) * 30)
    quotes = []
    for offset in range(120):
        day = AS_OF - dt.timedelta(days=119 - offset)
        open_ = dt.datetime.combine(day, dt.time(), dt.UTC)
        close = price * (1 + (offset % 5 - 2) / 1000)
        stamp = (open_ + dt.timedelta(days=1, milliseconds=-1)).isoformat()
        quotes.append(
            {
                "time_open": open_.isoformat().replace("+00:00", "Z"),
                "time_close": stamp.replace("+00:00", "Z"),
                "time_high": open_.isoformat().replace("+00:00", "Z"),
                "time_low": open_.isoformat().replace("+00:00", "Z"),
                "quote": {
                    "USD": {
                        "open": price,
                        "high": close * 1.001,
                        "low": close * 0.999,
                        "close": close,
                        "volume": 1e9,
                        "market_cap": 5e10,
                        "timestamp": stamp.replace("+00:00", "Z"),
                    }
                },
            }
        )
    return coinmarketcap.success(
        {"id": token.cmc_id, "name": token.symbol, "symbol": token.symbol, "quotes": quotes}
    )


def _coin_points(token: seeds.TrackedToken) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """DeFiLlama coins: 120 days of hourly points (a few seconds past each hour) and daily
    market caps, around the same levels as the OHLCV above."""
    price = 1.0 if token.cmc_id not in (1, 1027) else 2500.0 * (1 + (token.cmc_id == 1) * 30)
    first = dt.datetime.combine(AS_OF - dt.timedelta(days=119), dt.time(), dt.UTC)
    points, caps = [], []
    for hour in range(120 * 24):
        stamp = int(first.timestamp()) + hour * 3600 + 17
        points.append({"timestamp": stamp, "price": price * (1 + (hour % 24 - 12) / 10_000)})
        if hour % 24 == 23:
            caps.append({"timestamp": stamp, "mcap": 5e10})
    gecko = f"coingecko:{COINGECKO_IDS[token.symbol]}"
    chart = defillama_coins.chart({gecko: defillama_coins.chart_coin(token.symbol, points)})
    return chart, caps


def _gas_hours() -> dict[str, Any]:
    end = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(), dt.UTC)
    hours = []
    for back in range(1, 24 * 14 + 1):
        period = end - dt.timedelta(hours=back)
        hours.append(
            {
                "period": period.isoformat(),
                "baseFee": 1.5 + (back % 24) / 10,
                "gasLimit": 36_000_000.0,
                "gasUsed": 18_000_000.5,
                "txCount": 180.2,
                "min": 1.0,
                "max": 4.0,
                "median": 2.0,
                "ethPrice": 2600.5,
            }
        )
    return ethgastracker.average(hours, 1749167999000)


def _daily_gas() -> dict[str, Any]:
    rows = []
    for offset in range(200):
        day = AS_OF - dt.timedelta(days=199 - offset)
        stamp = int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp())
        rows.append(
            {
                "UTCDate": day.isoformat(),
                "unixTimeStamp": str(stamp),
                "avgGasPrice_Wei": str(3_000_000_000 + offset * 1_000_000),
            }
        )
    return etherscan.ok(rows)


def _transactions(count: int, token: bool) -> dict[str, Any]:
    """``count`` records, one per day up to AS_OF; transfers come in pairs (two logs of one
    transaction in one block), so the last day holds one transaction or two transfers."""
    units = [i // 2 if token else i for i in range(count)]
    first_day = dt.datetime.combine(AS_OF - dt.timedelta(days=units[-1]), dt.time(12), dt.UTC)
    rows = []
    for i, unit in enumerate(units):
        block = TX_BLOCK_START + unit * 7200
        stamp = int((first_day + dt.timedelta(days=unit)).timestamp())
        tx_hash = f"0x{unit:064x}"
        record = {
            "blockNumber": str(block),
            "timeStamp": str(stamp),
            "hash": tx_hash,
            "nonce": str(i),
            "blockHash": f"0x{block:064x}",
            "from": WALLET,
            "to": "0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2",
            "value": str(10**21 + i) if not token else str(5_000_000_000 + i),
            "gas": "210000",
            "gasPrice": "3000000000",
            "gasUsed": "180000",
            "cumulativeGasUsed": "9000000",
            "transactionIndex": str(i % 50),
            "input": "0x",
            "confirmations": "100",
        }
        if token:
            record |= {
                "contractAddress": "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
                "tokenName": "USD Coin",
                "tokenSymbol": "USDC",
                "tokenDecimal": "6",
            }
        else:
            record |= {
                "isError": "0",
                "txreceipt_status": "1",
                "contractAddress": "",
                "methodId": "0x617ba037",
                "functionName": "supply(address asset,uint256 amount,address onBehalfOf)",
            }
        rows.append(record)
    return etherscan.ok(rows)


def write_recordings(root: Path) -> Path:
    """Write the small recordings in the agreed ``recordings/`` layout under ``root``."""
    pools = [
        _pool(CHARTED_POOLS[0], "USDC", 2e9, 4.2),
        _pool(CHARTED_POOLS[1], "STETH", 3e10, 2.9),
        _pool(UNCHARTED_POOL, "USDC", 7e8, 6.1),
    ]
    _write(root / "defillama/pools.json.gz", defillama.success(pools))
    for seed, pool_id in enumerate(CHARTED_POOLS):
        _write(root / f"defillama/chart/{pool_id}.json.gz", _chart(seed))
    for token in seeds.tracked_tokens():
        _write(root / f"coinmarketcap/ohlcv_historical/{token.cmc_id}.json.gz", _ohlcv(token))
    for token in seeds.tracked_tokens():
        chart, caps = _coin_points(token)
        gecko = COINGECKO_IDS[token.symbol]
        _write(root / f"defillama_coins/chart/{gecko}.json.gz", chart)
        _write(root / f"defillama_coins/mcaps/{gecko}.json.gz", caps)
    _write(root / "ethgastracker/gas_average.json.gz", _gas_hours())
    _write(root / "etherscan/dailyavggasprice.json.gz", _daily_gas())
    oracle = {
        "LastBlock": "22687423",
        "SafeGasPrice": "1.725116031",
        "ProposeGasPrice": "1.804116031",
        "FastGasPrice": "1.984527634",
        "suggestBaseFee": "1.725116031",
        "gasUsedRatio": "0.2856,0.4024,0.5013,0.3778,0.5186",
    }
    _write(root / "etherscan/gasoracle.json", etherscan.ok(oracle))
    account = root / "etherscan/accounts" / WALLET
    _write(
        account / "balance.json",
        etherscan.ok("40891626854930000000000"),
    )
    _write(account / "txlist.json.gz", _transactions(25, token=False))
    _write(account / "tokentx.json.gz", _transactions(30, token=True))
    usdc = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
    _write(
        account / f"tokenbalance/{usdc}.json",
        etherscan.ok("1250000000000"),
    )
    _write(
        root / "etherscan/accounts" / RESERVE_CONTRACT / f"tokenbalance/{usdc}.json",
        etherscan.ok("987654321000000"),
    )
    return root


def count(info: db.PgConnection, table: str) -> int:
    """Rows in ``table``; 0 when it does not exist yet."""
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass(%s)", (table,))
        if cur.fetchone()[0] is None:
            return 0
        cur.execute(f"select count(*) from {table}")
        return cur.fetchone()[0]
