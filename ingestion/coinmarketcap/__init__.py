"""CoinMarketCap: daily OHLCV with market caps and latest quotes of the tracked tokens (step 2).

``ohlcv_daily`` merges one row per token per UTC day; each token is asked only for the days
after the last one the destination holds (``loaded_until``, its cursor) up to the run date.
``quotes_latest`` merges one row per token per run date. The key travels in the
``X-CMC_PRO_API_KEY`` header, never in a URL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.coinmarketcap.settings import (
    API_KEY_HEADER,
    CONVERT,
    DEFAULT_BASE_URL,
    DEFAULT_HISTORY_START,
    OHLCV_ENDPOINT,
    OHLCV_FIELDS,
    OHLCV_PATH,
    QUOTE_FIELDS,
    QUOTES_ENDPOINT,
    QUOTES_PATH,
)
from ingestion.errors import IngestionError
from ingestion.http import ApiClient
from ingestion.records import CONTRACT, columns, to_row, utc_now
from ingestion.seeds import TrackedToken


@dlt.source(name="coinmarketcap", max_table_nesting=0)
def coinmarketcap_source(
    run_date: dt.date,
    tokens: Sequence[TrackedToken],
    loaded_until: Mapping[str, dt.date],
    base_url: str = dlt.config.value,
    api_key: str = dlt.secrets.value,
    history_start: str = DEFAULT_HISTORY_START,
) -> list[DltResource]:
    """OHLCV history and latest quotes for ``tokens`` as of ``run_date``."""
    client = ApiClient(base_url or DEFAULT_BASE_URL, headers={API_KEY_HEADER: api_key})
    first_day = dt.date.fromisoformat(history_start)

    @dlt.resource(
        name="ohlcv_daily",
        write_disposition="merge",
        primary_key=("symbol", "quote_date"),
        columns=columns(
            OHLCV_FIELDS,
            {"symbol": "text", "cmc_id": "int", "quote_date": "date", "fetched_at": "timestamp"},
        ),
        schema_contract=CONTRACT,
    )
    def ohlcv_daily() -> Iterator[list[dict[str, Any]]]:
        for token in tokens:
            since = loaded_until.get(token.symbol)
            start = since + dt.timedelta(days=1) if since else first_day
            if start > run_date:
                continue
            params = {
                "id": token.cmc_id,
                "time_start": start.isoformat(),
                "time_end": f"{run_date.isoformat()}T23:59:59Z",
                "interval": "daily",
                "convert": CONVERT,
            }
            body = client.get_json(OHLCV_PATH, OHLCV_ENDPOINT, params)
            fetched_at = utc_now()
            coin = _data(body, OHLCV_ENDPOINT)
            quotes = coin.get("quotes") if isinstance(coin, dict) else None
            if not isinstance(quotes, list):
                raise IngestionError(OHLCV_ENDPOINT, f"id {token.cmc_id}: no 'quotes' list")
            rows = []
            for i, quote in enumerate(quotes):
                position = f"{token.symbol} #{i}"
                flat = {**quote, **_usd(quote, OHLCV_ENDPOINT, position)}
                row = to_row(flat, OHLCV_FIELDS, OHLCV_ENDPOINT, position)
                quote_date = row["time_open"].date()
                if start <= quote_date <= run_date:
                    row.update(
                        symbol=token.symbol,
                        cmc_id=token.cmc_id,
                        quote_date=quote_date,
                        fetched_at=fetched_at,
                    )
                    rows.append(row)
            yield rows

    @dlt.resource(
        name="quotes_latest",
        write_disposition="merge",
        primary_key=("symbol", "run_date"),
        columns=columns(
            QUOTE_FIELDS,
            {"symbol": "text", "cmc_id": "int", "fetched_at": "timestamp", "run_date": "date"},
        ),
        schema_contract=CONTRACT,
    )
    def quotes_latest() -> Iterator[list[dict[str, Any]]]:
        if not tokens:
            return
        params = {"id": ",".join(str(t.cmc_id) for t in tokens), "convert": CONVERT}
        body = client.get_json(QUOTES_PATH, QUOTES_ENDPOINT, params)
        fetched_at = utc_now()
        data = _data(body, QUOTES_ENDPOINT)
        if not isinstance(data, dict):
            raise IngestionError(QUOTES_ENDPOINT, "'data' is not an object keyed by id")
        rows = []
        for token in tokens:
            coin = data.get(str(token.cmc_id))
            if coin is None:
                raise IngestionError(QUOTES_ENDPOINT, f"no quote for id {token.cmc_id}")
            row = to_row(
                _usd(coin, QUOTES_ENDPOINT, token.symbol),
                QUOTE_FIELDS,
                QUOTES_ENDPOINT,
                token.symbol,
            )
            row.update(
                symbol=token.symbol, cmc_id=token.cmc_id, fetched_at=fetched_at, run_date=run_date
            )
            rows.append(row)
        yield rows

    return [ohlcv_daily, quotes_latest]


def _data(body: Any, endpoint: str) -> Any:
    """CoinMarketCap's ``data``, or the API's own error message from ``status``."""
    if not isinstance(body, dict) or "data" not in body:
        status = body.get("status") if isinstance(body, dict) else None
        message = status.get("error_message") if isinstance(status, dict) else None
        raise IngestionError(endpoint, message or "response has no 'data'")
    return body["data"]


def _usd(record: Any, endpoint: str, position: str) -> dict[str, Any]:
    """The ``quote.USD`` block of a record."""
    try:
        usd = record["quote"][CONVERT]
    except (KeyError, TypeError):
        raise IngestionError(endpoint, f"record {position}: no 'quote.{CONVERT}' block") from None
    if not isinstance(usd, dict):
        raise IngestionError(endpoint, f"record {position}: 'quote.{CONVERT}' is not an object")
    return usd
