"""Step 13's inputs, read from the marts and the forecasts for one run date.

Pools: the day's eligible pools with their forecast APY and TVL (the forecast of the run
date; the actual of the day where a forecast is missing is refused, not silently used),
risk group, tokens, protocol (DeFiLlama project) and chain, the gas of one deposit at the
forecast gas price, and, for lending markets /lendBorrow knows (``marts.pool_liquidity``), the
day's withdrawable liquidity and the forecast TVL scaled to the total supply. Pools held from the
last run but no longer eligible come too, marked ineligible, so the optimizer withdraws them.
Holdings: the last successful run's positions and idle tokens; on the first run, the wallet's
tokens valued by the ledger. Stale inputs stop the step instead of deciding on old data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from psycopg2.extensions import connection

from core.config import StrategyConfig
from python_models.optimization.problem import Holdings, Problem
from python_models.optimization.runs import previous_holdings


class StaleInputError(RuntimeError):
    """An input the allocation needs is missing for the run date."""


def _fetch(conn: connection, query: str, params: tuple) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _check_fresh(conn: connection, run_date: dt.date) -> None:
    """Refuse to allocate without today's pools snapshot and gas forecast."""
    (latest_snapshot,) = _fetch(conn, "select max(last_seen_date) from marts.defi_pools", ())[0]
    if latest_snapshot != run_date:
        raise StaleInputError(
            f"no pools snapshot for {run_date} (latest: {latest_snapshot or 'none'}): "
            "refusing to allocate on old data"
        )
    gas = _fetch(
        conn,
        "select gas_price_gwei from forecasts.gas_forecasts where run_date = %s",
        (run_date,),
    )
    if not gas or gas[0][0] is None:
        raise StaleInputError(f"no gas forecast for {run_date}: refusing to allocate")


def _pools(conn: connection, run_date: dt.date, held: list[str]) -> list[dict[str, Any]]:
    rows = _fetch(
        conn,
        """
        with forecasts as (
            select
                pool_id,
                max(forecast_value) filter (where target = 'apy_pct') as apy_pct,
                max(forecast_value) filter (where target = 'tvl_usd') as tvl_usd
            from forecasts.pool_forecasts
            where run_date = %(day)s
            group by pool_id
        ),

        deposit_gas as (
            select pool_id, gas_usd
            from marts.pool_gas_costs
            where cost_date = %(day)s and action = 'deposit'
        ),

        liquidity as (
            select pool_id, total_supply_usd, available_liquidity_usd, tvl_usd
            from marts.pool_liquidity
            where liquidity_date = %(day)s
        )

        select
            eligibility.pool_id,
            eligibility.is_eligible,
            eligibility.group_id,
            eligibility.tokens,
            forecasts.apy_pct,
            forecasts.tvl_usd,
            eligibility.apy_pct,
            eligibility.tvl_usd,
            deposit_gas.gas_usd,
            eligibility.project,
            eligibility.chain,
            liquidity.available_liquidity_usd,
            -- a lending market's supply over its tvl_usd that day (1 where tvl is the supply)
            liquidity.total_supply_usd / nullif(liquidity.tvl_usd, 0) as supply_per_tvl
        from marts.pool_eligibility as eligibility
        left join forecasts on forecasts.pool_id = eligibility.pool_id
        left join deposit_gas on deposit_gas.pool_id = eligibility.pool_id
        left join liquidity on liquidity.pool_id = eligibility.pool_id
        where eligibility.eligibility_date = %(day)s
          and (eligibility.is_eligible or eligibility.pool_id = any(%(held)s))
        order by eligibility.pool_id
        """,
        {"day": run_date, "held": held},
    )
    pools = []
    missing = []
    for row in rows:
        pool_id, eligible, group, tokens, apy_f, tvl_f, apy, tvl, gas_usd, project, chain = row[:11]
        available, supply_per_tvl = row[11:]
        if eligible and (apy_f is None or tvl_f is None or gas_usd is None):
            missing.append(pool_id)
            continue
        forecast_tvl = max(float(tvl_f if tvl_f is not None else tvl or 0), 0.0)
        pools.append(
            {
                "pool_id": pool_id,
                "apy": float(apy_f if apy_f is not None else apy or 0),
                # the supply the APY is spread over (dilution; the TVL cap reads it too): for
                # a lending market whose tvl_usd is supply - borrows, the forecast scaled up
                "tvl_usd": forecast_tvl * float(supply_per_tvl or 1.0),
                "group": group,
                # a symbol may repeat a token (USDC-USDC): the pool holds that token once
                "tokens": list(dict.fromkeys(tokens)) or ["UNKNOWN"],
                "gas_usd": float(gas_usd or 0),
                "eligible": bool(eligible),
                # exposure caps group pools by DeFiLlama's project slug and chain
                "protocol": project or None,
                "chain": chain or None,
                # None: unknown (no /lendBorrow row), the TVL cap alone applies
                "available_liquidity_usd": None if available is None else float(available),
            }
        )
    if missing:
        raise StaleInputError(
            f"{len(missing)} eligible pools lack a forecast or a gas cost for {run_date} "
            f"(e.g. {', '.join(missing[:3])})"
        )
    return pools


