"""Forecasts scored on what the decision uses: the mean APY over the next ``horizon_days``.

On every eligible pool-day of the scored window whose outcome is complete (the actual mean
APY of D … D + h − 1), each APY view a decision can be fed — the shipped forecast, persistence
(the APY of D − 1) and the 30-day mean — is compared with the outcome:

- ``error_ratio``: pooled MAE of the view / pooled MAE of persistence (below 1 beats it);
- ``rank_correlation``: the Spearman correlation of view and outcome across the day's
  eligible pools, averaged over the days (what ranking the pools needs, whatever the level);
- ``model_share``: the share of scored pool-days on which the shipped forecast chose each
  model (persistence is the ``naive`` model).

The decision regret is the USD the strategy earned net of costs minus what the same
optimizer fed persistence earned, over the scored window: positive means the forecasts paid.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from python_models.backtest.market import MarketDays
from python_models.backtest.portfolios import OPTIMIZER_PERSISTENCE
from python_models.backtest.portfolios import STRATEGY_NAME as STRATEGY
from python_models.decision.policies import FORECAST, MEAN30D, PERSISTENCE

VIEWS = {"shipped": FORECAST, "persistence": PERSISTENCE, "mean30d": MEAN30D}
MIN_POOLS_FOR_RANK = 3


def horizon_outcome(actual: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """Days x pools: the actual mean APY of D … D + h − 1 (NaN where the range ends first)."""
    return actual[::-1].rolling(horizon_days, min_periods=horizon_days).mean()[::-1]


def score_views(
    market: MarketDays, horizon_days: int, first: dt.date, last: dt.date
) -> dict[str, Any]:
    """Error ratio, rank correlation and model shares of each view over the window."""
    window = slice(pd.Timestamp(first), pd.Timestamp(last))
    outcome = horizon_outcome(market.actual_apy, horizon_days).loc[window]
    views = {name: market.apy(view, horizon_days).loc[window] for name, view in VIEWS.items()}
    mask = market.eligible.loc[window] & outcome.notna()
    for view in views.values():
        mask &= view.notna()
    errors = {name: (view - outcome).abs()[mask].stack().mean() for name, view in views.items()}
    ranked = mask.sum(axis=1) >= MIN_POOLS_FOR_RANK
    target_ranks = outcome[mask].rank(axis=1)
    scores = {
        name: {
            "mae_pp": round(float(errors[name]), 4),
            "error_ratio": round(float(errors[name] / errors["persistence"]), 4),
            "rank_correlation": round(
                float(view[mask].rank(axis=1).corrwith(target_ranks, axis=1)[ranked].mean()), 4
            ),
        }
        for name, view in views.items()
    }
    models = market.forecast_apy(horizon_days)[1].loc[window][mask].stack()
    shares = (models.value_counts(normalize=True) * 100).round(2)
    return {
        "horizon_days": horizon_days,
        "pool_days": int(mask.to_numpy().sum()),
        "views": scores,
        "model_share_pct": {str(name): float(share) for name, share in shares.items()},
    }


def decision_regret_usd(days: pd.DataFrame, first: dt.date, last: dt.date) -> float:
    """Net USD earned by the strategy minus by ``optimizer_persistence`` over the window."""
    dates = pd.to_datetime(days["trade_date"]).dt.date
    window = days[(dates >= first) & (dates <= last)]
    net = window["yield_usd"] - window["gas_usd"] - window["conversion_usd"]
    by_portfolio = net.groupby(window["portfolio"]).sum()
    if STRATEGY not in by_portfolio or OPTIMIZER_PERSISTENCE not in by_portfolio:
        return 0.0
    return round(float(by_portfolio[STRATEGY] - by_portfolio[OPTIMIZER_PERSISTENCE]), 2)


def forecast_section(scores: dict[str, Any], regret_usd: float) -> str:
    """The report's forecast section in Markdown."""
    rows = "\n".join(
        f"| {name} | {view['mae_pp']:.3f} | {view['error_ratio']:.3f} | "
        f"{view['rank_correlation']:.3f} |"
        for name, view in scores["views"].items()
    )
    shipped = scores["views"]["shipped"]["error_ratio"]
    verdict = (
        "The shipped forecast beats persistence on this target."
        if shipped < 1
        else "Nothing beats persistence on this target: persistence is the model."
    )
    shares = ", ".join(f"{name} {share:.1f} %" for name, share in scores["model_share_pct"].items())
    return (
        f"## Forecasts, scored on the mean APY over the next {scores['horizon_days']} days\n\n"
        f"{scores['pool_days']:,} eligible pool-days.\n\n"
        "| view | MAE pp | error ratio vs persistence | mean daily rank correlation |\n"
        f"|---|---:|---:|---:|\n{rows}\n\n{verdict} Models the shipped forecast chose "
        f"(share of pool-days): {shares}. Decision regret (strategy − optimizer fed "
        f"persistence, net USD over the scored window): {regret_usd:+,.0f} USD."
    )
