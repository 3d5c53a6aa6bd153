"""A scaled copy of ``recordings/`` for bench/daily.py: the daily flow at production volume.

The repo's recordings hold 14,813 pools, 182 charts (28 of them usable on the demo day) and a
week of served hourly gas, so the demo exercises every step but never the volume a real day
brings. The copy keeps the recordings' shapes (the replay server serves it unchanged) and
scales what grows:

- ``defillama/pools.json.gz``: ``POOLS`` records. The real uncharted records are kept; clones
  of them with new uuid5 ids and perturbed TVL/APY fill up to ``POOLS - CHARTED``. The 182
  real charted records are left out (their charts are not copied).
- ``defillama/chart/``: ``CHARTED`` new pools whose metadata (chain, project, symbol, ...) is
  a real record that passes the token and protocol filters, and whose ``HISTORY_DAYS`` daily
  points end on the run date, built from a real long chart (mirrored to the length, scaled,
  jittered). Their run-date TVL and APY sit inside the strategy's limits, so every one of
  them is a history candidate at step 9 and eligible, hence forecast, at step 10.
- ``ethgastracker/gas_average.json.gz``: the year of hourly averages ending on the run date
  (the API, and so the replay server, answers the last 168 hours of it).
- Everything else (Etherscan daily gas and accounts, CoinMarketCap) is copied as is.

Deterministic: every draw comes from one NumPy generator with a fixed seed, ids are uuid5 of
fixed names and gzip headers carry no timestamp.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.config import StrategyConfig
from core.paths import SEEDS_DIR
from replay.recordings import parse_time

POOLS = 20_000
CHARTED = 500
HISTORY_DAYS = 730
GAS_DAYS = 365
SEED = 20_250_605
# A real chart can serve as a shape when it is long enough not to repeat within a season
# and ends on a positive TVL and APY (the shape is scaled to land inside the limits).
MIN_SHAPE_POINTS = 300
MIN_SHAPE_APY = 0.5
# The charted pools' run-date values keep this margin from the strategy's limits, so the
# perturbation never pushes one out of the candidates.
TVL_MARGIN = 2.0
APY_MARGIN = 1.5
APY_FIELDS = ("apy", "apyBase", "apyReward", "apyBase7d", "apyMean30d")
CHART_APY_FIELDS = ("apy", "apyBase", "apyReward", "apyBase7d")
REGENERATED = ("defillama", "ethgastracker")


@dataclass(frozen=True)
class ScaledCopy:
    """What was written, for the benchmark's report."""

    root: Path
    pools: int
    charted: int
    history_days: int
    gas_hours: int


@dataclass(frozen=True)
class Shape:
    """A real chart as arrays (NaN where the API had null), oldest first."""

    tvl: np.ndarray
    apy: dict[str, np.ndarray]
    il7d: np.ndarray


def build_scaled_recordings(
    source: Path,
    target: Path,
    run_date: dt.date,
    config: StrategyConfig,
) -> ScaledCopy:
    """Write the scaled copy of ``source`` under ``target`` (created) and describe it."""
    rng = np.random.default_rng(SEED)
    shutil.copytree(source, target, ignore=lambda folder, names: _regenerated(source, folder))
    records = _read_gz(source / "defillama" / "pools.json.gz")["data"]
    chart_dir = source / "defillama" / "chart"
    real_charted = {path.name.removesuffix(".json.gz") for path in chart_dir.glob("*.json.gz")}
    uncharted = [record for record in records if record["pool"] not in real_charted]

    charted_records = _write_charts(target, chart_dir, records, run_date, config, rng)
    clones = [
        _clone(uncharted[int(index)], _pool_id("pool", number), rng)
        for number, index in enumerate(
            rng.integers(0, len(uncharted), POOLS - CHARTED - len(uncharted))
        )
    ]
    snapshot = sorted(
        [*uncharted, *clones, *charted_records], key=lambda r: -(r.get("tvlUsd") or 0)
    )
    _write_gz(target / "defillama" / "pools.json.gz", {"status": "success", "data": snapshot})
    gas_hours = _write_gas_year(source, target, run_date)
    return ScaledCopy(target, len(snapshot), len(charted_records), HISTORY_DAYS, gas_hours)


