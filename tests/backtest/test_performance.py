"""The report's figures follow their definitions; summary.json has exactly the agreed keys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from python_models.backtest.performance import portfolio_stats, stats_table, summary


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


def test_summary_has_exactly_the_strategy_and_the_three_baselines() -> None:
    names = ["strategy", "equal_weight", "best_yesterday", "buy_and_hold"]
    frame = pd.concat(days([100.0 + i, 101.0 + i]).assign(portfolio=n) for i, n in enumerate(names))
    document = summary(stats_table(frame, 100.0))
    keys = {"net_apy", "volatility", "max_drawdown", "gas_usd", "conversion_usd", "turnover"}
    assert set(document) == {"strategy", "baselines"}
    assert set(document["strategy"]) == keys
    assert set(document["baselines"]) == {"equal_weight", "best_yesterday", "buy_and_hold"}
    assert all(set(figures) == keys for figures in document["baselines"].values())
    assert document["baselines"]["buy_and_hold"]["net_apy"] > document["strategy"]["net_apy"]
