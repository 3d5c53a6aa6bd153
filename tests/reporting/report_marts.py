"""The marts the report reads, created empty from their dbt contracts (fixture ``marts``).

Each table gets exactly the columns and types its model's yml declares (the contract dbt
enforces), so a query of ``python_models/reporting`` that reads a column a mart does not have
fails here. Tests fill them with hand-built rows inside a transaction that is rolled back,
so the session's dbt-built tables are left as they were.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from psycopg2.extensions import connection
from psycopg2.extras import Json

from core.paths import DBT_PROJECT_DIR

MARTS_DIR = DBT_PROJECT_DIR / "models" / "marts"
REPORTING_CODE = Path(__file__).parents[2] / "python_models" / "reporting"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@cache
def contracts() -> dict[str, list[tuple[str, str]]]:
    """Mart name → its contract's (column, data type), from the ymls under models/marts."""
    models: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(MARTS_DIR.rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            columns = [(c["name"], c.get("data_type")) for c in model.get("columns", [])]
            if columns and all(data_type for _, data_type in columns):
                models[model["name"]] = columns
    return models


def marts_read_by_the_report() -> set[str]:
    """Every ``marts.<name>`` the report's code names in its SQL."""
    code = "\n".join(path.read_text() for path in REPORTING_CODE.glob("*.py"))
    return set(re.findall(r"\bmarts\.([a-z_]+)", code))


@dataclass
class Marts:
    """The session database with the report's marts, empty; ``insert`` fills one."""

    conn: connection

    def insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            names = list(row)
            values = [Json(v) if isinstance(v, dict) else v for v in row.values()]
            with self.conn.cursor() as cur:
                cur.execute(
                    f"insert into marts.{table} ({', '.join(names)}) "
                    f"values ({', '.join(['%s'] * len(names))})",
                    values,
                )
