"""The daily flow's retry condition: a step is retried when its error says retrying can help
(a rate limit, a timeout), never on a plan refusal, bad data or a bug, whatever the text."""

from __future__ import annotations

import pytest
from prefect import flow, task

from flows.daily import STEPS, is_retryable
from ingestion.errors import IngestionError

RATE_LIMITED = IngestionError(
    "etherscan account/balance", "Max calls per sec rate limit reached (3/sec)", retryable=True
)
PLAN_REFUSAL = IngestionError(
    "coinmarketcap GET /v2/cryptocurrency/ohlcv/historical",
    "your CoinMarketCap plan does not include this endpoint (HTTP 503 timeout)",
    status=403,
    error_code=1006,
)


def _attempts(error: Exception) -> int:
    """How many times a task that fails once with ``error`` runs under the condition."""
    calls: list[int] = []

    @task(retries=1, retry_delay_seconds=0, retry_condition_fn=is_retryable)
    def fails_once() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise error
        return "ok"

    @flow
    def run() -> None:
        fails_once(return_state=True)

    run()
    return len(calls)


@pytest.mark.parametrize(
    ("error", "attempts"),
    [
        (RATE_LIMITED, 2),
        (PLAN_REFUSAL, 1),  # its text mentions a timeout: the text is not what decides
        (RuntimeError("HTTP 503 timeout"), 1),
    ],
)
def test_retry_condition_reads_the_error_not_its_text(
    prefect_api: None, error: Exception, attempts: int
) -> None:
    assert _attempts(error) == attempts


def test_every_fetch_step_is_retried_and_no_other() -> None:
    retried = {step.name for step in STEPS if step.retry.retries}
    assert retried == {"fetch pools", "fetch ohlcv", "fetch gas", "fetch wallet", "fetch history"}
