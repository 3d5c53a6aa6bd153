"""DeFiLlama ``/lendBorrow`` recording: the 41 real records mapped onto the recorded pools.

Real: every field of the 41 records in ``defillama_lendborrow/AAVE_STRAT_2026-05-28``
(captured from the live API on 2026-05-28, a bare JSON array) — above all each pool's
utilization (borrows / supply) and which figure its ``tvlUsd`` was (supply minus borrows for
39 of them; the whole supply for fluid-lending and the minted GHO). Mapped: a record whose
pool id is in the recorded ``/pools`` snapshot keeps it; any other takes the id of an unused
recorded pool of the same project, chain and symbol (records with none are left out). USD
amounts are then scaled by the recorded pool's TVL over the real one (the TVL the replay
server serves at the demo run, 2025-06-05 02:30 UTC), so supply, borrows and TVL keep the
real relation.

Written by the main build (``python -m replay.builder --data DIR``, DIR the source data
folder) once it has written the ``/pools`` snapshot and the charts this mapping reads.
"""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path
from typing import Any

from replay.builder.common import write_json

log = logging.getLogger("replay.builder")

SAMPLE = Path("defillama_lendborrow") / "AAVE_STRAT_2026-05-28"
USD_FIELDS = ("totalSupplyUsd", "totalBorrowUsd", "debtCeilingUsd")
# The demo's run (2025-06-05 at 02:30 UTC, ISO like the chart timestamps): supply and borrows
# match the TVL served then; on other days a charted pool's TVL has moved on.
DEMO_MOMENT = "2025-06-05T02:30"


def _read(path: Path) -> Any:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def served_tvl(out: Path, pool: dict[str, Any]) -> float:
    """The TVL the replay server serves for a recorded pool at the demo run: its chart's
    latest point before that moment, if it has a chart."""
    chart = out / "defillama" / "chart" / f"{pool['pool']}.json.gz"
    if chart.exists():
        points = [p for p in _read(chart)["data"] if p["timestamp"] <= DEMO_MOMENT]
        if points:
            return float(points[-1]["tvlUsd"])
    return float(pool["tvlUsd"])


def mapped_records(data: Path, out: Path) -> list[dict[str, Any]]:
    """The real records, each on a recorded pool, amounts scaled to that pool's TVL."""
    records = _read(data / SAMPLE / "defillama_lendborrow_sample.json")
    real_pools = {
        p["pool"]: p for p in _read(data / SAMPLE / "defillama_pools_sample.json")["data"]
    }
    recorded = _read(out / "defillama" / "pools.json.gz")["data"]
    by_id = {pool["pool"]: pool for pool in recorded}
    free: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for pool in sorted(recorded, key=lambda p: p["pool"]):
        if pool["pool"] not in real_pools:
            free.setdefault((pool["project"], pool["chain"], pool["symbol"]), []).append(pool)
    mapped = []
    for record in records:
        real = real_pools[record["pool"]]
        target = by_id.get(record["pool"])
        if target is None:
            candidates = free.get((real["project"], real["chain"], real["symbol"]), [])
            if not candidates:
                continue
            target = candidates.pop(0)
        factor = served_tvl(out, target) / float(real["tvlUsd"])
        scaled = {
            key: round(record[key] * factor, 2) if record.get(key) is not None else None
            for key in USD_FIELDS
        }
        mapped.append({**record, **scaled, "pool": target["pool"]})
    return sorted(mapped, key=lambda r: r["pool"])


def write_lendborrow(data: Path, out: Path) -> int:
    """Write ``defillama/lendborrow.json.gz`` from the source data folder ``data``; the number
    of records. Reads the ``/pools`` snapshot and the charts already written under ``out``."""
    records = mapped_records(data, out)
    write_json(out / "defillama" / "lendborrow.json.gz", records)
    log.info("lendBorrow: %d of the real records mapped onto recorded pools", len(records))
    return len(records)
