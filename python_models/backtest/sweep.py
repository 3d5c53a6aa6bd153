"""``--sweep KEY=V1,V2,…``: a small grid over one or two strategy parameters.

Each point is a full backtest with the parameter(s) changed, written to its own folder
(``key=value[_key=value]``) and its own run row. Parameters the optimizer reads take effect
at once; the others (filters, group thresholds) rebuild the by-day models for the point.
Icebox parameters are refused: they shape ``icebox_tokens``, a mart the backtest reads as
built and does not rebuild.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from core.config import ConfigError, StrategyConfig, parse_config
from python_models.backtest.outputs import TABLE_HEADINGS, markdown
from python_models.backtest.portfolios import RULE_OBEYING
from python_models.backtest.portfolios import STRATEGY_NAME as STRATEGY

MAX_KEYS = 2
# The strategy's figures a sweep tabulates (summary.json keys).
SWEEP_KEYS = ("net_apy", "gross_apy", "max_drawdown", "gas_usd", "conversion_usd", "turnover")
# Read by python_models/optimization only: changing them needs no dbt rebuild.
OPTIMIZER_KEYS = frozenset(
    {
        "position_max_pct_pool_tvl",
        "position_max_pct_total_assets",
        "group1_max_pct",
        "group2_max_pct",
        "group3_max_pct",
        "min_pools",
        "min_position_usd",
        "conversion_rate",
        "profit_optimization",
        "payback_days",
        "holding_days",
        "min_move_usd",
        "protocol_max_pct",
        "curator_max_pct",
        "chain_max_pct",
        "token_max_pct",
        "position_max_pct_available_liquidity",
        "apy_dilution",
    }
)


class SweepError(ValueError):
    """A sweep specification that cannot be run; the message says why."""


def _key(name: str, option: str = "--sweep") -> str:
    """The canonical parameter name for a name or an alias."""
    for field_name, field in StrategyConfig.model_fields.items():
        aliases = getattr(field.validation_alias, "choices", None) or []
        if name == field_name or name in aliases:
            return field_name
    raise SweepError(f"{option} {name}: not a strategy parameter")


def parse_axes(
    specs: Sequence[str], config: StrategyConfig, option: str = "--sweep"
) -> dict[str, tuple[Any, ...]]:
    """``KEY=V1,V2,…`` specifications as parameter → values, every value validated like the
    config file (``option`` names the command-line option in the messages)."""
    axes: dict[str, tuple[Any, ...]] = {}
    for spec in specs:
        name, separator, values = spec.partition("=")
        if not separator or not values.strip():
            raise SweepError(f"{option} {spec!r}: expected KEY=V1,V2,…")
        key = _key(name.strip(), option)
        if key.startswith("icebox_"):
            raise SweepError(
                f"{option} {key}: icebox parameters shape the icebox_tokens mart, which a "
                "backtest reads as built; run the daily models with the value instead"
            )
        if key in axes:
            raise SweepError(f"{option} {key} is given twice")
        parsed = []
        for raw in values.split(","):
            try:
                parsed.append(getattr(parse_config({**config.snapshot(), key: raw.strip()}), key))
            except ConfigError as error:
                raise SweepError(f"{option} {spec!r}: {error}") from None
        axes[key] = tuple(parsed)
    return axes


def parse_sweep(specs: Sequence[str], config: StrategyConfig) -> list[dict[str, Any]]:
    """The grid's points (parameter → value), every value validated like the config file."""
    if len(specs) > MAX_KEYS:
        raise SweepError(f"--sweep takes one or two parameters, got {len(specs)}")
    axes = parse_axes(specs, config)
    return [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]


def point_config(config: StrategyConfig, point: dict[str, Any]) -> StrategyConfig:
    """The configuration of one grid point."""
    return parse_config({**config.snapshot(), **point})


def needs_rebuild(built: StrategyConfig | None, config: StrategyConfig) -> bool:
    """True when a parameter the by-day dbt models read differs from the last build's."""
    if built is None:
        return True
    return any(
        getattr(built, key) != getattr(config, key)
        for key in StrategyConfig.model_fields
        if key not in OPTIMIZER_KEYS
    )


def point_folder(output: Path, point: dict[str, Any]) -> Path:
    """``output/key=value_key=value`` for a grid point."""
    return output / "_".join(f"{key}={value}" for key, value in point.items())


def sweep_table(
    points: Sequence[dict[str, Any]], summaries: Sequence[dict[str, Any]]
) -> pd.DataFrame:
    """One row per point: its values, the strategy's figures, the best rule-obeying baseline's
    net APY."""
    rows = []
    for point, document in zip(points, summaries, strict=True):
        baselines = document["baselines"]
        best = max(RULE_OBEYING, key=lambda name: baselines[name]["net_apy"])
        rows.append(
            {
                **point,
                **{f"{STRATEGY}_{key}": document[STRATEGY][key] for key in SWEEP_KEYS},
                "best_baseline": best,
                "best_baseline_net_apy": baselines[best]["net_apy"],
                "strategy_minus_best_pp": document[STRATEGY]["net_apy"]
                - baselines[best]["net_apy"],
            }
        )
    return pd.DataFrame(rows)


def shown_sweep(table: pd.DataFrame) -> pd.DataFrame:
    """The sweep table for people: one labelled row per point, the report's headings."""
    keys = list(table.columns[: table.columns.get_loc(f"{STRATEGY}_net_apy")])
    labels = table[keys].apply(lambda row: ", ".join(f"{k}={v}" for k, v in row.items()), axis=1)
    shown = table.drop(columns=keys).set_axis(labels.rename("point"))
    return shown.rename(
        columns={
            **{f"{STRATEGY}_{key}": heading for key, heading in TABLE_HEADINGS.items()},
            "best_baseline": "best baseline",
            "best_baseline_net_apy": "its net APY %",
            "strategy_minus_best_pp": "strategy − best (pp)",
        }
    )


def write_sweep(output: Path, table: pd.DataFrame) -> None:
    """``sweep.csv`` (raw figures) and ``sweep.md`` (:func:`shown_sweep`) in ``output``."""
    output.mkdir(parents=True, exist_ok=True)
    table.to_csv(output / "sweep.csv", index=False)
    (output / "sweep.md").write_text(
        "# Sweep: the strategy per point\n\n" + markdown(shown_sweep(table)) + "\n"
    )
