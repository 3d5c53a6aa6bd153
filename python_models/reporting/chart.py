"""The report's chart: the allocation by pool, and NAV with external flows kept apart.

The wallet's NAV moves with deposits and withdrawals as much as with what the treasury
earns, so the NAV panel draws the money put in (cumulative net external flows) next to NAV,
and a second panel the gain net of flows (NAV minus the money put in): price moves, yield
and costs, never a deposit. Money axes read in dollars ($1.2M, $350k), never ``1e6``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen on the servers that run the daily job
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from python_models.reporting.data import DailyReport, LedgerDay
from python_models.reporting.text import short_label, usd_short

GROUP_COLOURS = {1: "#2b8a3e", 2: "#e67700", 3: "#c92a2a", None: "#868e96"}
CHART_POSITIONS = 15
MONEY_AXIS = FuncFormatter(lambda value, _position: usd_short(value))


@dataclass(frozen=True)
class NavSeries:
    """Per day: NAV, money put in so far (net external flows), and the gain net of them."""

    days: list[dt.date]
    nav_usd: list[float]
    net_flows_usd: list[float]
    gain_usd: list[float]


def nav_series(ledger: list[LedgerDay]) -> NavSeries:
    """Split NAV into the cumulative external flows and the gain that is not a flow."""
    flows = list(accumulate(day.flow_usd for day in ledger))
    return NavSeries(
        days=[day.day for day in ledger],
        nav_usd=[day.nav_usd for day in ledger],
        net_flows_usd=flows,
        gain_usd=[day.nav_usd - flow for day, flow in zip(ledger, flows, strict=True)],
    )


def _allocation_panel(axes: Axes, report: DailyReport) -> None:
    shown = report.allocations[:CHART_POSITIONS][::-1]
    axes.barh(
        [short_label(a.label, 32) for a in shown],
        [a.allocation_usd for a in shown],
        color=[GROUP_COLOURS.get(a.group_id, GROUP_COLOURS[None]) for a in shown],
    )
    more = len(report.allocations) - len(shown)
    axes.set_title(
        f"Allocation on {report.run_date} (green G1, orange G2, red G3)"
        + (f"\ntop {len(shown)} of {len(report.allocations)} positions" if more > 0 else "")
    )
    axes.xaxis.set_major_formatter(MONEY_AXIS)


def _nav_panels(nav_axes: Axes, gain_axes: Axes, series: NavSeries) -> None:
    nav_axes.plot(series.days, series.nav_usd, color="#1c7ed6", label="NAV")
    nav_axes.plot(
        series.days,
        series.net_flows_usd,
        color="#868e96",
        linestyle="--",
        label="net deposits (external flows)",
    )
    nav_axes.set_title("NAV and the money put in")
    nav_axes.legend(loc="upper left", fontsize="small")
    gain_axes.plot(series.days, series.gain_usd, color="#2b8a3e")
    gain_axes.axhline(0, color="#adb5bd", linewidth=0.8)
    gain_axes.set_title("Gain net of flows (price moves, yield, costs)")
    for axes in (nav_axes, gain_axes):
        axes.yaxis.set_major_formatter(MONEY_AXIS)
        axes.grid(alpha=0.3)
    locator = mdates.AutoDateLocator()
    gain_axes.xaxis.set_major_locator(locator)
    gain_axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    nav_axes.tick_params(labelbottom=False)


def render_chart(report: DailyReport, path: Path) -> Path:
    """Allocation by pool coloured by risk group, NAV against net deposits, gain net of flows."""
    fig = plt.figure(figsize=(14, 6.5))
    grid = fig.add_gridspec(2, 2, width_ratios=(1.1, 1))
    _allocation_panel(fig.add_subplot(grid[:, 0]), report)
    nav_axes = fig.add_subplot(grid[0, 1])
    gain_axes = fig.add_subplot(grid[1, 1], sharex=nav_axes)
    _nav_panels(nav_axes, gain_axes, nav_series(report.ledger))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
