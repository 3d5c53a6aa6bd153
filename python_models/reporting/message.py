"""The Block Kit message and the chart, built from a :class:`DailyReport`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no screen on the servers that run the daily job
import matplotlib.pyplot as plt

from python_models.reporting.data import DailyReport

GROUP_COLOURS = {1: "#2b8a3e", 2: "#e67700", 3: "#c92a2a", None: "#868e96"}
MAX_TABLE_ROWS = 15


def _usd(value: float) -> str:
    return f"${value:,.0f}"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def summary_text(report: DailyReport) -> str:
    """The plain-text fallback Slack shows in notifications."""
    if report.status != "SUCCESS":
        return f"DeFi Yield Optimizer {report.run_date}: run {report.status} — {report.error}"
    return (
        f"DeFi Yield Optimizer {report.run_date}: AUM {_usd(report.aum_usd)}, "
        f"expected profit {_usd(report.expected_profit_usd)} over the horizon, "
        f"{len(report.allocations)} positions"
    )


def build_blocks(report: DailyReport) -> list[dict[str, Any]]:
    """Header, figures, allocation table, rebalance plan, icebox, filters and forecast skill."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": f"DeFi Yield Optimizer — {report.run_date}"},
        }
    ]
    if report.status != "SUCCESS":
        blocks.append(
            _section(
                f":rotating_light: Optimization *{report.status}*: {report.error}\n"
                "The previous allocation stays in place."
            )
        )
    blocks.append(
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*AUM*\n{_usd(report.aum_usd)}"},
                {"type": "mrkdwn", "text": f"*Expected yield*\n{_usd(report.expected_yield_usd)}"},
                {
                    "type": "mrkdwn",
                    "text": f"*Expected profit*\n{_usd(report.expected_profit_usd)}",
                },
                {
                    "type": "mrkdwn",
                    "text": (
                        f"*Costs*\ngas {_usd(report.gas_cost_usd)}, "
                        f"conversions {_usd(report.conversion_cost_usd)}"
                    ),
                },
            ],
        }
    )
    if report.allocations:
        lines = [
            f"{a.label[:40]:<40} G{a.group_id or '-'} {_usd(a.allocation_usd):>14} "
            f"({a.allocation_usd - a.previous_usd:+,.0f})"
            for a in report.allocations[:MAX_TABLE_ROWS]
        ]
        more = len(report.allocations) - MAX_TABLE_ROWS
        if more > 0:
            lines.append(f"… and {more} more")
        blocks.append(_section("*Allocation*\n```" + "\n".join(lines) + "```"))
    if report.plan:
        steps = [
            f"{step.step_no}. {step.action} "
            + (
                f"{step.token_symbol}→{step.to_token_symbol}"
                if step.action == "convert"
                else f"{step.pool_id}"
            )
            + f" {_usd(step.amount_usd)} (gas {_usd(step.gas_usd)})"
            for step in report.plan[:MAX_TABLE_ROWS]
        ]
        blocks.append(_section("*Rebalance plan*\n" + "\n".join(steps)))
    else:
        blocks.append(_section("*Rebalance plan*\nNo changes: holding is best net of costs."))
    icebox = [f":ice_cube: {token} in — {reason}" for token, reason in report.icebox_entries]
    icebox += [f":sunny: {token} out" for token in report.icebox_exits]
    blocks.append(_section("*Icebox*\n" + ("\n".join(icebox) or "No entries or exits today.")))
    reasons = ", ".join(f"{check} ({count})" for check, count in report.top_reasons)
    blocks.append(
        _section(
            f"*Pools*: {report.eligible_count} eligible, {report.excluded_count} excluded"
            + (f"; top reasons: {reasons}" if reasons else "")
        )
    )
    if report.forecast_skill:
        skill = ", ".join(f"{target} {mase:.2f}" for target, mase in report.forecast_skill.items())
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"Forecast skill (mean MASE vs persistence, <1 beats it): {skill}",
                    }
                ],
            }
        )
    return blocks


def render_chart(report: DailyReport, path: Path) -> Path:
    """Allocation by pool coloured by risk group, and NAV over time, as one PNG."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    shown = report.allocations[:MAX_TABLE_ROWS][::-1]
    left.barh(
        [a.label[:32] for a in shown],
        [a.allocation_usd for a in shown],
        color=[GROUP_COLOURS.get(a.group_id, GROUP_COLOURS[None]) for a in shown],
    )
    left.set_title(f"Allocation on {report.run_date} (green G1, orange G2, red G3)")
    left.set_xlabel("USD")
    if report.nav_history:
        days, navs = zip(*report.nav_history, strict=True)
        right.plot(days, navs, color="#1c7ed6")
        fig.autofmt_xdate()
    right.set_title("NAV (USD)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
