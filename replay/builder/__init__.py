"""Rebuild ``recordings/`` (the API responses the demo and tests replay) from a data folder.

Why a builder: the recordings mix real recorded data with deterministically generated gaps
(``recordings/README.md`` says exactly which is which), and anyone must be able to check or
regenerate them. One module per concern: ``tokens`` (the tracked tokens), ``price_sources``
and ``prices`` (daily OHLCV histories), ``coinmarketcap`` and ``coins`` (their API answers),
``charts`` and ``pools`` (DeFiLlama yields), ``gas``, ``wallet`` (the demo treasury), ``seeds``;
the API envelopes come from ``replay.envelopes``, shared with the replay server.

Run: ``.venv/bin/python -m replay.builder --data DIR`` (``DIR`` holds the real source files,
laid out as described in ``recordings/README.md``).
"""
