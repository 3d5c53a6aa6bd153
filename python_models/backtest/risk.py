"""The figures a treasury reads, per portfolio and window, and excess with a bootstrap interval.

All from the day-by-day rows of a run (``rows.nav_row`` and ``rows.holding_rows``), over a
window of trade days. Daily net return r_t = NAV_t / NAV_{t−1} − 1 (NAV_{t−1}: the end of the
day before the window, or the starting capital); gross return g_t = yield_t / NAV_{t−1}.
Percent figures are in percent, returns per day in basis points:

- ``net_apy``, ``gross_apy``: ∏(1 + r) (resp. g) annualized over the window's days.
- ``cost_share_of_gross``: (gas + conversions) / yield, %.
- ``worst_day_bp``: the lowest r; ``cvar5_bp``: the mean of the worst 5 % of days.
- ``max_drawdown``: the largest fall of the NAV from its running peak within the window, %.
- ``idle_share``: mean idle tokens / NAV, %; ``idle_by_bound``: the same split by why the
  capital was idle that day (``policies.idle_bound``: a group cap, position caps, infeasible,
  or not worth its costs).
- ``turnover``: (deposits + withdrawals) / 2 / mean NAV over the window.
- ``max_pool_share`` / ``_protocol_`` / ``_chain_`` / ``_token_``: the largest share of the
  assets (positions + idle tokens) in one pool, protocol, chain or token on any day, % (a
  pool's USD split equally over its tokens).
- ``days_holding_ineligible``: days ending with a position in a pool not eligible that day.

Excess over a baseline: net APY difference in pp, with a 90 % moving-block bootstrap interval
(14-day blocks, the same resampled days for both portfolios, so their common market moves
cancel).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365
BLOCK_DAYS = 14
BOOTSTRAP_DRAWS = 2000
CVAR_SHARE = 0.05
METRIC_KEYS = (
    "net_apy",
    "gross_apy",
    "cost_share_of_gross",
    "worst_day_bp",
    "cvar5_bp",
    "max_drawdown",
    "idle_share",
    "turnover",
    "max_pool_share",
    "max_protocol_share",
    "max_chain_share",
    "max_token_share",
    "days_holding_ineligible",
    "gas_usd",
    "conversion_usd",
)


def daily_returns(days: pd.DataFrame, opening_nav: float) -> np.ndarray:
    """Net return of each day of one portfolio's rows (in order) from ``opening_nav``."""
    nav = days["nav_usd"].to_numpy(dtype=float)
    return nav / np.concatenate([[opening_nav], nav[:-1]]) - 1


def annualized_pct(returns: np.ndarray) -> float:
    """∏(1 + r) over the days, annualized, percent."""
    if len(returns) == 0:
        return 0.0
    growth = float(np.prod(1 + returns))
    return (growth ** (DAYS_PER_YEAR / len(returns)) - 1) * 100


def _largest_shares(holdings: pd.DataFrame, nav: pd.Series, descriptions: pd.DataFrame) -> dict:
    """Largest share of the day's assets (``nav``) per pool, protocol, chain and token."""
    if holdings.empty:
        return dict.fromkeys(("pool", "protocol", "chain", "token"), 0.0)
    frame = holdings.join(descriptions, on="pool_id")
    frame["nav"] = frame["trade_date"].map(nav)
    out = {}
    for key, column in (("pool", "pool_id"), ("protocol", "project"), ("chain", "chain")):
        totals = frame.groupby(["trade_date", column])["allocation_usd"].sum()
        out[key] = float((totals / totals.index.get_level_values(0).map(nav)).max() * 100)
    tokens = frame.assign(share=frame["allocation_usd"] / frame["tokens"].map(len)).explode(
        "tokens"
    )
    totals = tokens.groupby(["trade_date", "tokens"])["share"].sum()
    out["token"] = float((totals / totals.index.get_level_values(0).map(nav)).max() * 100)
    return out


def window_metrics(
    days: pd.DataFrame,
    holdings: pd.DataFrame,
    opening_nav: float,
    descriptions: pd.DataFrame,
) -> dict[str, object]:
    """The figures of one portfolio over its rows ``days`` (one per trade day, in order)."""
    if days.empty:
        return dict.fromkeys(METRIC_KEYS, 0.0)
    returns = daily_returns(days, opening_nav)
    nav = days["nav_usd"].to_numpy(dtype=float)
    previous = np.concatenate([[opening_nav], nav[:-1]])
    gross = days["yield_usd"].to_numpy(dtype=float) / previous
    costs = float(days["gas_usd"].sum() + days["conversion_usd"].sum())
    earned = float(days["yield_usd"].sum())
    worst = np.sort(returns)[: max(1, int(np.ceil(CVAR_SHARE * len(returns))))]
    path = np.concatenate([[opening_nav], nav])
    idle = days["idle_usd"].to_numpy(dtype=float) / nav
    bound = days["idle_bound"].fillna("").to_numpy()
    idle_by_bound = {
        str(reason): round(float(idle[bound == reason].sum() / len(idle) * 100), 4)
        for reason in sorted(set(bound) - {""})
    }
    by_day = days.set_index("trade_date")
    shares = _largest_shares(holdings, by_day["invested_usd"] + by_day["idle_usd"], descriptions)
    return {
        "net_apy": annualized_pct(returns),
        "gross_apy": annualized_pct(gross),
        "cost_share_of_gross": costs / earned * 100 if earned > 0 else None,
        "worst_day_bp": float(returns.min() * 1e4),
        "cvar5_bp": float(worst.mean() * 1e4),
        "max_drawdown": float(np.max(1 - path / np.maximum.accumulate(path)) * 100),
        "idle_share": float(idle.mean() * 100),
        "idle_by_bound": idle_by_bound,
        "turnover": float(days["traded_usd"].sum() / 2 / nav.mean()),
        "max_pool_share": shares["pool"],
        "max_protocol_share": shares["protocol"],
        "max_chain_share": shares["chain"],
        "max_token_share": shares["token"],
        "days_holding_ineligible": int((days["ineligible_held"] > 0).sum()),
        "gas_usd": float(days["gas_usd"].sum()),
        "conversion_usd": float(days["conversion_usd"].sum()),
    }


def block_indices(days: int, draws: int, block: int, seed: int) -> np.ndarray:
    """``draws`` resamples of ``days`` day indices made of circular blocks of ``block`` days."""
    rng = np.random.default_rng(seed)
    blocks = -(-days // block)
    starts = rng.integers(0, days, size=(draws, blocks))
    indices = (starts[:, :, None] + np.arange(block)) % days
    return indices.reshape(draws, -1)[:, :days]


def excess(strategy: np.ndarray, baseline: np.ndarray, seed: int = 12) -> dict[str, object]:
    """Net APY of the strategy minus the baseline's (pp), with a 90 % block-bootstrap interval."""
    point = annualized_pct(strategy) - annualized_pct(baseline)
    if len(strategy) < 2:
        return {"net_apy_pp": point, "ci90": [point, point]}
    picks = block_indices(len(strategy), BOOTSTRAP_DRAWS, BLOCK_DAYS, seed)
    scale = DAYS_PER_YEAR / len(strategy)

    def resampled_apy(returns: np.ndarray) -> np.ndarray:
        return (np.prod(1 + returns[picks], axis=1) ** scale - 1) * 100

    diffs = resampled_apy(strategy) - resampled_apy(baseline)
    low, high = np.quantile(diffs, [0.05, 0.95])
    return {"net_apy_pp": round(point, 4), "ci90": [round(float(low), 4), round(float(high), 4)]}
