"""Gas recordings: Etherscan's real daily average and EthGasTracker hours shaped around it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from replay.builder.common import END, days, rng_for
from replay.builder.price_sources import read_etherscan_chart
from replay.builder.wallet import BLOCKS_PER_DAY
from replay.envelopes import etherscan, ethgastracker

GAS_HOURLY_START = dt.date(2024, 6, 1)


def daily_gas_price(data: Path) -> pd.Series:
    """Etherscan's real daily average gas price (wei), 2015-07-30 to END."""
    path = data / "gas" / "etherscan_charts_cagatayozbek" / "export-AvgGasPrice.csv"
    return read_etherscan_chart(path, "Value (Wei)").loc[: pd.Timestamp(END)]


def etherscan_daily_avg_gas_price(gas_wei: pd.Series) -> dict[str, Any]:
    """stats/dailyavggasprice: every real day, ascending, all values as strings."""
    rows = [
        {
            "UTCDate": day.strftime("%Y-%m-%d"),
            "unixTimeStamp": str(int(day.timestamp())),
            "avgGasPrice_Wei": str(int(value)),
        }
        for day, value in gas_wei.items()
    ]
    return etherscan.ok(rows)


def intraday_shape(hours: np.ndarray, weekend: bool) -> np.ndarray:
    """Gas is dearest in the US/EU overlap (~15:00 UTC), cheapest ~03:00 UTC; flatter weekends."""
    amplitude = 0.15 if weekend else 0.3
    return 1 + amplitude * np.sin(2 * np.pi * (hours - 9) / 24)


def gas_hourly(data: Path, gas_wei: pd.Series, eth_close: pd.Series) -> dict[str, Any]:
    """EthGasTracker /api/gas/average with every hour GAS_HOURLY_START..END, newest first.

    Generated around real daily figures: each day's 24 hourly medians average exactly the
    Etherscan daily average gas price; gas limit/used and tx count come from the real daily
    Etherscan charts divided per block; ethPrice moves linearly between real daily closes.
    """
    charts = data / "gas" / "etherscan_charts_cagatayozbek"
    gas_limit = read_etherscan_chart(charts / "export-GasLimit.csv", "Value")
    gas_used = read_etherscan_chart(charts / "export-GasUsed.csv", "Value")
    tx_count = read_etherscan_chart(charts / "export-TxGrowth.csv", "Value")
    rng = rng_for("ethgastracker")
    hours = np.arange(24)
    points = []
    for day in days(GAS_HOURLY_START, END):
        daily_gwei = gas_wei[day] / 1e9
        shape = intraday_shape(hours, day.day_of_week >= 5) * rng.lognormal(0, 0.12, 24)
        median = daily_gwei * shape / shape.mean()
        base_fee = median * rng.uniform(0.78, 0.95, 24)
        previous_close = eth_close[day - pd.Timedelta(days=1)]
        eth = previous_close + (eth_close[day] - previous_close) * (hours + 1) / 24
        used = gas_used[day] / BLOCKS_PER_DAY * (shape / shape.mean()) ** 0.3
        for h in hours:
            period = day + pd.Timedelta(hours=int(h))
            points.append(
                {
                    "period": period.strftime("%Y-%m-%dT%H:00:00+00:00"),
                    "baseFee": round(float(base_fee[h]), 4),
                    "gasLimit": round(float(gas_limit[day] * rng.uniform(0.999, 1.001)), 2),
                    "gasUsed": round(float(min(used[h], gas_limit[day])), 2),
                    "txCount": round(
                        float(tx_count[day] / BLOCKS_PER_DAY * rng.uniform(0.85, 1.15)), 2
                    ),
                    "min": round(float(base_fee[h] * rng.uniform(1.0, 1.03)), 4),
                    "max": round(float(median[h] * rng.uniform(2.0, 6.0)), 4),
                    "median": round(float(median[h]), 4),
                    "ethPrice": round(float(eth[h]), 2),
                }
            )
    points.reverse()
    last = pd.Timestamp(END) + pd.Timedelta(hours=23, minutes=59)
    return ethgastracker.average(points, int(last.timestamp() * 1000))
