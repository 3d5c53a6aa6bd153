"""load_report on a real database: the report reads the marts, and names pools, never ids.

The marts are created from their dbt contracts (conftest.py) and filled with hand-built rows.
"""

from __future__ import annotations

import datetime as dt
import json

import yaml
from reporting.report_marts import UUID, Marts, marts_read_by_the_report

from core.paths import DBT_PROJECT_DIR
from python_models.reporting.chart import nav_series
from python_models.reporting.data import Hold, LedgerDay, LimitPrice, load_report
from python_models.reporting.message import message_payload

DAY = dt.date(2025, 6, 3)
D1, D2 = DAY - dt.timedelta(days=2), DAY - dt.timedelta(days=1)
ARB = "4c45cc9e-e1a4-43c9-8a3d-687d96abb07c"
OLD = "d9fa8e14-0447-4207-9ae8-7810199dfa1f"
GONE = "3665ee7e-6c5d-49d9-abb7-c47ab5d9d4ac"
BASE = "7e0661bf-8cf3-45e6-9424-31916d4c7b84"
LABELS = {
    ARB: "fluid-lending USDC (Arbitrum)",
    OLD: "morpho-v1 USDC-USDC (Base)",
    GONE: "euler-v2 USDT (Avalanche)",
    BASE: "aave-v3 USDC (Base)",
}
RUN = "2025-06-03-run"


