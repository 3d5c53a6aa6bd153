"""The one validated strategy configuration.

Every parameter of docs/product.md lives here with its unit and allowed range. A bad value is
refused before any step runs, with a message naming the parameter, the value and the range.
The same object feeds dbt (as vars), the optimizer, and the snapshot in ``optimization_runs``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.paths import CONFIG_DIR

DEFAULT_CONFIG_PATH = CONFIG_DIR / "strategy.yml"


def _pct(default: float, description: str, *aliases: str, le: float = 100) -> Any:
    return Field(
        default,
        ge=0,
        le=le,
        description=description,
        validation_alias=AliasChoices(*aliases) if aliases else None,
    )


class StrategyConfig(BaseModel):
    """Risk limits, filters, grouping thresholds and icebox rules (percent unless noted)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    position_max_pct_pool_tvl: float = _pct(
        5,
        "a position <= this % of the pool's forecast TVL",
        "position_max_pct_pool_tvl",
        "tvl_limit_percentage",
    )
    position_max_pct_total_assets: float = _pct(
        25,
        "a position <= this % of AUM",
        "position_max_pct_total_assets",
        "max_alloc_percentage",
    )
    group1_max_pct: float = _pct(100, "share of AUM allowed in group 1 (stable)")
    group2_max_pct: float = _pct(50, "share of AUM allowed in group 2")
    group3_max_pct: float = _pct(20, "share of AUM allowed in group 3")
    group_apy_haircut_pp: float = Field(
        0,
        ge=0,
        le=100,
        description="pp taken off the forecast APY per risk group above 1 (group 3: twice)",
    )
    protocol_max_pct: float = _pct(40, "share of AUM in pools of one protocol")
    chain_max_pct: float = _pct(100, "share of AUM in pools of one chain (100 = off)")
    token_max_pct: float = _pct(
        100, "share of AUM exposed to one underlying token, idle included (depeg; 100 = off)"
    )
    curator_max_pct: float = _pct(
        100, "share of AUM in the vaults of one curator (a bad market; 100 = off)"
    )
    exit_tvl_drop_pct: float | None = _pct(
        30,
        "a pool whose TVL fell more than this % in one day is exited and not entered (null = off)",
    )
    exit_utilization_pct: float | None = _pct(
        98, "a pool whose utilization reached this % is exited and not entered (null = off)"
    )
    position_max_pct_available_liquidity: float | None = _pct(
        25, "a position <= this % of the pool's withdrawable liquidity, where known (null = off)"
    )
    apy_dilution: bool = Field(True, description="a position earns the APY diluted by its size")
    min_pools: int = Field(5, ge=0, le=1000, description="at least this many held positions")
    min_position_usd: float = Field(1000, ge=0, le=1e12, description="smallest non-zero position")
    conversion_rate: float = Field(
        0.0004, ge=0, le=0.1, description="cost per USD converted between tokens (fraction)"
    )
    profit_optimization: bool = Field(True, description="weigh yield against gas and conversions")
    payback_days: int = Field(
        30,
        ge=1,
        le=3650,
        validation_alias=AliasChoices("payback_days", "horizon_days"),
        description="a move goes only when its expected gain repays its gas and conversions "
        "within this many days (alias horizon_days)",
    )
    holding_days: int = Field(
        1,
        ge=1,
        le=365,
        description="expected holding period: decisions are fed the forecast mean APY over it",
    )
    min_move_usd: float = Field(
        0, ge=0, le=1e12, description="a smaller deposit or withdrawal is not made unless forced"
    )
    pool_tvl_limit: float = Field(500_000, ge=0, le=1e13, description="minimum pool TVL (USD)")
    pool_apy_limit: float = Field(1.0, ge=-100, le=1000, description="minimum APY (%)")
    pool_apy_max: float = Field(50, ge=0, le=100_000, description="maximum sustainable APY (%)")
    token_marketcap_limit: float = Field(
        35_000_000, ge=0, le=1e14, description="minimum market cap of every pool token (USD)"
    )
    pool_pair_tvl_ratio_min: float = Field(
        0.3, ge=0, le=1, description="min smallest/largest reserve"
    )
    pool_pair_tvl_ratio_max: float = Field(
        1.0, ge=0, le=1, description="max smallest/largest reserve"
    )
    group1_apy_delta_max: float = Field(0.1, ge=0, le=1000, description="pp, group 1 daily delta")
    group1_7d_stddev_max: float = Field(0.3, ge=0, le=1000, description="pp, group 1 7-day stddev")
    group1_30d_stddev_max: float = Field(
        0.6, ge=0, le=1000, description="pp, group 1 30-day stddev"
    )
    group2_apy_delta_max: float = Field(0.5, ge=0, le=1000, description="pp, group 2 daily delta")
    group2_7d_stddev_max: float = Field(1.0, ge=0, le=1000, description="pp, group 2 7-day stddev")
    group2_30d_stddev_max: float = Field(
        2.0, ge=0, le=1000, description="pp, group 2 30-day stddev"
    )
    icebox_ohlc_l_pct: float = Field(
        2, gt=0, le=100, description="signal L drop below prior close (%)"
    )
    icebox_ohlc_l_days: int = Field(2, ge=1, le=365, description="signal L window (days)")
    icebox_ohlc_c_pct: float = Field(
        1, gt=0, le=100, description="signal C close-to-close drop (%)"
    )
    icebox_ohlc_c_days: int = Field(1, ge=1, le=365, description="signal C lag (days)")
    icebox_depeg_pct: float = Field(1, gt=0, le=100, description="stablecoin depeg threshold (%)")
    icebox_recovery_days: int = Field(3, ge=1, le=365, description="quiet days before leaving")

    @model_validator(mode="after")
    def _check_orderings(self) -> StrategyConfig:
        problems = []
        if self.pool_apy_limit > self.pool_apy_max:
            problems.append(
                f"pool_apy_limit ({self.pool_apy_limit}) must be <= pool_apy_max ({self.pool_apy_max})"
            )
        if self.pool_pair_tvl_ratio_min > self.pool_pair_tvl_ratio_max:
            problems.append(
                f"pool_pair_tvl_ratio_min ({self.pool_pair_tvl_ratio_min}) must be <= "
                f"pool_pair_tvl_ratio_max ({self.pool_pair_tvl_ratio_max})"
            )
        for metric in ("apy_delta", "7d_stddev", "30d_stddev"):
            g1, g2 = getattr(self, f"group1_{metric}_max"), getattr(self, f"group2_{metric}_max")
            if g1 > g2:
                problems.append(f"group1_{metric}_max ({g1}) must be <= group2_{metric}_max ({g2})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def group3_apy_delta_min(self) -> float:
        """Group 3's documented lower edge: the group 2 maximum."""
        return self.group2_apy_delta_max

    @property
    def group3_7d_stddev_min(self) -> float:
        return self.group2_7d_stddev_max

    @property
    def group3_30d_stddev_min(self) -> float:
        return self.group2_30d_stddev_max

    def snapshot(self) -> dict[str, Any]:
        """Every parameter by its canonical name, for run records."""
        return self.model_dump(mode="json")

    def dbt_vars(self) -> dict[str, Any]:
        """The thresholds dbt models read with ``var()``."""
        return {
            **self.snapshot(),
            "group3_apy_delta_min": self.group3_apy_delta_min,
            "group3_7d_stddev_min": self.group3_7d_stddev_min,
            "group3_30d_stddev_min": self.group3_30d_stddev_min,
        }


class ConfigError(ValueError):
    """A configuration value outside its allowed range, explained for a human."""


def describe_validation_error(error: ValidationError) -> str:
    """Turn pydantic's report into 'parameter=value: problem (allowed range)' lines."""
    lines = []
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "configuration"
        field = StrategyConfig.model_fields.get(name)
        allowed = ""
        if field is not None:
            bounds = [
                f"{key} {getattr(meta, key)}"
                for meta in field.metadata
                for key in ("ge", "gt", "le", "lt")
                if getattr(meta, key, None) is not None
            ]
            if bounds:
                allowed = f" (allowed: {', '.join(bounds)})"
        value = item.get("input")
        shown = f"={value!r}" if name != "configuration" and not isinstance(value, dict) else ""
        lines.append(f"{name}{shown}: {item['msg']}{allowed}")
    return "invalid strategy configuration: " + "; ".join(lines)


def parse_config(values: dict[str, Any]) -> StrategyConfig:
    """Validate a mapping of parameters; raise :class:`ConfigError` with a readable message."""
    try:
        return StrategyConfig.model_validate(values)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error)) from None


def load_config(path: Path | None = None) -> StrategyConfig:
    """Read and validate the strategy file (``config/strategy.yml`` by default)."""
    path = path or DEFAULT_CONFIG_PATH
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"configuration file {path} is not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"configuration file {path} must hold a mapping of parameters")
    return parse_config(raw.get("parameters", raw))


def default_dbt_vars(path: Path | None = None) -> dict[str, Any]:
    """The strategy thresholds dbt reads, from the validated strategy file
    (``config/strategy.yml`` by default): the vars of the dbt invocations outside the daily
    flow (``yieldopt dbt``, ``yieldopt sqlfluff``, the benches). dbt_project.yml does not
    define them, so the configuration is their one source."""
    return load_config(path).dbt_vars()
