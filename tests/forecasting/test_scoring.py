"""Skill on the realized horizon mean: error ratio, rank correlation and model shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from python_models.forecasting import scoring


def test_views_are_scored_on_the_same_pool_days_against_the_horizon_mean():
    days = pd.date_range("2025-01-01", periods=40)
    rng = np.random.default_rng(0)
    actual = pd.DataFrame(
        {f"p{i}": 3 + i + np.cumsum(rng.normal(0, 0.2, 40)) for i in range(4)}, index=days
    )
    outcome = scoring.realized_mean(actual, 5)
    assert outcome.iloc[0, 0] == pytest.approx(actual.iloc[:5, 0].mean())
    assert outcome.iloc[-4:].isna().all().all()
    views = {**scoring.simple_views(actual), "oracle": outcome}
    mask = pd.DataFrame(True, index=days, columns=actual.columns)
    mask.iloc[10:12, 0] = False
    models = pd.DataFrame("naive", index=days, columns=actual.columns)
    models.iloc[20:, :2] = "shrink_7d"
    scores = scoring.score_views(views, outcome, mask, models)
    # scored: outcome complete (36 days), views known (persistence from day 2), mask
    assert scores["pool_days"] == 35 * 4 - 2
    assert scores["views"][scoring.PERSISTENCE]["error_ratio"] == 1.0
    assert scores["views"]["oracle"]["error_ratio"] == 0.0
    assert scores["views"]["oracle"]["rank_correlation"] == pytest.approx(1.0)
    assert sum(scores["model_share_pct"].values()) == pytest.approx(100)
    assert scores["model_share_pct"]["shrink_7d"] == pytest.approx(100 * 32 / 138)
