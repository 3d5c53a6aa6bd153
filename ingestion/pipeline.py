"""The ingestion steps the daily flow calls: one plain function per step.

Each function builds its dlt source, runs it into its raw schema (``ingestion.runner``: all
or nothing, errors as :class:`IngestionError` with every API key scrubbed) and returns the
rows written per table. Cursors for per-entity incremental loads (days per pool and token,
blocks per wallet) are read from the destination itself: what is loaded is what the next
fetch starts after. Optional endpoints a plan may not include are skipped with a warning
that names the plan and what the day uses instead; everything else stops the step.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dlt

from core import db
from core.paths import SEEDS_DIR
from ingestion import seeds
from ingestion.defillama import defillama_chart_source, defillama_pools_source
from ingestion.defillama.lendborrow import defillama_lendborrow_source
from ingestion.errors import IngestionError
from ingestion.etherscan import (
    etherscan_gas_oracle_source,
    etherscan_gas_source,
    etherscan_wallet_source,
)
from ingestion.etherscan.balances import LOADED_BALANCES_SQL, Running, loaded_balances
from ingestion.etherscan.limits import DEFAULT_CALLS_PER_SECOND
from ingestion.ethgastracker import ethgastracker_source
from ingestion.prices import load_prices
from ingestion.runner import (
    API_KEY_ENV,
    LoadResult,
    api_key,
    config_value,
    configured_key,
    loaded_until,
    pipelines_dir,
    run_source,
)

logger = logging.getLogger(__name__)

__all__ = [
    "API_KEY_ENV",
    "LoadResult",
    "configured_key",
    "latest_gas_day",
    "load_gas",
    "load_lend_borrow",
    "load_pool_history",
    "load_pools",
    "load_prices",
    "load_wallets",
    "pipelines_dir",
    "poll_gas_oracle",
]


def load_pools(run_date: dt.date, info: db.PgConnection) -> LoadResult:
    """Step 1: append today's ``/pools`` snapshot to ``raw_defillama.pools``, and the
    ``/lendBorrow`` snapshot to ``raw_defillama.lend_borrow`` (:func:`load_lend_borrow`)."""
    loaded = run_source(info, "defillama", defillama_pools_source(run_date))
    return LoadResult({**loaded.rows, **load_lend_borrow(run_date, info).rows})


def load_lend_borrow(run_date: dt.date, info: db.PgConnection) -> LoadResult:
    """Supply and borrows per lending pool; without them the day goes on with a warning,
    each position capped by its pool's TVL alone (withdrawable liquidity unknown)."""
    try:
        return run_source(info, "defillama", defillama_lendborrow_source(run_date))
    except IngestionError as error:
        logger.warning(
            "%s failed (%s): withdrawable liquidity unknown today, the TVL cap alone applies",
            error.endpoint,
            error.problem,
        )
        return LoadResult()


def etherscan_rate() -> float:
    """Calls per second of the Etherscan plan (``sources.etherscan.calls_per_second``)."""
    return float(config_value("etherscan.calls_per_second", float) or DEFAULT_CALLS_PER_SECOND)


def load_gas(run_date: dt.date, info: db.PgConnection) -> LoadResult:
    """Step 3: EthGasTracker's hourly averages and Etherscan's daily average gas price.

    ``stats/dailyavggasprice`` is an API Pro endpoint: on the Pro refusal (a free or
    Standard key) the day goes on with the hourly averages and a gas-oracle poll, with a
    warning that names the plan. Any other failure stops the step.
    """
    hourly = run_source(
        info, "ethgastracker", ethgastracker_source(api_key=configured_key("ethgastracker"))
    )
    history = config_value("etherscan.history_start")
    source = etherscan_gas_source(
        run_date,
        api_key=api_key("etherscan"),
        calls_per_second=etherscan_rate(),
        **({"history_start": history} if history else {}),
    )
    try:
        daily = run_source(info, "etherscan", source)
    except IngestionError as error:
        if error.error_code != "api_pro":
            raise
        logger.warning(
            "%s: your Etherscan plan does not include this API Pro endpoint; the day goes on "
            "with EthGasTracker's hourly averages and the gas-oracle polls",
            error.endpoint,
        )
        daily = poll_gas_oracle(info)
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
            if _exists(cur, "raw_etherscan.daily_avg_gas_price")
            else "select max(period at time zone 'UTC')::date from raw_ethgastracker.gas_hourly"
        )
        return cur.fetchone()[0]


