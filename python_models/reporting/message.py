"""The Block Kit message, built with ``slack_sdk.models.blocks`` inside Slack's limits.

slack-sdk checks each block when it is turned into JSON (``to_dict`` raises
``SlackObjectFormationError``: a section text over 3,000 characters, more than 10 fields, a
header over 150); Slack also refuses a message of more than 50 blocks, which slack-sdk does
not check, so :func:`message_payload` does. Long lists are packed into sections that each
stay under the text limit, and what does not fit the row or block budget is summed up in
one "… and K more" line, so the message always adds up to the run's totals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from python_models.reporting.data import DailyReport
from python_models.reporting.text import (
    allocation_row,
    exit_line,
    hold_lines,
    idle_limits_line,
    limit_line,
    percent,
    plan_line,
    realized_line,
    risk_line,
    usd,
    usd_short,
)

SLACK_MAX_BLOCKS = 50
SECTION_TEXT_MAX = SectionBlock.text_max_length
# Room kept in every section for the closing "… and K more" line.
SECTION_RESERVE = 120
# A single line longer than this is cut, so one long reason cannot fill a section alone.
LINE_MAX = 500
# Rows an analyst reads in a channel; the rest is one summary line (the console has all).
MAX_ALLOCATION_ROWS = 30
MAX_PLAN_STEPS = 30
MAX_HOLDS = 10
# Block budgets per list: with the other blocks (at most 14) they stay under 50.
ALLOCATION_MAX_BLOCKS = 8
PLAN_MAX_BLOCKS = 8
EXITS_MAX_BLOCKS = 2
HOLDS_MAX_BLOCKS = 2
LIMITS_MAX_BLOCKS = 2
ICEBOX_MAX_BLOCKS = 3
# A notification shows a line or two; the whole reason is in the message's first section.
NOTIFICATION_REASON_MAX = 300


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mrkdwn(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=_fit(text, SECTION_TEXT_MAX)))


def pack_sections(
    title: str,
    lines: list[str],
    more: Callable[[int], str],
    limits: tuple[int, int],
    code: bool = False,
) -> list[SectionBlock]:
    """``title`` then ``lines`` in sections under the text limit; ``limits`` = (rows, blocks).

    When only the first ``n`` lines fit the row or block budget, ``more(n)`` closes the last
    section (room for it is reserved in every section).
    """
    max_rows, max_blocks = limits
    fence = ["```"] if code else []

    def render(index: int, chunk: list[str]) -> str:
        body = "\n".join([*fence, *chunk, *fence]) if chunk else ""
        return "\n".join(filter(None, (title if index == 0 else "", body)))

    chunks: list[list[str]] = [[]]
    for line in (_fit(line, LINE_MAX) for line in lines[:max_rows]):
        if len(render(len(chunks) - 1, [*chunks[-1], line])) > SECTION_TEXT_MAX - SECTION_RESERVE:
            if len(chunks) == max_blocks:
                break
            chunks.append([])
        chunks[-1].append(line)
    texts = [render(index, chunk) for index, chunk in enumerate(chunks)]
    shown = sum(map(len, chunks))
    if shown < len(lines):
        texts[-1] = "\n".join(filter(None, (texts[-1], more(shown))))
    return [_mrkdwn(text) for text in texts]


def summary_text(report: DailyReport) -> str:
    """The plain-text fallback Slack shows in notifications."""
    if report.status != "SUCCESS":
        reason = _fit(str(report.error), NOTIFICATION_REASON_MAX)
        return f"DeFi Yield Optimizer {report.run_date}: run {report.status} — {reason}"
    earned = next((r for r in reversed(report.realized) if r.complete), None)
    versus = (
        f"; {earned.days}-day net APY {percent(earned.net_apy_pct)} vs "
        + ", ".join(
            f"{earned.yardstick_labels.get(name, name)} {percent(apy)}"
            for name, apy in earned.yardstick_apy_pct.items()
        )
        if earned
        else ""
    )
    return (
        f"DeFi Yield Optimizer {report.run_date}: AUM {usd(report.aum_usd)}, "
        f"expected profit {usd(report.expected_profit_usd)} over the horizon, "
        f"{sum(a.allocation_usd > 0 for a in report.allocations)} positions{versus}"
    )


def _figures(report: DailyReport) -> SectionBlock:
    return SectionBlock(
        fields=[
            MarkdownTextObject(text=f"*AUM*\n{usd(report.aum_usd)}"),
            MarkdownTextObject(text=f"*Expected yield*\n{usd(report.expected_yield_usd)}"),
            MarkdownTextObject(text=f"*Expected profit*\n{usd(report.expected_profit_usd)}"),
            MarkdownTextObject(
                text=f"*Costs*\ngas {usd(report.gas_cost_usd)}, "
                f"conversions {usd(report.conversion_cost_usd)}"
            ),
        ]
    )


def _realized(report: DailyReport) -> list[Block]:
    """What following the product earned, against the yardsticks, over 7, 30 and 90 days."""
    if not report.realized:
        return []
    title = (
        "*What following it earned* — realized APY: each day's recorded allocation at its "
        "pools' actual APY that day; net of the plans' gas and conversions; yardsticks "
        "before costs"
    )
    return [_mrkdwn("\n".join([title, *(f"• {realized_line(r)}" for r in report.realized)]))]


def _allocation(report: DailyReport) -> list[Block]:
    held = report.allocations
    if not held:
        why = report.idle_reason or "every token stays in the wallet"
        return [_mrkdwn(f"*Allocation*\nNothing allocated: {why}.")]
    total = sum(a.allocation_usd for a in held)
    positions = sum(a.allocation_usd > 0 for a in held)
    closed = f", {len(held) - positions} closed" if len(held) > positions else ""

    def more(shown: int) -> str:
        rest = held[shown:]
        return f"… and {len(rest)} more positions ({usd(sum(a.allocation_usd for a in rest))})"

    idle = ", ".join(f"{token} {usd(value)}" for token, value in report.idle_usd.items())
    totals = f"Allocated {usd_short(total)} of AUM {usd_short(report.aum_usd)}" + (
        f"; idle in the wallet: {idle}" if idle else ""
    )
    return [
        *pack_sections(
            f"*Allocation* — {usd(total)} in {positions} position{'s' * (positions != 1)}{closed}",
            [allocation_row(a) for a in held],
            more,
            (MAX_ALLOCATION_ROWS, ALLOCATION_MAX_BLOCKS),
            code=True,
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=_fit(line, SECTION_TEXT_MAX))
                for line in (totals, risk_line(report))
                if line
            ]
        ),
    ]


def _plan(report: DailyReport) -> list[Block]:
    plan = report.plan
    if not plan:
        return [_mrkdwn("*Rebalance plan*\nNo changes: holding is best net of costs.")]

    def more(shown: int) -> str:
        rest = plan[shown:]
        return (
            f"… and {len(rest)} more steps ({usd(sum(s.amount_usd for s in rest))}, "
            f"gas {usd(sum(s.gas_usd for s in rest))})"
        )

    moved = sum(s.amount_usd for s in plan if s.action == "deposit")
    return list(
        pack_sections(
            f"*Rebalance plan* — {len(plan)} steps, {usd(moved)} deposited",
            [plan_line(step) for step in plan],
            more,
            (MAX_PLAN_STEPS, PLAN_MAX_BLOCKS),
        )
    )


def _exits(report: DailyReport) -> list[Block]:
    """Held pools whose exit signal fires today, and what the plan did about them."""
    if not report.held_before:
        return []
    exits = report.exits
    if not exits:
        return [
            _mrkdwn(
                f"*Exit signals*: none on the {report.held_before} pools held before this run "
                "(TVL not collapsing, utilization below its limit)."
            )
        ]
    return list(
        pack_sections(
            f"*Exit signals* — {len(exits)} of the {report.held_before} pools held before",
            [exit_line(allocation, report.plan) for allocation in exits],
            lambda shown: f"… and {len(exits) - shown} more",
            (len(exits), EXITS_MAX_BLOCKS),
        )
    )


def _holds(report: DailyReport) -> list[Block]:
    """Money a decision without costs would move, and why it stays."""
    lines = hold_lines(report.holds)
    if not lines:
        return []
    return list(
        pack_sections(
            "*Kept, not moved* — what moving would gain against what it costs",
            [f"• {line}" for line in lines],
            lambda shown: f"… and {len(lines) - shown} more",
            (MAX_HOLDS, HOLDS_MAX_BLOCKS),
        )
    )


def _limits(report: DailyReport) -> list[Block]:
    """Every limit that binds today with the loss it bounds and its price; the rest in a line."""
    if not report.limits:
        return []
    binding = [limit for limit in report.limits if limit.binds]
    title = (
        "*Limits that bind today* — the loss each bounds and what it costs in yield "
        "(the day solved again without it), bp of AUM a year"
        if binding
        else "*Limits*: none binds today, so none costs yield."
    )
    blocks = list(
        pack_sections(
            title,
            [f"• {limit_line(limit)}" for limit in binding],
            lambda shown: f"… and {len(binding) - shown} more",
            (len(binding), LIMITS_MAX_BLOCKS),
        )
    )
    idle = idle_limits_line(report.limits)
    if idle:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=_fit(idle, SECTION_TEXT_MAX))])
        )
    return blocks


def _day_context(report: DailyReport) -> list[Block]:
    """Icebox changes, the eligibility funnel and the forecasts' skill."""
    icebox = [f":ice_cube: {token} in — {reason}" for token, reason in report.icebox_entries]
    icebox += [f":sunny: {token} out" for token in report.icebox_exits]
    blocks: list[Block] = list(
        pack_sections(
            "*Icebox*" + ("" if icebox else "\nNo entries or exits today."),
            icebox,
            lambda shown: f"… and {len(icebox) - shown} more",
            (len(icebox), ICEBOX_MAX_BLOCKS),
        )
    )
    reasons = ", ".join(f"{check} ({count})" for check, count in report.top_reasons)
    blocks.append(
        _mrkdwn(
            f"*Pools*: {report.eligible_count} eligible, {report.excluded_count} excluded"
            + (f"; top reasons: {reasons}" if reasons else "")
        )
    )
    if report.forecast_skill:
        skill = ", ".join(f"{target} {mase:.2f}" for target, mase in report.forecast_skill.items())
        text = f"Forecast skill (mean MAE ratio vs persistence, < 1 beats it): {skill}"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=text)]))
    return blocks


