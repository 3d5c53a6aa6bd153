"""The ingestion steps the daily flow calls: one plain function per step.

Each function builds its dlt source, runs it into its raw schema and returns the rows written
per table. Any failure (HTTP, timeout, malformed or incomplete data, schema contract) drops the
half-extracted package, so nothing of the failed fetch is ever loaded later, and raises
:class:`IngestionError` naming the endpoint and the problem, with every API key scrubbed.
Cursors for per-entity incremental loads (days per pool and token, blocks per wallet) are read
from the destination itself: what is loaded is what the next fetch starts after.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
from dlt.common.schema.exceptions import DataValidationError
from dlt.pipeline.exceptions import PipelineStepFailed
from psycopg2 import sql

from core import db
from core.paths import SEEDS_DIR, STATE_DIR
from ingestion import seeds
from ingestion.coinmarketcap import coinmarketcap_source
from ingestion.defillama import defillama_chart_source, defillama_pools_source
from ingestion.errors import IngestionError
from ingestion.etherscan import (
    etherscan_gas_oracle_source,
    etherscan_gas_source,
    etherscan_wallet_source,
)
from ingestion.ethgastracker import ethgastracker_source

logger = logging.getLogger(__name__)

SOURCES = ("defillama", "coinmarketcap", "ethgastracker", "etherscan")
# Postgres loads through COPY from csv files: several times faster than INSERT statements.
LOADER_FILE_FORMAT = "csv"
API_KEY_ENV = {"coinmarketcap": "COINMARKETCAP_API_KEY", "etherscan": "ETHERSCAN_API_KEY"}
# The endpoint a raw table comes from, for errors raised after extraction (contracts).
TABLE_ENDPOINTS = {
    "pools": "defillama GET /pools",
    "pool_chart": "defillama GET /chart/{pool}",
    "ohlcv_daily": "coinmarketcap GET /v2/cryptocurrency/ohlcv/historical",
    "quotes_latest": "coinmarketcap GET /v2/cryptocurrency/quotes/latest",
    "gas_hourly": "ethgastracker GET /api/gas/average",
    "gas_oracle": "etherscan gastracker/gasoracle",
    "daily_avg_gas_price": "etherscan stats/dailyavggasprice",
    "balances": "etherscan account/balance",
    "token_balances": "etherscan account/tokenbalance",
    "transactions": "etherscan account/txlist",
    "token_transfers": "etherscan account/tokentx",
}


@dataclass(frozen=True)
class LoadResult:
    """Rows written per raw table (``schema.table``) by one step."""

    rows: dict[str, int] = field(default_factory=dict)


def pipelines_dir(info: db.PgConnection) -> Path:
    """dlt's working folder, one per database so local state never outlives its data."""
    return STATE_DIR / "dlt" / info.dbname


def load_pools(run_date: dt.date, info: db.PgConnection) -> LoadResult:
    """Step 1: append today's ``/pools`` snapshot to ``raw_defillama.pools``."""
    return _run(info, "defillama", defillama_pools_source(run_date))


def load_prices(
    run_date: dt.date, info: db.PgConnection, seeds_dir: Path = SEEDS_DIR
) -> LoadResult:
    """Step 2: OHLCV days not loaded yet and today's quotes for the tracked tokens."""
    tokens = seeds.tracked_tokens(seeds_dir)
    loaded = _loaded_until(info, "raw_coinmarketcap.ohlcv_daily", "symbol", "quote_date")
    source = coinmarketcap_source(
        run_date, tokens, loaded, api_key=_api_key("coinmarketcap"), **_history("coinmarketcap")
    )
    return _run(info, "coinmarketcap", source)


def load_gas(run_date: dt.date, info: db.PgConnection) -> LoadResult:
    """Step 3: EthGasTracker's hourly averages and Etherscan's daily average gas price."""
    hourly = _run(info, "ethgastracker", ethgastracker_source())
    daily = _run(
        info,
        "etherscan",
        etherscan_gas_source(run_date, api_key=_api_key("etherscan"), **_history("etherscan")),
    )
    return LoadResult({**hourly.rows, **daily.rows})


def latest_gas_day(info: db.PgConnection) -> dt.date | None:
    """The latest UTC day with a gas observation, hourly or daily average (None: no data)."""
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(
            """
            select max(day) from (
                select max(period at time zone 'UTC')::date as day
                from raw_ethgastracker.gas_hourly
                union all
                select max(utc_date) from raw_etherscan.daily_avg_gas_price
            ) as latest
            """
        )
        return cur.fetchone()[0]


