"""Which run dates the recordings can serve, so a replayed run outside them is refused early.

A daily run for day D needs, at the least, the hourly gas averages and Etherscan's daily
averages up to the day before (step 3 refuses older gas). The recordings can therefore serve
the days from the one after the first recorded hour to the last day every gas recording has.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

GAS_HOURLY = Path("ethgastracker") / "gas_average.json.gz"
GAS_DAILY = Path("etherscan") / "dailyavggasprice.json.gz"


def _read(path: Path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def served_range(recordings_dir: Path) -> tuple[dt.date, dt.date]:
    """First and last run date (inclusive) the recordings in ``recordings_dir`` can serve."""
    hours = [
        dt.datetime.fromisoformat(point["period"]).date()
        for point in _read(recordings_dir / GAS_HOURLY)["data"]["data"]
    ]
    days = [
        dt.date.fromisoformat(row["UTCDate"]) for row in _read(recordings_dir / GAS_DAILY)["result"]
    ]
    return min(hours) + dt.timedelta(days=1), min(max(hours), max(days))


class OutsideRecordings(ValueError):
    """A replay was asked for a day the recordings cannot serve."""


def check_replay_date(recordings_dir: Path, run_date: dt.date) -> None:
    """Refuse a run date outside the recordings, naming the range they cover."""
    first, last = served_range(recordings_dir)
    if not first <= run_date <= last:
        raise OutsideRecordings(
            f"the recordings in {recordings_dir} serve run dates {first} to {last}; "
            f"{run_date} is outside them (omit --date to replay {last})"
        )
