"""The pool side of the dbt project on a real PostgreSQL: history, metrics, groups, master,
and eligibility by decision date.

The raw DeFiLlama tables (``RAW_TABLES_DDL``, as dlt makes them) are written with plain SQL,
in a database of this module's own on the session's server (the `pg` fixture), so
the raw rows here never collide with what the ingestion tests load through dlt. Every build is
a real `dbt build` through dbt's Python runner. The logic of each model is unit-tested in dbt
(models/*/_pools__models.yml); these tests check what only a real database shows: the
incremental build equals a full refresh (also after step 9 back-fills a history), re-running a
day adds no rows, nothing dated after run_date leaks in, and token lists match exactly. On the
recordings (``raw_loaded``), pool_eligibility_by_day is built for the recorded year as a
backtest builds it: MetaMorpho vaults become eligible through the tokens they hold and their
curators, a decision reads only data of the day before, and the seed-gap tests name the pool.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbt_runs import RAW_AS_OF, failed_nodes, run_dbt

from core import db
from core.config import StrategyConfig
from core.paths import DBT_PROJECT_DIR, PROJECT_ROOT
from ingestion.defillama.settings import RAW_TABLES_DDL

POOL_MODELS = (
    "stg_defillama__pools stg_defillama__pool_charts int_pool_snapshots_deduplicated "
    "int_pool_history_unioned int_pool_descriptions defi_pools int_pool_daily_metrics "
    "pool_daily_metrics int_pool_groups_by_day pool_groups"
)
DAY_1 = dt.date(2025, 6, 5)
DAY_2 = dt.date(2025, 6, 6)


# 60 days of /chart history for pools calm-1..calm-4 (APY barely moves) and wild-1..wild-4
# (APY swings by whole points), each point fetched the day after the day it describes.
CHART_HISTORY = """
insert into raw_defillama.pool_chart
    (pool, chart_date, "timestamp", tvl_usd, apy, apy_base, apy_reward, fetched_at,
     _dlt_load_id, _dlt_id)
select
    kind || '-' || pool_no, day::date, day + interval '23 hours', 1e6 * pool_no,
    4 + case when kind = 'calm' then 0.01 else 3 end * sin(pool_no + extract(doy from day)),
    4, 0, day + interval '1 day 1 hour', 'history', md5(kind || pool_no || day)
from
    unnest(array['calm', 'wild']) as kind,
    generate_series(1, 4) as pool_no,
    generate_series(%(first)s::date, %(last)s::date, interval '1 day') as day
"""

# The /pools snapshot of a run date: the 8 charted pools plus a young pool and an SDAI pool.
SNAPSHOT = """
insert into raw_defillama.pools
    (pool, chain, project, symbol, tvl_usd, apy, apy_base, apy_reward, underlying_tokens,
     stablecoin, il_risk, exposure, fetched_at, run_date, _dlt_load_id, _dlt_id)
select
    pool, 'Ethereum', project, symbol, 2e6, apy, apy, 0, '["0xA0B8", "0x6B17"]'::jsonb, true,
    'no', 'single', %(day)s::date + interval '2 hours', %(day)s::date, 'snapshot',
    md5(pool || %(day)s::text || %(fetch)s)
from (
    values
        ('calm-1', 'aave-v3', 'USDC', 4.0), ('calm-2', 'aave-v3', 'DAI', 4.0),
        ('calm-3', 'curve-dex', 'DAI-USDC-USDT', 4.0), ('calm-4', 'aave-v3', 'USDT', 4.0),
        ('wild-1', 'aave-v3', 'USDC', 6.0), ('wild-2', 'aave-v3', 'DAI', 6.0),
        ('wild-3', 'curve-dex', 'DAI-USDC-USDT', 6.0), ('wild-4', 'aave-v3', 'USDT', 6.0),
        ('young', 'aave-v3', 'USDC', 5.0), ('savings', 'spark', 'sDAI', 5.0)
) as snapshot_rows (pool, project, symbol, apy)
"""

# Step 9 on DAY_1 back-fills 90 days of /chart history of the young pool (fetched that day).
BACKFILL = """
insert into raw_defillama.pool_chart
    (pool, chart_date, "timestamp", tvl_usd, apy, apy_base, apy_reward, fetched_at,
     _dlt_load_id, _dlt_id)
