"""Recorded API responses served over real HTTP, so the pipeline runs offline unchanged.

``ReplayServer(recordings_dir, as_of)`` answers as DeFiLlama, CoinMarketCap, EthGasTracker and
Etherscan answered on ``as_of`` (nothing later); ``faults`` lists what tests can inject.
"""

from replay.environment import replay_environment
from replay.faults import Delay, RawBody, Status, Transform, drop_field, empty_list
from replay.server import RecordedRequest, ReplayServer

__all__ = [
    "Delay",
    "RawBody",
    "RecordedRequest",
    "ReplayServer",
    "Status",
    "Transform",
    "drop_field",
    "empty_list",
    "replay_environment",
]