def wallet_holdings(conn: connection, run_date: dt.date) -> Holdings:
    """The wallet's tokens on the run date, valued by the ledger, all idle."""
    rows = _fetch(
        conn,
        """
        select token_symbol, sum(nav_usd)
        from marts.daily_ledger
        where ledger_date = %s and nav_usd > 0
        group by token_symbol
        order by token_symbol
        """,
        (run_date,),
    )
    return Holdings(liquidity_portfolio={token: float(usd) for token, usd in rows})


def exposure_caps(conn: connection, run_date: dt.date) -> dict[str, dict[str, float]]:
    """The analysts' tighter caps in force on the run date (seed ``exposure_caps``), as the
    problem's ``protocol_caps`` and ``chain_caps``: % of AUM per name."""
    caps: dict[str, dict[str, float]] = {"protocol_caps": {}, "chain_caps": {}}
    for dimension, name, max_pct in _fetch(
        conn,
        """
        select dimension, name, min(max_pct)
        from seeds.exposure_caps
        where added_at <= %(day)s and (removed_at is null or removed_at > %(day)s)
        group by dimension, name
        order by dimension, name
        """,
        {"day": run_date},
    ):
        caps[f"{dimension}_caps"][name] = float(max_pct)
    return caps


def build_problem(
    conn: connection,
    run_date: dt.date,
    config: StrategyConfig,
    holdings: Holdings | None = None,
) -> Problem:
    """Assemble the day's problem; ``holdings`` overrides what the runs and wallet say."""
    _check_fresh(conn, run_date)
    holdings = holdings or previous_holdings(conn, run_date) or wallet_holdings(conn, run_date)
    if holdings.aum_usd <= 0:
        raise StaleInputError(f"no holdings for {run_date}: the wallet ledger is empty")
    pools = _pools(conn, run_date, sorted(holdings.current_allocations))
    known = {pool["pool_id"] for pool in pools}
    gone = [pool_id for pool_id in holdings.current_allocations if pool_id not in known]
    if gone:
        raise StaleInputError(f"held pools missing from the {run_date} snapshot: {', '.join(gone)}")
    return Problem.model_validate(
        {
            "parameters": config,
            "pools": pools,
            "holdings": holdings.model_dump(),
            **exposure_caps(conn, run_date),
        }
    )


def lists_snapshot(conn: connection, run_date: dt.date) -> dict[str, Any]:
    """The analyst lists and icebox in force on the run date, for the run record."""

    def in_force(table: str, key: str) -> list[str]:
        return [
            row[0]
            for row in _fetch(
                conn,
                f"""
                select {key} from seeds.{table}
                where added_at <= %(day)s and (removed_at is null or removed_at > %(day)s)
                order by {key}
                """,
                {"day": run_date},
            )
        ]

    return {
        "exposure_caps": exposure_caps(conn, run_date),
        "approved_tokens": in_force("approved_tokens", "token_symbol"),
        "blacklisted_tokens": in_force("blacklisted_tokens", "token_symbol"),
        "approved_protocols": in_force("approved_protocols", "project"),
        "icebox": [
            row[0]
            for row in _fetch(
                conn,
                """
                select token_symbol from marts.icebox_tokens
                where added_at <= %(day)s and (removed_at is null or removed_at > %(day)s)
                order by token_symbol
                """,
                {"day": run_date},
            )
        ],
    }
