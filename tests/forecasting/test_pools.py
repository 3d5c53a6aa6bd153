"""Pool forecasts of one day: both targets of every pool, in input order, with reasons."""

from __future__ import annotations

import datetime as dt

import numpy as np

from python_models.forecasting.pools import PoolHistory, forecast_pools

RUN_DATE = dt.date(2025, 6, 6)


def test_every_pool_gets_apy_then_tvl_in_input_order(real_pools):
    histories = [
        PoolHistory(
            pool_id, frame["date"].to_numpy(), frame["apy"].to_numpy(), frame["tvl"].to_numpy()
        )
        for pool_id, frame in real_pools.items()
    ]
    rng = np.random.default_rng(7)
    dates = np.arange(np.datetime64("2025-01-01"), np.datetime64("2025-06-06"))
    tvl = 1e7 * (1 + 0.002 * np.arange(len(dates))) + rng.normal(0, 1e4, len(dates))
    apy = 4 + np.cumsum(rng.normal(0, 0.1, len(dates)))
    histories.append(PoolHistory("trending", dates, apy, tvl))
    histories.append(PoolHistory("no-history", dates[:0], np.array([]), np.array([])))
    forecasts = forecast_pools(histories, RUN_DATE, horizon_days=7)
    assert [(f.subject_id, f.target) for f in forecasts] == [
        (history.pool_id, target) for history in histories for target in ("apy_pct", "tvl_usd")
    ]
    assert {(f.target, f.horizon_days) for f in forecasts} == {("apy_pct", 7), ("tvl_usd", 1)}
    by_pool = {(f.subject_id, f.target): f for f in forecasts}
    assert by_pool[("no-history", "apy_pct")].fallback_reason == "no history"
    short = by_pool[("9674ffb3-faaf-4d93-99e7-1175ca0ad643", "tvl_usd")]
    assert short.fallback_reason.startswith("short series")
    assert by_pool[("trending", "tvl_usd")].model_name != "naive"
    assert all(f.forecast_date == RUN_DATE for f in forecasts)