select
    'young', day::date, day + interval '23 hours', 3e6, 5 + 0.02 * extract(doy from day), 5,
    0, %(fetched)s::timestamptz, 'backfill', md5('young' || day)
from generate_series(%(first)s::date, %(last)s::date, interval '1 day') as day
"""

METRICS = """
select pool_id, metric_date, apy_pct, apy_delta_pp, apy_mean_7d_pct, apy_stddev_7d_pp,
       apy_mean_30d_pct, apy_stddev_30d_pp, history_days, history_source
from marts.pool_daily_metrics
order by pool_id, metric_date
"""


@pytest.fixture(scope="module")
def pools_db(pg: db.PgConnection) -> Iterator[db.PgConnection]:
    """A database of this module's own on the session's server, with the raw tables."""
    info = db.connection_info(f"{pg.dbname}_pools_{uuid.uuid4().hex[:6]}")
    saved = os.environ.get("PGDATABASE")
    os.environ["PGDATABASE"] = info.dbname
    execute(info, RAW_TABLES_DDL)
    execute(info, CHART_HISTORY, first=DAY_1 - dt.timedelta(days=60), last=DAY_1 - dt.timedelta(1))
    execute(info, SNAPSHOT, day=DAY_1, fetch="first")
    yield info
    os.environ["PGDATABASE"] = saved or pg.dbname
    db.drop_database(info)


def execute(info: db.PgConnection, statement: str, **params: object) -> None:
    """One statement in its own transaction."""
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(statement, params or None)


def query(info: db.PgConnection, statement: str) -> list[tuple]:
    """All rows of one query."""
    with db.connect(info) as conn, conn.cursor() as cur:
        cur.execute(statement)
        return cur.fetchall()


def dbt_build(run_date: dt.date, target_path: Path, *extra: str) -> None:
    """`dbt build` of the pool models for one run date; any failing node fails the test."""
    from dbt.cli.main import dbtRunner

    outcome = dbtRunner().invoke(
        [
            "build",
            "--select",
            *POOL_MODELS.split(),
            *extra,
            # tests that also read models outside this selection (pool_eligibility) wait
            "--indirect-selection",
            "cautious",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(target_path),
            "--vars",
            json.dumps({**StrategyConfig().dbt_vars(), "run_date": run_date.isoformat()}),
        ]
    )
    failed = [
        f"{result.node.name}: {result.message}"
        for result in getattr(outcome.result, "results", None) or []
        if str(result.status) in {"error", "fail"}
    ]
    assert outcome.success and not failed, outcome.exception or failed


@pytest.fixture(scope="module")
def built_day_1(pools_db: db.PgConnection, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pool models built from scratch for DAY_1."""
    target = tmp_path_factory.mktemp("dbt_target")
    dbt_build(DAY_1, target, "--full-refresh")
    return target


def test_groups_need_30_days_and_split_calm_from_wild(
    pools_db: db.PgConnection, built_day_1: Path
) -> None:
    groups = dict(
        query(
            pools_db,
            f"select pool_id, group_id from marts.pool_groups where group_date = '{DAY_1}'",
        )
    )
    assert {
        pool: groups.get(pool) for pool in ("calm-1", "calm-2", "calm-3", "calm-4")
    } == dict.fromkeys(("calm-1", "calm-2", "calm-3", "calm-4"), 1)
    assert {groups.get(pool) for pool in ("wild-1", "wild-2", "wild-3", "wild-4")} == {3}
    assert "young" not in groups and "savings" not in groups


def test_tokens_match_exactly(pools_db: db.PgConnection, built_day_1: Path) -> None:
    tokens = dict(query(pools_db, "select pool_id, tokens from marts.defi_pools"))
    assert tokens["savings"] == ["SDAI"]
    assert tokens["calm-3"] == ["DAI", "USDC", "USDT"]


