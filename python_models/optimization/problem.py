"""The optimizer's input: pools, holdings and strategy parameters, validated before any solve.

A problem file is refused as a whole, with every bad field named (``pools[3].tvl_usd=-5: …``),
so a typo never turns into a silently different allocation. Parameters follow
``core.config.parse_config`` exactly: the names and aliases of ``config/strategy.yml``,
their ranges, and unknown names refused. Token symbols are normalized like the dbt macro
``normalize_token_symbol`` (trimmed, upper case) and matched exactly.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    model_validator,
)

from core.config import ConfigError, StrategyConfig, parse_config


class ProblemError(ValueError):
    """A problem file that cannot be solved as written; the message names each bad field."""


def _normalize_symbol(symbol: str) -> str:
    normalized = symbol.strip().upper()
    if not normalized:
        raise ValueError("token symbol must not be empty")
    return normalized


TokenSymbol = Annotated[str, AfterValidator(_normalize_symbol)]
Usd = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Pct = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1)]

# The realism parameters a problem file may leave out: absent means off, so a file written
# before they existed keeps its meaning (the strategy file's defaults turn them on instead).
OFF_WHEN_ABSENT: dict[str, Any] = {
    "protocol_max_pct": 100,
    "chain_max_pct": 100,
    "curator_max_pct": 100,
    "token_max_pct": 100,
    "position_max_pct_available_liquidity": None,
    "apy_dilution": False,
}


class Pool(BaseModel):
    """One candidate pool: forecast APY (% a year) and TVL, risk group, tokens, gas per touch."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pool_id: Annotated[str, Field(min_length=1)]
    apy: Annotated[float, Field(ge=-100, le=100_000, allow_inf_nan=False)]
    tvl_usd: Usd
    group: Annotated[int, Field(ge=1, le=3)] | None = None
    tokens: Annotated[list[TokenSymbol], Field(min_length=1)]
    gas_usd: Usd = 0.0
    eligible: StrictBool = True
    # The protocol family (aave-v2 and aave-v3 are one: one exploit or governance failure
    # hits both), the unit of protocol_max_pct; the curator of a curated vault; the chain.
    protocol: Name | None = None
    curator: Name | None = None
    chain: Name | None = None
    # Withdrawable liquidity (supply − borrows); None: unknown, the TVL cap alone applies.
    available_liquidity_usd: Usd | None = None

    @model_validator(mode="after")
    def _check(self) -> Pool:
        if len(set(self.tokens)) != len(self.tokens):
            raise ValueError(f"tokens {self.tokens} repeat a symbol")
        if self.eligible and self.group is None:
            raise ValueError("an eligible pool needs a group (1, 2 or 3)")
        return self


class Holdings(BaseModel):
    """What the treasury holds now: USD per pool position and USD per idle token."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    current_allocations: dict[str, Usd] = Field(default_factory=dict)
    liquidity_portfolio: dict[TokenSymbol, Usd] = Field(default_factory=dict)

    @property
    def aum_usd(self) -> float:
        """Assets under management: every position plus every idle token."""
        return math.fsum(self.current_allocations.values()) + math.fsum(
            self.liquidity_portfolio.values()
        )


class Problem(BaseModel):
    """A complete optimization problem; build it with :func:`parse_problem`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parameters: StrategyConfig
    pools: list[Pool]
    holdings: Holdings = Field(default_factory=Holdings)
    # Analysts' tighter caps for one protocol family / curator / chain / token, % of AUM (the
    # lower of it and the parameter applies).
    protocol_caps: dict[Name, Pct] = Field(default_factory=dict)
    curator_caps: dict[Name, Pct] = Field(default_factory=dict)
    chain_caps: dict[Name, Pct] = Field(default_factory=dict)
    token_caps: dict[TokenSymbol, Pct] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_ids(self) -> Problem:
        counts = Counter(pool.pool_id for pool in self.pools)
        repeated = sorted(pool_id for pool_id, count in counts.items() if count > 1)
        if repeated:
            raise ValueError(f"pools: pool_id repeated: {', '.join(repeated)}")
        unknown = sorted(set(self.holdings.current_allocations) - set(counts))
        if unknown:
            raise ValueError(
                f"holdings.current_allocations: pool ids not in pools: {', '.join(unknown)}"
            )
        return self

    @property
    def aum_usd(self) -> float:
        return self.holdings.aum_usd

    @cached_property
    def tokens(self) -> list[str]:
        """Every token a pool needs or the wallet holds, in a stable order."""
        symbols = {token for pool in self.pools for token in pool.tokens}
        return sorted(symbols | set(self.holdings.liquidity_portfolio))

    def current(self, pool_id: str) -> float:
        return self.holdings.current_allocations.get(pool_id, 0.0)


def _location(loc: tuple[Any, ...], raw: Any) -> str:
    """``('pools', 3, 'tvl_usd')`` → ``pools[3] (pool_id 'x').tvl_usd`` for a human."""
    text = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and "pool_id" in node:
                text += f" (pool_id {node['pool_id']!r})"
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text or "problem"


def _describe(error: ValidationError, raw: Any) -> str:
    lines = []
    for item in error.errors():
        where = _location(tuple(item["loc"]), raw)
        value = item.get("input")
        shown = "" if isinstance(value, dict | list) else f"={value!r}"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{where}{shown}: {message}")
    return "; ".join(lines)


def parse_problem(raw: Any) -> Problem:
    """Validate a decoded problem; raise :class:`ProblemError` naming every bad field."""
    if not isinstance(raw, dict):
        raise ProblemError("problem must be a JSON object with parameters, pools and holdings")
    missing = [key for key in ("parameters", "pools") if key not in raw]
    if missing:
        raise ProblemError(f"problem: missing field(s) {', '.join(missing)}")
    parameters = raw["parameters"]
    if not isinstance(parameters, dict):
        raise ProblemError("parameters: must be an object of strategy parameters")
    try:
        config = parse_config({**OFF_WHEN_ABSENT, **parameters})
    except ConfigError as error:
        raise ProblemError(
            "parameters: " + str(error).removeprefix("invalid strategy configuration: ")
        ) from None
    try:
        return Problem.model_validate({**raw, "parameters": config})
    except ValidationError as error:
        raise ProblemError(_describe(error, raw)) from None


def load_problem(path: Path) -> Problem:
    """Read and validate a problem file (``yieldopt optimize --input``)."""
    try:
        text = path.read_text()
    except OSError as error:
        raise ProblemError(f"{path}: cannot read: {error.strerror}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProblemError(
            f"{path}: not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    return parse_problem(raw)
