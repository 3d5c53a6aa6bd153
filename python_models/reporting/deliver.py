"""Posting the report to Slack, or writing it to ``reports/<date>/`` when there is no token.

The token is read from ``SLACK_BOT_TOKEN`` and handed to slack-sdk only; it is never logged
(slack-sdk logs request bodies at DEBUG, so its logger is kept at INFO or above).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from core.paths import REPORTS_DIR
from python_models.reporting.chart import render_chart
from python_models.reporting.data import DailyReport
from python_models.reporting.message import message_payload

logger = logging.getLogger(__name__)
logging.getLogger("slack_sdk").setLevel(max(logging.INFO, logging.getLogger("slack_sdk").level))


class ReportDeliveryError(RuntimeError):
    """Slack refused or could not be reached; the message says which call and why."""


@dataclass(frozen=True)
class Delivery:
    """Where the report went: a Slack message timestamp, or the dry-run folder."""

    posted: bool
    message_path: Path
    chart_path: Path
    slack_ts: str | None = None


def _client() -> WebClient | None:
    token = os.environ.get("SLACK_BOT_TOKEN")
    if not token:
        return None
    base_url = os.environ.get("SLACK_API_BASE_URL", WebClient.BASE_URL)
    return WebClient(token=token, base_url=base_url.rstrip("/") + "/")


def _channel() -> str:
    return os.environ.get("SLACK_CHANNEL", "#treasury")


def report_paths(run_date: dt.date, reports_dir: Path = REPORTS_DIR) -> tuple[Path, Path]:
    """Where a day's message (Block Kit JSON) and chart (PNG) are written."""
    out_dir = reports_dir / run_date.isoformat()
    return out_dir / "message.json", out_dir / "allocation.png"


def deliver_report(report: DailyReport, reports_dir: Path = REPORTS_DIR) -> Delivery:
    """Write the message and chart under ``reports/<date>/`` and post them when a token is set."""
    message_path, chart_path = report_paths(report.run_date, reports_dir)
    out_dir = message_path.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = message_payload(report)
    message_path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    render_chart(report, chart_path)
    client = _client()
    if client is None:
        logger.info("dry run: no SLACK_BOT_TOKEN; report written to %s", out_dir)
        return Delivery(posted=False, message_path=message_path, chart_path=chart_path)
    channel = _channel()
    try:
        posted = client.chat_postMessage(channel=channel, **payload)
        client.files_upload_v2(
            channel=posted.get("channel", channel),
            file=str(chart_path),
            filename=chart_path.name,
            title=f"Allocation and NAV {report.run_date}",
            thread_ts=posted.get("ts"),
        )
    except SlackApiError as error:
        raise ReportDeliveryError(
            f"Slack refused the report: {error.response.get('error', 'unknown error')}"
        ) from None
    except OSError as error:
        raise ReportDeliveryError(f"Slack API unreachable: {type(error).__name__}") from None
    logger.info("report posted to Slack channel %s", channel)
    return Delivery(True, message_path, chart_path, slack_ts=posted.get("ts"))


def post_alert(run_date: dt.date, step: str, reason: str) -> bool:
    """Tell the channel that a run failed and at which step; False when there is no token."""
    client = _client()
    text = f":rotating_light: DeFi Yield Optimizer {run_date}: step *{step}* failed — {reason}"
    if client is None:
        logger.warning("dry run alert (no SLACK_BOT_TOKEN): %s", text)
        return False
    try:
        client.chat_postMessage(channel=_channel(), text=text)
    except (SlackApiError, OSError) as error:
        logger.error("could not post the failure alert: %s", type(error).__name__)
        return False
    return True