def _regenerated(source: Path, folder: str) -> list[str]:
    """copytree's ignore: the top-level folders this module writes itself."""
    return list(REGENERATED) if Path(folder) == source else []


def _write_charts(
    target: Path,
    chart_dir: Path,
    records: list[dict[str, Any]],
    run_date: dt.date,
    config: StrategyConfig,
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    """Write ``CHARTED`` new chart files; return their /pools records (last point's values)."""
    templates = _usable_templates(records, run_date)
    shapes = _shapes(chart_dir)
    out_dir = target / "defillama" / "chart"
    out_dir.mkdir(parents=True)
    written = []
    for number in range(CHARTED):
        pool_id = _pool_id("chart", number)
        points = _history(shapes[number % len(shapes)], run_date, config, rng)
        _write_gz(out_dir / f"{pool_id}.json.gz", {"status": "success", "data": points})
        template = templates[int(rng.integers(len(templates)))]
        last = {key: value for key, value in points[-1].items() if key != "timestamp"}
        written.append({**template, "pool": pool_id, **last})
    return written


def _usable_templates(records: list[dict[str, Any]], run_date: dt.date) -> list[dict[str, Any]]:
    """Real records that pass the list filters on ``run_date`` and whose gas step 13 can price.

    Tokens are limited to tracked stablecoins: they have a market cap (an untracked token
    fails the market-cap filter), and a pegged token stays out of the icebox on an ordinary
    day, whereas ETH and WBTC enter it on every price drop (they are in it on 2025-06-05).
    Gas: an eligible pool without a gas cost stops the optimizer, so the pool's chain must
    have a fee in ``chain_tx_fee_usd``, or be Ethereum with the protocol's gas units. A symbol
    that repeats a token (``USDC-USDC``, bridged and native) is eligible but stops the
    optimizer too (its problem refuses repeated tokens), so such records are left out.
    """
    protocols = _active(SEEDS_DIR / "approved_protocols.csv", "project", run_date)
    approved = _active(SEEDS_DIR / "approved_tokens.csv", "token_symbol", run_date)
    blacklisted = _active(SEEDS_DIR / "blacklisted_tokens.csv", "token_symbol", run_date)
    tokens = {token.upper() for token in approved - blacklisted} & _tracked_stablecoins()
    fee_chains = _seed_keys("chain_tx_fee_usd.csv", "chain")
    ethereum_protocols = _seed_keys("protocol_gas_units.csv", "project")
    return [
        record
        for record in records
        if record["project"] in protocols
        and _symbol_tokens(record) <= tokens
        and len(_symbol_tokens(record)) == len(record["symbol"].split("-"))
        and (
            record["chain"] in fee_chains
            or (record["chain"] == "Ethereum" and record["project"] in ethereum_protocols)
        )
    ]


def _symbol_tokens(record: dict[str, Any]) -> set[str]:
    """The pool's tokens as the staging model splits and normalizes its symbol."""
    return {part.strip().upper() for part in record["symbol"].split("-")}


def _active(seed: Path, column: str, day: dt.date) -> set[str]:
    """The seed's keys listed on ``day`` (added_at <= day < removed_at), as the models read it."""
    with seed.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row[column].strip()
        for row in rows
        if dt.date.fromisoformat(row["added_at"]) <= day
        and (not row["removed_at"] or dt.date.fromisoformat(row["removed_at"]) > day)
    }


def _tracked_stablecoins() -> set[str]:
    with (SEEDS_DIR / "tracked_tokens.csv").open(newline="") as handle:
        return {
            row["token_symbol"].strip().upper()
            for row in csv.DictReader(handle)
            if row["is_stablecoin"] == "true"
        }


def _seed_keys(seed: str, column: str) -> set[str]:
    with (SEEDS_DIR / seed).open(newline="") as handle:
        return {row[column].strip() for row in csv.DictReader(handle)}


