"""EthGasTracker: hourly gas averages (step 3), merged on (network, period).

The API always answers the last 168 hours; the ``period`` cursor (dlt incremental) keeps only
hours not loaded yet, so the overlap of consecutive daily runs writes nothing twice. An
answer without any hour is an error: a week without blocks is a broken feed, not a quiet one.

The key is optional: the service's middleware (wslyvh/eth-gas-tracker ``src/middleware.ts``)
lets its own origin through and otherwise wants an ``apiKey`` query parameter, answering 401
"No API Key provided" / "Invalid API Key" without a valid one. The key is masked in request
logs (``ingestion.http``) and scrubbed from errors like every other key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.errors import IngestionError
from ingestion.ethgastracker.settings import (
    AVERAGE_ENDPOINT,
    AVERAGE_PATH,
    DEFAULT_BASE_URL,
    HOUR_FIELDS,
)
from ingestion.http import ApiClient
from ingestion.records import CONTRACT, columns, to_row, utc_now

EPOCH = dt.datetime(2015, 7, 30, tzinfo=dt.UTC)


@dlt.source(name="ethgastracker", max_table_nesting=0)
def ethgastracker_source(
    base_url: str = dlt.config.value, api_key: str | None = None
) -> DltResource:
    """The hourly averages resource; ``api_key`` (optional) goes as ``apiKey``."""
    client = ApiClient(base_url or DEFAULT_BASE_URL)
    params = {"apiKey": api_key} if api_key else None

    @dlt.resource(
        name="gas_hourly",
        write_disposition="merge",
        primary_key=("network", "period"),
        columns=columns(HOUR_FIELDS, {"network": "text", "fetched_at": "timestamp"}),
        schema_contract=CONTRACT,
    )
    def gas_hourly(
        # dlt's idiom: the cursor is the resource argument's default (state is injected).
        period: dlt.sources.incremental[dt.datetime] = dlt.sources.incremental(  # noqa: B008
            "period", initial_value=EPOCH
        ),
    ) -> Iterator[list[dict[str, Any]]]:
        try:
            body = client.get_json(AVERAGE_PATH, AVERAGE_ENDPOINT, params)
        except IngestionError as error:
            if error.status != 401:
                raise
            state = "was refused" if api_key else "is required"
            raise error.with_problem(
                f"{error.problem}: an EthGasTracker API key {state}; set ETHGASTRACKER_API_KEY "
                "(or sources.ethgastracker.api_key in .dlt/secrets.toml)"
            ) from None
        fetched_at = utc_now()
        inner = body.get("data") if isinstance(body, dict) else None
        hours = inner.get("data") if isinstance(inner, dict) else None
        if not isinstance(hours, list):
            raise IngestionError(AVERAGE_ENDPOINT, "response has no 'data.data' list")
        if not hours:
            raise IngestionError(AVERAGE_ENDPOINT, "the response holds no hourly averages")
        network = inner.get("network") or "mainnet"
        rows = [to_row(h, HOUR_FIELDS, AVERAGE_ENDPOINT, i) for i, h in enumerate(hours)]
        for row in rows:
            row.update(network=network, fetched_at=fetched_at)
        yield rows

    return gas_hourly
