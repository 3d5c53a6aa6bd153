"""--sweep: a validated grid of one or two parameters."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import StrategyConfig
from python_models.backtest.sweep import (
    SweepError,
    needs_rebuild,
    parse_sweep,
    point_config,
    point_folder,
)


def test_two_parameters_make_a_grid_with_values_typed_like_the_config() -> None:
    points = parse_sweep(["horizon_days=7,30", "tvl_limit_percentage=2.5,5"], StrategyConfig())
    assert points == [
        {"payback_days": 7, "position_max_pct_pool_tvl": 2.5},
        {"payback_days": 7, "position_max_pct_pool_tvl": 5.0},
        {"payback_days": 30, "position_max_pct_pool_tvl": 2.5},
        {"payback_days": 30, "position_max_pct_pool_tvl": 5.0},
    ]
    assert point_folder(Path("out"), points[1]) == Path(
        "out/payback_days=7_position_max_pct_pool_tvl=5.0"
    )


@pytest.mark.parametrize(
    "specs,message",
    [
        (["horizon=7"], "not a strategy parameter"),
        (["horizon_days"], "expected KEY=V1,V2"),
        (["payback_days=7,-1"], "payback_days"),
        (["icebox_depeg_pct=1,2"], "icebox"),
        (["min_pools=1", "horizon_days=1", "conversion_rate=0"], "one or two"),
        (["min_pools=1", "min_pools=2"], "twice"),
    ],
)
def test_bad_sweeps_are_refused_with_the_reason(specs: list[str], message: str) -> None:
    with pytest.raises(SweepError, match=message):
        parse_sweep(specs, StrategyConfig())


def test_only_filter_and_group_parameters_rebuild_the_dbt_models() -> None:
    base = StrategyConfig()
    assert needs_rebuild(None, base)
    assert not needs_rebuild(base, point_config(base, {"payback_days": 7, "min_pools": 3}))
    assert not needs_rebuild(base, point_config(base, {"holding_days": 7, "token_max_pct": 50}))
    assert needs_rebuild(base, point_config(base, {"exit_tvl_drop_pct": 20}))
    assert needs_rebuild(base, point_config(base, {"pool_tvl_limit": 1e6}))
    assert needs_rebuild(base, point_config(base, {"group1_7d_stddev_max": 0.2}))
