"""The report's figures follow their definitions; summary.json has exactly the agreed keys."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from python_models.backtest.baselines import BASELINES
from python_models.backtest.performance import portfolio_stats
from python_models.backtest.scorecard import scorecard


def days(nav: list[float], **columns: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame({"nav_usd": nav})
    for name in ("gas_usd", "conversion_usd", "traded_usd", "positions"):
        frame[name] = columns.get(name, [0.0] * len(nav))
    return frame


def test_figures_of_a_known_nav_path() -> None:
    nav = [101.0, 99.0, 102.0, 104.0]
    stats = portfolio_stats(
        days(
            nav,
            gas_usd=[1.0, 0.0, 0.5, 0.0],
            conversion_usd=[0.2, 0.0, 0.0, 0.0],
            traded_usd=[100.0, 0.0, 40.0, 0.0],
            positions=[2, 2, 0, 1],
        ),
        capital_usd=100.0,
    )
    returns = np.array([101 / 100, 99 / 101, 102 / 99, 104 / 102]) - 1
    assert stats["net_apy"] == pytest.approx((1.04 ** (365 / 4) - 1) * 100)
    assert stats["volatility"] == pytest.approx(np.std(returns, ddof=1) * np.sqrt(365) * 100)
    assert stats["max_drawdown"] == pytest.approx(1 - 99 / 101)
    assert stats["gas_usd"] == 1.5
    assert stats["conversion_usd"] == 0.2
    assert stats["turnover"] == pytest.approx(140 / 2 / np.mean(nav))
    assert stats["days_invested"] == 3


def test_a_fall_below_the_starting_capital_counts_as_drawdown() -> None:
    assert portfolio_stats(days([99.0, 100.5]), 100.0)["max_drawdown"] == pytest.approx(0.01)
    assert portfolio_stats(days([100.1, 100.2]), 100.0)["max_drawdown"] == 0.0


def test_summary_has_the_strategy_every_baseline_and_the_contract_keys() -> None:
    names = ["strategy", *BASELINES]
    frame = pd.concat(
        days([100.0 + i, 101.0 + i]).assign(
            portfolio=n,
            trade_date=[dt.date(2025, 3, 1), dt.date(2025, 3, 2)],
            yield_usd=1.0,
            idle_usd=0.0,
            invested_usd=100.0,
            idle_bound=None,
            ineligible_held=0,
        )
        for i, n in enumerate(names)
    )
    holdings = pd.DataFrame(columns=["trade_date", "portfolio", "pool_id", "allocation_usd"])
    descriptions = pd.DataFrame(columns=["tokens", "chain", "project"])
    first, last = dt.date(2025, 3, 1), dt.date(2025, 3, 2)
    document = scorecard(frame, holdings, descriptions, 100.0, first, last)
    keys = {"net_apy", "volatility", "max_drawdown", "gas_usd", "conversion_usd", "turnover"}
    contract = {
        "gross_apy",
        "cost_share_of_gross",
        "worst_day_bp",
        "cvar5_bp",
        "idle_share",
        "max_pool_share",
        "max_protocol_share",
        "max_chain_share",
        "days_holding_ineligible",
    }
    assert {"strategy", "baselines", "excess", "walk_forward"} <= set(document)
    assert keys | contract <= set(document["strategy"])
    assert {"equal_weight", "best_yesterday", "buy_and_hold"} <= set(document["baselines"])
    assert set(document["baselines"]) == set(BASELINES) == set(document["excess"])
    assert all(keys | contract <= set(figures) for figures in document["baselines"].values())
    assert document["baselines"]["buy_and_hold"]["net_apy"] > document["strategy"]["net_apy"]