def _shapes(chart_dir: Path) -> list[Shape]:
    """The real charts usable as shapes, in file-name order (deterministic)."""
    shapes = []
    for path in sorted(chart_dir.glob("*.json.gz")):
        points = _read_gz(path)["data"]
        if len(points) < MIN_SHAPE_POINTS:
            continue
        shape = Shape(
            tvl=_column(points, "tvlUsd"),
            apy={field: _column(points, field) for field in CHART_APY_FIELDS},
            il7d=_column(points, "il7d"),
        )
        if shape.tvl[-1] > 0 and shape.apy["apy"][-1] >= MIN_SHAPE_APY:
            shapes.append(shape)
    return shapes


def _column(points: list[dict[str, Any]], field: str) -> np.ndarray:
    return np.array([np.nan if p.get(field) is None else p[field] for p in points], dtype=float)


def _history(
    shape: Shape, run_date: dt.date, config: StrategyConfig, rng: np.random.Generator
) -> list[dict[str, Any]]:
    """``HISTORY_DAYS`` daily points ending on ``run_date``, the last one inside the limits.

    The shape is mirrored back in time (continuous at the joins) until it is long enough,
    so its last real point is the run date's; APY and TVL are scaled per pool and jittered
    per day.
    """
    length = len(shape.tvl)
    period = np.concatenate([np.arange(length)[::-1], np.arange(length)])
    index = np.tile(period, HISTORY_DAYS // len(period) + 1)[-HISTORY_DAYS:]
    jitter = 1 + rng.normal(0, 0.02, HISTORY_DAYS)
    apy_last = shape.apy["apy"][-1] * jitter[-1]
    wanted_apy = np.clip(
        apy_last * rng.uniform(0.8, 1.25),
        config.pool_apy_limit * APY_MARGIN,
        config.pool_apy_max / APY_MARGIN,
    )
    apy = {
        field: values[index] * jitter * wanted_apy / apy_last for field, values in shape.apy.items()
    }
    tvl_factor = max(rng.lognormal(0, 0.5), config.pool_tvl_limit * TVL_MARGIN / shape.tvl[-1])
    tvl = shape.tvl[index] * tvl_factor * rng.lognormal(0, 0.01, HISTORY_DAYS)
    il7d = shape.il7d[index]
    first = run_date - dt.timedelta(days=HISTORY_DAYS - 1)
    return [
        {
            "timestamp": f"{first + dt.timedelta(days=day)}T23:00:00.000Z",
            "tvlUsd": round(float(tvl[day])),
            **{field: _rounded(values[day]) for field, values in apy.items()},
            "il7d": _rounded(il7d[day]),
        }
        for day in range(HISTORY_DAYS)
    ]


def _rounded(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 5)


def _clone(record: dict[str, Any], pool_id: str, rng: np.random.Generator) -> dict[str, Any]:
    """Another pool like ``record``: new id, TVL and APYs moved by a random factor each."""
    tvl_factor, apy_factor = rng.lognormal(0, 0.3), rng.lognormal(0, 0.1)
    clone = {**record, "pool": pool_id}
    if record.get("tvlUsd") is not None:
        clone["tvlUsd"] = round(record["tvlUsd"] * tvl_factor)
    for field in APY_FIELDS:
        if record.get(field) is not None:
            clone[field] = round(record[field] * apy_factor, 5)
    return clone


def _pool_id(kind: str, number: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"yieldopt-bench-daily/{kind}/{number}"))


def _write_gas_year(source: Path, target: Path, run_date: dt.date) -> int:
    """The recorded hourly gas of the ``GAS_DAYS`` days ending on ``run_date``; hours written."""
    recorded = _read_gz(source / "ethgastracker" / "gas_average.json.gz")
    end = dt.datetime.combine(run_date + dt.timedelta(days=1), dt.time(), dt.UTC)
    start = end - dt.timedelta(days=GAS_DAYS)
    hours = [h for h in recorded["data"]["data"] if start <= parse_time(h["period"]) < end]
    if len(hours) < GAS_DAYS * 24:
        raise ValueError(f"the recordings hold {len(hours)} hours of gas before {run_date}")
    payload = {**recorded, "data": {**recorded["data"], "data": hours}}
    _write_gz(target / "ethgastracker" / "gas_average.json.gz", payload)
    return len(hours)


def _read_gz(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _write_gz(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(payload, separators=(",", ":")).encode()
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(body)
