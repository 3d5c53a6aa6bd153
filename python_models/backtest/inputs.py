"""Everything a backtest reads from the database, in one go, before the first day.

The by-day models give each pool's eligibility, group and tokens as judged on each day; the
pool metrics give the APY/TVL histories (for the forecasts and the actual yield); the gas
marts give the daily gas price and the ETH price; the seeds give the gas units per protocol
and the fee per chain. Only pools eligible on at least one day of the range are read: a pool
that never passes the filters can be neither chosen nor held.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from psycopg2.extensions import connection

from python_models.forecasting.gas import daily_gas
from python_models.forecasting.store import read_gas_history

# History before the first day: enough for the pool forecasts' 180-day read window and the
# gas forecasts' 400 days.
HISTORY_DAYS_BEFORE = 400


class MissingDataError(RuntimeError):
    """The database does not hold what the backtest range needs; the message says what."""


@dataclass(frozen=True)
class MarketData:
    """The curated inputs of a backtest range (information dates start − 1 … end − 1).

    ``eligibility``: one row per pool and information date (``day``) with ``is_eligible``,
    ``group_id``, ``tokens``, ``chain``, ``project``. ``history``: ``subject_id`` (pool),
    ``day``, ``apy_pct``, ``tvl_usd`` up to the end date. ``gas``: ``day``, ``gas_price_gwei``,
    ``eth_price_usd``. ``gas_units``: deposit gas units per project; ``chain_fees``: USD per
    transaction per chain (not Ethereum).
    """

    start: dt.date
    end: dt.date
    eligibility: pd.DataFrame
    history: pd.DataFrame
    gas: pd.DataFrame
    gas_units: pd.Series
    chain_fees: pd.Series


def _frame(conn: connection, query: str, params: dict, columns: list[str]) -> pd.DataFrame:
    with conn.cursor() as cur:
        cur.execute(query, params)
        return pd.DataFrame(cur.fetchall(), columns=columns)


def read_eligibility(conn: connection, first: dt.date, last: dt.date) -> pd.DataFrame:
    """By-day eligibility of the pools eligible at least once between ``first`` and ``last``."""
    frame = _frame(
        conn,
        """
        with pools as (
            select distinct pool_id
            from intermediate.int_pool_eligibility_by_day
            where is_eligible and eligibility_date between %(first)s and %(last)s
        )

        select
            eligibility.eligibility_date, eligibility.pool_id, eligibility.is_eligible,
            eligibility.group_id, eligibility.tokens, eligibility.chain, eligibility.project
        from intermediate.int_pool_eligibility_by_day as eligibility
        inner join pools on pools.pool_id = eligibility.pool_id
        where eligibility.eligibility_date between %(first)s and %(last)s
        order by eligibility.eligibility_date, eligibility.pool_id
        """,
        {"first": first, "last": last},
        ["day", "pool_id", "is_eligible", "group_id", "tokens", "chain", "project"],
    )
    if frame.empty:
        raise MissingDataError(
            f"no pool is eligible on any day between {first} and {last} "
            "(intermediate.int_pool_eligibility_by_day): is it built for the range?"
        )
    frame["day"] = pd.to_datetime(frame["day"])
    frame["group_id"] = frame["group_id"].astype("Int64")
    return frame


def read_history(
    conn: connection, pool_ids: list[str], first: dt.date, last: dt.date
) -> pd.DataFrame:
    """Daily APY and TVL of ``pool_ids`` from ``first`` to ``last`` (pool_daily_metrics)."""
    frame = _frame(
        conn,
        """
        select pool_id, metric_date, apy_pct, tvl_usd
        from marts.pool_daily_metrics
        where pool_id = any(%(pools)s) and metric_date between %(first)s and %(last)s
        order by pool_id, metric_date
        """,
        {"pools": pool_ids, "first": first, "last": last},
        ["subject_id", "day", "apy_pct", "tvl_usd"],
    )
    frame["day"] = pd.to_datetime(frame["day"])
    for column in ("apy_pct", "tvl_usd"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def read_gas(conn: connection, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Daily average gas price (daily table completed by full hourly days) and ETH price."""
    daily, hourly = read_gas_history(conn, last, (last - first).days)
    prices = daily_gas(daily, hourly)
    eth = pd.Series(
        daily["eth_price_usd"].to_numpy(dtype=float), index=pd.to_datetime(daily["gas_date"])
    ).dropna()
    frame = pd.DataFrame({"gas_price_gwei": prices, "eth_price_usd": eth}).sort_index()
    return frame.rename_axis("day").reset_index()


def read_seed_costs(conn: connection) -> tuple[pd.Series, pd.Series]:
    """Deposit gas units per project and the USD fee per transaction per chain (seeds)."""
    units = _frame(
        conn,
        "select project, gas_units from seeds.protocol_gas_units where action = 'deposit'",
        {},
        ["project", "gas_units"],
    )
    fees = _frame(conn, "select chain, fee_usd from seeds.chain_tx_fee_usd", {}, ["chain", "fee"])
    return (
        units.set_index("project")["gas_units"].astype(float),
        fees.set_index("chain")["fee"].astype(float),
    )


def read_market_data(conn: connection, start: dt.date, end: dt.date) -> MarketData:
    """The inputs of the trade days ``start`` … ``end`` (decided on data up to the day before)."""
    with conn.cursor() as cur:
        cur.execute("select max(metric_date) from marts.pool_daily_metrics")
        (latest,) = cur.fetchone()
    if latest is None or latest < end:
        raise MissingDataError(
            f"pool histories end on {latest or 'no day'}: a backtest to {end} needs the actual "
            "APY of every day (load the data first, e.g. with --replay)"
        )
    info_first, info_last = start - dt.timedelta(days=1), end - dt.timedelta(days=1)
    eligibility = read_eligibility(conn, info_first, info_last)
    history_first = start - dt.timedelta(days=HISTORY_DAYS_BEFORE)
    pools = sorted(eligibility["pool_id"].unique())
    history = read_history(conn, pools, history_first, end)
    gas = read_gas(conn, history_first, end)
    gas_units, chain_fees = read_seed_costs(conn)
    return MarketData(start, end, eligibility, history, gas, gas_units, chain_fees)
