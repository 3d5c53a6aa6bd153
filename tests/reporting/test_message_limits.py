"""A long allocation and plan stay inside Slack's limits and still add up to the run's totals."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from slack_sdk.errors import SlackObjectFormationError

from python_models.reporting import message
from python_models.reporting.data import Allocation, DailyReport, PlanStep
from python_models.reporting.deliver import deliver_report
from python_models.reporting.message import SLACK_MAX_BLOCKS, message_payload

ROW = re.compile(r"\$([\d,]+) \([+-][\d,]+\)$")
MORE_POSITIONS = re.compile(r"… and (\d+) more positions \(\$([\d,]+)\)")
PLAN_STEP = re.compile(r"^\d+\. (?:deposit|withdraw) \$([\d,]+) ", re.MULTILINE)
MORE_STEPS = re.compile(r"… and (\d+) more steps \(\$([\d,]+), gas")


def _dollars(text: str) -> int:
    return int(text.replace(",", ""))


def long_report(positions: int = 300, steps: int = 200) -> DailyReport:
    """Whole-dollar amounts, so the sums the message shows are exact."""
    allocations = [
        Allocation(
            f"pool-{i:04d}",
            f"some-very-long-protocol-name-v{i} USDC-USDT-DAI-FRAX (Arbitrum One)",
            1 + i % 3,
            float(1_000 + 37 * i),
            float(500 * (i % 2)),
            4.2,
        )
        for i in range(positions)
    ]
    plan = [
        PlanStep(
            i + 1,
            "deposit",
            f"pool-{i:04d}",
            None,
            None,
            float(1_000 + 37 * i),
            1.25,
            allocations[i % positions].label,
            ("USDC", "USDT", "DAI", "FRAX"),
        )
        for i in range(steps)
    ]
    return DailyReport(
        run_date=dt.date(2025, 6, 5),
        status="SUCCESS",
        aum_usd=sum(a.allocation_usd for a in allocations) + 10_000,
        allocations=allocations,
        idle_usd={"ETH": 10_000.0},
        plan=plan,
        icebox_entries=[(f"TOKEN{i}", "signal L: " + "x" * 400) for i in range(60)],
    )


def _texts(blocks: list[dict]) -> list[str]:
    texts = [block["text"]["text"] for block in blocks if "text" in block]
    texts += [field["text"] for block in blocks for field in block.get("fields", [])]
    texts += [element["text"] for block in blocks for element in block.get("elements", [])]
    return texts


def test_300_positions_and_a_long_plan_stay_within_slack_limits_and_add_up() -> None:
    report = long_report()
    blocks = message_payload(report)["blocks"]
    assert len(blocks) <= SLACK_MAX_BLOCKS
    assert all(len(text) <= 3000 for text in _texts(blocks))
    assert len(blocks[0]["text"]["text"]) <= 150
    text = "\n".join(_texts(blocks))

    rows = [_dollars(m.group(1)) for line in text.splitlines() if (m := ROW.search(line))]
    ((more_count, more_usd),) = MORE_POSITIONS.findall(text)
    assert rows and len(rows) + int(more_count) == 300
    total = sum(a.allocation_usd for a in report.allocations)
    assert sum(rows) + _dollars(more_usd) == total
    assert f"${total:,.0f} in 300 positions" in text

    steps = [_dollars(amount) for amount in PLAN_STEP.findall(text)]
    ((more_steps, more_steps_usd),) = MORE_STEPS.findall(text)
    assert steps and len(steps) + int(more_steps) == 200
    assert sum(steps) + _dollars(more_steps_usd) == sum(s.amount_usd for s in report.plan)
    assert "… and" in text.split("*Icebox*")[1]  # 60 long icebox reasons: cut, and said so


def test_the_long_report_posts_to_the_fake_slack(fake_slack, tmp_path) -> None:
    delivery = deliver_report(long_report(), reports_dir=tmp_path)
    assert delivery.posted
    posted = fake_slack.calls[0]["payload"]["blocks"]
    posted = json.loads(posted) if isinstance(posted, str) else posted
    assert posted == json.loads(delivery.message_path.read_text())["blocks"]
    assert len(posted) <= SLACK_MAX_BLOCKS


def test_a_message_over_the_block_limit_is_refused_before_anything_is_posted(
    monkeypatch: pytest.MonkeyPatch, fake_slack, tmp_path
) -> None:
    monkeypatch.setattr(message, "MAX_ALLOCATION_ROWS", 10_000)
    monkeypatch.setattr(message, "ALLOCATION_MAX_BLOCKS", 1_000)
    with pytest.raises(SlackObjectFormationError, match="at most 50"):
        deliver_report(long_report(positions=3_000, steps=10), reports_dir=tmp_path)
    assert fake_slack.calls == []


def test_a_failed_run_with_a_long_reason_still_fits_and_says_the_allocation_stays() -> None:
    report = DailyReport(
        run_date=dt.date(2025, 6, 5),
        status="INFEASIBLE",
        error="min_pools=5 cannot be met: " + "pool x capped at 0 USD; " * 300,
    )
    payload = message_payload(report)
    texts = _texts(payload["blocks"])
    assert all(len(text) <= 3000 for text in texts)
    assert "Optimization *INFEASIBLE*: min_pools=5 cannot be met" in texts[1]
    assert texts[1].endswith("The previous allocation stays in place.")
    assert payload["text"].startswith("DeFi Yield Optimizer 2025-06-05: run INFEASIBLE")
    assert len(payload["text"]) < 400