def load_wallets(
    run_date: dt.date, info: db.PgConnection, seeds_dir: Path = SEEDS_DIR
) -> LoadResult:
    """Step 4: balances, token balances (wallets and pool reserve contracts), transactions."""
    wallets = list(dlt.config.get("sources.etherscan.wallets", list) or [])
    if not wallets:
        logger.warning("no wallets configured (sources.etherscan.wallets): no balances or txs")
    page_size = dlt.config.get("sources.etherscan.page_size", int)
    loaded_blocks = {
        table: _loaded_until(info, f"raw_etherscan.{table}", "address", "block_number")
        for table in ("transactions", "token_transfers")
    }
    source = etherscan_wallet_source(
        run_date,
        wallets,
        seeds.tracked_tokens(seeds_dir),
        list(seeds.pool_reserve_contracts(seeds_dir).values()),
        loaded_blocks,
        api_key=_api_key("etherscan"),
        **({"page_size": page_size} if page_size else {}),
    )
    return _run(info, "etherscan", source)


def load_pool_history(
    run_date: dt.date, info: db.PgConnection, pool_ids: Sequence[str]
) -> LoadResult:
    """Step 9: the days of ``/chart/{pool}`` not loaded yet for each selected pool."""
    loaded = _loaded_until(info, "raw_defillama.pool_chart", "pool", "chart_date")
    return _run(info, "defillama", defillama_chart_source(list(pool_ids), loaded))


def poll_gas_oracle(info: db.PgConnection) -> LoadResult:
    """The 5-minute poll of Etherscan's gas oracle (its own pipeline: it runs alongside)."""
    source = etherscan_gas_oracle_source(api_key=_api_key("etherscan"))
    return _run(info, "etherscan", source, pipeline_name="yieldopt_etherscan_gas_oracle")


# --- internals ---------------------------------------------------------------------------


def _run(
    info: db.PgConnection, source_name: str, source: Any, pipeline_name: str | None = None
) -> LoadResult:
    """Run ``source`` into ``raw_<source_name>``; all or nothing, errors as IngestionError."""
    dataset = f"raw_{source_name}"
    pipeline = dlt.pipeline(
        pipeline_name=pipeline_name or f"yieldopt_{source_name}",
        pipelines_dir=str(pipelines_dir(info)),
        destination=dlt.destinations.postgres(credentials=db.dlt_credentials(info)),
        dataset_name=dataset,
    )
    try:
        pipeline.run(source, loader_file_format=LOADER_FILE_FORMAT)
    except PipelineStepFailed as failure:
        pipeline.drop_pending_packages()
        raise _explain(failure) from None
    trace = pipeline.last_trace
    logger.debug(
        "dlt step seconds: %s",
        {s.step: round((s.finished_at - s.started_at).total_seconds(), 3) for s in trace.steps},
    )
    # Counted at extraction: the csv writer's own counts are per cell, not per row.
    rows = {
        f"{dataset}.{table}": metric.items_count
        for metrics in trace.last_extract_info.metrics.values()
        for table, metric in metrics[0]["table_metrics"].items()
        if not table.startswith("_dlt")
    }
    logger.info("loaded %s", rows or f"nothing new into {dataset}")
    return LoadResult(rows)


def _explain(failure: PipelineStepFailed) -> IngestionError:
    """The IngestionError behind a failed dlt step, or one built from the dlt error."""
    error: BaseException | None = failure
    while error is not None:
        if isinstance(error, IngestionError):
            return IngestionError(error.endpoint, _scrub(error.problem))
        if isinstance(error, DataValidationError):
            endpoint = TABLE_ENDPOINTS.get(error.table_name, error.table_name)
            where = f"column '{error.column_name}'" if error.column_name else "a column"
            return IngestionError(
                endpoint,
                f"schema contract violated at {where} of {error.table_name} "
                f"({error.schema_entity} frozen): the API changed a field's name or type",
            )
        error = error.__cause__ or error.__context__
    step = failure.step
    return IngestionError(f"dlt {step}", _scrub(str(failure.exception))[:500])


def _scrub(text: str) -> str:
    """``text`` with every configured API key replaced by ``***``."""
    for source in API_KEY_ENV:
        key = configured_key(source)
        if key:
            text = text.replace(key, "***")
    return text


def configured_key(source: str) -> str | None:
    return os.environ.get(API_KEY_ENV[source]) or dlt.secrets.get(f"sources.{source}.api_key")


def _api_key(source: str) -> str:
    """The source's API key from the environment or ``.dlt/secrets.toml``; refused if none."""
    key = configured_key(source)
    if not key:
        raise IngestionError(
            source,
            f"no API key: set {API_KEY_ENV[source]} or sources.{source}.api_key "
            "in .dlt/secrets.toml",
        )
    return key


def _history(source: str) -> dict[str, str]:
    start = dlt.config.get(f"sources.{source}.history_start", str)
    return {"history_start": start} if start else {}


def _loaded_until(
    info: db.PgConnection, table: str, key_column: str, cursor_column: str
) -> Mapping[str, Any]:
    """``key -> max(cursor)`` of a raw table; empty when the table does not exist yet."""
    schema, name = table.split(".")
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass(%s)", (table,))
        if cur.fetchone()[0] is None:
            return {}
        cur.execute(
            sql.SQL("select {key}, max({cursor}) from {table} group by {key}").format(
                key=sql.Identifier(key_column),
                cursor=sql.Identifier(cursor_column),
                table=sql.Identifier(schema, name),
            )
        )
        return dict(cur.fetchall())