def test_incremental_day_equals_full_refresh_after_backfill(
    pools_db: db.PgConnection, built_day_1: Path
) -> None:
    execute(
        pools_db,
        BACKFILL,
        first=DAY_1 - dt.timedelta(days=90),
        last=DAY_1 - dt.timedelta(days=1),
        fetched=f"{DAY_1} 10:00+00",
    )
    execute(pools_db, SNAPSHOT, day=DAY_2, fetch="first")
    dbt_build(DAY_2, built_day_1)
    incremental = query(pools_db, METRICS)
    young_days = query(
        pools_db,
        f"select history_days from marts.pool_daily_metrics "
        f"where pool_id = 'young' and metric_date = '{DAY_2}'",
    )
    dbt_build(DAY_2, built_day_1, "--full-refresh")
    assert incremental == query(pools_db, METRICS)
    # 90 back-filled days + the DAY_1 and DAY_2 snapshots: the young pool now has a group.
    assert young_days == [(92,)]
    assert query(
        pools_db,
        f"select group_id from marts.pool_groups where pool_id = 'young' and group_date = '{DAY_2}'",
    )


def test_rerun_of_a_day_adds_no_rows_and_keeps_past_days(
    pools_db: db.PgConnection, built_day_1: Path
) -> None:
    counts = """
        select (select count(*) from marts.pool_daily_metrics),
               (select count(*) from marts.pool_groups),
               (select count(distinct group_date) from marts.pool_groups),
               (select count(*) from intermediate.int_pool_history_unioned)
    """
    execute(pools_db, SNAPSHOT, day=DAY_2, fetch="again")  # the day's /pools fetched twice
    dbt_build(DAY_2, built_day_1)
    before = query(pools_db, counts)
    dbt_build(DAY_2, built_day_1)
    assert query(pools_db, counts) == before
    assert before[0][2] >= 1


def test_nothing_after_run_date_is_used(pools_db: db.PgConnection, built_day_1: Path) -> None:
    dbt_build(DAY_1, built_day_1, "--full-refresh")
    latest = query(
        pools_db,
        "select max(metric_date) from marts.pool_daily_metrics "
        "union all select max(history_date) from intermediate.int_pool_history_unioned",
    )
    assert latest == [(DAY_1,), (DAY_1,)]
    assert query(
        pools_db, "select count(*) from marts.defi_pools where last_seen_at::date > '2025-06-05'"
    ) == [(0,)]


@pytest.fixture(scope="module")
def recorded_pools_built(raw_loaded: db.PgConnection, dbt_target: Path) -> db.PgConnection:
    """The pool marts built on the recordings (loaded through the replay server) as of the
    last recorded day, with the market marts they read and every data test."""
    outcome = run_dbt(
        raw_loaded,
        [
            "build",
            "--select",
            "+pool_eligibility",
            "pool_groups",
            "--exclude",
            "source:forecasts",
            "--indirect-selection",
            "cautious",
        ],
        RAW_AS_OF.isoformat(),
        dbt_target,
    )
    assert outcome.success, failed_nodes(outcome)
    return raw_loaded


def test_recorded_pools_fall_in_all_three_groups(recorded_pools_built: db.PgConnection) -> None:
    groups = query(
        recorded_pools_built,
        "select group_id, count(*) from marts.pool_groups group by group_id order by group_id",
    )
    assert [group for group, count in groups if count > 0] == [1, 2, 3]


def test_every_excluded_recorded_pool_says_why(recorded_pools_built: db.PgConnection) -> None:
    rows = query(
        recorded_pools_built,
        "select pool_id, is_eligible, failed_checks, reasons from marts.pool_eligibility",
    )
    assert any(is_eligible for _, is_eligible, _, _ in rows)
    for pool_id, is_eligible, failed_checks, reasons in rows:
        assert is_eligible == (failed_checks == []), pool_id
        assert len(reasons) == len(failed_checks), (pool_id, failed_checks, reasons)


