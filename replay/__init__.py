"""Recorded API responses served over real HTTP, so the pipeline runs offline unchanged.

``ReplayServer(recordings_dir, as_of, plan=...)`` answers as DeFiLlama (yields and coins),
CoinMarketCap, EthGasTracker and Etherscan answer at the run's moment on ``as_of`` for keys of
the given plans; ``faults`` lists what tests can inject.
"""

from replay.environment import replay_environment
from replay.faults import (
    Delay,
    RawBody,
    Status,
    Transform,
    cmc_error,
    drop_field,
    empty_list,
    etherscan_pro_refusal,
    etherscan_rate_limited,
)
from replay.plans import PLANS, RUN_TIME, Plan
from replay.server import RecordedRequest, ReplayServer

__all__ = [
    "PLANS",
    "RUN_TIME",
    "Delay",
    "Plan",
    "RawBody",
    "RecordedRequest",
    "ReplayServer",
    "Status",
    "Transform",
    "cmc_error",
    "drop_field",
    "empty_list",
    "etherscan_pro_refusal",
    "etherscan_rate_limited",
    "replay_environment",
]
