"""Databases of a test's own, for the tests that load recordings or run whole days."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from core import db
from ingestion.pipeline import pipelines_dir


@contextmanager
def own_database(pg: db.PgConnection, purpose: str) -> Iterator[db.PgConnection]:
    """A throw-away database named in the environment for dbt, dlt and the flows; dropped
    (with its dlt pipeline state) afterwards."""
    info = db.connection_info(f"{pg.dbname}_{purpose}_{uuid.uuid4().hex[:6]}")
    saved = {key: os.environ.get(key) for key in ("PGDATABASE", "YIELDOPT_DATABASE")}
    os.environ.update({"PGDATABASE": info.dbname, "YIELDOPT_DATABASE": info.dbname})
    try:
        yield info
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        db.drop_database(info)
        shutil.rmtree(pipelines_dir(info), ignore_errors=True)