def test_recorded_pools_without_a_gas_cost_name_the_missing_seed_row(
    recorded_pools_built: db.PgConnection,
) -> None:
    rows = query(
        recorded_pools_built,
        "select chain, project, reasons from marts.pool_eligibility "
        "where 'gas_cost_known' = any(failed_checks)",
    )
    assert {chain for chain, _, _ in rows} >= {"Ethereum", "Solana"}
    for chain, project, reasons in rows:
        expected = (
            f"no gas cost: protocol {project} has no deposit gas units in protocol_gas_units"
            if chain == "Ethereum"
            else f"no gas cost: chain {chain} has no fee in chain_tx_fee_usd"
        )
        assert expected in reasons, (chain, project, reasons)


# --- eligibility by decision date over the recorded year -------------------------------------

RANGE_START = dt.date(2024, 6, 6)
STEAKHOUSE_USDC = "a44febf3-34f6-4cd5-8ab1-f246ebe49f9e"
RANGE_MODELS = ("int_pool_groups_by_day", "pool_eligibility_by_day", "lists_in_force")


def build_range(info: db.PgConnection, target: Path) -> None:
    """The by-day models for every decision date of the recorded year (a backtest's pass)."""
    outcome = run_dbt(
        info,
        [
            "build",
            "--select",
            *RANGE_MODELS,
            "--exclude",
            "test_type:unit",
            # the seed-gap tests read seeds (ancestors of the selection): they run too
            "--indirect-selection",
            "buildable",
        ],
        RAW_AS_OF.isoformat(),
        target,
        range_start_date=RANGE_START.isoformat(),
    )
    assert outcome.success, failed_nodes(outcome)


@pytest.fixture(scope="module")
def recorded_range_built(
    recorded_pools_built: db.PgConnection, dbt_target: Path
) -> db.PgConnection:
    """pool_eligibility_by_day for 2024-06-06 -> 2025-06-05 on the recordings, tests included."""
    build_range(recorded_pools_built, dbt_target)
    return recorded_pools_built


def test_steakhouse_usdc_and_ten_metamorpho_vaults_become_eligible(
    recorded_range_built: db.PgConnection,
) -> None:
    steakhouse = query(
        recorded_range_built,
        f"""
        select min(eligibility_date), bool_and(curator = 'Steakhouse Financial'),
               bool_and(tokens = array['USDC'] and token_source = 'underlying_tokens')
        from marts.pool_eligibility_by_day
        where pool_id = '{STEAKHOUSE_USDC}' and is_eligible and eligibility_date >= '2025-01-01'
        """,
    )
    assert steakhouse[0][0] is not None and steakhouse[0][1] and steakhouse[0][2], steakhouse
    (vaults,) = query(
        recorded_range_built,
        "select count(distinct pool_id) from marts.pool_eligibility_by_day "
        "where project = 'morpho-blue' and is_eligible",
    )[0]
    assert vaults >= 10
    # the old symbol-split rule found at most the vaults whose symbol is a token (USDC)
    (by_symbol,) = query(
        recorded_range_built,
        "select count(distinct pool_id) from marts.pool_eligibility_by_day "
        "where project = 'morpho-blue' and is_eligible_by_symbol",
    )[0]
    assert by_symbol < vaults


