"""Fixtures of the report tests: the marts the report reads, empty, in the session database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from reporting.report_marts import Marts, contracts, marts_read_by_the_report

from core import db


@pytest.fixture
def marts(pg: db.PgConnection) -> Iterator[Marts]:
    with db.connect(pg) as conn:
        with conn.cursor() as cur:
            cur.execute("drop schema if exists marts cascade; create schema marts;")
            for name in sorted(marts_read_by_the_report()):
                columns = ", ".join(f"{column} {kind}" for column, kind in contracts()[name])
                cur.execute(f"create table marts.{name} ({columns})")
        yield Marts(conn)
        conn.rollback()
