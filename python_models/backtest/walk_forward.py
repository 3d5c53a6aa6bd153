"""Walk-forward: every tuned choice re-chosen each step from the trailing window only.

Each candidate choice (``horizon_days`` x model-selection margin x minimum edge) is simulated
over the range as a portfolio of its own, from the same capital. At each step boundary t
(every ``step_days`` from ``start + train_days``) a tuned portfolio takes the candidate whose
NAV grew most over the ``train_days`` before t, and trades with it, from its own holdings,
until the next boundary: a choice is only ever scored on days before the ones it trades. The
days before the first boundary are warm-up (the shipped choice, not scored).

Two portfolios are tuned this way, by the same rule, each over its own candidates:
``strategy`` (the shipped forecast; every horizon, margin and minimum edge of the grid) and
``optimizer_persistence`` (every horizon). The other baselines have nothing to tune;
``optimizer_mean30d`` and the oracle keep the configured horizon (tuning the mean-30d
baseline too would add six more year-long simulations).

Speed: a candidate is only scored, never reported, so candidates are simulated with the
optimizer's linear yield (``apy_dilution`` off: one MILP a day instead of a MILP and its
polishing LPs) and only up to the last boundary; the tuned portfolios trade with the
configuration as shipped. Candidates, then the portfolios that solve every day, run in
``workers`` processes; the others are replayed in the main process.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from python_models.backtest.baselines import OPTIMIZER_PERSISTENCE, STRATEGY
from python_models.backtest.policies import OPTIMIZER, Choice, Decision, Policy, default_policies
from python_models.backtest.simulate import BacktestSettings, decisions_of, simulate
from python_models.backtest.trade_days import FORECAST, PERSISTENCE, MarketDays

DEFAULT_HORIZONS = (1, 2, 3, 5, 7, 14)


@dataclass(frozen=True)
class WalkForwardSettings:
    """Step and trailing window (days) and the grid of choices."""

    step_days: int = 30
    train_days: int = 60
    horizons: tuple[int, ...] = DEFAULT_HORIZONS
    margins: tuple[float | None, ...] = (None,)
    min_edges_bp: tuple[float, ...] = (0.0,)
    workers: int | None = None

    def boundaries(self, start: dt.date, end: dt.date) -> list[dt.date]:
        first = start + dt.timedelta(days=self.train_days)
        return [
            first + dt.timedelta(days=k * self.step_days)
            for k in range(((end - first).days // self.step_days) + 1)
            if first + dt.timedelta(days=k * self.step_days) <= end
        ]


@dataclass(frozen=True)
class Candidate:
    """One grid point: the APY view and the choice, as a portfolio of its own."""

    apy: str
    choice: Choice

    @property
    def key(self) -> str:
        return f"{self.apy} {self.choice.label()}"

    def policy(self) -> Policy:
        return Policy(self.key, OPTIMIZER, self.apy, schedule=((dt.date.min, self.choice),))

    def scheduled_choice(self) -> Choice:
        """The choice with its APY view, for a tuned portfolio's schedule."""
        return replace(self.choice, apy=self.apy)


def families(settings: WalkForwardSettings, default_horizon: int) -> dict[str, list[Candidate]]:
    """The candidates of each tuned portfolio, the shipped choice first (it wins ties)."""
    horizons = sorted(settings.horizons, key=lambda h: h != default_horizon)
    strategy = [
        Candidate(FORECAST, Choice(h, margin, edge))
        for edge in settings.min_edges_bp
        for margin in settings.margins
        for h in horizons
    ]
    return {
        STRATEGY: strategy,
        OPTIMIZER_PERSISTENCE: [Candidate(PERSISTENCE, Choice(h)) for h in horizons],
    }


_SHARED: dict[str, Any] = {}


def _returns_of(candidate: Candidate) -> np.ndarray:
    """Daily net returns of one candidate over the range (run in a worker process)."""
    market, settings = _SHARED["market"], _SHARED["settings"]
    nav = [records[0].end.nav_usd for records in simulate(market, settings, [candidate.policy()])]
    path = np.concatenate([[settings.capital_usd], nav])
    return path[1:] / path[:-1] - 1


def _decisions_of(policy: Policy) -> list[Decision]:
    """One portfolio's decisions over the range (run in a worker process)."""
    return decisions_of(_SHARED["market"], _SHARED["settings"], policy)


