"""DeFiLlama yields: the pool universe (step 1) and per-pool daily history (step 9).

``pools`` appends one row per pool per fetch (the daily snapshots steps 6-8 read);
``pool_chart`` merges one row per pool per UTC day and writes only days newer than what the
destination already holds for that pool (``loaded_until``), so a re-run adds nothing. Both
reach dlt as Arrow tables, which it writes without normalizing row by row (ingestion/README.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from ingestion.defillama.settings import (
    CHART_ENDPOINT,
    CHART_FIELDS,
    DEFAULT_BASE_URL,
    POOL_FIELDS,
    POOLS_ENDPOINT,
)
from ingestion.errors import IngestionError
from ingestion.http import ApiClient
from ingestion.records import CONTRACT, arrow_table, columns, to_row, utc_now

logger = logging.getLogger(__name__)


class JsonTextIsIntended(logging.Filter):
    """Drops dlt's warning that the /pools Arrow table's hints differ from the resource's: its
    json columns are JSON text on purpose (csv load files cannot carry nested Arrow types) and
    COPY parses them into jsonb. dlt's INFO lines still name each differing column."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(
            "In resource: pools, when merging arrow schema with dlt schema"
        )


logging.getLogger("dlt").addFilter(JsonTextIsIntended())

# The columns of a row besides the API's fields.
POOL_EXTRA = {"fetched_at": "timestamp", "run_date": "date"}
CHART_EXTRA = {"pool": "text", "chart_date": "date", "fetched_at": "timestamp"}
# Chart rows per Arrow table handed to dlt: dlt reconciles the schema once per table, which
# for one table per pool (~730 rows) costs more than the rows; batches keep memory bounded.
CHART_BATCH_ROWS = 100_000
# Unknown pools named in the step's one-line warning (the rest are counted).
UNKNOWN_POOLS_SHOWN = 3


@dlt.source(name="defillama", max_table_nesting=0)
def defillama_pools_source(run_date: dt.date, base_url: str = dlt.config.value) -> DltResource:
    """Step 1: today's ``/pools`` snapshot."""
    client = ApiClient(base_url or DEFAULT_BASE_URL)

    @dlt.resource(
        name="pools",
        write_disposition="append",
        columns=columns(POOL_FIELDS, POOL_EXTRA),
        schema_contract=CONTRACT,
    )
    def pools() -> Iterator[pa.Table]:
        body = client.get_json("/pools", POOLS_ENDPOINT)
        fetched_at = utc_now()
        records = _data_list(body, POOLS_ENDPOINT)
        if not records:
            raise IngestionError(POOLS_ENDPOINT, "the response holds no pools")
        rows = [to_row(r, POOL_FIELDS, POOLS_ENDPOINT, i) for i, r in enumerate(records)]
        for row in rows:
            row.update(fetched_at=fetched_at, run_date=run_date)
        yield arrow_table(rows, POOL_FIELDS, POOL_EXTRA)

    return pools


@dlt.source(name="defillama", max_table_nesting=0)
def defillama_chart_source(
    pool_ids: Sequence[str],
    loaded_until: Mapping[str, dt.date],
    labels: Mapping[str, str],
    base_url: str = dlt.config.value,
) -> DltResource:
    """Step 9: the daily history of ``pool_ids``; ``loaded_until`` is each pool's cursor,
    ``labels`` the names the warning gives pools (``project symbol (chain)``; else the id)."""
    client = ApiClient(base_url or DEFAULT_BASE_URL)

    @dlt.resource(
        name="pool_chart",
        write_disposition="merge",
        primary_key=("pool", "chart_date"),
        columns={
            **columns(CHART_FIELDS, CHART_EXTRA),
            # DeFiLlama sometimes has two points in one UTC day: keep the later one.
            "timestamp": {
                "name": "timestamp",
                "data_type": "timestamp",
                "timezone": True,
                "nullable": False,
                "dedup_sort": "desc",
            },
        },
        schema_contract=CONTRACT,
    )
    def pool_chart() -> Iterator[pa.Table]:
        batch: list[dict[str, Any]] = []
        unknown: list[str] = []
        for pool in pool_ids:
            rows = _chart_rows(client, pool, loaded_until.get(pool))
            if rows is None:
                unknown.append(pool)
                continue
            batch.extend(rows)
            if len(batch) >= CHART_BATCH_ROWS:
                yield arrow_table(batch, CHART_FIELDS, CHART_EXTRA)
                batch = []
        if batch:
            yield arrow_table(batch, CHART_FIELDS, CHART_EXTRA)
        if unknown:
            # named pools first, alphabetically; a pool with no label is named by its id
            named = sorted(labels[pool] for pool in unknown if pool in labels)
            names = named + [pool for pool in unknown if pool not in labels]
            shown = ", ".join(names[:UNKNOWN_POOLS_SHOWN])
            more = len(unknown) - UNKNOWN_POOLS_SHOWN
            logger.warning(
                "%s: %d unknown pool(s), no history loaded (no points in DeFiLlama's answer): %s%s",
                CHART_ENDPOINT,
                len(unknown),
                shown,
                f" and {more} more" if more > 0 else "",
            )

    return pool_chart


def _chart_rows(client: ApiClient, pool: str, since: dt.date | None) -> list[dict[str, Any]] | None:
    """The pool's chart points after ``since`` (all when None); None for a pool DeFiLlama
    does not know (the caller names them all in one warning). Older answers for an unknown
    pool (HTTP 404/400, or ``status: error``) are treated the same way."""
    endpoint = CHART_ENDPOINT.format(pool=pool)
    try:
        body = client.get_json(f"/chart/{pool}", endpoint)
    except IngestionError as error:
        if "HTTP 404" in error.problem or "HTTP 400" in error.problem:
            logger.debug("%s: unknown pool (%s)", endpoint, error.problem)
            return None
        raise
    if isinstance(body, dict) and body.get("status") == "error":
        logger.debug("%s: DeFiLlama answered an error: %s", endpoint, body)
        return None
    fetched_at = utc_now()
    records = _data_list(body, endpoint)
    if not records:
        # Documented (yield-server controllers/yield.js): an unknown pool is 200 with
        # {"status": "success", "data": []}; counted with the unknown pools.
        logger.debug("%s: no points (unknown pool)", endpoint)
        return None
    rows = []
    for i, record in enumerate(records):
        row = to_row(record, CHART_FIELDS, endpoint, i)
        row.update(pool=pool, chart_date=row["timestamp"].date(), fetched_at=fetched_at)
        if since is None or row["chart_date"] > since:
            rows.append(row)
    return rows


def _data_list(body: Any, endpoint: str) -> list[Any]:
    """DeFiLlama's ``{"status": "success", "data": [...]}`` list, or a clear error."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise IngestionError(endpoint, "response has no 'data' list")
    if body.get("status") not in (None, "success"):
        raise IngestionError(endpoint, f"status {body.get('status')!r}")
    return body["data"]
