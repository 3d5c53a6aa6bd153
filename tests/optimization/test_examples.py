"""The example problems in tests/examples/optimization, solved in-process and through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from python_models.optimization import load_problem, solve
from python_models.optimization.evaluate import evaluate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "optimization"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_cli(input_path: Path, output_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "yieldopt.cli",
            "optimize",
            "--input",
            str(input_path),
            "--output",
            str(output_path),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )


def test_usdc_into_a_usdc_usdt_pool_converts_half_and_pays_for_it() -> None:
    result = solve(load_problem(EXAMPLES / "usdc_into_usdc_usdt.json"))
    rate = 0.0005
    # All USDC; the pool needs half USDC, half USDT. Depositing d converts d/2 USDC into USDT
    # at a cost of rate × d/2 paid in USDC: d/2 + d/2·(1 + rate) = 1,000,000.
    deposit = 1_000_000 / (1 + rate / 2)
    assert result.status == "optimal"
    assert result.allocations["curve-usdc-usdt"] == pytest.approx(deposit, rel=1e-6)
    assert result.conversion_cost_usd == pytest.approx(rate * deposit / 2, rel=1e-6)
    assert result.gas_cost_usd == pytest.approx(15.0)
    assert [step.action for step in result.plan] == ["convert", "deposit"]
    convert = result.plan[0]
    assert (convert.token_symbol, convert.to_token_symbol) == ("USDC", "USDT")
    assert convert.amount_usd == pytest.approx(deposit / 2, rel=1e-6)
    assert sum(result.idle.values()) == pytest.approx(0, abs=0.05)
    expected_yield = deposit * 0.05 * 30 / 365
    assert result.expected_profit_usd == pytest.approx(
        expected_yield - 15.0 - rate * deposit / 2, rel=1e-6
    )


def test_three_token_pool_withdraws_ineligible_then_converts_then_deposits() -> None:
    problem = load_problem(EXAMPLES / "rebalance_three_token_pool.json")
    result = solve(problem)
    assert result.status == "optimal"
    assert "old-dai-farm" not in result.allocations
    # The 3pool is the best eligible pool; it takes its AUM cap of 60 % of 1,000,000.
    assert result.allocations["curve-3pool"] == pytest.approx(600_000, rel=1e-6)
    actions = [step.action for step in result.plan]
    assert actions == sorted(actions, key=["withdraw", "convert", "deposit"].index)
    assert result.plan[0].pool_id == "old-dai-farm"
    # 200,000 of each token goes into the 3pool; USDC is held by nobody, so all 200,000 USDC is
    # bought (from the withdrawn DAI surplus and from USDT) at 4 bps.
    bought = {step.to_token_symbol: 0.0 for step in result.plan if step.action == "convert"}
    for step in result.plan:
        if step.action == "convert":
            bought[step.to_token_symbol] += step.amount_usd
    assert bought == {"USDC": pytest.approx(200_000, rel=1e-6)}
    assert result.conversion_cost_usd == pytest.approx(80.0, rel=1e-6)
    check = evaluate(problem, result.allocations)
    assert check.violations == []
    total = sum(result.allocations.values()) + sum(result.idle.values())
    assert total + result.conversion_cost_usd == pytest.approx(problem.aum_usd, abs=0.05)


@pytest.mark.e2e  # the command line as a subprocess
def test_cli_writes_the_result_and_exits_0(tmp_path: Path) -> None:
    output = tmp_path / "result.json"
    completed = run_cli(EXAMPLES / "usdc_into_usdc_usdt.json", output)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(output.read_text())
    for key in (
        "status",
        "allocations",
        "idle",
        "expected_yield_usd",
        "gas_cost_usd",
        "conversion_cost_usd",
        "expected_profit_usd",
        "plan",
        "solve_seconds",
    ):
        assert key in result
    assert result["status"] == "optimal"
    assert result["solver"]["mip_gap"] <= 1e-6
    assert {step["action"] for step in result["plan"]} == {"convert", "deposit"}
    assert all({"action", "amount_usd", "gas_usd"} <= set(step) for step in result["plan"])


@pytest.mark.e2e  # the command line as a subprocess
def test_cli_infeasible_exits_3_with_the_reason(tmp_path: Path) -> None:
    output = tmp_path / "result.json"
    completed = run_cli(EXAMPLES / "infeasible_min_pools.json", output)
    assert completed.returncode == 3
    result = json.loads(output.read_text())
    assert result["status"] == "infeasible"
    assert "min_pools=5" in result["reason"] and "only 3 eligible pools" in result["reason"]
    assert "allocations" not in result


@pytest.mark.e2e  # the command line as a subprocess
def test_cli_bad_input_exits_2_names_the_field_and_writes_nothing(tmp_path: Path) -> None:
    output = tmp_path / "result.json"
    completed = run_cli(EXAMPLES / "bad_negative_tvl.json", output)
    assert completed.returncode == 2
    assert "pools[0]" in completed.stderr and "tvl_usd" in completed.stderr
    assert "greater than or equal to 0" in completed.stderr
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.e2e  # the command line as a subprocess
def test_cli_unreadable_json_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "problem.json"
    broken.write_text('{"parameters": {}, "pools": [}')
    output = tmp_path / "result.json"
    completed = run_cli(broken, output)
    assert completed.returncode == 2
    assert "not valid JSON" in completed.stderr and "line 1" in completed.stderr
    assert not output.exists()


def test_exposure_liquidity_and_dilution_example_by_hand(tmp_path: Path) -> None:
    # aave-usdc: 25 % of its 1 M withdrawable liquidity = 250k; aave-v3 in all ≤ 60 % of AUM,
    # fluid-lending ≤ its 10 % override; the rest stays idle. Pools without liquidity data
    # (aave-usdc-base, fluid-usdc) keep the TVL cap alone.
    problem = load_problem(EXAMPLES / "exposure_liquidity_dilution.json")
    result = solve(problem)
    assert result.status == "optimal"
    assert result.allocations["aave-usdc"] == pytest.approx(250_000, rel=1e-6)
    assert result.allocations["aave-usdc-base"] == pytest.approx(350_000, rel=1e-6)
    assert result.allocations["fluid-usdc"] == pytest.approx(100_000, rel=1e-6)
    assert result.exposure_pct["protocol"] == pytest.approx({"aave-v3": 60, "fluid-lending": 10})
    assert result.unknown_liquidity_pools == 2
    bound = {p.pool_id for p in result.positions if p.liquidity_bound}
    assert bound == {"aave-usdc"}
    # x · apy · T / (T − c + x) with c = 0: each deposit earns a little less than quoted.
    expected = sum(
        x * apy / 100 * tvl / (tvl + x)
        for x, apy, tvl in [(250_000, 6.0, 2e7), (350_000, 5.5, 5e7), (100_000, 5.0, 1e6)]
    )
    assert result.expected_yield_usd == pytest.approx(expected, rel=1e-9)
    undiluted = 250_000 * 0.06 + 350_000 * 0.055 + 100_000 * 0.05
    assert result.dilution_cost_usd == pytest.approx(undiluted - expected, rel=1e-9)
    output = tmp_path / "result.json"
    completed = run_cli(EXAMPLES / "exposure_liquidity_dilution.json", output)
    assert completed.returncode == 0, completed.stderr
    written = json.loads(output.read_text())
    assert written["expected_yield_usd"] == pytest.approx(expected, rel=1e-9)
    assert written["exposure_pct"]["protocol"]["aave-v3"] == pytest.approx(60)
