"""What following the product earned, against what a treasury would have done instead.

Realized, not expected: over the last 7, 30 and 90 days before the run date D (days D − N …
D − 1: the latest whose actual APY the run of D knows), read from the marts:

- **the product**: each day's recorded allocation (``allocation_report`` of that run date,
  held over the day) earns its pools' actual APY of the day (``earned_apy_pct``, from
  ``pool_daily_metrics``), compounded daily as the backtest accrues it; gross APY is the
  day-weighted yield over the AUM (Σ yield / Σ AUM a day, annualized); net takes off the gas
  and conversion costs of the plans recorded on those days (``optimization_run_summary``).
- **the yardsticks** (:mod:`python_models.decision.yardsticks`, the rule written there):
  ``aave_v3_usdc``, the pool :func:`~python_models.decision.yardsticks.locate` finds on the
  window's first day, at its daily APY compounded; ``benchmark_top5``, the basket
  :func:`~python_models.decision.yardsticks.benchmark_weights` chooses on the window's first
  day and again on each month's first day (:func:`~python_models.decision.yardsticks.rebalances_on`),
  from that decision date's ``pool_eligibility`` rows, at its TVL-weighted daily APY. Before
  costs: they are rates, not portfolios.

A window is computed only when every one of its days has a recorded run; otherwise it says
how many are (``n/a (k of N days recorded)``): a fresh database has one run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from psycopg2.extensions import connection

from python_models.compounding import DAYS_PER_YEAR, daily_rate
from python_models.decision.marts import POOL_DAY_COLUMNS, frame
from python_models.decision.yardsticks import (
    AAVE_V3_USDC,
    BENCHMARK_SIZE,
    BENCHMARK_TOP5,
    SINGLE_POOLS,
    benchmark_weights,
    locate,
    rebalances_on,
)

WINDOWS = (7, 30, 90)
# The yardsticks the report compares with, in its order.
COMPARED = (AAVE_V3_USDC, BENCHMARK_TOP5)
# The pool_eligibility columns locate and benchmark_weights read, named as the market names them.
MARKET_COLUMNS = ("project", "chain", "symbol", "tvl_last", "category", "usd_stablecoin")


@dataclass(frozen=True)
class Realized:
    """One window: the product's realized gross and net APY and each yardstick's, percent."""

    days: int
    recorded_days: int
    gross_apy_pct: float | None = None
    net_apy_pct: float | None = None
    yardstick_apy_pct: dict[str, float | None] = field(default_factory=dict)
    yardstick_labels: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.recorded_days >= self.days


def annualized_pct(mean_daily_rate: float) -> float:
    """A mean daily return as an APY, percent."""
    return ((1 + mean_daily_rate) ** DAYS_PER_YEAR - 1) * 100


def strategy_apy(positions: pd.DataFrame, days: pd.DataFrame) -> tuple[float | None, float | None]:
    """Gross and net APY (percent) of the recorded days.

    ``positions``: ``run_date``, ``allocation_usd``, ``earned_apy_pct`` (null: no data that
    day, earns nothing); ``days``: one row per run date with ``aum_usd`` and ``costs_usd``.
    """
    aum = float(days["aum_usd"].sum())
    if aum <= 0:
        return None, None
    earned = positions["earned_apy_pct"].astype(float).fillna(0.0).map(daily_rate)
    yield_usd = float((positions["allocation_usd"].astype(float) * earned).sum())
    costs_usd = float(days["costs_usd"].astype(float).fillna(0.0).sum())
    return annualized_pct(yield_usd / aum), annualized_pct((yield_usd - costs_usd) / aum)


def weights_by_day(
    name: str, window: list[dt.date], market_on: Callable[[dt.date], pd.DataFrame]
) -> dict[dt.date, dict[str, float]]:
    """The yardstick's pool weights in force each day of ``window`` (empty: not found)."""
    first = window[0]
    if name in SINGLE_POOLS:
        pool = locate(market_on(first), SINGLE_POOLS[name])
        return {day: {} if pool is None else {pool: 1.0} for day in window}
    weights: dict[dt.date, dict[str, float]] = {}
    current: dict[str, float] = {}
    for day in window:
        if rebalances_on(day, first):
            current = benchmark_weights(market_on(day))
        weights[day] = current
    return weights


def yardstick_apy(
    weights: Mapping[dt.date, Mapping[str, float]], apy: pd.DataFrame
) -> float | None:
    """APY (percent) of holding ``weights`` each day at the pools' actual APY (``apy``: days ×
    pools, percent; a day without a figure earns nothing); None when a day has no pool."""
    rates = []
    for day, day_weights in weights.items():
        total = sum(day_weights.values())
        if total <= 0:
            return None
        rates.append(
            sum(
                weight * daily_rate(_apy_on(apy, day, pool)) for pool, weight in day_weights.items()
            )
            / total
        )
    return annualized_pct(sum(rates) / len(rates)) if rates else None


