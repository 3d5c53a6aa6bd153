"""dbt inside the flow: one programmatic ``dbtRunner`` invocation per named stage.

dbt is not safe to invoke twice at once in one process, so every invocation goes through
one lock. dbt's per-node lines go to its log file (:data:`DBT_LOG_PATH`), not the console; a
stage fails as a whole when any node does, and the error names every failing model or test
with dbt's own message, so the console still says what broke.
"""

from __future__ import annotations

import json
import logging
import textwrap
import threading
from dataclasses import dataclass, field
from typing import Any

from dbt.cli.main import dbtRunner

from core import db
from core.paths import DBT_PROJECT_DIR, PROJECT_ROOT, STATE_DIR

DBT_LOG_DIR = STATE_DIR / "logs"
DBT_LOG_PATH = DBT_LOG_DIR / "dbt.log"
# How much of the failures the stage's error shows (dbt's log file has all of it).
SHOWN_FAILURES = 3
# Failing rows shown of a test that stores them (they name what to fix, e.g. the pool).
SHOWN_ROWS = 3
MESSAGE_CHARS = 200
_DBT_LOCK = threading.Lock()
logger = logging.getLogger(__name__)


class DbtStageError(RuntimeError):
    """A dbt stage with failing nodes; the message lists them."""


@dataclass
class DbtStageResult:
    """What one stage built: node name → status, and the rows each model reported."""

    statuses: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def failures(self) -> list[str]:
        return [name for name, status in self.statuses.items() if status in {"error", "fail"}]


def run_dbt(command: str, dbt_vars: dict[str, Any], *selection: str) -> DbtStageResult:
    """Run ``dbt <command> <selection…>`` with the run's vars; raise on any failing node."""
    args = [
        command,
        *selection,
        # unit tests pin the default thresholds; they run in `make test`, not on analysts' vars
        *(["--exclude-resource-type", "unit_test"] if command == "build" else []),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_ROOT),
        "--vars",
        json.dumps(dbt_vars, default=str),
        # per-node lines to the log file only; the stage's result says what failed
        "--log-level",
        "none",
        "--log-path",
        str(DBT_LOG_DIR),
    ]
    with _DBT_LOCK:
        outcome = dbtRunner().invoke(args)
    if outcome.exception is not None:
        raise DbtStageError(
            f"dbt {command} {' '.join(selection)} could not run: {outcome.exception}"
        )
    result = DbtStageResult()
    messages: dict[str, str] = {}
    for node_result in getattr(outcome.result, "results", None) or []:
        name = node_result.node.name
        status = str(node_result.status)
        result.statuses[name] = status
        result.seconds += node_result.execution_time or 0.0
        affected = (node_result.adapter_response or {}).get("rows_affected")
        if isinstance(affected, int) and affected >= 0:
            result.rows[name] = affected
        if node_result.message:
            message = " ".join(str(node_result.message).split())
            messages[name] = textwrap.shorten(message, MESSAGE_CHARS, placeholder=" …")
            if status == "fail":
                messages[name] += _stored_rows(node_result.node)
        logger.info("dbt %-8s %-45s %s", command, name, status)
    if result.failures or not outcome.success:
        failures = result.failures
        details = "; ".join(
            f"{name}: {result.statuses[name]} ({messages.get(name, 'no message')})"
            for name in failures[:SHOWN_FAILURES]
        )
        if len(failures) > SHOWN_FAILURES:
            details += f"; and {len(failures) - SHOWN_FAILURES} more"
        raise DbtStageError(
            f"dbt {command} {' '.join(selection)} failed: {details or 'no node failed'} "
            f"(dbt log: {DBT_LOG_PATH})"
        )
    return result


def _stored_rows(node: Any) -> str:
    """The first failing rows of a test that stores them (``store_failures``), as
    ``column=value`` lists, so the console says what failed, not only how many."""
    relation = getattr(node, "relation_name", None)
    if not relation or not getattr(node.config, "store_failures", False):
        return ""
    try:
        with db.connect(db.connection_info()) as conn, conn.cursor() as cur:
            cur.execute(f"select * from {relation} limit %s", (SHOWN_ROWS,))
            columns = [column.name for column in cur.description]
            rows = cur.fetchall()
    except Exception as error:  # a stored-failures read must never hide the failure itself
        logger.warning("could not read the failing rows of %s: %s", relation, error)
        return ""
    shown = "; ".join(
        ", ".join(f"{column}={value}" for column, value in zip(columns, row, strict=True))
        for row in rows
    )
    return f": {shown}" if shown else ""
