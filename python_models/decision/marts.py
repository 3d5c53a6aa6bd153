"""The marts a decision reads, for one decision date (the daily run) or a range (the backtest).

Python reads marts only, and both callers read them with these functions, so a column means
the same thing to both: ``marts.pool_eligibility_by_day`` (each pool as judged on a decision
date, with what the decision needs of it: group, tokens, family, curator, chain, gas basis,
liquidity, the actual APY and TVL of the day before), ``marts.exposure_caps_in_force`` (the
analysts' tighter caps in force on each date) and ``marts.token_prices_daily`` (the ETH close
that prices gas). The frames come back in the vocabulary of :mod:`.market`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from psycopg2.extensions import connection

from python_models.decision.market import CAP_DIMENSIONS

# mart column → market column (decision_date and pool_id are the keys)
POOL_DAY_COLUMNS = {
    "eligibility_date": "decision_date",
    "pool_id": "pool_id",
    "is_eligible": "eligible",
    "group_id": "group_id",
    "tokens": "tokens",
    "family": "protocol",
    "curator": "curator",
    "chain": "chain",
    "apy_pct": "apy_last",
    "tvl_usd": "tvl_last",
    "supply_per_tvl": "supply_per_tvl",
    "available_liquidity_usd": "available_liquidity_usd",
    "deposit_gas_units": "deposit_gas_units",
    "tx_fee_usd": "tx_fee_usd",
    "project": "project",
    "symbol": "symbol",
    "category": "category",
    "is_usd_stablecoin_pool": "usd_stablecoin",
    "is_eligible_by_symbol": "eligible_by_symbol",
}
NUMERIC = (
    "group_id",
    "apy_last",
    "tvl_last",
    "supply_per_tvl",
    "available_liquidity_usd",
    "deposit_gas_units",
    "tx_fee_usd",
)


def frame(conn: connection, query: str, params: dict) -> pd.DataFrame:
    """A query's rows as a frame with the cursor's column names."""
    with conn.cursor() as cur:
        cur.execute(query, params)
        columns = [column.name for column in cur.description]
        return pd.DataFrame(cur.fetchall(), columns=columns)


def read_pool_days(
    conn: connection, first: dt.date, last: dt.date, pool_ids: list[str] | None = None
) -> pd.DataFrame:
    """Every pool's row of each decision date ``first`` … ``last`` (``pool_ids``: only those)."""
    rows = frame(
        conn,
        f"""
        select {", ".join(POOL_DAY_COLUMNS)}
        from marts.pool_eligibility_by_day
        where eligibility_date between %(first)s and %(last)s
          and (%(all)s or pool_id = any(%(pools)s))
        order by eligibility_date, pool_id
        """,
        {"first": first, "last": last, "all": pool_ids is None, "pools": pool_ids or []},
    ).rename(columns=POOL_DAY_COLUMNS)
    rows["decision_date"] = pd.to_datetime(rows["decision_date"])
    for column in NUMERIC:
        rows[column] = pd.to_numeric(rows[column], errors="coerce").astype(float)
    for column in ("eligible", "usd_stablecoin", "eligible_by_symbol"):
        rows[column] = rows[column].fillna(False).astype(bool)
    rows["tokens"] = rows["tokens"].map(lambda tokens: list(tokens or []))
    return rows


def read_caps(conn: connection, first: dt.date, last: dt.date) -> pd.DataFrame:
    """The analysts' tighter caps in force on each decision date (% of AUM per name)."""
    caps = frame(
        conn,
        """
        select in_force_date as decision_date, dimension, name, max_pct
        from marts.exposure_caps_in_force
        where in_force_date between %(first)s and %(last)s
        order by in_force_date, dimension, name
        """,
        {"first": first, "last": last},
    )
    caps["decision_date"] = pd.to_datetime(caps["decision_date"])
    caps["max_pct"] = caps["max_pct"].astype(float)
    # the seed caps a protocol family; the optimizer's name for that unit is "protocol"
    caps["dimension"] = caps["dimension"].replace({"family": "protocol"})
    return caps


def caps_on(caps: pd.DataFrame, day: dt.date) -> dict[str, dict[str, float]]:
    """The caps of one decision date, by dimension (every dimension present, maybe empty)."""
    rows = caps[caps["decision_date"] == pd.Timestamp(day)]
    return {
        dimension: {
            str(name): float(pct)
            for name, pct in zip(
                rows.loc[rows["dimension"] == dimension, "name"],
                rows.loc[rows["dimension"] == dimension, "max_pct"],
                strict=True,
            )
        }
        for dimension in CAP_DIMENSIONS
    }


def read_eth_closes(conn: connection, first: dt.date, last: dt.date) -> pd.Series:
    """ETH's daily close (USD) by price date: a decision of D prices gas with the close of
    D − 1, the last one known at 02:30 UTC on D."""
    prices = frame(
        conn,
        """
        select price_date, close_usd
        from marts.token_prices_daily
        where upper(token_symbol) = 'ETH' and price_date between %(first)s and %(last)s
          and close_usd is not null
        order by price_date
        """,
        {"first": first, "last": last},
    )
    return pd.Series(
        prices["close_usd"].to_numpy(dtype=float),
        index=pd.to_datetime(prices["price_date"]),
        name="eth_price_usd",
    )


def eth_close_before(closes: pd.Series, day: dt.date) -> float | None:
    """The latest ETH close dated before ``day`` (None when there is none within a week)."""
    known = closes[closes.index < pd.Timestamp(day)]
    if known.empty or (pd.Timestamp(day) - known.index[-1]).days > 7:
        return None
    return float(known.iloc[-1])
