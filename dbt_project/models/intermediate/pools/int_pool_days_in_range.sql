{#-
    One row per pool per decision date D from range_start_date to run_date: what the decision
    of D may know of the pool. Market data is that of D - 1 (data_date): the pool's TVL, APY,
    history and group of D - 1, its TVL change from D - 2 to D - 1. The daily run of D (02:30
    UTC) and a backtest see exactly this, so a backtest row never reads data dated D or later.

    A pool gets a row on D when it has data dated D - 1, or when it is in the /pools snapshot
    fetched on D without data dated D - 1: then, if it has no data at all dated before D (a
    fresh database, a new pool), that snapshot stands in (data_source bootstrap_snapshot: no
    history, so no group: at best a step-9 history candidate); otherwise it has a gap and no
    data (data_source null: has_data fails with the last day it had data). The pool's
    description (chain, project, symbol, tokens, underlying tokens) is its latest as of
    run_date, with its protocol family from the seed protocol_families. Ephemeral, like every
    input of the eligibility checks: compiled into pool_eligibility_by_day with that build's
    range.
-#}
{{ config(materialized='ephemeral') }}

with

-- not materialized: each use below reads the table through its (pool_id, metric_date) index
metrics as not materialized (
    select * from {{ ref('int_pool_daily_metrics') }}
),

snapshots as (
    select * from {{ ref('int_pool_snapshots_deduplicated') }}
),

pools as (
    select * from {{ ref('int_pool_descriptions') }}
),

pool_groups as (
    select * from {{ ref('int_pool_groups_by_day') }}
),

protocol_families as (
    select * from {{ ref('protocol_families') }}
),

-- the day before each decision date of the range: the data the decision reads
previous_day_rows as (
    select
        pool_id,
        metric_date + 1 as eligibility_date,
        history_source as data_source,
        metric_date as last_data_date,
        tvl_usd,
        apy_pct,
        history_days
    from metrics
    where metric_date between {{ range_start_date() }} - 1 and {{ run_date() }} - 1
),

-- pools in the /pools snapshot fetched on D without data dated D - 1
snapshot_only_rows as (
    select
        snapshots.pool_id,
        snapshots.snapshot_date as eligibility_date,
        snapshots.tvl_usd,
        snapshots.apy_pct,
        (
            select max(earlier.metric_date)
            from metrics as earlier
            where
                earlier.pool_id = snapshots.pool_id
                and earlier.metric_date < snapshots.snapshot_date - 1
        ) as last_data_date
    from snapshots
    where
        snapshots.snapshot_date between {{ range_start_date() }} and {{ run_date() }}
        and not exists (
            select from metrics as day_before
            where
                day_before.pool_id = snapshots.pool_id
                and day_before.metric_date = snapshots.snapshot_date - 1
        )
),

-- nothing dated before D: the snapshot of D stands in (bootstrap); else a gap, no data
snapshot_days as (
    select
        pool_id,
        eligibility_date,
        case when last_data_date is null then 'bootstrap_snapshot' end as data_source,
        last_data_date,
        case when last_data_date is null then tvl_usd end as tvl_usd,
        case when last_data_date is null then apy_pct end as apy_pct,
        case when last_data_date is null then 0 end as history_days
    from snapshot_only_rows
),

pool_days as (
    select * from previous_day_rows
    union all
    select * from snapshot_days
),

pools_on_day as (
    select
        pool_days.pool_id,
        pool_days.eligibility_date,
        pool_days.eligibility_date - 1 as data_date,
        pool_days.data_source,
        pool_days.last_data_date,
        pools.chain,
        pools.project,
        protocol_families.family,
        protocol_families.category,
        protocol_families.has_curators,
        protocol_families.tvl_basis as project_tvl_basis,
        pools.symbol,
        pools.tokens as symbol_tokens,
        pools.underlying_token_addresses,
        pool_days.tvl_usd,
        pool_days.apy_pct,
        case
            when pool_days.data_source <> 'bootstrap_snapshot' and two_days_before.tvl_usd > 0
                then 100 * (pool_days.tvl_usd / two_days_before.tvl_usd - 1)
        end as tvl_change_1d_pct,
        pool_days.history_days,
        pool_groups.group_id
    from pool_days
    inner join pools on pool_days.pool_id = pools.pool_id
    left join protocol_families on pools.project = protocol_families.project
    left join metrics as two_days_before
        on
            pool_days.pool_id = two_days_before.pool_id
            and two_days_before.metric_date = pool_days.eligibility_date - 2
    left join pool_groups
        on
            pool_days.pool_id = pool_groups.pool_id
            and pool_days.eligibility_date = pool_groups.group_date
),

final as (
    select * from pools_on_day
)

select * from final
