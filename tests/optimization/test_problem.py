"""Problem validation: a bad field is refused by name, parameters follow the strategy config."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from python_models.optimization.problem import ProblemError, parse_problem

VALID: dict[str, Any] = {
    "parameters": {"min_pools": 1, "conversion_rate": 0.0005},
    "pools": [
        {
            "pool_id": "a",
            "apy": 4.2,
            "tvl_usd": 1.2e8,
            "group": 1,
            "tokens": ["usdc", " USDT"],
            "gas_usd": 12.5,
            "eligible": True,
        },
        {"pool_id": "b", "apy": 9.0, "tvl_usd": 1e7, "tokens": ["DAI"], "eligible": False},
    ],
    "holdings": {"current_allocations": {"a": 250000.0}, "liquidity_portfolio": {"USDC": 5e5}},
}


def with_change(path: list[Any], value: Any) -> dict[str, Any]:
    problem = copy.deepcopy(VALID)
    node = problem
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return problem


def test_valid_problem_normalizes_tokens_and_fills_defaults() -> None:
    problem = parse_problem(VALID)
    assert problem.pools[0].tokens == ["USDC", "USDT"]
    assert problem.parameters.min_pools == 1
    assert problem.parameters.position_max_pct_pool_tvl == 5  # default of config/strategy.yml
    assert problem.aum_usd == 750_000
    assert problem.tokens == ["DAI", "USDC", "USDT"]


def test_parameter_aliases_are_accepted() -> None:
    problem = parse_problem(
        with_change(["parameters"], {"tvl_limit_percentage": 7, "max_alloc_percentage": 30})
    )
    assert problem.parameters.position_max_pct_pool_tvl == 7
    assert problem.parameters.position_max_pct_total_assets == 30


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (["parameters", "min_pools"], -1, "parameters: min_pools=-1"),
        (["parameters", "conversion_rate"], 0.5, "conversion_rate=0.5"),
        (["parameters", "max_pools"], 3, "max_pools"),
        (["pools", 0, "tvl_usd"], -5, "pools[0] (pool_id 'a').tvl_usd=-5"),
        (["pools", 0, "apy"], "high", "pools[0] (pool_id 'a').apy='high'"),
        (["pools", 0, "group"], 4, "group=4"),
        (["pools", 0, "tokens"], [], "tokens"),
        (["pools", 0, "tokens"], ["USDC", "usdc"], "repeat a symbol"),
        (["pools", 0, "eligible"], "yes", "eligible='yes'"),
        (["pools", 0, "colour"], "red", "colour"),
        (["pools", 1, "eligible"], True, "needs a group"),
        (["pools", 1, "pool_id"], "a", "pool_id repeated: a"),
        (["holdings", "current_allocations"], {"zzz": 1.0}, "not in pools: zzz"),
        (["holdings", "liquidity_portfolio"], {"USDC": -1.0}, "liquidity_portfolio.USDC=-1.0"),
        (["holdings", "liquidity_portfolio"], {"USDC": float("nan")}, "USDC=nan"),
    ],
)
def test_bad_field_is_named(path: list[Any], value: Any, expected: str) -> None:
    with pytest.raises(ProblemError) as error:
        parse_problem(with_change(path, value))
    assert expected in str(error.value)


def test_missing_sections_are_named() -> None:
    with pytest.raises(ProblemError, match="missing field"):
        parse_problem({"pools": []})
    with pytest.raises(ProblemError, match="JSON object"):
        parse_problem([1, 2])


def test_absent_realism_parameters_mean_off_in_a_problem_file() -> None:
    params = parse_problem(VALID).parameters
    assert params.protocol_max_pct == 100
    assert params.chain_max_pct == 100
    assert params.position_max_pct_available_liquidity is None
    assert params.apy_dilution is False


def test_pool_realism_fields_are_validated_by_name() -> None:
    raw = with_change(["pools", 0, "available_liquidity_usd"], -1)
    with pytest.raises(ProblemError, match=r"pools\[0\] \(pool_id 'a'\)\.available_liquidity_usd"):
        parse_problem(raw)
    raw = copy.deepcopy(VALID) | {"protocol_caps": {"aave-v3": 140}}
    with pytest.raises(ProblemError, match=r"protocol_caps\.aave-v3"):
        parse_problem(raw)
