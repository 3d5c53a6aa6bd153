"""The Slack report: posted with slack-sdk to a local fake Slack API, or written as a dry run."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest

from python_models.reporting.data import Allocation, DailyReport, LedgerDay, PlanStep
from python_models.reporting.deliver import ReportDeliveryError, deliver_report, post_alert
from python_models.reporting.message import message_payload

TOKEN = "fake-slack-token-0000-not-real"  # the fake_slack fixture's token


@pytest.fixture
def report() -> DailyReport:
    return DailyReport(
        run_date=dt.date(2025, 6, 5),
        status="SUCCESS",
        aum_usd=5_000_000,
        expected_yield_usd=18_000,
        expected_profit_usd=17_500,
        gas_cost_usd=420,
        conversion_cost_usd=80,
        allocations=[
            Allocation("p-aave", "aave-v3 USDC (Ethereum)", 1, 1_250_000, 1_000_000, 4.1),
            Allocation("p-curve", "curve-dex DAI-USDC-USDT (Ethereum)", 2, 900_000, 0, 6.3),
        ],
        plan=[
            PlanStep(
                1, "withdraw", "p-old", None, None, 300_000, 9.5, "morpho USDC (Base)", ("USDC",)
            ),
            PlanStep(2, "convert", None, "USDC", "DAI", 300_000, 12.0),
            PlanStep(
                3,
                "deposit",
                "p-curve",
                None,
                None,
                900_000,
                14.0,
                "curve-dex DAI-USDC-USDT (Ethereum)",
                ("DAI", "USDC", "USDT"),
            ),
        ],
        icebox_entries=[("USDC", "signal L: low 0.877 is 12.3% below close 1.000")],
        icebox_exits=["USDT"],
        eligible_count=42,
        excluded_count=14_000,
        top_reasons=[("tvl_below_limit", 9000), ("token_not_approved", 4000)],
        forecast_skill={"apy_pct": 0.97, "tvl_usd": 0.91},
        ledger=[
            LedgerDay(dt.date(2025, 6, 3), 4.99e6, 4.99e6),
            LedgerDay(dt.date(2025, 6, 4), 5.0e6, 0.0),
        ],
    )


def test_blocks_carry_every_part_of_the_report(report: DailyReport) -> None:
    text = json.dumps(message_payload(report)["blocks"], ensure_ascii=False)
    for expected in (
        "2025-06-05",
        "$5,000,000",
        "$17,500",
        "aave-v3 USDC (Ethereum)",
        "+250,000",
        "convert USDC→DAI",
        "USDC in — signal L",
        "USDT out",
        "42 eligible, 14000 excluded",
        "tvl_below_limit (9000)",
        "apy_pct 0.97",
    ):
        assert expected in text, expected


def test_report_is_posted_with_chart_and_token_never_logged(
    report: DailyReport,
    fake_slack,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    delivery = deliver_report(report, reports_dir=tmp_path)
    assert delivery.posted and delivery.slack_ts == "1717000000.000100"
    assert fake_slack.methods() == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    post = fake_slack.calls[0]
    assert post["token"] == TOKEN
    assert post["payload"]["channel"] == "#treasury"
    assert "aave-v3 USDC" in json.dumps(post["payload"]["blocks"])
    assert fake_slack.uploads and fake_slack.uploads[0].startswith(b"\x89PNG")
    complete = fake_slack.calls[2]["payload"]
    assert complete["channel_id"] == "C0TREASURY"
    assert TOKEN not in caplog.text


def test_without_token_the_report_is_a_dry_run_on_disk(
    report: DailyReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    caplog.set_level(logging.INFO)
    delivery = deliver_report(report, reports_dir=tmp_path)
    assert not delivery.posted
    assert delivery.message_path == tmp_path / "2025-06-05" / "message.json"
    assert json.loads(delivery.message_path.read_text())["blocks"][0]["type"] == "header"
    assert delivery.chart_path.read_bytes().startswith(b"\x89PNG")
    assert "dry run" in caplog.text


def test_slack_refusal_is_a_readable_error_without_the_token(
    report: DailyReport, fake_slack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "fake-slack-wrong-token-value")
    with pytest.raises(ReportDeliveryError) as error:
        deliver_report(report, reports_dir=tmp_path)
    assert "invalid_auth" in str(error.value)
    assert "fake-slack-wrong-token-value" not in str(error.value)


def test_failure_alert_names_the_step(fake_slack) -> None:
    assert post_alert(dt.date(2025, 6, 5), "3 fetch gas", "HTTP 500 from /api/gas/average")
    alert = fake_slack.calls[-1]["payload"]["text"]
    assert "3 fetch gas" in alert and "HTTP 500" in alert
