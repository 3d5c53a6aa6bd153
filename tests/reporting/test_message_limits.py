"""A long allocation and plan stay inside Slack's limits and still add up to the run's totals."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fake_slack import FAKE_SLACK_TOKEN
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackObjectFormationError

from python_models.reporting import message
from python_models.reporting.data import Allocation, DailyReport, Hold, LimitPrice, PlanStep
from python_models.reporting.deliver import deliver_report
from python_models.reporting.message import SLACK_MAX_BLOCKS, message_payload
from python_models.reporting.realized import WINDOWS, Realized

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


def every_section_at_its_longest() -> DailyReport:
    """300 positions held before, every one with long exit signals; a long plan, 40 holds,
    every limit binding with long loss texts, three windows with long yardstick names."""
    report = long_report()
    for allocation in report.allocations:
        allocation.previous_usd = 1_000.0
        allocation.exit_reasons = (
            "utilization 99.9 % >= 98 % " + "x" * 300,
            "TVL fell " + "y" * 300,
        )
    report.limits = [
        LimitPrice(f"limit_{i}_max_pct", 40.0, "a very long loss " + "z" * 400, True, 29.9, 1e4)
        for i in range(30)
    ]
    report.holds = [
        Hold(a.label, False, 1e6, (a.label,) * 3, 25_000.0, "repays in 7 days > payback_days 2")
        for a in report.allocations[:40]
    ]
    report.realized = [
        Realized(days, days, 5.1, 4.9, {"aave_v3_usdc": 3.0, "benchmark_top5": 4.0},
                 {"aave_v3_usdc": "w" * 200, "benchmark_top5": "v" * 200})
        for days in WINDOWS
    ]  # fmt: skip
    return report


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


def test_every_section_at_its_longest_stays_within_slack_limits(fake_slack, tmp_path) -> None:
    report = every_section_at_its_longest()
    blocks = message_payload(report)["blocks"]
    assert len(blocks) <= SLACK_MAX_BLOCKS
    assert all(len(text) <= 3000 for text in _texts(blocks))
    text = "\n".join(_texts(blocks))
    for section in ("*What following it earned*", "*Exit signals*", "*Kept, not moved*"):
        assert section in text, section
    assert "*Limits that bind today*" in text
    assert "… and" in text.split("*Exit signals*")[1].split("*Rebalance plan*")[0]
    assert "… and" in text.split("*Kept, not moved*")[1].split("*Limits")[0]
    assert deliver_report(report, reports_dir=tmp_path).posted  # the fake Slack takes it


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


@pytest.mark.parametrize(
    "blocks",
    [
        [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51,
        [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
        [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "x"}] * 11}],
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * 11}],
    ],
    ids=["51 blocks", "long header", "long section", "11 fields", "11 context elements"],
)
def test_the_fake_slack_refuses_what_slack_refuses(fake_slack, blocks: list[dict]) -> None:
    client = WebClient(token=FAKE_SLACK_TOKEN, base_url=fake_slack.base_url)
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel="#treasury", text="x", blocks=blocks)
