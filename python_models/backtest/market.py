"""The recorded market of a backtest range, as the daily run of each day would have seen it.

One read of the marts (:func:`read_market_data`: the pools of every decision date, their
histories, gas, the ETH close, the caps in force), then days × pools panels
(:class:`MarketDays`), so that a day is a lookup: :meth:`MarketDays.day` gives the
:class:`~python_models.decision.market.DayMarket` of a decision date — the same object the
daily run builds from the marts of its run date — fed the APY view a portfolio asks for:

- ``forecast``: the shipped forecast of the mean APY over the holding period (the forecaster
  the daily run runs, on history up to D − 1);
- ``persistence``: the actual APY of D − 1; ``mean30d``: the mean of the 30 APYs to D − 1;
- ``oracle``: the actual mean APY of D … D + h − 1 (perfect foresight, the upper bound).

Two things only a simulation needs: the APY and supply each pool actually had on D
(:meth:`MarketDays.actual`, what a position earns), and :func:`quoted_with`, the quotes a
pool would have shown with the simulated treasury's deposit in it — the recorded history was
recorded without us, the live quotes include us, and the optimizer's dilution formula reads
quotes that do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd
from psycopg2.extensions import connection

from python_models.decision.market import POOL_COLUMNS, DayMarket
from python_models.decision.marts import (
    caps_on,
    eth_close_before,
    frame,
    read_caps,
    read_eth_closes,
    read_pool_days,
)
from python_models.decision.policies import FORECAST, MEAN30D, ORACLE, PERSISTENCE
from python_models.forecasting.gas import daily_gas
from python_models.forecasting.panel import forecast_panel
from python_models.forecasting.store import read_gas_history

# History before the first day: enough for the forecasts' training and backtest windows.
HISTORY_DAYS_BEFORE = 400
MEAN_DAYS = 30
DESCRIPTION_COLUMNS = ("tokens", "protocol", "curator", "chain", "project", "symbol")


class MissingDataError(RuntimeError):
    """The database does not hold what the backtest range needs; the message says what."""


@dataclass(frozen=True)
class MarketData:
    """The marts' rows for decision dates ``start`` … ``end``.

    ``pools``: :func:`read_pool_days` (market vocabulary); ``history``: ``subject_id``,
    ``day``, ``apy_pct``, ``tvl_usd`` up to ``end``; ``gas``: daily average gwei by day;
    ``eth``: ETH close by day; ``caps``: :func:`read_caps`.
    """

    start: dt.date
    end: dt.date
    pools: pd.DataFrame
    history: pd.DataFrame
    gas: pd.Series
    eth: pd.Series
    caps: pd.DataFrame


def read_history(
    conn: connection, pool_ids: list[str], first: dt.date, last: dt.date
) -> pd.DataFrame:
    """Daily APY and TVL of ``pool_ids`` from ``first`` to ``last`` (marts.pool_daily_metrics)."""
    history = frame(
        conn,
        """
        select pool_id as subject_id, metric_date as day, apy_pct, tvl_usd
        from marts.pool_daily_metrics
        where pool_id = any(%(pools)s) and metric_date between %(first)s and %(last)s
        order by pool_id, metric_date
        """,
        {"pools": pool_ids, "first": first, "last": last},
    )
    history["day"] = pd.to_datetime(history["day"])
    for column in ("apy_pct", "tvl_usd"):
        history[column] = pd.to_numeric(history[column], errors="coerce")
    return history


def read_market_data(conn: connection, start: dt.date, end: dt.date) -> MarketData:
    """Everything the trade days ``start`` … ``end`` need, read once."""
    with conn.cursor() as cur:
        cur.execute("select max(metric_date) from marts.pool_daily_metrics")
        (latest,) = cur.fetchone()
    if latest is None or latest < end:
        raise MissingDataError(
            f"pool histories end on {latest or 'no day'}: a backtest to {end} needs the actual "
            "APY of every day (load the data first, e.g. with --replay)"
        )
    pools = read_pool_days(conn, start, end)
    # A pool seen on one decision date only (the /pools snapshot of a recorded database's last
    # day, standing in for a history not loaded) can neither be held nor judged over time.
    days_seen = pools.groupby("pool_id")["decision_date"].transform("size")
    pools = pools[days_seen > 1].reset_index(drop=True)
    if not pools["eligible"].any():
        raise MissingDataError(
            f"no pool is eligible on any day between {start} and {end} "
            "(marts.pool_eligibility_by_day): is it built for the range?"
        )
    first = start - dt.timedelta(days=HISTORY_DAYS_BEFORE)
    history = read_history(conn, sorted(pools["pool_id"].unique()), first, end)
    daily, hourly = read_gas_history(conn, end, (end - first).days)
    return MarketData(
        start,
        end,
        pools,
        history,
        daily_gas(daily, hourly),
        read_eth_closes(conn, first, end),
        read_caps(conn, start, end),
    )


def quoted_with(market: DayMarket, positions: dict[str, float]) -> DayMarket:
    """The day's quotes as the pools would show them with ``positions`` in them.

    A deposit c in a pool of supply S adds c to its supply (and to its TVL and withdrawable
    liquidity) and spreads the same interest over S + c: the APY quoted becomes
    APY × S / (S + c). The optimizer's dilution formula expects quotes that include the
    treasury's current position, as live quotes do; the recorded history does not.
    """
    pools = market.pools
    amount = pd.Series(positions, dtype=float).reindex(pools.index).fillna(0.0).clip(lower=0.0)
    if not amount.any():
        return market
    ratio = pools["supply_per_tvl"].fillna(1.0)
    quoted = {}
    for apy, tvl in (("apy_pct", "tvl_usd"), ("apy_last", "tvl_last")):
        supply = pools[tvl] * ratio
        quoted[apy] = (pools[apy] * supply / (supply + amount)).where(amount > 0, pools[apy])
        quoted[tvl] = pools[tvl] + amount
    quoted["available_liquidity_usd"] = pools["available_liquidity_usd"] + amount
    quoted["supply_per_tvl"] = (pools["tvl_usd"] * ratio + amount) / quoted["tvl_usd"]
    quoted["supply_per_tvl"] = quoted["supply_per_tvl"].where(
        pools["supply_per_tvl"].notna() & (amount > 0), pools["supply_per_tvl"]
    )
    return replace(market, pools=pools.assign(**quoted))


class MarketDays:
    """Panels of a range: ``day(d, view, horizon)`` is one decision date's market."""

    def __init__(self, data: MarketData, holding_days: int = 1) -> None:
        self.data = data
        self.days = pd.date_range(data.start, data.end, freq="D")
        pools = data.pools.set_index(["decision_date", "pool_id"]).sort_index()
        self._rows = pools
        self._descriptions = (
            data.pools.sort_values("decision_date")
            .groupby("pool_id")[list(DESCRIPTION_COLUMNS)]
            .last()
        )
        ids = self._descriptions.index
        history = data.history[data.history["subject_id"].isin(ids)]
        self._history = history
        actual = history.pivot(index="day", columns="subject_id", values=["apy_pct", "tvl_usd"])
        calendar = pd.date_range(min(actual.index.min(), self.days[0]), self.days[-1], freq="D")
        actual = actual.reindex(calendar)
        # A day without a recorded value pays the last recorded one (carried forward).
        self._actual_apy = actual["apy_pct"].ffill().reindex(index=self.days, columns=ids)
        self._actual_tvl = actual["tvl_usd"].ffill().reindex(index=self.days, columns=ids)
        self._mean30d = (
            actual["apy_pct"].rolling(MEAN_DAYS, min_periods=1).mean().shift(1).reindex(self.days)
        ).reindex(columns=ids)
        self._supply_ratio = (
            pools["supply_per_tvl"].unstack("pool_id").reindex(index=self.days, columns=ids)
        )
        self.holding_days = holding_days
        self._days: dict[tuple[dt.date, str, int], DayMarket] = {}
        self._views: dict[tuple[str, int], pd.DataFrame] = {}
        self._eligible = (
            pools["eligible"].unstack("pool_id").reindex(index=self.days, columns=ids).eq(True)
        )
        self._apy_panels: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
        self._tvl = forecast_panel(self._values("tvl_usd"), "tvl_usd", self.days)[0].reindex(
            columns=ids
        )
        gas = pd.DataFrame({"subject_id": "ethereum", "day": data.gas.index, "value": data.gas})
        self._gas = forecast_panel(gas, "gas_price_gwei", self.days)[0]["ethereum"]
        self._eth = pd.Series([eth_close_before(data.eth, day) for day in self.days], self.days)

    @property
    def descriptions(self) -> pd.DataFrame:
        """Tokens, protocol family, curator, chain, project and symbol per pool (latest)."""
        return self._descriptions

    @property
    def actual_apy(self) -> pd.DataFrame:
        """Days x pools: the APY each pool paid on the day."""
        return self._actual_apy

    @property
    def eligible(self) -> pd.DataFrame:
        """Days x pools: eligible on the decision date."""
        return self._eligible

    def eligible_count(self, column: str = "eligible") -> pd.Series:
        """Per decision date, how many pools have ``column`` true (``eligible``, or
        ``eligible_by_symbol``: what the symbol's tokens alone would have said)."""
        return (
            self._rows[column]
            .astype(bool)
            .groupby(level="decision_date")
            .sum()
            .reindex(self.days, fill_value=0)
        )

    def _values(self, column: str) -> pd.DataFrame:
        """The history of one column in the forecaster's shape (subject_id, day, value)."""
        return self._history[["subject_id", "day", column]].rename(columns={column: "value"})

    def forecast_apy(self, horizon_days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Days x pools: the shipped forecast of the mean APY over ``horizon_days`` from each
        day (the daily run's forecaster, ``python_models.forecasting.panel``) and the model it
        chose."""
        if horizon_days not in self._apy_panels:
            values, models = forecast_panel(
                self._values("apy_pct"), "apy_pct", self.days, horizon_days
            )
            ids = self._descriptions.index
            self._apy_panels[horizon_days] = (
                values.reindex(columns=ids),
                models.reindex(columns=ids),
            )
        return self._apy_panels[horizon_days]

    def apy(self, view: str, horizon_days: int) -> pd.DataFrame:
        """Days x pools: the APY a decision of each day is fed (see the module docstring)."""
        if view == FORECAST:
            return self.forecast_apy(horizon_days)[0]
        key = (view, horizon_days if view == ORACLE else 0)
        if key not in self._views:
            self._views[key] = self._view(view, horizon_days)
        return self._views[key]

    def _view(self, view: str, horizon_days: int) -> pd.DataFrame:
        if view == PERSISTENCE:
            return self._actual_apy.shift(1)
        if view == MEAN30D:
            return self._mean30d
        if view == ORACLE:
            # mean of D … D + h − 1; near the end of the range, of the days there are
            return self._actual_apy[::-1].rolling(horizon_days, min_periods=1).mean()[::-1]
        raise ValueError(f"unknown APY view {view!r}")

    @lru_cache(maxsize=4)  # noqa: B019 - one market per backtest, its days asked in order
    def _base(self, day: dt.date) -> pd.DataFrame:
        """The decision date's pools: every pool of the range, its row of the day where it has
        one (a pool without one is not eligible that day), forecasts of TVL."""
        stamp = pd.Timestamp(day)
        ids = self._descriptions.index
        try:
            rows = self._rows.loc[stamp]
        except KeyError:
            rows = self._rows.iloc[:0].droplevel(0)
        pools = rows.reindex(ids)
        for column in DESCRIPTION_COLUMNS:
            pools[column] = pools[column].where(pools[column].notna(), self._descriptions[column])
        pools["eligible"] = pools["eligible"].eq(True)
        pools["usd_stablecoin"] = pools["usd_stablecoin"].eq(True)
        pools["tvl_usd"] = self._tvl.loc[stamp].reindex(ids)
        pools["apy_pct"] = np.nan
        return pools

    def day(self, day: dt.date, view: str = FORECAST, horizon_days: int | None = None) -> DayMarket:
        """The market of decision date ``day`` fed ``view`` (the shipped forecast by default)."""
        key = (day, view, horizon_days or self.holding_days)
        if key not in self._days:
            if self._days and next(iter(self._days))[0] != day:
                self._days.clear()  # days are asked in order: keep one day's views
            self._days[key] = self._day(*key)
        return self._days[key]

    def _day(self, day: dt.date, view: str, horizon: int) -> DayMarket:
        stamp = pd.Timestamp(day)
        pools = self._base(day).assign(apy_pct=self.apy(view, horizon).loc[stamp])
        return DayMarket(
            decision_date=day,
            pools=pools[list(POOL_COLUMNS)],
            gas_price_gwei=_finite(self._gas.get(stamp)),
            eth_price_usd=_finite(self._eth.get(stamp)),
            caps=caps_on(self.data.caps, day),
        )

    def actual(self, day: dt.date) -> tuple[pd.Series, pd.Series]:
        """The APY each pool paid on ``day`` and the supply it was spread over (the day's TVL
        scaled by the supply ratio in force)."""
        stamp = pd.Timestamp(day)
        supply = self._actual_tvl.loc[stamp] * self._supply_ratio.loc[stamp].fillna(1.0)
        return self._actual_apy.loc[stamp].fillna(0.0), supply


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None
