"""DeFiLlama ``/pools`` snapshot: the 2025-04 website export with real ids where known."""

from __future__ import annotations

import csv
import json
import logging
import re
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from replay.builder.common import rng_for
from replay.builder.tokens import EXTRA_ADDRESSES, STABLE_SYMBOLS, TOKENS

log = logging.getLogger("replay.builder")

POOL_ID_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # uuid.NAMESPACE_URL


def slug(project: str) -> str:
    """The website's display name as DeFiLlama's project slug ("Aave V3" -> "aave-v3")."""
    return re.sub(r"[^a-z0-9]+", "-", project.lower()).strip("-")


def float_or_none(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def mend_row(row: list[str], width: int) -> list[str]:
    """Re-join a field split by an unquoted comma: the symbol if TVL is not where it belongs."""
    extra = len(row) - width
    if extra <= 0:
        return row
    tvl = row[3].replace(".", "", 1)
    if not tvl.isdigit():
        return [",".join(row[: extra + 1]), *row[extra + 1 :]]
    return [*row[: width - 1], ",".join(row[width - 1 :])]


def read_website_export(path: Path) -> pd.DataFrame:
    """The website CSV; 13 rows have an unquoted comma in the symbol or in Pool Meta."""
    with path.open(newline="") as handle:
        header, *rows = csv.reader(handle)
    width = len(header)
    rows = [mend_row(row, width) for row in rows]
    frame = pd.DataFrame(rows, columns=header).replace("", np.nan)
    text_columns = ["Pool", "Project", "Chain", "Outlook", "Category", "Pool Meta"]
    numeric = [c for c in header if c not in text_columns]
    frame[numeric] = frame[numeric].apply(pd.to_numeric)
    return frame


def export_records(data: Path, reserved: set[str]) -> list[dict[str, Any]]:
    """The 2025-04 website export as /pools records: the id of the 2023 pool list when the
    (chain, project, symbol) is unique in both lists and not a charted pool's id, else minted."""
    pools_dir = data / "defillama_pools"
    export = read_website_export(pools_dir / "defillama_website_csv_export_OptiFi_2025-04.csv")
    listing = pd.read_csv(
        pools_dir / "check-sked_crypto_data_resources" / "all_pools_apy_sorted.csv"
    )
    listing_keys = Counter(
        zip(listing["chain"], listing["project"], listing["symbol"], strict=True)
    )
    real_ids = {
        (c, p, s): pool
        for c, p, s, pool in zip(
            listing["chain"], listing["project"], listing["symbol"], listing["pool"], strict=True
        )
        if listing_keys[(c, p, s)] == 1
    }
    export["project_slug"] = export["Project"].map(slug)
    export_keys = Counter(zip(export["Chain"], export["project_slug"], export["Pool"], strict=True))
    seen: Counter[str] = Counter()
    records = []
    for row in export.to_dict("records"):
        key = (row["Chain"], row["project_slug"], str(row["Pool"]))
        meta = None if pd.isna(row["Pool Meta"]) else str(row["Pool Meta"])
        name = "/".join([*key, meta or ""])
        seen[name] += 1
        pool_id = real_ids.get(key) if export_keys[key] == 1 else None
        pool_id = None if pool_id in reserved else pool_id
        pool_id = pool_id or str(
            uuid.uuid5(POOL_ID_NAMESPACE, f"defillama-export/{name}/{seen[name]}")
        )
        records.append(export_record(row, key, meta, pool_id))
    return records


def underlying_for(chain: str, symbol: str) -> list[str] | None:
    if chain != "Ethereum":
        return None
    known = {t.symbol: t.contract for t in TOKENS} | EXTRA_ADDRESSES
    tokens = [known.get(part) for part in symbol.upper().split("-")]
    return tokens if all(tokens) else None


def export_record(
    row: dict[str, Any], key: tuple[str, str, str], meta: str | None, pool_id: str
) -> dict[str, Any]:
    """One /pools record in the modern schema from an export row; fields the export lacks are
    derived (stablecoin, ilRisk, exposure) or generated (predictedProbability, mu, sigma, count)."""
    chain, project, symbol = key
    rng = rng_for("pool-meta", pool_id)
    apy = float_or_none(row["APY"])
    reward = float_or_none(row["APY Reward"])
    mean30 = float_or_none(row["APY Mean 30d"])
    parts = symbol.upper().split("-")
    stable = all(p in STABLE_SYMBOLS for p in parts)
    confidence = None if pd.isna(row["Confidence"]) else int(row["Confidence"])
    mu = mean30 if mean30 is not None else apy or 0.0
    return {
        "chain": chain,
        "project": project,
        "symbol": symbol,
        "tvlUsd": int(row["TVL"]),
        "apyBase": float_or_none(row["APY Base"]),
        "apyReward": reward,
        "apy": apy,
        "rewardTokens": None,
        "pool": pool_id,
        "apyPct1D": float_or_none(row["Change 1d"]),
        "apyPct7D": float_or_none(row["Change 7d"]),
        "apyPct30D": None,
        "stablecoin": stable,
        "ilRisk": "yes" if len(parts) > 1 and not stable else "no",
        "exposure": "multi" if len(parts) > 1 else "single",
        "predictions": {
            "predictedClass": None if pd.isna(row["Outlook"]) else str(row["Outlook"]),
            "predictedProbability": None
            if confidence is None
            else int(rng.integers(50, 70) + 10 * confidence),
            "binnedConfidence": confidence,
        },
        "poolMeta": meta,
        "mu": round(mu, 5),
        "sigma": round(abs(mu) * float(rng.uniform(0.02, 0.3)), 5),
        "count": int(rng.integers(30, 1500)),
        "outlier": bool(apy is not None and apy > 1000),
        "underlyingTokens": underlying_for(chain, symbol),
        "il7d": float_or_none(row["IL 7d"]),
        "apyBase7d": float_or_none(row["APY Base 7d"]),
        "apyMean30d": mean30,
        "volumeUsd1d": float_or_none(row["Volume 1d"]),
        "volumeUsd7d": float_or_none(row["Volume 7d"]),
        "apyBaseInception": float_or_none(row["APY Base Inception"]),
    }


EXPORT_COLUMNS = (
    *("APY", "APY Base", "APY Reward", "APY Mean 30d", "Change 1d", "Change 7d", "Outlook"),
    *("Confidence", "IL 7d", "APY Base 7d", "Volume 1d", "Volume 7d", "APY Base Inception"),
)


def pools_snapshot(data: Path, charts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Export records, with every charted pool's record taking its real id and last point.

    A charted pool replaces the export row with the same (chain, project, symbol, poolMeta)
    when exactly one such row exists; otherwise it is added. The two real modern records are
    added verbatim (they carry real ids and values).
    """
    records = export_records(data, set(charts))
    exported = len(records)
    by_key: dict[tuple[Any, ...], list[int]] = {}
    for i, record in enumerate(records):
        key = (record["chain"], record["project"], record["symbol"].upper(), record["poolMeta"])
        by_key.setdefault(key, []).append(i)
    for pool_id, chart in sorted(charts.items()):
        key = (chart["chain"], chart["project"], chart["symbol"].upper(), chart["pool_meta"])
        matches = by_key.get(key, [])
        if len(matches) == 1:
            record = dict(records[matches[0]])
            by_key[key] = []
        else:
            row = {c: np.nan for c in EXPORT_COLUMNS} | {"TVL": 0}
            record = export_record(
                row,
                (chart["chain"], chart["project"], chart["symbol"]),
                chart["pool_meta"],
                pool_id,
            )
            records.append(record)
            matches = [len(records) - 1]
        last = chart["points"][-1]
        record |= {
            k: last[k] for k in ("tvlUsd", "apy", "apyBase", "apyReward", "il7d", "apyBase7d")
        }
        record |= {
            "pool": pool_id,
            "symbol": chart["symbol"],
            "underlyingTokens": chart["underlying"] or record["underlyingTokens"],
        }
        records[matches[0]] = record
    modern = json.loads(
        (data / "defillama_pools" / "modern_raw_pool_records_from_code.json").read_text()
    )["records"]
    position = {r["pool"]: i for i, r in enumerate(records)}
    for record in modern:
        if record["pool"] in position:
            records[position[record["pool"]]] = record
        else:
            records.append(record)
    log.info(
        "pools: %d exported, %d charted (%d added), %d modern records",
        exported, len(charts), len(records) - exported - len(modern), len(modern),
    )  # fmt: skip
    ids = Counter(r["pool"] for r in records)
    duplicated = [pool for pool, n in ids.items() if n > 1]
    if duplicated:
        raise ValueError(f"pool ids minted twice: {duplicated[:5]}")
    return sorted(records, key=lambda r: (-r["tvlUsd"], r["pool"]))
