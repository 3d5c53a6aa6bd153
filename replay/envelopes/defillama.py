"""DeFiLlama yields API (``yields.llama.fi``): ``{"status": "success", "data": [...]}``.

Both ``/pools`` and ``/chart/{pool}`` answer with this envelope (DefiLlama/yield-server
``src/api/controllers/yield.js``); an unknown pool's chart is a success with an empty list.
"""

from __future__ import annotations

from typing import Any


def success(data: Any) -> dict[str, Any]:
    """The envelope of every successful answer."""
    return {"status": "success", "data": data}
