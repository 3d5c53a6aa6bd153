"""Replayed run dates: without --date the last day the recordings serve; outside them the
run is refused before any step, with the recorded range in the message."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from core.paths import RECORDINGS_DIR
from replay.coverage import OutsideRecordings, served_range
from replay.replayed_run import run_date_for

YIELDOPT = str(Path(sys.executable).with_name("yieldopt"))
FIRST, LAST = dt.date(2024, 6, 2), dt.date(2025, 6, 30)


def test_the_recordings_serve_from_the_first_gas_hour_to_their_last_day() -> None:
    assert served_range(RECORDINGS_DIR) == (FIRST, LAST)


def test_replay_without_a_date_runs_the_last_recorded_day() -> None:
    assert run_date_for(None, replay=True) == LAST
    assert run_date_for(dt.date(2025, 6, 5), replay=True) == dt.date(2025, 6, 5)


def test_a_live_run_defaults_to_today() -> None:
    assert run_date_for(None, replay=False) == dt.datetime.now(dt.UTC).date()


@pytest.mark.parametrize("day", [FIRST - dt.timedelta(days=1), LAST + dt.timedelta(days=1)])
def test_a_day_outside_the_recordings_is_refused_with_their_range(day: dt.date) -> None:
    with pytest.raises(OutsideRecordings, match=f"serve run dates {FIRST} to {LAST}"):
        run_date_for(day, replay=True)


@pytest.mark.e2e  # the command line as a subprocess
def test_the_command_line_refuses_it_before_any_step(tmp_path: Path) -> None:
    result = subprocess.run(
        [YIELDOPT, "run", "--replay", "--date", "2026-12-02"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PREFECT_HOME": str(tmp_path)},
    )
    assert result.returncode == 1
    assert f"serve run dates {FIRST} to {LAST}; 2026-12-02 is outside them" in result.stderr
    assert "fetch pools" not in result.stderr