def _apy_on(apy: pd.DataFrame, day: dt.date, pool: str) -> float:
    stamp = pd.Timestamp(day)
    if stamp not in apy.index or pool not in apy.columns:
        return 0.0
    value = apy.at[stamp, pool]
    return 0.0 if pd.isna(value) else float(value)


def _market_reader(conn: connection) -> Callable[[dt.date], pd.DataFrame]:
    """A decision date's pools as the yardsticks see them (``pool_eligibility``), memoized."""
    columns = {market: mart for mart, market in POOL_DAY_COLUMNS.items()}
    select = ", ".join(f"{columns[name]} as {name}" for name in MARKET_COLUMNS)
    cache: dict[dt.date, pd.DataFrame] = {}

    def market_on(day: dt.date) -> pd.DataFrame:
        if day not in cache:
            pools = frame(
                conn,
                f"""
                select pool_id, {select}
                from marts.pool_eligibility
                where eligibility_date = %(day)s
                """,
                {"day": day},
            ).set_index("pool_id")
            pools["tvl_last"] = pd.to_numeric(pools["tvl_last"], errors="coerce").astype(float)
            pools["usd_stablecoin"] = pools["usd_stablecoin"].fillna(False).astype(bool)
            cache[day] = pools
        return cache[day]

    return market_on


def _apy_history(conn: connection, pools: set[str], first: dt.date, last: dt.date) -> pd.DataFrame:
    history = frame(
        conn,
        """
        select metric_date, pool_id, apy_pct
        from marts.pool_daily_metrics
        where pool_id = any(%(pools)s) and metric_date between %(first)s and %(last)s
        """,
        {"pools": sorted(pools), "first": first, "last": last},
    )
    if history.empty:
        return pd.DataFrame()
    history["metric_date"] = pd.to_datetime(history["metric_date"])
    history["apy_pct"] = pd.to_numeric(history["apy_pct"], errors="coerce")
    return history.pivot_table(index="metric_date", columns="pool_id", values="apy_pct")


def _labels(conn: connection, pools: set[str]) -> dict[str, str]:
    labels = frame(
        conn,
        "select pool_id, pool_label from marts.pool_labels where pool_id = any(%(pools)s)",
        {"pools": sorted(pools)},
    )
    return dict(zip(labels["pool_id"], labels["pool_label"], strict=True))


def load_realized(conn: connection, run_date: dt.date) -> list[Realized]:
    """One :class:`Realized` per window of :data:`WINDOWS`."""
    longest = max(WINDOWS)
    first_day, last_day = run_date - dt.timedelta(days=longest), run_date - dt.timedelta(days=1)
    runs = frame(
        conn,
        """
        select run_date, aum_usd,
               coalesce(gas_cost_usd, 0) + coalesce(conversion_cost_usd, 0) as costs_usd
        from marts.optimization_run_summary
        where run_date between %(first)s and %(last)s
        """,
        {"first": first_day, "last": last_day},
    )
    positions = frame(
        conn,
        """
        select run_date, allocation_usd, earned_apy_pct
        from marts.allocation_report
        where run_date between %(first)s and %(last)s and allocation_usd > 0
        """,
        {"first": first_day, "last": last_day},
    )
    market_on = _market_reader(conn)
    windows = []
    for days in WINDOWS:
        window = [run_date - dt.timedelta(days=back) for back in range(days, 0, -1)]
        recorded = runs[runs["run_date"].isin(window)]
        if len(recorded) < days:
            windows.append(Realized(days, len(recorded)))
            continue
        gross, net = strategy_apy(positions[positions["run_date"].isin(window)], recorded)
        weights = {name: weights_by_day(name, window, market_on) for name in COMPARED}
        pools = {pool for by_day in weights.values() for w in by_day.values() for pool in w}
        apy = _apy_history(conn, pools, window[0], window[-1])
        labels = _labels(conn, pools)
        windows.append(
            Realized(
                days,
                len(recorded),
                gross,
                net,
                {name: yardstick_apy(weights[name], apy) for name in COMPARED},
                {name: _yardstick_label(name, weights[name], labels) for name in COMPARED},
            )
        )
    return windows


def _yardstick_label(
    name: str, weights: Mapping[dt.date, Mapping[str, float]], labels: Mapping[str, str]
) -> str:
    """A single pool's name as the report names pools; the benchmark by what it is."""
    if name in SINGLE_POOLS:
        pools = {pool for day_weights in weights.values() for pool in day_weights}
        return labels.get(next(iter(pools)), name) if len(pools) == 1 else name
    return f"benchmark top {BENCHMARK_SIZE} (TVL-weighted)"
