"""The gas-oracle poller: one Etherscan gas oracle reading into ``raw_etherscan.gas_oracle``
(merged on the block, so overlapping polls add nothing). Its every-5-minutes schedule is in
``prefect.yaml``, which makes it a poller."""

from __future__ import annotations

from prefect import flow, task

from core import db
from ingestion.pipeline import poll_gas_oracle


@task(name="poll gas oracle", retries=2, retry_delay_seconds=[10, 60])
def poll_once() -> dict[str, int]:
    return poll_gas_oracle(db.connection_info()).rows


@flow(name="gas-poller")
def gas_poller_flow() -> dict[str, int]:
    """One poll of the gas oracle."""
    return poll_once()
