"""Running a dlt source into its raw schema, all or nothing, errors as IngestionError.

Shared by the step functions (``ingestion.pipeline``, ``ingestion.prices``): any failure
(HTTP, timeout, malformed or incomplete data, schema contract) drops the half-extracted
package, so nothing of the failed fetch is ever loaded later, and raises
:class:`IngestionError` naming the endpoint and the problem, with every API key scrubbed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
from dlt.common.schema.exceptions import DataValidationError
from dlt.pipeline.exceptions import PipelineStepFailed
from psycopg2 import sql

from core import db
from core.paths import STATE_DIR
from ingestion.errors import IngestionError

logger = logging.getLogger("ingestion.pipeline")

# Postgres loads through COPY from csv files: several times faster than INSERT statements.
LOADER_FILE_FORMAT = "csv"
# Required keys; the EthGasTracker key is optional (the service serves its own site without).
API_KEY_ENV = {
    "coinmarketcap": "COINMARKETCAP_API_KEY",
    "etherscan": "ETHERSCAN_API_KEY",
    "ethgastracker": "ETHGASTRACKER_API_KEY",
}
# The endpoint a raw table comes from, for errors raised after extraction (contracts).
TABLE_ENDPOINTS = {
    "pools": "defillama GET /pools",
    "pool_chart": "defillama GET /chart/{pool}",
    "ohlcv_daily": "coinmarketcap GET /v2/cryptocurrency/ohlcv/historical",
    "quotes_latest": "coinmarketcap GET /v2/cryptocurrency/quotes/latest",
    "price_points": "defillama_coins GET /chart/{coins}",
    "market_caps": "defillama_coins POST /mcaps",
    "gas_hourly": "ethgastracker GET /api/gas/average",
    "gas_oracle": "etherscan gastracker/gasoracle",
    "daily_avg_gas_price": "etherscan stats/dailyavggasprice",
    "balances": "etherscan account/balancemulti",
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


def run_source(
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
            return error.with_problem(scrub(error.problem))
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
    return IngestionError(f"dlt {step}", scrub(str(failure.exception))[:500])


def scrub(text: str) -> str:
    """``text`` with every configured API key replaced by ``***``."""
    for source in API_KEY_ENV:
        key = configured_key(source)
        if key:
            text = text.replace(key, "***")
    return text


def configured_key(source: str) -> str | None:
    """The source's key from the environment or ``.dlt/secrets.toml``; None when unset."""
    return os.environ.get(API_KEY_ENV[source]) or dlt.secrets.get(f"sources.{source}.api_key")


def api_key(source: str) -> str:
    """The source's API key from the environment or ``.dlt/secrets.toml``; refused if none."""
    key = configured_key(source)
    if not key:
        raise IngestionError(
            source,
            f"no API key: set {API_KEY_ENV[source]} or sources.{source}.api_key "
            "in .dlt/secrets.toml",
        )
    return key


def config_value(key: str, kind: type = str) -> Any:
    """``sources.<key>`` from dlt configuration (environment or ``.dlt/config.toml``)."""
    return dlt.config.get(f"sources.{key}", kind)


def loaded_until(
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
