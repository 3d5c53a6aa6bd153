"""CoinMarketCap: daily OHLCV with market caps and latest quotes of the tracked tokens (step 2).

``ohlcv_daily`` merges one row per token per UTC day; each token is asked only for the days
after the last one the destination holds (``loaded_until``, its cursor) up to the day before
the run date: at the run's moment (02:30 UTC on D) D's candle is still in progress, and
CoinMarketCap does not return the period in progress. ``time_start`` is exclusive (the OHLCV
guide: "to get the candle for 2025-01-01, pass time_start=2024-12-31"), ``time_end``
inclusive, so asking for (last loaded day, D-1] leaves no gap across any sequence of daily
runs, reruns and catch-ups. ``quotes_latest`` merges one row per token per run date. The key
travels in the ``X-CMC_PRO_API_KEY`` header, never in a URL.
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
    KEY_ERRORS,
    OHLCV_ENDPOINT,
    OHLCV_FIELDS,
    OHLCV_PATH,
    PLAN_ERROR,
    QUOTE_FIELDS,
    QUOTES_ENDPOINT,
    QUOTES_PATH,
    RATE_LIMIT_ERRORS,
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
    first_day: dt.date | None = None,
    plan: str = "startup",
) -> list[DltResource]:
    """OHLCV history from ``first_day`` and latest quotes for ``tokens`` as of ``run_date``.

    ``first_day`` must fit the plan's history depth (``ingestion.pipeline`` computes it).
    """
    client = ApiClient(base_url or DEFAULT_BASE_URL, headers={API_KEY_HEADER: api_key})
    last_day = run_date - dt.timedelta(days=1)
    first_day = first_day or last_day

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
            if start > last_day:
                continue
            params = {
                "id": token.cmc_id,
                # exclusive: the day before the first wanted candle
                "time_start": (start - dt.timedelta(days=1)).isoformat(),
                "time_end": last_day.isoformat(),  # inclusive
                "interval": "daily",
                "convert": CONVERT,
            }
            body = _get(client, OHLCV_PATH, OHLCV_ENDPOINT, params, plan)
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
                # A candle not closed yet (the period in progress) is never stored.
                complete = row["time_close"] <= fetched_at
                if start <= quote_date <= last_day and complete:
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
        body = _get(client, QUOTES_PATH, QUOTES_ENDPOINT, params, plan)
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


def _get(client: ApiClient, path: str, endpoint: str, params: dict[str, Any], plan: str) -> Any:
    """``client.get_json`` with CoinMarketCap's refusals named as what they are."""
    try:
        return client.get_json(path, endpoint, params)
    except IngestionError as error:
        raise explain_refusal(error, plan) from None


def explain_refusal(error: IngestionError, plan: str) -> IngestionError:
    """The error with CoinMarketCap's documented error_code in words and what to change."""
    code = error.error_code
    if code == PLAN_ERROR:
        path = error.endpoint.removeprefix("coinmarketcap GET ")
        text = (
            f"your CoinMarketCap plan ({plan}) does not include {path} (HTTP {error.status}, "
            f"error_code 1006): set sources.coinmarketcap.plan to the key's plan, or leave "
            "COINMARKETCAP_API_KEY unset to use the free price path (DeFiLlama coins)"
        )
        return error.with_problem(text)
    if code in KEY_ERRORS:
        text = (
            f"CoinMarketCap refused the key (HTTP {error.status}, error_code {code}: "
            f"{error.problem}): set COINMARKETCAP_API_KEY (or sources.coinmarketcap.api_key) "
            "to a valid, active key"
        )
        return error.with_problem(text)
    if code in RATE_LIMIT_ERRORS:
        text = (
            f"your CoinMarketCap plan's rate limit was reached (HTTP {error.status}, "
            f"error_code {code}); it resets every minute"
        )
        return IngestionError(
            error.endpoint, text, status=error.status, error_code=code, retryable=True
        )
    return error


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
