"""Walk-forward: each step's choice comes from the trailing window only (no database)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from synthetic import market_data
from test_no_lookahead import altered_after

from core.config import StrategyConfig
from python_models.backtest.market import MarketDays
from python_models.backtest.metrics import annualized_pct, block_indices, excess
from python_models.backtest.portfolios import STRATEGY_NAME as STRATEGY
from python_models.backtest.portfolios import default_portfolios
from python_models.backtest.simulator import Settings, simulate
from python_models.backtest.walk_forward import (
    TUNED,
    Candidate,
    WalkForwardSettings,
    candidate_returns,
    walk_forward,
)

START, END = dt.date(2025, 3, 1), dt.date(2025, 3, 24)
WF = WalkForwardSettings(step_days=6, train_days=6, grid={"payback_days": (1, 7)}, workers=1)
# The linear yield (no dilution rounds): a third of the solve time, the same choice rule.
CONFIG = StrategyConfig(payback_days=7, apy_dilution=False, min_pools=2)


def tuned(data: object) -> tuple[MarketDays, object]:
    market = MarketDays(data)
    return market, walk_forward(market, Settings(START, END, CONFIG), WF, default_portfolios())


@pytest.fixture(scope="module")
def original() -> tuple[MarketDays, object]:
    return tuned(market_data(START, END))


@pytest.mark.e2e  # whole walk-forward backtests: every portfolio's MILP, every day
def test_each_step_takes_the_candidate_that_grew_most_over_the_days_before_it(
    original: tuple[MarketDays, object],
) -> None:
    market, result = original
    # candidates are scored up to the last boundary, with the optimizer's linear yield
    settings = Settings(START, dt.date(2025, 3, 18), CONFIG)
    candidates = [Candidate(TUNED[STRATEGY], choice) for choice in WF.choices(CONFIG.snapshot())]
    assert candidates[0].choice == (("payback_days", 7),)  # the shipped choice first
    returns = candidate_returns(market, settings, candidates, 1)
    assert [step["from"] for step in result.steps] == ["2025-03-07", "2025-03-13", "2025-03-19"]
    for step in result.steps:
        boundary = dt.date.fromisoformat(step["from"])
        window = returns.loc[
            pd.Timestamp(boundary - dt.timedelta(days=6)) : pd.Timestamp(
                boundary - dt.timedelta(days=1)
            )
        ]
        assert len(window) == 6
        growth = np.log1p(window).sum()
        best = candidates[int(np.argmax(growth.to_numpy()))]
        assert (step["chosen"]["view"], step["chosen"]["choice"]) == (best.view, dict(best.choice))
    # the tuned strategy trades each step's choice from its boundary on
    strategy = next(policy for policy in result.policies if policy.name == STRATEGY)
    assert [day.isoformat() for day, *_ in strategy.schedule] == [s["from"] for s in result.steps]
    # the solving portfolios' decisions, made in workers, replay to every portfolio's days
    names = {
        record.portfolio
        for records in simulate(market, settings_of(), result.policies, result.decided)
        for record in records
    }
    assert STRATEGY in names and "optimizer_persistence" in names and "oracle" in names
    assert set(result.decided) == {
        STRATEGY,
        "optimizer_persistence",
        "optimizer_mean30d",
        "oracle",
        "hold_rules",
        "equal_weight",
        "best_yesterday",
    }


def settings_of() -> Settings:
    return Settings(START, END, CONFIG)


@pytest.mark.e2e  # whole walk-forward backtests: every portfolio's MILP, every day
def test_a_choice_ignores_every_day_from_its_boundary_on(
    original: tuple[MarketDays, object],
) -> None:
    cut = dt.date(2025, 3, 12)  # the last day the second boundary's choice may read
    _, changed = tuned(altered_after(market_data(START, END), cut))
    # the first two boundaries were chosen on days up to the cut: the same choices
    assert original[1].steps[:2] == changed.steps[:2]
    # the third reads altered days: its trailing figures move, so the test can fail
    assert original[1].steps[2]["chosen"] != changed.steps[2]["chosen"]


def test_block_bootstrap_interval_holds_the_point_and_blocks_are_contiguous() -> None:
    picks = block_indices(30, 5, 14, seed=1)
    assert picks.shape == (5, 30)
    assert all(((np.diff(row[:14]) % 30) == 1).all() for row in picks)
    rng = np.random.default_rng(3)
    strategy = rng.normal(2e-4, 1e-4, 120)
    baseline = strategy - 5e-5
    result = excess(strategy, baseline)
    assert result["net_apy_pp"] == pytest.approx(
        annualized_pct(strategy) - annualized_pct(baseline), abs=1e-4
    )
    low, high = result["ci90"]
    assert low <= result["net_apy_pp"] <= high and low > 0
