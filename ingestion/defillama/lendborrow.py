"""DeFiLlama ``/lendBorrow``: supply and borrows of the lending pools (step 1, with /pools).

For a lending market, what can be withdrawn is supply minus borrows; DeFiLlama's ``tvlUsd``
on /pools is usually that figure but for some pools (fluid-lending, minted coins such as GHO)
the whole supply, which dbt sorts out per pool (``int_pool_liquidity_by_day``). The endpoint
answers a bare JSON array (no ``{"status", "data"}`` envelope), one record per pool; its
per-day history (``/chartLendBorrow``) needs a paid key, so each day keeps its snapshot,
merged on pool + run date: re-running a day replaces that day's rows instead of adding more.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from ingestion.defillama.settings import DEFAULT_BASE_URL
from ingestion.errors import IngestionError
from ingestion.http import ApiClient
from ingestion.records import CONTRACT, Field, arrow_table, columns, to_row, utc_now

LEND_BORROW_ENDPOINT = "defillama GET /lendBorrow"
LEND_BORROW_FIELDS = (
    Field("pool", "text", required=True),
    Field("totalSupplyUsd", "float"),
    Field("totalBorrowUsd", "float"),
    Field("debtCeilingUsd", "float"),
    Field("apyBaseBorrow", "float"),
    Field("apyRewardBorrow", "float"),
    Field("ltv", "float"),
    Field("borrowable", "bool"),
    Field("mintedCoin", "text"),
    Field("borrowFactor", "float"),
    Field("rewardTokens", "json"),
    Field("underlyingTokens", "json"),
)
LEND_BORROW_EXTRA = {"fetched_at": "timestamp", "run_date": "date"}


class JsonTextIsIntended(logging.Filter):
    """Drops dlt's warning that the Arrow table's hints differ: its json columns are JSON text
    on purpose, as for /pools (``ingestion.defillama.JsonTextIsIntended``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(
            "In resource: lend_borrow, when merging arrow schema with dlt schema"
        )


logging.getLogger("dlt").addFilter(JsonTextIsIntended())


def lend_borrow_rows(body: Any, run_date: dt.date) -> list[dict[str, Any]]:
    """Checked rows of one ``/lendBorrow`` answer; IngestionError naming what is wrong."""
    if not isinstance(body, list):
        raise IngestionError(LEND_BORROW_ENDPOINT, "response is not a JSON array of pools")
    fetched_at = utc_now()
    rows = [to_row(r, LEND_BORROW_FIELDS, LEND_BORROW_ENDPOINT, i) for i, r in enumerate(body)]
    for row in rows:
        row.update(fetched_at=fetched_at, run_date=run_date)
    return rows


@dlt.source(name="defillama", max_table_nesting=0)
def defillama_lendborrow_source(run_date: dt.date, base_url: str = dlt.config.value) -> DltResource:
    """Today's ``/lendBorrow`` snapshot into ``raw_defillama.lend_borrow``."""
    client = ApiClient(base_url or DEFAULT_BASE_URL)

    @dlt.resource(
        name="lend_borrow",
        write_disposition="merge",
        primary_key=("pool", "run_date"),
        columns=columns(LEND_BORROW_FIELDS, LEND_BORROW_EXTRA),
        schema_contract=CONTRACT,
    )
    def lend_borrow() -> Iterator[pa.Table]:
        rows = lend_borrow_rows(client.get_json("/lendBorrow", LEND_BORROW_ENDPOINT), run_date)
        if rows:  # an empty answer writes nothing: no pool's liquidity is known today
            yield arrow_table(rows, LEND_BORROW_FIELDS, LEND_BORROW_EXTRA)

    return lend_borrow
