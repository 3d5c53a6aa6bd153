"""The plan names pools and the tokens that pay for them; the chart keeps deposits out of yield."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from python_models.reporting.chart import MONEY_AXIS, nav_series, render_chart
from python_models.reporting.data import (
    Allocation,
    DailyReport,
    Exposure,
    Hold,
    LedgerDay,
    PlanStep,
)
from python_models.reporting.message import message_payload
from python_models.reporting.text import usd_short

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ARB_USDC = "4c45cc9e-e1a4-43c9-8a3d-687d96abb07c"
CURVE = "3665ee7e-6c5d-49d9-abb7-c47ab5d9d4ac"
MORPHO = "d9fa8e14-0447-4207-9ae8-7810199dfa1f"


def _plan_report() -> DailyReport:
    return DailyReport(
        run_date=dt.date(2025, 6, 5),
        status="SUCCESS",
        aum_usd=2_200_000,
        plan=[
            PlanStep(
                1,
                "withdraw",
                MORPHO,
                None,
                None,
                58_881,
                2.18,
                "morpho-v1 DAI (Ethereum)",
                ("DAI",),
            ),
            PlanStep(2, "convert", None, "WETH", "USDC", 41_119.4, 0.0),
            PlanStep(2, "convert", None, "ETH", "USDC", 4e-7, 0.0),  # solver dust
            PlanStep(
                3,
                "deposit",
                ARB_USDC,
                None,
                None,
                1_241_118.7,
                0.1,
                "fluid-lending USDC (Arbitrum)",
                ("USDC",),
            ),
            PlanStep(
                4,
                "deposit",
                CURVE,
                None,
                None,
                900_000,
                14.0,
                "curve-dex DAI-USDC-USDT (Ethereum)",
                ("DAI", "USDC", "USDT"),
            ),
        ],
    )


def test_plan_names_pools_and_the_tokens_that_fund_each_deposit() -> None:
    text = json.dumps(message_payload(_plan_report())["blocks"], ensure_ascii=False)
    assert "1. withdraw $58,881 from morpho-v1 DAI (Ethereum) → DAI" in text
    assert "2. convert WETH→USDC $41,119" in text
    assert "2. convert ETH→USDC <$0.01" in text  # not "$0"
    assert "3. deposit $1,241,119 USDC → fluid-lending USDC (Arbitrum) · gas $0.10" in text
    assert (
        "4. deposit $900,000 DAI + USDC + USDT ($300,000 each) → "
        "curve-dex DAI-USDC-USDT (Ethereum) · gas $14.00"
    ) in text
    assert not UUID.search(text)


def test_the_report_says_what_bound_the_allocation() -> None:
    report = _plan_report()
    report.allocations = [Allocation(ARB_USDC, "fluid-lending USDC (Arbitrum)", 2, 879_000, 0, 6.4)]
    report.exposure = [
        Exposure("protocol", "fluid", 39.95, 40),
        Exposure("chain", "Ethereum", 55.0, 100),
    ]
    report.liquidity_bound_positions, report.unknown_liquidity_pools = 2, 28
    report.dilution_cost_usd = 12.5
    text = json.dumps(message_payload(report)["blocks"], ensure_ascii=False)
    assert "largest protocol family fluid 40.0% of AUM (cap 40%)" in text
    assert "largest chain Ethereum 55.0% of AUM (cap 100%)" in text
    assert "2 positions at the liquidity cap" in text
    assert "withdrawable liquidity unknown for 28 eligible pools (TVL cap only)" in text
    assert "yield given up to dilution $12.50" in text


def test_holds_one_set_of_moves_explains_share_a_line() -> None:
    report = _plan_report()
    moves = (("aave-v3 USDC (Base)", "fluid-lending USDC (Base)"), 25_224.0, "repays in 6 days > 2")
    report.holds = [
        Hold("aave-v3 DAI (Ethereum)", False, 452_204, *moves),
        Hold("idle", True, 471_221, *moves),
        Hold(
            "fluid-lending USDT (Ethereum)",
            False,
            2_000,
            (),
            3.0,
            "smaller than min_move_usd 1,000",
        ),
    ]
    text = json.dumps(message_payload(report)["blocks"], ensure_ascii=False)
    assert (
        "• kept aave-v3 DAI (Ethereum) ($452k) and idle ($471k): moving to aave-v3 USDC (Base), "
        "fluid-lending USDC (Base) gains $25,224 a year together, repays in 6 days > 2"
    ) in text
    assert (
        "• kept fluid-lending USDT (Ethereum) ($2k): moving it gains $3 a year, "
        "smaller than min_move_usd 1,000"
    ) in text


def test_closed_positions_are_rows_not_positions() -> None:
    report = _plan_report()
    report.allocations = [
        Allocation(ARB_USDC, "fluid-lending USDC (Arbitrum)", 2, 879_000, 0, 6.4),
        Allocation(MORPHO, "morpho-v1 DAI (Ethereum)", 1, 0, 58_881, 3.1),
    ]
    text = json.dumps(message_payload(report)["blocks"], ensure_ascii=False)
    assert "*Allocation* — $879,000 in 1 position, 1 closed" in text


def test_the_gain_series_leaves_deposits_and_withdrawals_out() -> None:
    ledger = [
        LedgerDay(dt.date(2025, 6, 1), nav_usd=1_000.0, flow_usd=1_000.0),  # first deposit
        LedgerDay(dt.date(2025, 6, 2), nav_usd=1_000.5, flow_usd=0.0),  # earned 0.5
        LedgerDay(dt.date(2025, 6, 3), nav_usd=6_000.5, flow_usd=5_000.0),  # deposit 5,000
        LedgerDay(dt.date(2025, 6, 4), nav_usd=4_001.0, flow_usd=-2_000.0),  # withdraw 2,000, +0.5
    ]
    series = nav_series(ledger)
    assert series.days == [day.day for day in ledger]
    assert series.nav_usd == [1_000.0, 1_000.5, 6_000.5, 4_001.0]
    assert series.net_flows_usd == [1_000.0, 1_000.0, 6_000.0, 4_000.0]
    assert series.gain_usd == [0.0, 0.5, 0.5, 1.0]


def test_money_reads_in_dollars_not_powers_of_ten(tmp_path: Path) -> None:
    assert [usd_short(v) for v in (1_241_119, 350_000, -52_400, 95, 0)] == [
        "$1.2M",
        "$350k",
        "-$52k",
        "$95",
        "$0",
    ]
    assert MONEY_AXIS(5e6, 0) == "$5.0M"
    report = _plan_report()
    report.ledger = [
        LedgerDay(dt.date(2025, 6, 1) + dt.timedelta(days=i), 1e6 + 120 * i, 1e6 if i == 0 else 0)
        for i in range(30)
    ]
    chart = render_chart(report, tmp_path / "allocation.png")
    assert chart.read_bytes().startswith(b"\x89PNG")
