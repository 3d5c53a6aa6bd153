"""Point the production ingestion at a replay server, for the span of a ``with`` block.

The live run reads each source's base URL from dlt configuration
(``SOURCES__<NAME>__BASE_URL``); the replay only sets those variables (and stand-in keys where
no real one is configured, with the CoinMarketCap plan the server acts as) and restores the environment afterwards, so nothing in
``ingestion/`` knows it is replayed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ingestion.pipeline import API_KEY_ENV, configured_key
from replay.plans import Plan


@contextmanager
def replay_environment(server: Any) -> Iterator[None]:
    """Every source's base URL at ``server`` (and stand-in API keys) inside the block."""
    values = {f"SOURCES__{name.upper()}__BASE_URL": url for name, url in server.base_urls.items()}
    for source, variable in API_KEY_ENV.items():
        if not configured_key(source):
            values[variable] = f"replay-{source}-key"
    # The stand-in keys act as the server's plan (all history unless told otherwise): the
    # recordings reach back years, as the backtest and the demo's icebox signals want.
    if "SOURCES__COINMARKETCAP__PLAN" not in os.environ:
        values["SOURCES__COINMARKETCAP__PLAN"] = getattr(server, "plan", Plan()).cmc
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