def _in_workers(
    function: Callable,
    items: Sequence,
    market: MarketDays,
    settings: BacktestSettings,
    workers: int,
) -> list:
    """``function`` over ``items`` in ``workers`` fresh processes, each given the market once.

    Spawned, not forked: a fork after HiGHS has started its threads in this process (any
    solve before, e.g. a previous run) can deadlock the child.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_share, initargs=(market, settings)
    ) as pool:
        return list(pool.map(function, items))


def _share(market: MarketDays, settings: BacktestSettings) -> None:
    """Worker start: keep the market and the settings for every task."""
    _SHARED.update(market=market, settings=settings)


def candidate_returns(
    market: MarketDays, settings: BacktestSettings, candidates: Sequence[Candidate], workers: int
) -> pd.DataFrame:
    """Days x candidates: each candidate's daily net return, simulated in worker processes.

    The APY panels are built first, so each worker receives them with the market.
    """
    for candidate in candidates:
        market.apy(candidate.apy, candidate.choice.horizon_days, candidate.choice.margin)
    columns = _in_workers(_returns_of, candidates, market, settings, workers)
    days = pd.date_range(settings.start, settings.end, freq="D")
    return pd.DataFrame(np.column_stack(columns), index=days, columns=[c.key for c in candidates])


def tuned_decisions(
    market: MarketDays, settings: BacktestSettings, policies: Sequence[Policy], workers: int
) -> dict[str, list[Decision]]:
    """The decisions of the portfolios that solve every day, each in a worker process."""
    solving = [policy for policy in policies if policy.rule == OPTIMIZER]
    for policy in solving:
        for _, choice in policy.schedule:
            market.apy(choice.apy or policy.apy, choice.horizon_days, choice.margin)
        market.apy(policy.apy, settings.config.horizon_days)
    decided = _in_workers(_decisions_of, solving, market, settings, workers)
    return {policy.name: decisions for policy, decisions in zip(solving, decided, strict=True)}


def choose(
    returns: pd.DataFrame, candidates: Sequence[Candidate], boundary: dt.date, train_days: int
) -> tuple[Candidate, float]:
    """The candidate whose NAV grew most over the ``train_days`` before ``boundary``.

    Ties go to the earliest candidate (the shipped choice first). Returns it and its trailing
    growth, annualized, percent.
    """
    window = returns.loc[
        pd.Timestamp(boundary - dt.timedelta(days=train_days)) : pd.Timestamp(
            boundary - dt.timedelta(days=1)
        ),
        [candidate.key for candidate in candidates],
    ]
    growth = np.log1p(window).sum().to_numpy()
    best = int(np.flatnonzero(growth >= growth.max() - 1e-12)[0])
    annualized = (np.exp(growth[best] * 365 / max(len(window), 1)) - 1) * 100
    return candidates[best], float(annualized)


@dataclass(frozen=True)
class WalkForward:
    """The tuned policies, the record of every step's choices and the solving portfolios'
    decisions (made in parallel; :func:`simulate` replays them)."""

    policies: tuple[Policy, ...]
    steps: list[dict[str, Any]]
    scored_from: dt.date
    decided: dict[str, list[Decision]]


def _chosen(candidate: Candidate, trailing: float) -> dict[str, Any]:
    return {
        "apy": candidate.apy,
        "horizon_days": candidate.choice.horizon_days,
        "margin": candidate.choice.margin,
        "min_edge_bp": candidate.choice.min_edge_bp,
        "trailing_net_apy": round(trailing, 4),
    }


def walk_forward(
    market: MarketDays, settings: BacktestSettings, wf: WalkForwardSettings
) -> WalkForward:
    """Simulate every candidate, choose at each boundary, decide the tuned portfolios' days."""
    grid = families(wf, settings.config.horizon_days)
    unique = list({c.key: c for family in grid.values() for c in family}.values())
    workers = wf.workers or min(2, os.cpu_count() or 1)
    boundaries = wf.boundaries(settings.start, settings.end)
    last_scored = boundaries[-1] - dt.timedelta(days=1) if boundaries else settings.start
    scoring = replace(
        settings,
        end=max(last_scored, settings.start),
        config=settings.config.model_copy(update={"apy_dilution": False}),
    )
    returns = candidate_returns(market, scoring, unique, workers)
    schedules: dict[str, list[tuple[dt.date, Choice]]] = {name: [] for name in grid}
    steps = []
    for index, boundary in enumerate(boundaries):
        until = (
            boundaries[index + 1] - dt.timedelta(days=1)
            if index + 1 < len(boundaries)
            else settings.end
        )
        chosen = {}
        for name, candidates in grid.items():
            best, trailing = choose(returns, candidates, boundary, wf.train_days)
            schedules[name].append((boundary, best.scheduled_choice()))
            chosen[name] = _chosen(best, trailing)
        steps.append(
            {
                "from": boundary.isoformat(),
                "to": until.isoformat(),
                "chosen": chosen[STRATEGY],
                "baselines_chosen": {k: v for k, v in chosen.items() if k != STRATEGY},
            }
        )
    policies = tuple(
        replace(policy, schedule=tuple(schedules[policy.name]))
        if policy.name in schedules
        else policy
        for policy in default_policies()
    )
    first = boundaries[0] if boundaries else settings.end
    decided = tuned_decisions(market, settings, policies, workers)
    return WalkForward(policies, steps, first, decided)