def build_blocks(report: DailyReport) -> list[Block]:
    """Header, figures, what following it earned, allocation, exit signals, plan, holds,
    limits, icebox, filters and forecast skill."""
    header = f"DeFi Yield Optimizer — {report.run_date}"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=_fit(header, HeaderBlock.text_max_length)))
    ]
    if report.status != "SUCCESS":
        blocks.append(
            _mrkdwn(
                f":rotating_light: Optimization *{report.status}*: "
                f"{_fit(str(report.error), SECTION_TEXT_MAX - 100)}\n"
                "The previous allocation stays in place."
            )
        )
    limits = _limits(report)
    return [
        *blocks,
        _figures(report),
        *_realized(report),
        DividerBlock(),
        *_allocation(report),
        *_exits(report),
        DividerBlock(),
        *_plan(report),
        *_holds(report),
        *([DividerBlock(), *limits] if limits else []),
        DividerBlock(),
        *_day_context(report),
    ]


def message_payload(report: DailyReport) -> dict[str, Any]:
    """``text`` and ``blocks`` for ``chat.postMessage``, checked against Slack's limits.

    Raises ``SlackObjectFormationError`` naming the limit a message would break.
    """
    blocks = build_blocks(report)
    if len(blocks) > SLACK_MAX_BLOCKS:
        raise SlackObjectFormationError(
            f"the report has {len(blocks)} blocks; Slack takes at most {SLACK_MAX_BLOCKS}"
        )
    return {"text": summary_text(report), "blocks": [block.to_dict() for block in blocks]}
