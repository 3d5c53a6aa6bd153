"""The report's figures follow their definitions; summary.json has exactly the agreed keys."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from python_models.backtest.metrics import METRIC_KEYS, scorecard, window_metrics
from python_models.backtest.portfolios import BASELINES, REFERENCES

FIRST = dt.date(2025, 3, 1)


def days(nav: list[float], **columns: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame({"nav_usd": nav})
    frame["trade_date"] = [FIRST + dt.timedelta(days=n) for n in range(len(nav))]
    for name in ("gas_usd", "conversion_usd", "traded_usd", "positions", "yield_usd"):
        frame[name] = columns.get(name, [0.0] * len(nav))
    frame["undiluted_yield_usd"] = columns.get("undiluted_yield_usd", frame["yield_usd"])
    frame["idle_usd"] = columns.get("idle_usd", [0.0] * len(nav))
    frame["invested_usd"] = frame["nav_usd"] - frame["idle_usd"]
    frame["idle_bound"] = None
    frame["ineligible_held"] = 0
    frame["idle_by_token"] = [{} for _ in nav]
    return frame


NO_HOLDINGS = pd.DataFrame(columns=["trade_date", "pool_id", "allocation_usd"])
DESCRIPTIONS = pd.DataFrame(columns=["tokens", "protocol", "curator", "chain"])


def test_figures_of_a_known_nav_path() -> None:
    nav = [101.0, 99.0, 102.0, 104.0]
    figures = window_metrics(
        days(
            nav,
            gas_usd=[1.0, 0.0, 0.5, 0.0],
            conversion_usd=[0.2, 0.0, 0.0, 0.0],
            traded_usd=[100.0, 0.0, 40.0, 0.0],
            positions=[2, 2, 0, 1],
            yield_usd=[0.1, 0.1, 0.1, 0.1],
            undiluted_yield_usd=[0.2, 0.1, 0.1, 0.1],
        ),
        NO_HOLDINGS,
        100.0,
        DESCRIPTIONS,
    )
    returns = np.array([101 / 100, 99 / 101, 102 / 99, 104 / 102]) - 1
    assert figures["net_apy"] == pytest.approx((1.04 ** (365 / 4) - 1) * 100)
    assert figures["volatility"] == pytest.approx(np.std(returns, ddof=1) * np.sqrt(365) * 100)
    assert figures["max_drawdown"] == pytest.approx((1 - 99 / 101) * 100)
    assert figures["gas_usd"] == 1.5
    assert figures["conversion_usd"] == 0.2
    assert figures["turnover"] == pytest.approx(140 / 2 / np.mean(nav))
    assert figures["days_invested"] == 3
    # 0.1 USD given up to our own size over 401 NAV-days at the start of each day
    assert figures["dilution_bp"] == pytest.approx(0.1 / (100 + 101 + 99 + 102) * 365 * 1e4)
    assert figures["worst_day_bp"] == pytest.approx(returns.min() * 1e4)


def test_a_fall_below_the_starting_capital_counts_as_drawdown() -> None:
    fell = window_metrics(days([99.0, 100.5]), NO_HOLDINGS, 100.0, DESCRIPTIONS)
    assert fell["max_drawdown"] == pytest.approx(1.0)
    rose = window_metrics(days([100.1, 100.2]), NO_HOLDINGS, 100.0, DESCRIPTIONS)
    assert rose["max_drawdown"] == 0.0


def test_token_exposure_counts_the_idle_tokens() -> None:
    frame = days([100.0], idle_usd=[60.0])
    frame["idle_by_token"] = [{"USDC": 60.0}]
    holdings = pd.DataFrame({"trade_date": [FIRST], "pool_id": ["p"], "allocation_usd": [40.0]})
    descriptions = pd.DataFrame(
        {"tokens": [["USDC", "USDT"]], "protocol": ["aave"], "curator": [None], "chain": ["X"]},
        index=["p"],
    )
    figures = window_metrics(frame, holdings, 100.0, descriptions)
    assert figures["max_token_share"] == pytest.approx(80.0)  # 60 idle + half of 40
    assert figures["max_protocol_share"] == pytest.approx(40.0)
    assert figures["max_curator_share"] == 0.0


def test_summary_has_the_strategy_the_yardsticks_every_baseline_and_the_contract_keys() -> None:
    names = ["strategy", *REFERENCES, *BASELINES]
    frame = pd.concat(days([100.0 + i, 101.0 + i]).assign(portfolio=n) for i, n in enumerate(names))
    holdings = pd.DataFrame(columns=["trade_date", "portfolio", "pool_id", "allocation_usd"])
    document = scorecard(frame, holdings, DESCRIPTIONS, 100.0, FIRST, FIRST + dt.timedelta(1))
    assert {"strategy", "references", "baselines", "excess", "walk_forward"} <= set(document)
    assert set(METRIC_KEYS) <= set(document["strategy"])
    assert set(document["references"]) == set(REFERENCES)
    assert set(document["baselines"]) == set(BASELINES)
    assert set(document["excess"]) == set(BASELINES) | set(REFERENCES)
    assert all(set(METRIC_KEYS) <= set(f) for f in document["references"].values())
    assert all(len(entry["ci90"]) == 2 for entry in document["excess"].values())
    assert document["baselines"]["buy_and_hold"]["net_apy"] > document["strategy"]["net_apy"]