def _exists(cur: Any, table: str) -> bool:
    """Whether ``table`` exists (the daily average never does on a plan without API Pro)."""
    cur.execute("select to_regclass(%s)", (table,))
    return cur.fetchone()[0] is not None


def load_wallets(
    run_date: dt.date, info: db.PgConnection, seeds_dir: Path = SEEDS_DIR
) -> LoadResult:
    """Step 4: ETH balances, the token balances the transfers cannot give, pool reserves
    (the pools' own tokens), transactions and token transfers of the configured wallets.

    Which balances are called and which derived: ``ingestion.etherscan.balances``.
    """
    wallets = list(dlt.config.get("sources.etherscan.wallets", list) or [])
    if not wallets:
        logger.warning("no wallets configured (sources.etherscan.wallets): no balances or txs")
    page_size = config_value("etherscan.page_size", int)
    loaded_blocks = {
        table: loaded_until(info, f"raw_etherscan.{table}", "address", "block_number")
        for table in ("transactions", "token_transfers")
    }
    source = etherscan_wallet_source(
        run_date,
        wallets,
        seeds.tracked_tokens(seeds_dir),
        reserve_tokens(info, run_date, seeds.pool_reserve_contracts(seeds_dir)),
        loaded_blocks,
        loaded_transfer_balances(info),
        api_key=api_key("etherscan"),
        calls_per_second=etherscan_rate(),
        **({"page_size": page_size} if page_size else {}),
    )
    return run_source(info, "etherscan", source)


def reserve_tokens(
    info: db.PgConnection, run_date: dt.date, contracts: Mapping[str, str]
) -> dict[str, list[str] | None]:
    """``reserve contract -> its pool's token contracts`` (``underlyingTokens`` of the
    pool's latest ``/pools`` snapshot up to ``run_date``: step 1 has loaded the day's);
    None when unknown, so that every tracked token is asked of that contract."""
    known: dict[str, list[str]] = {}
    with db.connect(info) as conn, conn.cursor() as cur:
        if contracts and _exists(cur, "raw_defillama.pools"):
            cur.execute(
                """
                select distinct on (pool) pool, underlying_tokens
                from raw_defillama.pools
                where
                    pool = any(%(pools)s)
                    and run_date = (
                        select max(run_date) from raw_defillama.pools
                        where run_date <= %(day)s
                    )
                order by pool, fetched_at desc
                """,
                {"pools": list(contracts), "day": run_date},
            )
            known = {pool: tokens for pool, tokens in cur.fetchall() if tokens}
    result: dict[str, list[str] | None] = {}
    for pool, contract in contracts.items():
        tokens, so_far = known.get(pool), result.get(contract, [])
        unknown = tokens is None or so_far is None  # one pool of the contract unknown: all
        result[contract] = None if unknown else [*so_far, *(str(t).lower() for t in tokens)]
        if tokens is None:
            logger.info("pool %s is not in the /pools snapshot: %s is asked every token", pool,
                        contract)  # fmt: skip
    return result


def loaded_transfer_balances(info: db.PgConnection) -> dict[str, dict[str, Running]]:
    """What the loaded token transfers sum to per wallet and token, and the lowest they
    went (``balances.LOADED_BALANCES_SQL``); empty before the first load."""
    with db.connect(info) as conn, conn.cursor() as cur:
        if not _exists(cur, "raw_etherscan.token_transfers"):
            return {}
        cur.execute(LOADED_BALANCES_SQL)
        return loaded_balances(cur.fetchall())


def load_pool_history(
    run_date: dt.date,
    info: db.PgConnection,
    pool_ids: Sequence[str],
    labels: Mapping[str, str] | None = None,
) -> LoadResult:
    """Step 9: the days of ``/chart/{pool}`` not loaded yet for each selected pool.

    ``labels`` (pool id → ``project symbol (chain)``) name pools in warnings; unlabelled
    pools are named by their id.
    """
    loaded = loaded_until(info, "raw_defillama.pool_chart", "pool", "chart_date")
    source = defillama_chart_source(list(pool_ids), loaded, dict(labels or {}))
    return run_source(info, "defillama", source)


def poll_gas_oracle(info: db.PgConnection) -> LoadResult:
    """The 5-minute poll of Etherscan's gas oracle (its own pipeline: it runs alongside)."""
    source = etherscan_gas_oracle_source(
        api_key=api_key("etherscan"), calls_per_second=etherscan_rate()
    )
    return run_source(info, "etherscan", source, pipeline_name="yieldopt_etherscan_gas_oracle")