def test_a_decision_reads_only_data_dated_the_day_before(
    recorded_range_built: db.PgConnection,
) -> None:
    """Row D carries the metrics of D - 1; the /pools snapshot (fetched on the last day only)
    stands in only on that day, for pools with nothing earlier; no group without history."""
    mismatches = query(
        recorded_range_built,
        """
        select eligibility.pool_id, eligibility.eligibility_date
        from marts.pool_eligibility_by_day as eligibility
        left join marts.pool_daily_metrics as metrics
            on metrics.pool_id = eligibility.pool_id
            and metrics.metric_date = eligibility.eligibility_date - 1
        where eligibility.data_source in ('chart', 'pools_snapshot')
          and eligibility.tvl_usd is distinct from metrics.tvl_usd
        limit 5
        """,
    )
    assert mismatches == []
    bootstraps = query(
        recorded_range_built,
        """
        select distinct eligibility_date, group_id is null
        from marts.pool_eligibility_by_day where data_source = 'bootstrap_snapshot'
        """,
    )
    assert bootstraps == [(RAW_AS_OF, True)]
    days = query(
        recorded_range_built,
        "select min(eligibility_date), max(eligibility_date), bool_and(data_date = eligibility_date - 1) "
        "from marts.pool_eligibility_by_day",
    )
    assert days == [(RANGE_START, RAW_AS_OF, True)]


def test_seed_gap_tests_name_the_pool(
    recorded_range_built: db.PgConnection, dbt_target: Path
) -> None:
    """Without aave-v3's protocol_families row, or Steakhouse USDC's vault_curators row, the
    error-severity tests fail and their stored failing rows name the pools (the seeds are
    changed in this database only and reloaded from the CSVs afterwards)."""
    tests = ["assert_approved_pools_have_a_protocol_family", "assert_curated_vaults_have_a_curator"]
    try:
        execute(
            recorded_range_built, "delete from seeds.protocol_families where project = 'aave-v3'"
        )
        execute(
            recorded_range_built,
            f"delete from seeds.vault_curators where pool_id = '{STEAKHOUSE_USDC}'",
        )
        outcome = run_dbt(
            recorded_range_built,
            ["test", "--select", *tests],
            RAW_AS_OF.isoformat(),
            dbt_target,
            range_start_date=RANGE_START.isoformat(),
        )
        statuses = {result.node.name: str(result.status) for result in outcome.result.results}
        assert statuses == dict.fromkeys(tests, "fail")
        families = query(
            recorded_range_built,
            "select distinct project, chain from test_failures.assert_approved_pools_have_a_protocol_family",
        )
        assert ("aave-v3", "Ethereum") in families
        assert {project for project, _ in families} == {"aave-v3"}
        vaults = query(
            recorded_range_built,
            "select pool_id, project, symbol, chain from test_failures.assert_curated_vaults_have_a_curator",
        )
        assert vaults == [(STEAKHOUSE_USDC, "morpho-blue", "STEAKUSDC", "Ethereum")]
    finally:
        outcome = run_dbt(
            recorded_range_built,
            ["seed", "--select", "protocol_families", "vault_curators"],
            RAW_AS_OF.isoformat(),
            dbt_target,
        )
        assert outcome.success


def test_a_vault_whose_curator_is_removed_is_not_eligible(
    recorded_range_built: db.PgConnection, dbt_target: Path
) -> None:
    """Steakhouse Financial removed from approved_curators on 2025-01-01: Steakhouse USDC is
    eligible before and not from that day, the reason naming vault and curator."""
    try:
        execute(
            recorded_range_built,
            "update seeds.approved_curators set removed_at = '2025-01-01' "
            "where curator = 'Steakhouse Financial'",
        )
        build_range(recorded_range_built, dbt_target)
        rows = query(
            recorded_range_built,
            f"""
            select eligibility_date >= '2025-01-01', bool_or(is_eligible),
                   bool_and(passes_curator_approved), min(reasons[1])
            from marts.pool_eligibility_by_day
            where pool_id = '{STEAKHOUSE_USDC}' and eligibility_date >= '2024-12-01'
            group by 1 order by 1
            """,
        )
        assert rows[0][:3] == (False, True, True)
        assert rows[1][:3] == (True, False, False)
        assert rows[1][3] == (
            "curator Steakhouse Financial of vault Steakhouse USDC (Ethereum) not approved"
        )
    finally:
        outcome = run_dbt(
            recorded_range_built,
            ["seed", "--select", "approved_curators"],
            RAW_AS_OF.isoformat(),
            dbt_target,
        )
        assert outcome.success
        build_range(recorded_range_built, dbt_target)
