"""The gas-oracle poller: every 5 minutes, one Etherscan gas oracle reading into
``raw_etherscan.gas_oracle`` (merged on the block, so overlapping polls add nothing)."""

from __future__ import annotations

from prefect import flow, task

from core import db

GAS_POLL_CRON = "*/5 * * * *"


@task(name="poll gas oracle", retries=2, retry_delay_seconds=[10, 60])
def poll_once() -> dict[str, int]:
    from ingestion.pipeline import poll_gas_oracle

    info = db.connection_info()
    return poll_gas_oracle(info).rows


@flow(name="gas-poller")
def gas_poller_flow() -> dict[str, int]:
    """One poll; the deployment's 5-minute schedule makes it a poller."""
    return poll_once()
