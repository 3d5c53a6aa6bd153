"""Which pools a day's later steps work on, read from the eligibility mart.

Two questions the daily run asks of ``marts.pool_eligibility``: which pools deserve a full
``/chart`` history (step 9), and which the forecaster and optimizer may use (steps 10–13).
"""

from __future__ import annotations

import datetime as dt

from psycopg2.extensions import connection

# Checks that need the full history; a pool failing only these is worth fetching it for.
HISTORY_CHECKS = ["has_group"]


def history_candidates(conn: connection, run_date: dt.date) -> dict[str, str]:
    """Pools whose full history is worth fetching on the day, each with its label.

    Eligible pools, plus pools that pass every check except the ones that need history
    (a group needs 30 days): otherwise a new database could never bootstrap a history. The
    label (``project symbol (chain)``, mart ``pool_labels``) is how the step's warnings name
    a pool, as the allocation table does, instead of by its UUID.
    """
    with conn.cursor() as cur:
        cur.execute(
            """
            select eligibility.pool_id, coalesce(labels.pool_label, eligibility.pool_id)
            from marts.pool_eligibility as eligibility
            left join marts.pool_labels as labels on labels.pool_id = eligibility.pool_id
            where eligibility.eligibility_date = %s
              and (eligibility.is_eligible or eligibility.failed_checks <@ %s::text[])
            order by eligibility.pool_id
            """,
            (run_date, HISTORY_CHECKS),
        )
        return dict(cur.fetchall())


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
