"""Daily flow benchmark (run by hand): the 15 steps on a scaled copy of the recorded data.

bench/scaled_recordings.py writes the copy into a temporary folder: 20,000 pools in the
/pools snapshot, 500 of them with 730 days of /chart history that pass every filter (so
step 9 fetches 500 histories and step 10 forecasts 500 pools), a year of hourly gas. The
whole daily flow (``flows.daily.daily_flow``) then runs against it in a fresh database,
exactly as ``yieldopt run --replay`` does, and is timed from the call to its final state.

Memory is the peak RSS of this process plus all its descendants (forecast workers, the
Prefect ephemeral server), sampled by a thread, and never less than this process's own
``ru_maxrss``. RSS is summed over processes, so shared pages count once per process: an
upper bound. Not counted: the replay server (it stands in for the internet and runs in its
own process so its cache of recorded files is not mistaken for the flow's memory; its peak
is printed apart) and PostgreSQL (the embedded server is shared and outlives the run).

Targets: <= 180 s and <= 2 GB on the 2-core machine. Wall time only: the machine is shared,
so run it at least twice; the load average before and after is printed with the figures.

Usage: .venv/bin/python bench/daily.py [--date 2025-06-05] [--keep]
(--date: 2025-05-31 to 2025-06-30, the days with a recorded year of hourly gas before them)
The last line printed is JSON: {"seconds": s, "peak_rss_mb": m} (nothing when the flow fails).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import psutil
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from scaled_recordings import ScaledCopy, build_scaled_recordings

from core import db
from core.config import load_config
from core.paths import RECORDINGS_DIR
from flows.daily import daily_flow
from ingestion.pipeline import pipelines_dir
from replay import replay_environment

DEMO_DATE = dt.date(2025, 6, 5)
TARGET_SECONDS = 180
TARGET_RSS_MB = 2048
SAMPLE_SECONDS = 0.1
MB = 1024 * 1024
REPLAY_START_SECONDS = 30
# The row counts of the run record worth a look at this scale (raw_* tables are shown too).
KEY_ROWS = ("pools_selected", "pools", "pool_forecasts", "positions", "pool_eligibility")


@dataclass(frozen=True)
class ReplayProcess:
    """The replay server running in its own process; ``base_urls`` as ReplayServer has them."""

    pid: int
    base_urls: dict[str, str]


@dataclass
class TreeMemory:
    """Samples the summed RSS of this process and its descendants until stopped.

    ``excluded`` pids are sampled apart, not counted in the total.
    """

    excluded: set[int]
    peak_bytes: int = 0
    peak_processes: list[tuple[str, int]] = field(default_factory=list)
    excluded_peak_bytes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> TreeMemory:
        self._thread = threading.Thread(target=self._run, name="tree-memory", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample()

    def _sample(self) -> None:
        me = psutil.Process()
        counted, excluded = [(me, _rss(me))], 0
        for process in me.children(recursive=True):
            rss = _rss(process)
            if process.pid in self.excluded:
                excluded += rss
            else:
                counted.append((process, rss))
        total = sum(rss for _, rss in counted)
        self.excluded_peak_bytes = max(self.excluded_peak_bytes, excluded)
        if total > self.peak_bytes:
            self.peak_bytes = total
            self.peak_processes = [(_describe(p), rss) for p, rss in counted if rss]


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:  # ended between listing and reading
        return 0


def _describe(process: psutil.Process) -> str:
    """A short label: pid and the interesting part of the command line."""
    try:
        command = process.cmdline()
    except psutil.Error:
        return str(process.pid)
    words = [word for word in command[1:] if not word.startswith("-")][:2] or command[:1]
    return f"{process.pid} {' '.join(Path(word).name for word in words)}"[:60]


@contextmanager
def replay_process(root: Path, as_of: dt.date) -> Iterator[ReplayProcess]:
    """``python -m replay`` on ``root``; yields once it printed its base URLs."""
    command = [sys.executable, "-m", "replay", "--as-of", str(as_of)]
    process = subprocess.Popen(
        [*command, "--recordings", str(root)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        yield ReplayProcess(process.pid, _read_base_urls(process))
    finally:
        process.terminate()
        process.wait(REPLAY_START_SECONDS)


def _read_base_urls(process: subprocess.Popen[str]) -> dict[str, str]:
    """Parse the ``SOURCES__<NAME>__BASE_URL=url`` lines the server prints before serving."""
    base_urls = {}
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("serving"):
            return base_urls
        variable, _, url = line.strip().partition("=")
        base_urls[variable.removeprefix("SOURCES__").removesuffix("__BASE_URL").lower()] = url
    raise RuntimeError(f"the replay server exited ({process.wait()}) before serving")


@contextmanager
def bench_database(work_dir: Path, keep: bool) -> Iterator[db.PgConnection]:
    """A fresh database and dbt folders of our own, so concurrent work on the repo is untouched.

    No Slack token either: a benchmark must never post to the team's channel.
    """
    info = db.connection_info(f"bench_daily_{uuid.uuid4().hex[:8]}")
    db.apply_to_environment(info)
    os.environ.update(
        YIELDOPT_DATABASE=info.dbname,
        DBT_TARGET_PATH=str(work_dir / "dbt_target"),
        DBT_LOG_PATH=str(work_dir / "dbt_logs"),
    )
    os.environ.pop("SLACK_BOT_TOKEN", None)
    try:
        yield info
    finally:
        if not keep:
            db.drop_database(info)
            shutil.rmtree(pipelines_dir(info), ignore_errors=True)


@dataclass(frozen=True)
class Measurement:
    """One timed run of the flow."""

    seconds: float
    completed: bool
    flow_run_id: uuid.UUID | None
    memory: TreeMemory
    self_max_bytes: int
    children_max_bytes: int
    cpu_seconds: tuple[float, float]

    @property
    def peak_rss_mb(self) -> float:
        return max(self.memory.peak_bytes, self.self_max_bytes) / MB


def measure_flow(run_date: dt.date, replay: ReplayProcess) -> Measurement:
    """Run the daily flow once against the replay server; time and memory of the process tree."""
    parameters = load_config(None).snapshot()
    own_cpu, children_cpu = _cpu_seconds()
    with replay_environment(replay), TreeMemory({replay.pid}) as memory:
        started = time.perf_counter()
        state = daily_flow(run_date=run_date, parameters=parameters, return_state=True)
        seconds = time.perf_counter() - started
    own_cpu_after, children_cpu_after = _cpu_seconds()
    # ru_maxrss is in KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return Measurement(
        seconds,
        state.is_completed(),
        state.state_details.flow_run_id,
        memory,
        own,
        children,
        (own_cpu_after - own_cpu, children_cpu_after - children_cpu),
    )


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds of this process and of its finished children (the forecast workers).

    Less sensitive than wall time to the other work on the shared machine.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def step_rows(info: db.PgConnection, run_date: dt.date) -> list[tuple[Any, ...]]:
    """The run record of the day: step, name, status, seconds, row counts."""
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(
            """
            select step_no, step_name, status, seconds, row_counts, error
            from ops.step_runs where run_date = %s order by step_no
            """,
            (run_date,),
        )
        return cur.fetchall()


def chart_volume(info: db.PgConnection) -> tuple[int, int]:
    """Pools with a loaded history and their chart rows: did step 9 fetch the 500 histories?"""
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('raw_defillama.pool_chart')")
        if cur.fetchone()[0] is None:
            return 0, 0
        cur.execute("select count(distinct pool), count(*) from raw_defillama.pool_chart")
        pools, rows = cur.fetchone()
        return pools, rows


def print_steps(steps: list[tuple[Any, ...]], wall: float) -> None:
    """One line per step, then what the flow spent outside its steps (Prefect, run record)."""
    print(f"\n{'step':<38} {'status':<8} {'seconds':>8}  key rows")
    for number, name, status, seconds, rows, error in steps:
        key = {k: v for k, v in rows.items() if k.startswith("raw_") or k in KEY_ROWS}
        detail = error or ", ".join(f"{k}={v:,}" for k, v in key.items())
        print(f"{number:>2} {name:<35} {status:<8} {seconds:8.1f}  {detail}"[:200])
    in_steps = sum(row[3] or 0 for row in steps)
    print(f"{'   all steps':<47} {in_steps:8.1f}")
    print(f"{'   outside the steps (Prefect, run record)':<47} {wall - in_steps:8.1f}")


def print_tasks(flow_run_id: uuid.UUID | None) -> None:
    """Seconds of each Prefect task: a step's fetch and its dbt stage apart (9 and 9b)."""
    if flow_run_id is None:
        return
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    print(f"\n{'prefect task':<55} {'seconds':>8}")
    for run in sorted(runs, key=lambda run: run.start_time or run.expected_start_time):
        name = run.name.rsplit("-", 1)[0]
        print(f"{name:<55} {run.total_run_time.total_seconds():8.1f}")


