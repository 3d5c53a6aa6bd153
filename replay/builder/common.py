"""Shared plumbing of the recordings builder: the end day, seeded randomness, file writing.

Every random draw comes from a generator seeded by a fixed string and gzip headers carry no
timestamp, so two builds write byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

END = dt.date(2025, 6, 30)  # every recording stops at the end of this UTC day


def rng_for(*key: object) -> np.random.Generator:
    """A generator seeded by a stable hash of ``key``, so each series has its own fixed draws."""
    return np.random.default_rng(zlib.crc32("/".join(map(str, key)).encode()))


def hex_id(*key: object, length: int = 64) -> str:
    """A deterministic ``0x`` hex string (hashes, block hashes, counterparties)."""
    return "0x" + hashlib.sha3_256("/".join(map(str, key)).encode()).hexdigest()[:length]


def write_json(path: Path, payload: Any) -> None:
    """Compact JSON; ``.gz`` files gzipped without a timestamp or file name (reproducible)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    if path.suffix == ".gz":
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
            gz.write(text)
        text = buffer.getvalue()
    path.write_bytes(text)


def none_if_nan(value: Any) -> Any:
    """JSON-friendly: NaN (pandas' missing) becomes None, numpy scalars become Python ones."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def days(start: dt.date, end: dt.date) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq="D")
