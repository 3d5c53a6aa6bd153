"""Forecast skill on what the decision uses: the realized mean APY over the holding period.

Every view a decision can be fed — the shipped forecast, persistence (the APY of D − 1),
the 30-day mean (of D − 30 … D − 1) — is compared, on each scored pool-day, with the
realized mean of D … D + h − 1:

- ``error_ratio``: pooled MAE of the view / pooled MAE of persistence (below 1 beats it);
- ``rank_correlation``: the Spearman correlation of view and outcome across the day's pools,
  averaged over the days with at least three pools (ranking the pools is what the
  allocation needs, whatever the level);
- ``model_share_pct``: the share of scored pool-days on which the shipped forecast chose each
  model (``naive`` is persistence).

A pool-day is scored where it is in the mask (e.g. eligible), its outcome is complete and
every view has a value, so all views are compared on the same pool-days.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

PERSISTENCE = "persistence"
MEAN_DAYS = 30
MIN_POOLS_FOR_RANK = 3


def realized_mean(actual: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """Days x subjects: the mean of D … D + h − 1 (NaN where the days run out)."""
    return actual[::-1].rolling(horizon_days, min_periods=horizon_days).mean()[::-1]


def simple_views(actual: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Persistence and the 30-day mean, from days before D only (rows are consecutive days)."""
    return {
        PERSISTENCE: actual.shift(1),
        "mean30d": actual.rolling(MEAN_DAYS, min_periods=1).mean().shift(1),
    }


def score_views(
    views: dict[str, pd.DataFrame],
    outcome: pd.DataFrame,
    mask: pd.DataFrame | None = None,
    models: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Pooled MAE, error ratio vs persistence and mean daily rank correlation of each view.

    ``views`` must include ``persistence``; every frame is days x subjects on ``outcome``'s
    axes (others are aligned to it). ``models``: the shipped forecast's chosen models.
    """
    scored = outcome.notna()
    if mask is not None:
        scored &= mask.reindex_like(outcome).fillna(False).astype(bool)
    aligned = {name: view.reindex_like(outcome) for name, view in views.items()}
    for view in aligned.values():
        scored &= view.notna()
    errors = {
        name: float(np.nanmean((view - outcome).abs().where(scored).to_numpy()))
        for name, view in aligned.items()
    }
    ranked_days = scored.sum(axis=1) >= MIN_POOLS_FOR_RANK
    outcome_ranks = outcome.where(scored).rank(axis=1)
    result: dict[str, Any] = {"pool_days": int(scored.to_numpy().sum()), "views": {}}
    for name, view in aligned.items():
        ranks = view.where(scored).rank(axis=1).corrwith(outcome_ranks, axis=1)
        result["views"][name] = {
            "mae": errors[name],
            "error_ratio": errors[name] / errors[PERSISTENCE],
            "rank_correlation": float(ranks[ranked_days].mean()),
        }
    if models is not None:
        chosen = models.reindex_like(outcome).where(scored).stack()
        shares = chosen.value_counts(normalize=True) * 100
        result["model_share_pct"] = {str(name): float(share) for name, share in shares.items()}
    return result
