"""Every figure of a backtest, one module, one unit per figure, from the day-by-day rows.

A portfolio's rows (``outputs.nav_row`` / ``outputs.holding_rows``) over a window of trade
days. Daily net return r_t = NAV_t / NAV_{t−1} − 1 (NAV_{t−1}: the end of the day before the
window, or the starting capital); gross return g_t = yield_t / NAV_{t−1}.

==========================  =====================  ==================================================
figure                      unit                   what
==========================  =====================  ==================================================
``net_apy``                 % a year               ∏(1 + r) annualized: what following it earned, net
``gross_apy``               % a year               ∏(1 + g) annualized: the yield before costs
``cost_share_of_gross``     % of the yield         (gas + conversions) / yield
``dilution_bp``             bp a year of NAV       yield given up to the portfolio's own size (the
                                                   quoted APY minus what the diluted positions earned)
``worst_day_bp``            bp of NAV              the lowest r
``cvar5_bp``                bp of NAV              the mean of the worst 5 % of days
``max_drawdown``            % of the peak NAV      the largest fall of the NAV from its running peak
``volatility``              % a year               std of r × √365
``idle_share``              % of NAV               mean idle tokens / NAV
``idle_by_bound``           % of NAV-days          the idle share split by why it was idle that day
``turnover``                times                  (deposits + withdrawals) / 2 / mean NAV
``max_pool_share``          % of assets            the largest share in one pool on any day; likewise
``max_protocol_share``                             per protocol family, curator, chain and token (a
``max_curator_share``                              pool's USD split equally over its tokens; idle
``max_chain_share``                                tokens count for the token)
``max_token_share``
``days_holding_ineligible`` days                   days ending with a position in an ineligible pool
``days_invested``           days                   days with at least one position
``gas_usd``                 USD                    gas paid
``conversion_usd``          USD                    conversion costs paid
==========================  =====================  ==================================================

Excess over a baseline or a yardstick: net APY difference in pp, with a 90 % moving-block
bootstrap interval (14-day blocks, the same resampled days for both portfolios, so their
common market moves cancel). :func:`scorecard` assembles ``summary.json``: the scored span
(the whole range for a plain backtest; from the first step boundary for a walk-forward) and
its two halves, so a result that holds on one half only shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from python_models.backtest.portfolios import BASELINES, REFERENCES, STRATEGY_NAME
from python_models.compounding import DAYS_PER_YEAR

BLOCK_DAYS = 14
BOOTSTRAP_DRAWS = 2000
CVAR_SHARE = 0.05
ROUNDED = 6
SHARES = ("pool", "protocol", "curator", "chain", "token")
METRIC_KEYS = (
    "net_apy",
    "gross_apy",
    "cost_share_of_gross",
    "dilution_bp",
    "worst_day_bp",
    "cvar5_bp",
    "max_drawdown",
    "volatility",
    "idle_share",
    "turnover",
    *(f"max_{share}_share" for share in SHARES),
    "days_holding_ineligible",
    "days_invested",
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


def largest_shares(
    holdings: pd.DataFrame, days: pd.DataFrame, descriptions: pd.DataFrame
) -> dict[str, float]:
    """Largest share of a day's assets (positions + idle) per pool, protocol family, curator,
    chain and token (idle tokens count for the token), %."""
    by_day = days.set_index("trade_date")
    assets = by_day["invested_usd"] + by_day["idle_usd"]
    out = dict.fromkeys(SHARES, 0.0)
    if holdings.empty:
        return out
    frame = holdings.join(descriptions, on="pool_id")
    for key, column in (
        ("pool", "pool_id"),
        ("protocol", "protocol"),
        ("curator", "curator"),
        ("chain", "chain"),
    ):
        totals = frame.dropna(subset=[column]).groupby(["trade_date", column])["allocation_usd"]
        shares = totals.sum() / totals.sum().index.get_level_values(0).map(assets)
        out[key] = float(shares.max() * 100) if len(shares) else 0.0
    tokens = frame.assign(share=frame["allocation_usd"] / frame["tokens"].map(len)).explode(
        "tokens"
    )
    totals = tokens.groupby(["trade_date", "tokens"])["share"].sum()
    idle = by_day["idle_by_token"].map(lambda text: text or {})
    for day, balances in idle.items():
        for token, usd in balances.items():
            totals.loc[(day, token)] = totals.get((day, token), 0.0) + usd
    shares = totals / totals.index.get_level_values(0).map(assets)
    out["token"] = float(shares.max() * 100) if len(shares) else 0.0
    return out


def window_metrics(
    days: pd.DataFrame, holdings: pd.DataFrame, opening_nav: float, descriptions: pd.DataFrame
) -> dict[str, Any]:
    """The figures of one portfolio over its rows ``days`` (one per trade day, in order)."""
    if days.empty:
        return {**dict.fromkeys(METRIC_KEYS, 0.0), "idle_by_bound": {}}
    returns = daily_returns(days, opening_nav)
    nav = days["nav_usd"].to_numpy(dtype=float)
    previous = np.concatenate([[opening_nav], nav[:-1]])
    earned = days["yield_usd"].to_numpy(dtype=float)
    costs = float(days["gas_usd"].sum() + days["conversion_usd"].sum())
    given_up = days["undiluted_yield_usd"].to_numpy(dtype=float) - earned
    worst = np.sort(returns)[: max(1, int(np.ceil(CVAR_SHARE * len(returns))))]
    path = np.concatenate([[opening_nav], nav])
    idle = days["idle_usd"].to_numpy(dtype=float) / nav
    bound = days["idle_bound"].fillna("").to_numpy()
    shares = largest_shares(holdings, days, descriptions)
    return {
        "net_apy": annualized_pct(returns),
        "gross_apy": annualized_pct(earned / previous),
        "cost_share_of_gross": costs / earned.sum() * 100 if earned.sum() > 0 else None,
        "dilution_bp": float(given_up.sum() / previous.sum() * DAYS_PER_YEAR * 1e4),
        "worst_day_bp": float(returns.min() * 1e4),
        "cvar5_bp": float(worst.mean() * 1e4),
        "max_drawdown": float(np.max(1 - path / np.maximum.accumulate(path)) * 100),
        "volatility": float(np.std(returns, ddof=1) * np.sqrt(DAYS_PER_YEAR) * 100)
        if len(returns) > 1
        else 0.0,
        "idle_share": float(idle.mean() * 100),
        "idle_by_bound": {
            str(reason): round(float(idle[bound == reason].sum() / len(idle) * 100), 4)
            for reason in sorted(set(bound) - {""})
        },
        "turnover": float(days["traded_usd"].sum() / 2 / nav.mean()),
        **{f"max_{key}_share": value for key, value in shares.items()},
        "days_holding_ineligible": int((days["ineligible_held"] > 0).sum()),
        "days_invested": int((days["positions"] > 0).sum()),
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


def excess(strategy: np.ndarray, other: np.ndarray, seed: int = 12) -> dict[str, Any]:
    """Net APY of the strategy minus the other's (pp), with a 90 % block-bootstrap interval."""
    point = annualized_pct(strategy) - annualized_pct(other)
    if len(strategy) < 2:
        return {"net_apy_pp": point, "ci90": [point, point]}
    picks = block_indices(len(strategy), BOOTSTRAP_DRAWS, BLOCK_DAYS, seed)
    scale = DAYS_PER_YEAR / len(strategy)

    def resampled_apy(returns: np.ndarray) -> np.ndarray:
        return (np.prod(1 + returns[picks], axis=1) ** scale - 1) * 100

    diffs = resampled_apy(strategy) - resampled_apy(other)
    low, high = np.quantile(diffs, [0.05, 0.95])
    return {"net_apy_pp": round(point, 4), "ci90": [round(float(low), 4), round(float(high), 4)]}


