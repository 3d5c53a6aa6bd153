"""The report's lines in words an analyst reads: money, allocation rows and plan steps.

A plan step names its pool like the allocation table and a deposit says which token pays
for it: the pool's own tokens, in equal parts (the optimizer splits a pool's value equally
across its tokens), bought beforehand by a ``convert`` step when the wallet lacks them.
"""

from __future__ import annotations

from python_models.reporting.data import Allocation, DailyReport, PlanStep

LABEL_WIDTH = 40


def usd(value: float) -> str:
    """Whole dollars with thousands separators: ``$1,241,119``."""
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"


def usd_short(value: float) -> str:
    """Dollars in readable units for axes and totals: ``$1.2M``, ``$350k``, ``$95``."""
    size = abs(value)
    sign = "-" if value < 0 else ""
    if size >= 1e9:
        return f"{sign}${size / 1e9:.1f}B"
    if size >= 1e6:
        return f"{sign}${size / 1e6:.1f}M"
    if size >= 1e3:
        return f"{sign}${size / 1e3:.0f}k"
    return f"{sign}${size:.0f}"


def usd_cents(value: float) -> str:
    """Cents below $100, so a gas fee or a dust conversion does not read as ``$0``."""
    if 0 < abs(value) < 0.01:
        return "<$0.01"
    return f"${value:,.2f}" if abs(value) < 100 else usd(value)


def short_label(label: str, width: int = LABEL_WIDTH) -> str:
    """The label cut to ``width`` characters, an ellipsis saying it was cut."""
    return label if len(label) <= width else label[: width - 1] + "…"


def allocation_row(allocation: Allocation) -> str:
    """One fixed-width row: pool, risk group, APY, target USD and its change."""
    apy = "" if allocation.apy_pct is None else f"{allocation.apy_pct:.2f}%"
    change = allocation.allocation_usd - allocation.previous_usd
    return (
        f"{short_label(allocation.label):<{LABEL_WIDTH}} G{allocation.group_id or '-'} "
        f"{apy:>7} {usd(allocation.allocation_usd):>12} ({change:+,.0f})"
    )


def funding(step: PlanStep) -> str:
    """The tokens a deposit is paid with (a withdrawal returns): ``DAI + USDT ($50 each)``."""
    if len(step.tokens) <= 1:
        return "".join(step.tokens)
    return f"{' + '.join(step.tokens)} ({usd(step.amount_usd / len(step.tokens))} each)"


def plan_line(step: PlanStep) -> str:
    """``3. deposit $1,241,119 USDC → fluid-lending USDC (Arbitrum) · gas $0.10``."""
    pool = step.label or step.pool_id or "?"
    tokens = funding(step)
    if step.action == "convert":
        what = f"{step.token_symbol}→{step.to_token_symbol} {usd_cents(step.amount_usd)}"
    elif step.action == "withdraw":
        what = f"{usd_cents(step.amount_usd)} from {pool} → {tokens or 'wallet'}"
    else:
        what = " ".join(filter(None, (usd_cents(step.amount_usd), tokens, "→", pool)))
    gas = f" · gas {usd_cents(step.gas_usd)}" if step.gas_usd else ""
    return f"{step.step_no}. {step.action} {what}{gas}"


def risk_line(report: DailyReport) -> str:
    """Exposure and liquidity figures of the run: what bound it, what it could not know."""
    parts = []
    for dimension in ("protocol", "chain"):
        largest = next((e for e in report.exposure if e.dimension == dimension), None)
        if largest:
            parts.append(
                f"largest {dimension} {largest.name} {largest.share_pct:.1f}% of AUM "
                f"(cap {largest.cap_pct:g}%)"
            )
    if report.liquidity_bound_positions is not None:
        parts.append(f"{report.liquidity_bound_positions} positions at the liquidity cap")
    if report.unknown_liquidity_pools:
        parts.append(
            f"withdrawable liquidity unknown for {report.unknown_liquidity_pools} eligible "
            "pools (TVL cap only)"
        )
    if report.dilution_cost_usd is not None:
        parts.append(f"yield given up to dilution {usd_cents(report.dilution_cost_usd)}")
    return " · ".join(parts)
