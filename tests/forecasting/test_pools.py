"""Pools in parallel: the same output whatever the number of workers."""

from __future__ import annotations

import datetime as dt

import numpy as np

from python_models.forecasting.pools import PoolHistory, forecast_pools

RUN_DATE = dt.date(2025, 6, 5)


def _histories(real_pools) -> list[PoolHistory]:
    histories = [
        PoolHistory(
            pool_id, frame["date"].to_numpy(), frame["apy"].to_numpy(), frame["tvl"].to_numpy()
        )
        for pool_id, frame in real_pools.items()
    ]
    rng = np.random.default_rng(7)
    dates = np.arange(np.datetime64("2025-01-01"), np.datetime64("2025-06-06"))
    for number in range(2):
        apy = 4 + np.cumsum(rng.normal(0, 0.1, len(dates)))
        tvl = 1e7 * (1 + 0.002 * np.arange(len(dates))) + rng.normal(0, 1e4, len(dates))
        histories.append(PoolHistory(f"synthetic-{number}", dates, apy, tvl))
    histories.append(PoolHistory("no-history", dates[:0], np.array([]), np.array([])))
    return histories


def test_one_worker_and_two_give_identical_forecasts(real_pools):
    histories = _histories(real_pools)
    sequential = forecast_pools(histories, RUN_DATE, workers=1)
    parallel = forecast_pools(histories, RUN_DATE, workers=2)
    assert sequential == parallel
    assert [(f.subject_id, f.target) for f in sequential] == [
        (history.pool_id, target) for history in histories for target in ("apy_pct", "tvl_usd")
    ]
    by_pool = {(f.subject_id, f.target): f for f in sequential}
    assert by_pool[("no-history", "apy_pct")].fallback_reason == "no history"
    assert by_pool[("9674ffb3-faaf-4d93-99e7-1175ca0ad643", "tvl_usd")].fallback_reason.startswith(
        "short series"
    )
    assert by_pool[("synthetic-0", "tvl_usd")].model_name != "naive"
