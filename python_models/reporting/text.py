"""The report's lines in words an analyst reads: money, allocation rows, plan steps, limits,
holds, exit signals and what following the product earned.

A plan step names its pool like the allocation table and a deposit says which token pays
for it: the pool's own tokens, in equal parts (the optimizer splits a pool's value equally
across its tokens), bought beforehand by a ``convert`` step when the wallet lacks them.
A limit is named by its parameter and the loss it bounds; its price is step 13's figure.
"""

from __future__ import annotations

from python_models.reporting.data import (
    Allocation,
    DailyReport,
    Hold,
    LimitPrice,
    PlanStep,
)
from python_models.reporting.realized import Realized

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


# How the report names an exposure dimension (protocol is the protocol family).
DIMENSION_NAMES = {
    "protocol": "protocol family",
    "curator": "curator",
    "chain": "chain",
    "token": "token",
}


def risk_line(report: DailyReport) -> str:
    """Exposure and liquidity figures of the run: what bound it, what it could not know."""
    parts = []
    for dimension, name in DIMENSION_NAMES.items():
        largest = max(
            (e for e in report.exposure if e.dimension == dimension),
            key=lambda e: e.share_pct,
            default=None,
        )
        if largest:
            parts.append(
                f"largest {name} {largest.name} {largest.share_pct:.1f}% of AUM "
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


# The unit of a limit's value (the parameters of core.config.StrategyConfig): a *_pct limit
# is % of AUM unless named here.
LIMIT_UNITS = {
    "position_max_pct_pool_tvl": "% of the pool's TVL",
    "position_max_pct_available_liquidity": "% of the pool's withdrawable liquidity",
    "min_pools": " positions",
}
# explain.LIMITS words a limit that bounds no loss "none: <what it bounds> (not a loss)".
NOT_A_LOSS = "none: "


def limit_value(limit: LimitPrice, short: bool = False) -> str:
    """``40% of AUM``, ``5% of the pool's TVL``, ``5 positions`` (short: ``40%``, ``5``);
    ``off`` when the limit is lifted."""
    if limit.value is None:
        return "off"
    is_pct = "_pct" in limit.limit
    if short:
        return f"{limit.value:g}" + ("%" if is_pct else "")
    return f"{limit.value:g}" + LIMIT_UNITS.get(limit.limit, "% of AUM" if is_pct else "")


def loss_words(loss_bounded: str) -> str:
    """``bounds: protocol exploit``; a risk group's cap says it bounds no loss."""
    if loss_bounded.startswith(NOT_A_LOSS):
        return loss_bounded.removeprefix(NOT_A_LOSS)
    return f"bounds: {loss_bounded}"


def limit_line(limit: LimitPrice) -> str:
    """``protocol_max_pct = 40% of AUM · bounds: protocol exploit · costs 29.9 bp a year ($15,020)``."""
    return (
        f"`{limit.limit}` = {limit_value(limit)} · {loss_words(limit.loss_bounded)} · "
        f"costs {limit.cost_bp_a_year:.1f} bp a year ({usd(limit.cost_usd_a_year)})"
    )


def idle_limits_line(limits: list[LimitPrice]) -> str:
    """The limits that do not bind today, in one line."""
    idle = [
        f"{limit.limit} {limit_value(limit, short=True)}" for limit in limits if not limit.binds
    ]
    return f"Not binding today, so they cost nothing: {', '.join(idle)}" if idle else ""


def hold_lines(holds: list[Hold]) -> list[str]:
    """One line per explanation: ``kept X ($1.1M): moving to Y, Z gains $a a year, repays in
    b days > payback_days N``; holds that one set of moves explains (step 13 prices the moves
    of the decision without costs together) share a line, so its gain is not counted twice."""
    groups: dict[tuple, list[Hold]] = {}
    for hold in holds:
        groups.setdefault((hold.destinations, hold.gain_usd_a_year, hold.rule), []).append(hold)
    lines = []
    for (destinations, gain, rule), kept in groups.items():
        names = [f"{hold.kept} ({usd_short(hold.kept_usd)})" for hold in kept]
        what = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        where = f"moving to {', '.join(destinations)}" if destinations else "moving it"
        together = " together" if len(kept) > 1 else ""
        lines.append(f"kept {what}: {where} gains {usd(gain)} a year{together}, {rule}")
    return lines


def exit_line(allocation: Allocation, plan: list[PlanStep]) -> str:
    """A held pool's exit signal and what the plan did about it."""
    withdrawals = [s for s in plan if s.action == "withdraw" and s.pool_id == allocation.pool_id]
    if allocation.allocation_usd <= 0:
        done = "exited" + (
            f": withdraw {usd(sum(s.amount_usd for s in withdrawals))} "
            f"(step {', '.join(str(s.step_no) for s in withdrawals)})"
            if withdrawals
            else ""
        )
    else:
        done = f"still held {usd(allocation.allocation_usd)}: the run did not exit it"
    return f":warning: {allocation.label}: {'; '.join(allocation.exit_reasons)} → {done}"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}%"


def realized_line(realized: Realized) -> str:
    """``7 days: 5.12% gross, 4.98% net · aave-v3 USDC (Ethereum) 4.10% · …``."""
    if not realized.complete:
        return (
            f"{realized.days} days: n/a ({realized.recorded_days} of {realized.days} days recorded)"
        )
    parts = [
        f"{realized.days} days: {percent(realized.gross_apy_pct)} gross, "
        f"{percent(realized.net_apy_pct)} net"
    ]
    for name, apy in realized.yardstick_apy_pct.items():
        label = realized.yardstick_labels.get(name, name)
        versus = (
            ""
            if apy is None or realized.net_apy_pct is None
            else f" (net {realized.net_apy_pct - apy:+.2f} pp)"
        )
        parts.append(f"{label} {percent(apy)}{versus}")
    return " · ".join(parts)
