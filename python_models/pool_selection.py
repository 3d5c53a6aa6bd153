"""Which pools a day's later steps work on, read from the eligibility mart.

Two questions the daily run asks of ``marts.pool_eligibility``: which pools deserve a full
``/chart`` history (step 9), and which the forecaster and optimizer may use (steps 10–13).
"""

from __future__ import annotations

import datetime as dt

from psycopg2.extensions import connection

# Checks that need the full history; a pool failing only these is worth fetching it for.
HISTORY_CHECKS = ["has_group"]


def history_candidates(conn: connection, run_date: dt.date) -> list[str]:
    """Pools whose full history is worth fetching on the day.

    Eligible pools, plus pools that pass every check except the ones that need history
    (a group needs 30 days): otherwise a new database could never bootstrap a history.
    """
    with conn.cursor() as cur:
        cur.execute(
            """
            select pool_id
            from marts.pool_eligibility
            where eligibility_date = %s
              and (is_eligible or failed_checks <@ %s::text[])
            order by pool_id
            """,
            (run_date, HISTORY_CHECKS),
        )
        return [row[0] for row in cur.fetchall()]


def eligible_pools(conn: connection, run_date: dt.date) -> list[str]:
    """The pools the optimizer may use on the day (after the histories were curated)."""
    with conn.cursor() as cur:
        cur.execute(
            """
            select pool_id from marts.pool_eligibility
            where eligibility_date = %s and is_eligible
            order by pool_id
            """,
            (run_date,),
        )
        return [row[0] for row in cur.fetchall()]
