"""GET /lendBorrow of the replay server: the recorded snapshot as DeFiLlama sends it.

The real endpoint answers a bare JSON array (no envelope), one record per lending pool, and
only today's state (its history, /chartLendBorrow, needs a paid key), so every moment gets
the same recording (``recordings/defillama/lendborrow.json.gz``, built by
``replay.builder.lendborrow``); without it the answer is an empty array.
"""

from __future__ import annotations

from replay.recordings import Answer, Recordings

RECORDING = "defillama/lendborrow.json.gz"


def answer(store: Recordings) -> Answer:
    recorded = store.load(RECORDING)
    return 200, recorded if recorded is not None else []