def _rounded(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        key: round(value, ROUNDED) if isinstance(value, float) else value
        for key, value in figures.items()
    }


def _window(frame: pd.DataFrame, first: dt.date, last: dt.date) -> pd.DataFrame:
    dates = pd.to_datetime(frame["trade_date"]).dt.date
    return frame[(dates >= first) & (dates <= last)]


def _opening(days: pd.DataFrame, first: dt.date, capital_usd: float) -> float:
    """NAV at the end of the day before ``first`` (the capital when there is none)."""
    before = days[pd.to_datetime(days["trade_date"]).dt.date < first]
    return float(before["nav_usd"].iloc[-1]) if not before.empty else capital_usd


def halves(first: dt.date, last: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The scored span and its two halves (the first half ends on the middle day)."""
    middle = first + dt.timedelta(days=((last - first).days + 1) // 2 - 1)
    return [
        ("scored", first, last),
        ("first_half", first, middle),
        ("second_half", middle + dt.timedelta(days=1), last),
    ]


def portfolio_figures(
    days: pd.DataFrame,
    holdings: pd.DataFrame,
    descriptions: pd.DataFrame,
    capital_usd: float,
    first: dt.date,
    last: dt.date,
) -> dict[str, dict[str, Any]]:
    """Every portfolio's figures over ``first`` … ``last`` and its daily returns."""
    out = {}
    for name, rows in days.groupby("portfolio", sort=False):
        rows = rows.sort_values("trade_date")
        window = _window(rows, first, last)
        held = _window(holdings[holdings["portfolio"] == name], first, last)
        opening = _opening(rows, first, capital_usd)
        out[str(name)] = {
            "figures": window_metrics(
                window, held[["trade_date", "pool_id", "allocation_usd"]], opening, descriptions
            ),
            "returns": daily_returns(window, opening),
        }
    return out


def scorecard(
    days: pd.DataFrame,
    holdings: pd.DataFrame,
    descriptions: pd.DataFrame,
    capital_usd: float,
    scored_from: dt.date,
    scored_to: dt.date,
    steps: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The ``summary.json`` document (the report's contract, see README.md)."""
    windows = []
    document: dict[str, Any] = {}
    for label, first, last in halves(scored_from, scored_to):
        figures = portfolio_figures(days, holdings, descriptions, capital_usd, first, last)
        if STRATEGY_NAME not in figures:
            continue
        strategy = figures[STRATEGY_NAME]["returns"]
        others = [name for name in (*REFERENCES, *BASELINES) if name in figures]
        excesses = {name: excess(strategy, figures[name]["returns"]) for name in others}
        if label == "scored":
            document = {
                STRATEGY_NAME: _rounded(figures[STRATEGY_NAME]["figures"]),
                "references": {
                    name: _rounded(figures[name]["figures"])
                    for name in REFERENCES
                    if name in figures
                },
                "baselines": {
                    name: _rounded(figures[name]["figures"])
                    for name in BASELINES
                    if name in figures
                },
                "excess": excesses,
            }
        windows.append(
            {
                "window": label,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "net_apy": {
                    name: round(float(entry["figures"]["net_apy"]), 4)
                    for name, entry in figures.items()
                },
                "excess": excesses,
            }
        )
    document["windows"] = windows
    document["walk_forward"] = list(steps)
    return document
