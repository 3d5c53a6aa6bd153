"""Step 2: token prices and market caps, from CoinMarketCap when the key's plan has OHLCV
history, else from DeFiLlama's free coins API.

Which path a day takes:

- a CoinMarketCap key and a plan with ``ohlcv/historical`` (``sources.coinmarketcap.plan``:
  startup, standard, professional, enterprise): daily candles and latest quotes into
  ``raw_coinmarketcap``, from the first day the plan's history depth allows;
- no key, a plan without OHLCV (basic, hobbyist), or CoinMarketCap's refusal of the key or
  the endpoint (401/1001-1002, 403/1006): hourly prices and market caps into
  ``raw_defillama_coins``, with a warning that says why. dbt curates both into the same
  ``token_prices_daily``.

A rate limit (429/1008) or a server error stops the step as retryable: falling back on a
passing hiccup would switch the day's source for nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from core import db
from core.paths import SEEDS_DIR
from ingestion import seeds
from ingestion.coinmarketcap import coinmarketcap_source
from ingestion.coinmarketcap.settings import (
    DEFAULT_PLAN,
    EARLIEST_HISTORY_START,
    KEY_ERRORS,
    PLAN_ERROR,
    PLAN_HISTORY_DAYS,
    PLANS_WITHOUT_OHLCV,
)
from ingestion.defillama_coins import defillama_coins_source
from ingestion.errors import IngestionError
from ingestion.runner import LoadResult, config_value, configured_key, loaded_until, run_source

logger = logging.getLogger("ingestion.pipeline")


def cmc_plan() -> str:
    """The configured CoinMarketCap plan (``sources.coinmarketcap.plan``), lower case."""
    plan = str(config_value("coinmarketcap.plan") or DEFAULT_PLAN).strip().lower()
    known = (*PLANS_WITHOUT_OHLCV, *PLAN_HISTORY_DAYS)
    if plan not in known:
        raise IngestionError(
            "coinmarketcap",
            f"sources.coinmarketcap.plan is {plan!r}; expected one of {', '.join(known)}",
        )
    return plan


def cmc_first_day(run_date: dt.date, plan: str) -> dt.date:
    """The first candle to fetch for a token with none loaded: ``history_start`` if set,
    never earlier than the plan's depth allows (a warning says when it is moved)."""
    depth = PLAN_HISTORY_DAYS[plan]
    allowed = run_date - dt.timedelta(days=depth) if depth else None
    wanted = config_value("coinmarketcap.history_start")
    first = dt.date.fromisoformat(wanted) if wanted else allowed
    first = first or dt.date.fromisoformat(EARLIEST_HISTORY_START)
    if allowed and first < allowed:
        if wanted:
            logger.warning(
                "sources.coinmarketcap.history_start %s is before what the %s plan serves "
                "(%d days): starting at %s",
                wanted, plan, depth, allowed,
            )  # fmt: skip
        first = allowed
    return first


def load_prices(
    run_date: dt.date, info: db.PgConnection, seeds_dir: Path = SEEDS_DIR
) -> LoadResult:
    """Step 2 on the path the key and plan allow (module docstring)."""
    tokens = seeds.tracked_tokens(seeds_dir)
    key = configured_key("coinmarketcap")
    plan = cmc_plan()
    if not key:
        reason = "no CoinMarketCap key (COINMARKETCAP_API_KEY)"
    elif plan in PLANS_WITHOUT_OHLCV:
        reason = f"the CoinMarketCap {plan} plan has no OHLCV history"
    else:
        loaded = loaded_until(info, "raw_coinmarketcap.ohlcv_daily", "symbol", "quote_date")
        source = coinmarketcap_source(
            run_date,
            tokens,
            loaded,
            api_key=key,
            first_day=cmc_first_day(run_date, plan),
            plan=plan,
        )
        try:
            return run_source(info, "coinmarketcap", source)
        except IngestionError as error:
            if error.error_code not in (PLAN_ERROR, *KEY_ERRORS):
                raise
            reason = error.problem
    logger.warning("prices from DeFiLlama's coins API (the free path): %s", reason)
    return load_free_prices(run_date, info, tokens)


def load_free_prices(
    run_date: dt.date, info: db.PgConnection, tokens: list[seeds.TrackedToken]
) -> LoadResult:
    """Hourly prices and today's market caps from ``coins.llama.fi``."""
    loaded = loaded_until(info, "raw_defillama_coins.price_points", "symbol", "price_date")
    days = config_value("defillama_coins.history_days", int)
    source = defillama_coins_source(
        run_date, tokens, loaded, **({"history_days": days} if days else {})
    )
    return run_source(info, "defillama_coins", source)
