"""Walk-forward: every tuned choice re-chosen each step from the trailing window only.

Each candidate choice (a combination of the grid's parameter values, e.g. ``horizon_days``)
is simulated over the range as a portfolio of its own, from the same capital. At each step
boundary t (every ``step_days`` from ``start + train_days``) a tuned portfolio takes the
candidate whose NAV grew most over the ``train_days`` before t, and trades with it, from its
own holdings, until the next boundary: a choice is only ever scored on days before the ones
it trades. The days before the first boundary are warm-up (the shipped choice, not scored).

Two portfolios are tuned this way, by the same rule, over the same grid: the strategy (the
shipped forecast) and ``optimizer_persistence``. The other portfolios have nothing to tune.

Speed: a candidate is only scored, never reported, so candidates are simulated with the
optimizer's linear yield (``apy_dilution`` off: one MILP a day instead of a MILP and its
dilution rounds) and only up to the last boundary; the tuned portfolios trade with the
configuration as shipped. Candidates, then the portfolios that solve every day, run in
``workers`` spawned processes; the others are replayed in the main process.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from python_models.backtest.market import MarketDays
from python_models.backtest.portfolios import OPTIMIZER_PERSISTENCE, STRATEGY_NAME
from python_models.backtest.simulator import Settings, decisions_of, simulate
from python_models.decision.policies import (
    FORECAST,
    PERSISTENCE,
    Decision,
    Optimizer,
    Policy,
)

DEFAULT_GRID: dict[str, tuple[Any, ...]] = {"payback_days": (1, 2, 3, 5, 7, 14)}
# The portfolio tuned over the grid and the APY view its candidates are fed.
TUNED = {STRATEGY_NAME: FORECAST, OPTIMIZER_PERSISTENCE: PERSISTENCE}


@dataclass(frozen=True)
class WalkForwardSettings:
    """Step and trailing window (days), the grid of choices (parameter → values)."""

    step_days: int = 30
    train_days: int = 60
    grid: Mapping[str, tuple[Any, ...]] = field(default_factory=lambda: dict(DEFAULT_GRID))
    workers: int | None = None

    def boundaries(self, start: dt.date, end: dt.date) -> list[dt.date]:
        first = start + dt.timedelta(days=self.train_days)
        return [
            first + dt.timedelta(days=k * self.step_days)
            for k in range(((end - first).days // self.step_days) + 1)
            if first + dt.timedelta(days=k * self.step_days) <= end
        ]

    def choices(self, shipped: Mapping[str, Any]) -> list[tuple[tuple[str, Any], ...]]:
        """Every combination of the grid, the shipped one first (it wins ties)."""
        combos = [
            tuple(zip(self.grid, values, strict=True))
            for values in itertools.product(*self.grid.values())
        ]
        return sorted(combos, key=lambda combo: any(shipped.get(k) != v for k, v in combo))


@dataclass(frozen=True)
class Candidate:
    """One grid point fed one APY view, as a portfolio of its own."""

    view: str
    choice: tuple[tuple[str, Any], ...]

    @property
    def key(self) -> str:
        return f"{self.view} " + " ".join(f"{k}={v}" for k, v in self.choice)

    def policy(self) -> Policy:
        return Optimizer(self.key, self.view, schedule=((dt.date.min, None, self.choice),))


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


def _share(market: MarketDays, settings: Settings) -> None:
    """Worker start: keep the market and the settings for every task."""
    _SHARED.update(market=market, settings=settings)


def in_workers(
    function: Callable, items: Sequence, market: MarketDays, settings: Settings, workers: int
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


def prepare_panels(market: MarketDays, policies: Sequence[Policy], config: Any) -> None:
    """Build every APY panel the policies will ask for, so workers receive them ready."""
    for policy in policies:
        for _, view, choice in policy.schedule or ((None, None, ()),):
            horizon = dict(choice).get("holding_days", config.holding_days)
            market.apy(view or policy.view, horizon)


def candidate_returns(
    market: MarketDays, settings: Settings, candidates: Sequence[Candidate], workers: int
) -> pd.DataFrame:
    """Days x candidates: each candidate's daily net return, simulated in worker processes."""
    prepare_panels(market, [c.policy() for c in candidates], settings.config)
    columns = in_workers(_returns_of, candidates, market, settings, workers)
    days = pd.date_range(settings.start, settings.end, freq="D")
    return pd.DataFrame(np.column_stack(columns), index=days, columns=[c.key for c in candidates])


def solving_decisions(
    market: MarketDays, settings: Settings, policies: Sequence[Policy], workers: int
) -> dict[str, list[Decision]]:
    """The decisions of every portfolio bound by the rules, each in a worker process (the
    optimizers solve every day; the other baselines solve or evaluate too)."""
    solving = [policy for policy in policies if policy.bound_by_rules]
    prepare_panels(market, solving, settings.config)
    # the slowest first, so the two workers finish together
    solving.sort(key=lambda policy: not isinstance(policy, Optimizer))
    decided = in_workers(_decisions_of, solving, market, settings, workers)
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
        "view": candidate.view,
        "choice": dict(candidate.choice),
        "trailing_net_apy": round(trailing, 4),
    }


def walk_forward(
    market: MarketDays, settings: Settings, wf: WalkForwardSettings, portfolios: Sequence[Policy]
) -> WalkForward:
    """Simulate every candidate, choose at each boundary, decide the tuned portfolios' days."""
    shipped = settings.config.snapshot()
    names = {policy.name for policy in portfolios}
    grid = {
        name: [Candidate(view, choice) for choice in wf.choices(shipped)]
        for name, view in TUNED.items()
        if name in names
    }
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
    schedules: dict[str, list[tuple[dt.date, str | None, tuple[tuple[str, Any], ...]]]] = {
        name: [] for name in grid
    }
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
            schedules[name].append((boundary, best.view, best.choice))
            chosen[name] = _chosen(best, trailing)
        steps.append(
            {
                "from": boundary.isoformat(),
                "to": until.isoformat(),
                "chosen": chosen.get(STRATEGY_NAME, {}),
                "baselines_chosen": {k: v for k, v in chosen.items() if k != STRATEGY_NAME},
            }
        )
    policies = tuple(
        replace(policy, schedule=tuple(schedules[policy.name]))
        if policy.name in schedules
        else policy
        for policy in portfolios
    )
    first = boundaries[0] if boundaries else settings.end
    decided = solving_decisions(market, settings, policies, workers)
    return WalkForward(policies, steps, first, decided)