def print_summary(
    copy: ScaledCopy,
    generation: float,
    run: Measurement,
    histories: tuple[int, int],
    loads: tuple[float, float],
) -> None:
    """The figures next to the targets, with what the memory peak was made of."""
    print(
        f"\nscaled copy: {copy.pools:,} pools, {copy.charted} charted x {copy.history_days} "
        f"days, {copy.gas_hours:,} hours of gas; generated in {generation:.1f} s (not timed)"
    )
    print(f"histories loaded by step 9: {histories[0]} pools, {histories[1]:,} chart rows")
    print(f"wall time of the flow : {run.seconds:7.1f} s (target <= {TARGET_SECONDS})")
    print(f"peak RSS, process tree: {run.peak_rss_mb:7.0f} MB (target <= {TARGET_RSS_MB})")
    for label, rss in sorted(run.memory.peak_processes, key=lambda item: -item[1]):
        print(f"    {rss / MB:7.0f} MB  {label}")
    print(
        f"ru_maxrss: this process {run.self_max_bytes / MB:.0f} MB, largest finished child "
        f"{run.children_max_bytes / MB:.0f} MB; replay server (not counted) "
        f"{run.memory.excluded_peak_bytes / MB:.0f} MB"
    )
    print(
        f"CPU: this process {run.cpu_seconds[0]:.0f} s, finished children (forecast workers) "
        f"{run.cpu_seconds[1]:.0f} s; PostgreSQL and the Prefect server not included"
    )
    print(f"load average (1 min) before {loads[0]:.2f}, after {loads[1]:.2f}; 2 cores shared")
    verdict = run.seconds <= TARGET_SECONDS and run.peak_rss_mb <= TARGET_RSS_MB
    print("targets met" if verdict else "TARGET MISSED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", type=dt.date.fromisoformat, default=DEMO_DATE)
    parser.add_argument("--keep", action="store_true", help="keep the database and the copy")
    args = parser.parse_args()
    work_dir = Path(tempfile.mkdtemp(prefix="bench_daily_"))
    try:
        started = time.perf_counter()
        copy = build_scaled_recordings(
            RECORDINGS_DIR, work_dir / "recordings", args.date, load_config(None)
        )
        generation = time.perf_counter() - started
        with bench_database(work_dir, args.keep) as info:
            print(f"database {info.dbname}, scaled recordings in {copy.root}", flush=True)
            load_before = os.getloadavg()[0]
            with replay_process(copy.root, args.date) as replay:
                run = measure_flow(args.date, replay)
            loads = (load_before, os.getloadavg()[0])
            print_steps(step_rows(info, args.date), run.seconds)
            print_tasks(run.flow_run_id)
            histories = chart_volume(info)
    finally:
        if not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
    print_summary(copy, generation, run, histories, loads)
    if not run.completed:
        raise SystemExit("the daily flow failed (see the steps above): no measurement")
    print(json.dumps({"seconds": round(run.seconds, 1), "peak_rss_mb": round(run.peak_rss_mb)}))


if __name__ == "__main__":
    main()