def _fill(marts: Marts) -> None:
    marts.insert(
        "pool_labels", [{"pool_id": p, "pool_label": label} for p, label in LABELS.items()]
    )
    marts.insert(
        "pool_eligibility",
        [
            {"pool_id": ARB, "eligibility_date": DAY, "is_eligible": True, "failed_checks": []},
            {
                "pool_id": OLD,
                "eligibility_date": DAY,
                "is_eligible": False,
                "failed_checks": ["tvl"],
            },
            {
                "pool_id": GONE,
                "eligibility_date": DAY,
                "is_eligible": False,
                "failed_checks": ["utilization_below_limit"],
            },
        ],
    )
    marts.insert(
        "daily_ledger",
        [
            {"ledger_date": D1, "token_symbol": "USDC", "start_balance": 100, "net_flow": 900,
             "price_usd": 1.0, "nav_usd": 1000},
            {"ledger_date": D2, "token_symbol": "USDC", "start_balance": 1000, "net_flow": 0,
             "price_usd": 1.0, "nav_usd": 1000},
            {"ledger_date": D2, "token_symbol": "ETH", "start_balance": 1, "net_flow": 0,
             "price_usd": 2000, "nav_usd": 2000},
            {"ledger_date": DAY, "token_symbol": "USDC", "start_balance": 1000, "net_flow": 500,
             "price_usd": 1.0, "nav_usd": 1500},
            {"ledger_date": DAY, "token_symbol": "ETH", "start_balance": 1, "net_flow": 0,
             "price_usd": 2100, "nav_usd": 2100},
        ],
    )  # fmt: skip
    marts.insert(
        "optimization_run_summary",
        [
            {
                "run_id": RUN,
                "run_date": DAY,
                "status": "SUCCESS",
                "aum_usd": 3600,
                "idle_tokens_usd": {"ETH": 2100, "DAI": 0},
                "expected_yield_usd": 10,
                "gas_cost_usd": 1,
                "conversion_cost_usd": 0,
                "expected_profit_usd": 9,
                "dilution_cost_usd": 0.25,
                "unknown_liquidity_pools": 7,
                "liquidity_bound_positions": 1,
            }
        ],
    )
    marts.insert(
        "allocation_exposures",
        [
            {"run_id": RUN, "dimension": "protocol", "exposure_name": "fluid", "share_pct": 41.7,
             "cap_pct": 40},
            {"run_id": RUN, "dimension": "protocol", "exposure_name": "morpho", "share_pct": 0,
             "cap_pct": 40},
            {"run_id": RUN, "dimension": "chain", "exposure_name": "Arbitrum", "share_pct": 41.7,
             "cap_pct": 100},
            {"run_id": RUN, "dimension": "curator", "exposure_name": "Gauntlet", "share_pct": 12.5,
             "cap_pct": 20},
        ],
    )  # fmt: skip
    marts.insert(
        "allocation_report",
        [
            {"run_id": RUN, "run_date": DAY, "pool_id": ARB, "pool_label": LABELS[ARB],
             "group_id": 2, "allocation_usd": 1500, "previous_usd": 0, "apy_pct": 6.44,
             "exit_reasons": []},
            {"run_id": RUN, "run_date": DAY, "pool_id": OLD, "pool_label": LABELS[OLD],
             "group_id": None, "allocation_usd": 0, "previous_usd": 200, "apy_pct": 2.1,
             "exit_reasons": []},
            {"run_id": RUN, "run_date": DAY, "pool_id": GONE, "pool_label": LABELS[GONE],
             "group_id": None, "allocation_usd": 0, "previous_usd": 300, "apy_pct": 9.0,
             "exit_reasons": ["utilization 99.2 % >= 98 % (/lendBorrow of 2025-06-03)"]},
        ],
    )  # fmt: skip
    marts.insert(
        "rebalance_plan_steps",
        [
            {"run_id": RUN, "run_date": DAY, "step_no": 1, "action": "withdraw", "pool_id": OLD,
             "pool_label": LABELS[OLD], "pool_tokens": ["USDC"], "amount_usd": 200,
             "gas_usd": 0.5},
            {"run_id": RUN, "run_date": DAY, "step_no": 2, "action": "withdraw", "pool_id": GONE,
             "pool_label": LABELS[GONE], "pool_tokens": ["USDT"], "amount_usd": 300,
             "gas_usd": 0.1},
            {"run_id": RUN, "run_date": DAY, "step_no": 3, "action": "convert",
             "token_symbol": "USDT", "to_token_symbol": "USDC", "pool_tokens": [],
             "amount_usd": 300, "gas_usd": 0},
            {"run_id": RUN, "run_date": DAY, "step_no": 4, "action": "deposit", "pool_id": ARB,
             "pool_label": LABELS[ARB], "pool_tokens": ["USDC"], "amount_usd": 1500,
             "gas_usd": 0.1},
        ],
    )  # fmt: skip
    marts.insert(
        "limit_prices",
        [
            {"run_id": RUN, "limit_no": 1, "limit_name": "protocol_max_pct", "limit_value": 40,
             "loss_bounded": "protocol exploit", "is_binding": True, "cost_bp_a_year": 29.882,
             "cost_usd_a_year": 10.76},
            {"run_id": RUN, "limit_no": 2, "limit_name": "curator_max_pct", "limit_value": 100,
             "loss_bounded": "a curator's bad market", "is_binding": False,
             "cost_bp_a_year": 0, "cost_usd_a_year": 0},
            {"run_id": RUN, "limit_no": 3, "limit_name": "position_max_pct_available_liquidity",
             "limit_value": None, "loss_bounded": "withdrawals locked by full utilization",
             "is_binding": False, "cost_bp_a_year": 0, "cost_usd_a_year": 0},
            {"run_id": RUN, "limit_no": 4, "limit_name": "group3_max_pct", "limit_value": 20,
             "loss_bounded": "none: APY volatility of group 3 (not a loss)", "is_binding": True,
             "cost_bp_a_year": 111.667, "cost_usd_a_year": 40.2},
            {"run_id": RUN, "limit_no": 5, "limit_name": "min_pools", "limit_value": 5,
             "loss_bounded": "concentration in too few pools", "is_binding": False,
             "cost_bp_a_year": 0, "cost_usd_a_year": 0},
        ],
    )  # fmt: skip
    marts.insert(
        "hold_explanations",
        [
            {"run_id": RUN, "hold_no": 1, "is_idle": True, "kept_label": "idle",
             "kept_usd": 2100, "destination_labels": [LABELS[BASE], LABELS[ARB]],
             "gain_usd_a_year": 25658.48, "hold_rule": "repays in 7 days > payback_days 2"},
            {"run_id": RUN, "hold_no": 2, "is_idle": False, "kept_pool_id": ARB,
             "kept_label": LABELS[ARB], "kept_usd": 1500, "destination_labels": [LABELS[BASE]],
             "gain_usd_a_year": 1.5, "hold_rule": "smaller than min_move_usd 1,000"},
        ],
    )  # fmt: skip
    marts.insert(
        "forecast_skill",
        [
            {"run_date": DAY, "subject_type": "pool", "target": "apy_pct", "mean_mae_ratio": 0.94},
            {"run_date": DAY, "subject_type": "gas", "target": "gas_price_gwei",
             "mean_mae_ratio": 0.91},
        ],
    )  # fmt: skip


def test_plan_steps_carry_the_pool_label_and_its_tokens(marts: Marts) -> None:
    _fill(marts)
    report = load_report(marts.conn, DAY)
    withdraw, _, _, deposit = report.plan
    assert (withdraw.label, withdraw.tokens) == ("morpho-v1 USDC-USDC (Base)", ("USDC",))
    assert (deposit.label, deposit.tokens) == ("fluid-lending USDC (Arbitrum)", ("USDC",))
    assert [a.label for a in report.allocations] == [LABELS[ARB], LABELS[GONE], LABELS[OLD]]
    assert report.idle_usd == {"ETH": 2100.0}
    assert report.forecast_skill == {"apy_pct": 0.94, "gas_price_gwei": 0.91}


