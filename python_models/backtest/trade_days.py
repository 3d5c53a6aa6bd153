"""What each trade day offers: the pools known the day before, their forecasts and costs.

A trade day D is decided at its start with the information of D − 1 (the daily run of D − 1
forecasts D): eligibility, group and tokens of D − 1 (``int_pool_eligibility_by_day``), the APY
and TVL forecasts of D fitted on history up to D − 1, the gas of one touch at the forecast gas
price of D and the ETH close of D − 1 (Ethereum: deposit gas units x gwei x 1e-9 x ETH price;
other chains: the seed's fee per transaction, as ``pool_gas_costs``). The money then earns
the *actual* APY of D. Everything is computed as days x pools panels once, so a day is a
lookup.

Besides the shipped forecast, a decision can be fed other APY views of the same day
(:meth:`MarketDays.apy`): ``persistence`` (the actual APY of D − 1), ``mean30d`` (the mean of
the 30 actual APYs up to D − 1), ``forecast`` with another model-selection margin, and
``oracle`` (the actual mean APY of D … D + h − 1: perfect foresight, the reference upper
bound, never a decision the strategy could make).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from python_models.backtest.forecasts import (
    GAS_RULES,
    POOL_RULES,
    ChoiceRules,
    panel_choices,
    panel_forecasts,
)
from python_models.backtest.forecasts import series_forecasts as forecast_one
from python_models.backtest.inputs import MarketData

GWEI_IN_ETH = 1e-9
MEAN_DAYS = 30
FORECAST, PERSISTENCE, MEAN30D, ORACLE = "forecast", "persistence", "mean30d", "oracle"


@dataclass(frozen=True)
class TradeDay:
    """One trade day: candidate pools (index ``pool_id``) and the APY each pool earned.

    ``pools`` columns: ``eligible`` (false also without data on the day before),
    ``group_id``, ``tokens``, ``apy_forecast``, ``tvl_forecast``, ``apy_yesterday``,
    ``tvl_yesterday``, ``gas_usd``, ``project``, ``chain``.
    """

    day: dt.date
    pools: pd.DataFrame
    actual_apy: pd.Series

    def with_apy(self, apy: pd.Series) -> TradeDay:
        """The same day with ``apy_decision``: the APY view a decision is fed."""
        return replace(self, pools=self.pools.assign(apy_decision=apy.reindex(self.pools.index)))


class MarketDays:
    """Panels of forecasts, costs and actuals over a range; ``day(d)`` slices one day."""

    def __init__(self, data: MarketData) -> None:
        days = pd.date_range(data.start, data.end, freq="D")
        self.days = days
        eligibility = data.eligibility.assign(day=lambda f: f["day"] + pd.Timedelta(days=1))
        self._eligible = eligibility.pivot(index="day", columns="pool_id", values="is_eligible")
        self._group = eligibility.pivot(index="day", columns="pool_id", values="group_id")
        self._tokens = eligibility.pivot(index="day", columns="pool_id", values="tokens")
        self._descriptions = data.eligibility.groupby("pool_id")[
            ["tokens", "chain", "project"]
        ].last()
        pools = self._descriptions.index
        history = data.history[data.history["subject_id"].isin(pools)]
        self._history = history
        self._panels: dict[tuple[str, int, float], pd.DataFrame] = {}
        apy_values, apy_models = panel_choices(history, "apy_pct", days, POOL_RULES["apy_pct"])
        self._apy_forecast = apy_values.reindex(columns=pools)
        self._apy_models = apy_models.reindex(columns=pools)
        self._tvl_forecast = panel_forecasts(
            history, "tvl_usd", days, POOL_RULES["tvl_usd"]
        ).reindex(columns=pools)
        actual = history.pivot(index="day", columns="subject_id", values=["apy_pct", "tvl_usd"])
        calendar = pd.date_range(min(actual.index.min(), days[0]), days[-1], freq="D")
        actual = actual.reindex(calendar)
        yesterday = actual.shift(1).reindex(days)
        self._apy_yesterday = yesterday["apy_pct"].reindex(columns=pools)
        self._tvl_yesterday = yesterday["tvl_usd"].reindex(columns=pools)
        # A day without a recorded APY earns the last recorded one (carried forward).
        self._actual_apy = actual["apy_pct"].ffill().reindex(index=days, columns=pools).fillna(0.0)
        self._apy_mean30d = (
            actual["apy_pct"].rolling(MEAN_DAYS, min_periods=1).mean().shift(1).reindex(days)
        ).reindex(columns=pools)
        gas = data.gas.set_index("day")
        gas_gwei = forecast_one(gas["gas_price_gwei"], days, GAS_RULES)["value"]
        eth_price = gas["eth_price_usd"].dropna().reindex(calendar).ffill().shift(1).reindex(days)
        self._gas_usd = self._touch_cost(data, gas_gwei * GWEI_IN_ETH * eth_price)

    @property
    def descriptions(self) -> pd.DataFrame:
        """Chain, project and tokens per pool (index ``pool_id``)."""
        return self._descriptions

    @property
    def eligible(self) -> pd.DataFrame:
        """Days x pools: eligible at the start of the day (as of the day before)."""
        return self._eligible.reindex(index=self.days, columns=self._descriptions.index).eq(True)

    @property
    def apy_models(self) -> pd.DataFrame:
        """Days x pools: the model the shipped APY forecast chose for the day."""
        return self._apy_models

    @property
    def actual_apy(self) -> pd.DataFrame:
        """Days x pools: the APY each pool paid on the day."""
        return self._actual_apy

    def apy(self, source: str, horizon_days: int = 1, margin: float | None = None) -> pd.DataFrame:
        """Days x pools: the APY a decision of each day is fed (see the module docstring).

        ``margin`` replaces the APY model-selection margin of the shipped forecast.
        """
        key = (source, horizon_days if source == ORACLE else 1, margin or -1.0)
        if key not in self._panels:
            self._panels[key] = self._build_panel(source, horizon_days, margin)
        return self._panels[key]

    def _build_panel(self, source: str, horizon_days: int, margin: float | None) -> pd.DataFrame:
        if source == PERSISTENCE:
            return self._apy_yesterday
        if source == MEAN30D:
            return self._apy_mean30d
        if source == ORACLE:
            # mean of D … D + h − 1; near the end of the range, of the days there are
            ahead = self._actual_apy[::-1].rolling(horizon_days, min_periods=1).mean()[::-1]
            return ahead
        if source != FORECAST:
            raise ValueError(f"unknown APY source {source!r}")
        if margin is None:
            return self._apy_forecast
        rules: ChoiceRules = replace(POOL_RULES["apy_pct"], min_improvement=margin)
        return panel_forecasts(self._history, "apy_pct", self.days, rules).reindex(
            columns=self._descriptions.index
        )

    def _touch_cost(self, data: MarketData, usd_per_gas_unit: pd.Series) -> pd.DataFrame:
        """USD of one deposit or withdrawal per day and pool (NaN where an input is missing)."""
        described = self._descriptions
        ethereum = described["chain"] == "Ethereum"
        units = described["project"].map(data.gas_units).where(ethereum)
        fees = described["chain"].map(data.chain_fees).where(~ethereum)
        per_unit = np.outer(usd_per_gas_unit.to_numpy(), units.to_numpy(dtype=float))
        costs = np.where(ethereum.to_numpy(), per_unit, fees.to_numpy(dtype=float))
        return pd.DataFrame(costs, index=self.days, columns=described.index)

    def day(self, day: dt.date) -> TradeDay:
        """The candidate pools of ``day`` with what was known at its start."""
        stamp = pd.Timestamp(day)
        pools = self._descriptions.index
        row_tokens = self._tokens.reindex(index=[stamp], columns=pools).iloc[0]
        eligible = self._eligible.reindex(index=[stamp], columns=pools).iloc[0]
        frame = pd.DataFrame(
            {
                "eligible": eligible.eq(True),
                "group_id": self._group.reindex(index=[stamp], columns=pools).iloc[0],
                "tokens": row_tokens.where(row_tokens.notna(), self._descriptions["tokens"]),
                "apy_forecast": self._apy_forecast.loc[stamp, pools],
                "tvl_forecast": self._tvl_forecast.loc[stamp, pools],
                "apy_yesterday": self._apy_yesterday.loc[stamp, pools],
                "tvl_yesterday": self._tvl_yesterday.loc[stamp, pools],
                "gas_usd": self._gas_usd.loc[stamp, pools],
                "project": self._descriptions["project"],
                "chain": self._descriptions["chain"],
            },
            index=pools,
        )
        return TradeDay(day, frame, self._actual_apy.loc[stamp, pools])
