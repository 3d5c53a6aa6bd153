"""What a backtest is asked to do: one object instead of a dozen positional arguments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from core.config import StrategyConfig
from python_models.backtest.simulator import Settings
from python_models.backtest.walk_forward import WalkForwardSettings


class RequestError(ValueError):
    """A backtest request that cannot run; the message names the bad option."""


@dataclass(frozen=True)
class BacktestRequest:
    """The range, the strategy, the treasury, where to write, and how to tune.

    ``replay``: the recorded raw data is loaded first (the command line does it), so the dbt
    build includes everything upstream. ``sweep``: ``KEY=V1,V2,…`` specifications, one full
    backtest per point. ``walk_forward``: None for a plain backtest.
    """

    start: dt.date
    end: dt.date
    config: StrategyConfig
    output: Path
    capital_usd: float = 1_000_000.0
    capital_token: str = "USDC"
    replay: bool = False
    sweep: tuple[str, ...] = ()
    walk_forward: WalkForwardSettings | None = None
    portfolios: tuple[str, ...] = field(default=())  # empty: every portfolio

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise RequestError(f"--end {self.end} is before --start {self.start}")
        if not self.capital_usd > 0:
            raise RequestError(
                f"--capital must be a positive number of USD, not {self.capital_usd}"
            )
        if not self.capital_token.strip():
            raise RequestError("--capital-token must name a token")

    def settings(self, config: StrategyConfig | None = None) -> Settings:
        """The simulator's settings, with ``config`` (a sweep point's) or the request's."""
        return Settings(
            self.start, self.end, config or self.config, self.capital_usd, self.capital_token
        )