def test_the_ledger_counts_opening_balances_and_transfers_as_flows(marts: Marts) -> None:
    _fill(marts)
    report = load_report(marts.conn, DAY)
    assert report.ledger == [
        LedgerDay(D1, 1000.0, 1000.0),  # 100 held before the history + 900 received
        LedgerDay(D2, 3000.0, 2000.0),  # ETH's first day: its 1 ETH is money put in
        LedgerDay(DAY, 3600.0, 500.0),  # 500 USDC received; ETH up 100 USD
    ]
    assert nav_series(report.ledger).gain_usd == [0.0, 0.0, 100.0]


def test_the_run_says_what_bound_it(marts: Marts) -> None:
    _fill(marts)
    report = load_report(marts.conn, DAY)
    assert [(e.dimension, e.name) for e in report.exposure] == [
        ("chain", "Arbitrum"),
        ("curator", "Gauntlet"),
        ("protocol", "fluid"),
        ("protocol", "morpho"),
    ]
    assert (report.dilution_cost_usd, report.unknown_liquidity_pools) == (0.25, 7)
    assert report.liquidity_bound_positions == 1
    text = json.dumps(message_payload(report)["blocks"], ensure_ascii=False)
    assert "largest protocol family fluid 41.7% of AUM (cap 40%)" in text
    assert "largest curator Gauntlet 12.5% of AUM (cap 20%)" in text


def test_held_pools_with_an_exit_signal_are_flagged_and_shown_exited(marts: Marts) -> None:
    _fill(marts)
    report = load_report(marts.conn, DAY)
    assert [a.label for a in report.exits] == [LABELS[GONE]]
    text = json.dumps(message_payload(report)["blocks"], ensure_ascii=False)
    assert "*Exit signals* — 1 of the 2 pools held before" in text
    assert (
        ":warning: euler-v2 USDT (Avalanche): utilization 99.2 % >= 98 % (/lendBorrow of "
        "2025-06-03) → exited: withdraw $300 (step 2)"
    ) in text


def test_binding_limits_name_the_loss_they_bound_and_their_price(marts: Marts) -> None:
    _fill(marts)
    report = load_report(marts.conn, DAY)
    assert report.limits[0] == LimitPrice(
        "protocol_max_pct", 40.0, "protocol exploit", True, 29.882, 10.76
    )
    text = json.dumps(message_payload(report)["blocks"], ensure_ascii=False)
    assert (
        "• `protocol_max_pct` = 40% of AUM · bounds: protocol exploit · costs 29.9 bp a year ($11)"
    ) in text
    assert (
        "• `group3_max_pct` = 20% of AUM · APY volatility of group 3 (not a loss) · "
        "costs 111.7 bp a year ($40)"
    ) in text
    assert (
        "Not binding today, so they cost nothing: curator_max_pct 100%, "
        "position_max_pct_available_liquidity off, min_pools 5"
    ) in text


def test_holds_say_what_moving_gains_and_why_it_waits(marts: Marts) -> None:
    _fill(marts)
    report = load_report(marts.conn, DAY)
    assert report.holds[1] == Hold(
        LABELS[ARB], False, 1500.0, (LABELS[BASE],), 1.5, "smaller than min_move_usd 1,000"
    )
    text = json.dumps(message_payload(report)["blocks"], ensure_ascii=False)
    assert (
        "• kept idle ($2k): moving to aave-v3 USDC (Base), fluid-lending USDC (Arbitrum) "
        "gains $25,658 a year, repays in 7 days > payback_days 2"
    ) in text
    assert (
        "• kept fluid-lending USDC (Arbitrum) ($2k): moving to aave-v3 USDC (Base) gains $2 a "
        "year, smaller than min_move_usd 1,000"
    ) in text


def test_the_message_names_pools_never_ids(marts: Marts) -> None:
    _fill(marts)
    payload = message_payload(load_report(marts.conn, DAY))
    text = json.dumps(payload, ensure_ascii=False)
    assert not UUID.search(text), UUID.search(text)
    assert all(label in text for label in LABELS.values())


def test_a_day_without_a_run_reads_as_missing(marts: Marts) -> None:
    report = load_report(marts.conn, DAY)
    assert (report.status, report.error) == ("MISSING", "no optimization run")


def test_the_report_reads_marts_only_and_its_exposure_names_them() -> None:
    exposures = yaml.safe_load((DBT_PROJECT_DIR / "models" / "exposures.yml").read_text())
    (slack,) = [e for e in exposures["exposures"] if e["name"] == "slack_daily_report"]
    declared = {ref.removeprefix("ref('").removesuffix("')") for ref in slack["depends_on"]}
    assert marts_read_by_the_report() == declared
    code = "\n".join(
        path.read_text()
        for path in (DBT_PROJECT_DIR.parent / "python_models" / "reporting").glob("*.py")
    )
    for schema in ("optimization", "forecasts", "backtest", "staging", "intermediate", "raw_"):
        assert f"from {schema}" not in code and f"join {schema}" not in code, schema
