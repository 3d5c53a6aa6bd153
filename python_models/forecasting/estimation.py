"""statsmodels' estimates for many training series: memoized, spread over processes if many.

A refit block of a panel needs one estimate per model and series (``paths.py``). Each is a
statsmodels fit on that series' training values (``linear_models``), a pure function of
those values: the same values give the same parameters in any process, so the daily run
(one day, a few blocks) and the backtest (a year of blocks) get the same numbers, and an
estimate already made in this process is reused (keyed by the estimator and the values'
bytes; the last :data:`MEMO_SIZE` kept). Where the missing estimates add up to seconds and
cores are idle, spawned worker processes share them (spawn, not fork: the daily flow runs
inside Prefect, whose threads make fork unsafe; a script calling the forecaster needs the
``if __name__ == "__main__":`` guard). Fits run with single-threaded BLAS here and there:
the matrices are tiny, BLAS threads spinning against each other made statsmodels fits nine
times slower on two cores, and one thread gives the same bits everywhere.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from python_models.forecasting.linear_models import LinearModel

# Estimates kept in memory (about 150 bytes each).
MEMO_SIZE = 200_000
# A worker process is started for each this much fitting: starting one and importing
# statsmodels there costs about 3 s of CPU.
SECONDS_PER_EXTRA_PROCESS = 5.0
# About this much fitting per chunk of tasks handed out.
CHUNK_SECONDS = 0.25

Estimator = Callable[[np.ndarray], tuple[float, ...]]
# An estimate to make: the estimator, the values, how many parameters, about how long.
Task = tuple[Estimator, np.ndarray, int, float]

_memo: OrderedDict[bytes, tuple[float, ...]] = OrderedDict()


def clear() -> None:
    """Forget every estimate made in this process (benchmarks and tests)."""
    _memo.clear()


def training_values(row: np.ndarray) -> np.ndarray:
    """The values an estimator sees: a row's known training days (from its first on)."""
    return np.ascontiguousarray(row[np.isfinite(row)], dtype=float)


def _key(estimator: Estimator, values: np.ndarray) -> bytes:
    digest = hashlib.blake2b(values.tobytes(), digest_size=16)
    digest.update(f"{estimator.__module__}.{estimator.__qualname__}".encode())
    return digest.digest()


def _fit(estimator: Estimator, values: np.ndarray, parameters: int) -> tuple[float, ...]:
    """One estimate; NaN parameters when statsmodels fails on the series."""
    try:
        params = tuple(float(p) for p in estimator(values))
    except Exception:  # statsmodels fails in many ways on odd data: the model sits out
        return (np.nan,) * parameters
    return params if len(params) == parameters else (np.nan,) * parameters


def _fit_all(tasks: Sequence[Task]) -> list[tuple[float, ...]]:
    return [_fit(estimator, values, parameters) for estimator, values, parameters, _ in tasks]


def _fit_chunk(tasks: Sequence[Task]) -> list[tuple[float, ...]]:
    """Estimates with one BLAS thread (what a worker runs)."""
    with threadpool_limits(limits=1):
        return _fit_all(tasks)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _worker_count(seconds: float, workers: int | None) -> int:
    """Processes (this one included) worth using for ``seconds`` of fits.

    One more for each :data:`SECONDS_PER_EXTRA_PROCESS`, at most ``workers`` (None: the
    cores), and only as many more as the load average leaves cores idle: on two cores
    running other jobs (load average ~3) a worker made a year of APY panels slower
    (10–12 s instead of 5–7 s), its start competing with this process for the cores.
    """
    if multiprocessing.current_process().daemon:
        return 1  # a daemonic process cannot start children
    cores = _cores()
    limit = cores if workers is None else workers
    idle = round(cores - os.getloadavg()[0])
    return max(1, min(limit, 1 + int(seconds // SECONDS_PER_EXTRA_PROCESS), 1 + idle))


def estimate(
    jobs: Sequence[tuple[LinearModel, np.ndarray]], workers: int | None = None
) -> list[np.ndarray]:
    """Per job (a model and its training rows, rows x days), rows x parameters.

    A row's parameters are ``model.estimate`` on its :func:`training_values` (NaN where the
    fit failed). ``workers``: at most this many processes (None: the cores); fewer when
    there is little to fit.
    """
    results = [np.full((len(rows), model.parameters), np.nan) for model, rows in jobs]
    missing: dict[bytes, Task] = {}
    wanted: list[tuple[int, int, bytes]] = []
    seconds = 0.0
    for job, (model, rows) in enumerate(jobs):
        for row, values in enumerate(map(training_values, rows)):
            key = _key(model.estimate, values)
            wanted.append((job, row, key))
            if key not in _memo and key not in missing:
                missing[key] = (model.estimate, values, model.parameters, model.seconds)
                seconds += model.seconds
    if missing:
        _memo.update(zip(missing, _run(list(missing.values()), seconds, workers), strict=True))
    for job, row, key in wanted:
        results[job][row] = _memo[key]
        _memo.move_to_end(key)
    while len(_memo) > MEMO_SIZE:
        _memo.popitem(last=False)
    return results


def _run(tasks: list[Task], seconds: float, workers: int | None) -> list[tuple[float, ...]]:
    """Every task's estimate, made here or shared with ``count − 1`` spawned workers.

    The tasks go out in small chunks, costly fits first. Workers take chunks from the front;
    this process takes the ones from the back that no worker has claimed, then any chunk a
    worker has not finished (still starting, busy or failed) it fits itself rather than
    wait: the estimates are the same whoever makes them, so nobody idles while work remains.
    """
    count = _worker_count(seconds, workers)
    if count == 1:
        return _fit_chunk(tasks)
    order = sorted(range(len(tasks)), key=lambda i: -tasks[i][3])
    per_chunk = max(1, int(CHUNK_SECONDS / max(seconds / len(tasks), 1e-6)))
    chunks = [order[start : start + per_chunk] for start in range(0, len(order), per_chunk)]
    out: list[tuple[float, ...]] = [()] * len(tasks)

    def fit_here(chunk: list[int]) -> None:
        for i, params in zip(chunk, _fit_all([tasks[i] for i in chunk]), strict=True):
            out[i] = params

    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=count - 1, mp_context=context)
    try:
        futures = [pool.submit(_fit_chunk, [tasks[i] for i in chunk]) for chunk in chunks]
        with threadpool_limits(limits=1):
            for chunk, future in zip(reversed(chunks), reversed(futures), strict=True):
                if future.cancel():
                    fit_here(chunk)
            for chunk, future in zip(chunks, futures, strict=True):
                if future.cancelled():
                    continue
                if future.done() and future.exception() is None:
                    for i, params in zip(chunk, future.result(), strict=True):
                        out[i] = params
                else:
                    fit_here(chunk)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return out
