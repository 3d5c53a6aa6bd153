"""Stress replay: the real USDC depeg of March 2023 applied to a portfolio's tokens.

The recorded pool histories start in 2024, after the depeg, so the replay takes a portfolio's
token mix (its positions on the last scored day, each pool's USD split equally over its
tokens, idle capital in the capital token) and marks it to market on the real daily prices
of USDC, DAI and USDT from 2023-02-20 to 2023-04-10 (``recordings/stress/``), two ways:

- **hold**: nothing moves; the NAV follows the prices (the paper loss, and its recovery);
- **icebox**: the icebox rules of ``int_icebox_signals_evaluated`` with the configured
  parameters (signal L: the lowest low of the last ``icebox_ohlc_l_days`` days more than
  ``icebox_ohlc_l_pct`` % below the close before them; signal C: the close more than
  ``icebox_ohlc_c_pct`` % below the close ``icebox_ohlc_c_days`` days earlier; depeg: the
  close more than ``icebox_depeg_pct`` % off its 1 USD peg) flag a token at the close of D;
  the decision of D + 1 leaves it: its USD is converted, at D + 1's open price and paying
  ``conversion_rate``, into the largest unflagged token of the mix (USDT when there is none),
  held there to the end. Yield is left out (a month at 5 % is 0.4 %): this measures price.

The loss is the worst NAV fall below the starting value, in bp, and the NAV at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.config import StrategyConfig
from core.paths import RECORDINGS_DIR

PRICES_PATH = RECORDINGS_DIR / "stress" / "usdc_depeg_2023.csv"
PEG_USD = 1.0
FALLBACK_TOKEN = "USDT"
PRICE_DAYS = (dt.date(2023, 2, 20), dt.date(2023, 4, 10))


def load_prices() -> pd.DataFrame:
    """Daily open, low and close per symbol (columns: MultiIndex field x symbol)."""
    frame = pd.read_csv(PRICES_PATH, parse_dates=["date"])
    return frame.pivot(index="date", columns="symbol", values=["open", "low", "close"])


def icebox_flags(prices: pd.DataFrame, config: StrategyConfig) -> pd.DataFrame:
    """Days x symbols: a signal at the day's close (the dbt rule's three signals)."""
    low, close = prices["low"], prices["close"]
    l_days, c_days = config.icebox_ohlc_l_days, config.icebox_ohlc_c_days
    window_low = low.rolling(l_days, min_periods=l_days).min()
    l_drop = 100 * (close.shift(l_days) - window_low) / close.shift(l_days)
    c_drop = 100 * (close.shift(c_days) - close) / close.shift(c_days)
    depeg = 100 * (close - PEG_USD).abs() / PEG_USD
    return (
        (l_drop > config.icebox_ohlc_l_pct)
        | (c_drop > config.icebox_ohlc_c_pct)
        | (depeg > config.icebox_depeg_pct)
    )


@dataclass(frozen=True)
class StressResult:
    """The two NAV paths and what the icebox did."""

    hold: pd.Series
    icebox: pd.Series
    events: list[str]

    def figures(self, start_usd: float) -> dict[str, Any]:
        def worst_bp(path: pd.Series) -> float:
            return round(float((path.min() / start_usd - 1) * 1e4), 2)

        return {
            "hold_worst_bp": worst_bp(self.hold),
            "hold_end_bp": round(float((self.hold.iloc[-1] / start_usd - 1) * 1e4), 2),
            "icebox_worst_bp": worst_bp(self.icebox),
            "icebox_end_bp": round(float((self.icebox.iloc[-1] / start_usd - 1) * 1e4), 2),
            "events": self.events,
        }


def replay(
    tokens_usd: Mapping[str, float], config: StrategyConfig, prices: pd.DataFrame
) -> StressResult:
    """Mark ``tokens_usd`` (USD at peg per symbol) to market, held and with the icebox."""
    known = [token for token in tokens_usd if token in prices["close"].columns]
    units = {token: tokens_usd[token] / PEG_USD for token in known}
    other = sum(usd for token, usd in tokens_usd.items() if token not in known)
    close, opening = prices["close"], prices["open"]
    hold = close[known].mul(pd.Series(units)).sum(axis=1) + other
    flags = icebox_flags(prices, config)
    held = dict(units)
    events: list[str] = []
    path = []
    days = list(close.index)
    for index, day in enumerate(days):
        flagged_yesterday = flags.loc[days[index - 1]] if index else flags.loc[day] & False
        leaving = [
            token for token in held if held[token] > 0 and flagged_yesterday.get(token, False)
        ]
        if leaving:
            safe = [t for t in held if not flagged_yesterday.get(t, False) and held[t] > 0]
            target = max(safe, key=lambda t: held[t]) if safe else FALLBACK_TOKEN
            for token in leaving:
                usd = held.pop(token) * opening.at[day, token]
                bought = usd / (1 + config.conversion_rate) / opening.at[day, target]
                held[target] = held.get(target, 0.0) + bought
                events.append(
                    f"{day.date()}: {token} iceboxed at the close of {days[index - 1].date()}; "
                    f"{usd:,.0f} USD sold at {opening.at[day, token]:.4f} into {target}"
                )
        path.append(sum(held[t] * close.at[day, t] for t in held if t in close.columns) + other)
    return StressResult(hold, pd.Series(path, index=close.index), events)


def tokens_of(
    holdings: pd.DataFrame, descriptions: pd.DataFrame, idle_usd: float, idle_token: str
) -> dict[str, float]:
    """USD per token of one day's positions (split equally over a pool's tokens) and idle."""
    mix: dict[str, float] = {idle_token: idle_usd} if idle_usd > 0 else {}
    for row in holdings.itertuples(index=False):
        tokens = list(descriptions.at[row.pool_id, "tokens"])
        for token in tokens:
            mix[token] = mix.get(token, 0.0) + row.allocation_usd / len(tokens)
    return mix


def stress_section(results: Mapping[str, dict[str, Any]], first: dt.date, last: dt.date) -> str:
    """The report's stress section in Markdown (one row per portfolio, then the events)."""
    rows = "\n".join(
        f"| {name} | {r['usdc_share']:.1f} | {r['hold_worst_bp']:+.1f} | {r['hold_end_bp']:+.1f} | "
        f"{r['icebox_worst_bp']:+.1f} | {r['icebox_end_bp']:+.1f} |"
        for name, r in results.items()
    )
    events = next(iter(results.values()))["events"] if results else []
    return (
        f"## Stress: the USDC depeg of March 2023 ({first} → {last}), marked to market\n\n"
        "Each portfolio's token mix on the last scored day, on the real daily prices of "
        "2023-02-20 → 2023-04-10 (price only, no yield).\n\n"
        "| portfolio | USDC % | hold: worst bp | hold: end bp | icebox: worst bp | "
        "icebox: end bp |\n|---|---:|---:|---:|---:|---:|\n"
        f"{rows}\n\nWhat the icebox did (strategy): "
        + ("; ".join(events) if events else "nothing")
        + "."
    )


def stress_portfolios(
    days: pd.DataFrame,
    holdings: pd.DataFrame,
    descriptions: pd.DataFrame,
    config: StrategyConfig,
    capital_token: str,
) -> dict[str, dict[str, Any]]:
    """The replay of every portfolio's token mix on its last day in ``days``."""
    prices = load_prices()
    out = {}
    for name, rows in days.groupby("portfolio", sort=False):
        last = rows.sort_values("trade_date").iloc[-1]
        held = holdings[
            (holdings["portfolio"] == name) & (holdings["trade_date"] == last["trade_date"])
        ]
        mix = tokens_of(held, descriptions, float(last["idle_usd"]), capital_token.upper())
        total = sum(mix.values())
        result = replay(mix, config, prices)
        out[str(name)] = {
            "usdc_share": mix.get("USDC", 0.0) / total * 100 if total else 0.0,
            **result.figures(total),
        }
    return out
