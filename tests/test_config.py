"""The strategy configuration refuses bad values with the parameter, value and range."""

from pathlib import Path

import pytest

from core.config import ConfigError, StrategyConfig, load_config, parse_config


def test_shipped_config_matches_product_defaults() -> None:
    # The deliberate deviations, each the walk-forward's choice (config/strategy.yml): group
    # caps off and a 3-day payback; every other shipped value is docs/product.md's default.
    shipped, defaults = load_config().snapshot(), StrategyConfig().snapshot()
    deviations = {"group2_max_pct": (100, 50), "group3_max_pct": (100, 20), "payback_days": (3, 30)}
    for name, expected in deviations.items():
        assert (shipped.pop(name), defaults.pop(name)) == expected
    assert shipped == defaults
    snapshot = StrategyConfig().snapshot()
    assert snapshot["position_max_pct_pool_tvl"] == 5
    assert snapshot["group3_max_pct"] == 20
    assert snapshot["conversion_rate"] == 0.0004
    assert snapshot["protocol_max_pct"] == 40
    assert snapshot["chain_max_pct"] == 100
    assert snapshot["position_max_pct_available_liquidity"] == 25
    assert snapshot["apy_dilution"] is True


def test_the_liquidity_cap_can_be_switched_off() -> None:
    config = parse_config({"position_max_pct_available_liquidity": None, "apy_dilution": False})
    assert config.snapshot()["position_max_pct_available_liquidity"] is None
    assert config.apy_dilution is False


def test_aliases_are_accepted() -> None:
    config = parse_config({"tvl_limit_percentage": 7, "max_alloc_percentage": 30})
    assert config.position_max_pct_pool_tvl == 7
    assert config.position_max_pct_total_assets == 30


def test_group3_edges_follow_group2_maxima() -> None:
    config = parse_config({"group2_7d_stddev_max": 1.5})
    assert config.dbt_vars()["group3_7d_stddev_min"] == 1.5


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"position_max_pct_pool_tvl": 150}, "position_max_pct_pool_tvl=150"),
        ({"min_pools": -1}, "min_pools=-1"),
        ({"conversion_rate": 4}, "allowed: ge 0, le 0.1"),
        ({"horizon_days": "soon"}, "horizon_days='soon'"),
        (
            {"pool_apy_limit": 60, "pool_apy_max": 50},
            "pool_apy_limit (60.0) must be <= pool_apy_max",
        ),
        (
            {"group1_apy_delta_max": 0.9},
            "group1_apy_delta_max (0.9) must be <= group2_apy_delta_max",
        ),
        ({"unknown_knob": 1}, "unknown_knob"),
        ({"protocol_max_pct": 101}, "protocol_max_pct=101"),
        ({"chain_max_pct": -5}, "chain_max_pct=-5"),
        ({"position_max_pct_available_liquidity": 120}, "allowed: ge 0, le 100"),
        ({"apy_dilution": "maybe"}, "apy_dilution='maybe'"),
    ],
)
def test_bad_values_are_refused_with_a_readable_message(values: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(values)
    assert fragment in str(error.value)


def test_bad_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("parameters: [1, 2")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)
    scalar = tmp_path / "scalar.yml"
    scalar.write_text("42")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(scalar)
