{#-
    One row per pool per day: the /chart point when there is one (it is DeFiLlama's own daily
    history), else the day's latest /pools snapshot.

    Incremental because it is the wide input of pool_daily_metrics: a daily build rewrites
    only the last `pool_metrics_reprocess_days` days, plus the chart points fetched since the
    start of the day before run_date whatever day they describe (step 9 runs after the dbt
    stage and back-fills a pool's history when the pool becomes a candidate). The staging
    views' pre-hooks index the raw date columns those filters read, and the delete of the
    rewritten rows is bounded by the earliest rewritten day (strategy delete_insert_in_range,
    a delete+insert), so the daily cost does not grow with the history.
-#}
{%- set reprocess_days = var('pool_metrics_reprocess_days') | int %}
{#- a SQL boolean, so the filters below read the same on a full build (no templated branch) #}
{%- set incremental = 'true' if is_incremental() else 'false' %}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete_insert_in_range',
        delete_range_column='history_date',
        unique_key=['pool_id', 'history_date'],
        on_schema_change='fail',
        indexes=[
            {'columns': ['pool_id', 'history_date'], 'unique': true},
            {'columns': ['history_date']},
            {'columns': ['loaded_at']},
        ],
        pre_hook="set local work_mem = '256MB'",
    )
}}

with

charts as (
    select * from {{ ref('stg_defillama__pool_charts') }}
),

snapshots as (
    select * from {{ ref('int_pool_snapshots_deduplicated') }}
),

chart_days as (
    select
        pool_id,
        chart_date as history_date,
        'chart' as history_source,
        fetched_at as loaded_at,
        tvl_usd,
        apy_pct,
        apy_base_pct,
        apy_reward_pct
    from charts
    where
        chart_date <= {{ run_date() }}
        and (
            not {{ incremental }}
            or chart_date > {{ run_date() }} - {{ reprocess_days }}
            or fetched_at >= cast({{ run_date() }} - 1 as timestamp) at time zone 'utc'
        )
),

snapshot_days as (
    select
        pool_id,
        snapshot_date as history_date,
        'pools_snapshot' as history_source,
        fetched_at as loaded_at,
        tvl_usd,
        apy_pct,
        apy_base_pct,
        apy_reward_pct
    from snapshots
    where
        snapshot_date <= {{ run_date() }}
        and (not {{ incremental }} or snapshot_date > {{ run_date() }} - {{ reprocess_days }})
),

unioned as (
    select * from chart_days
    union all
    select * from snapshot_days
),

ranked as (
    select
        unioned.*,
        row_number() over (
            partition by unioned.pool_id, unioned.history_date
            order by unioned.history_source = 'chart' desc, unioned.loaded_at desc
        ) as source_rank
    from unioned
),

final as (
    select
        pool_id,
        history_date,
        history_source,
        loaded_at,
        tvl_usd,
        apy_pct,
        apy_base_pct,
        apy_reward_pct
    from ranked
    where source_rank = 1
    -- rows in date order keep each day's rows together on disk for the date-window reads
    order by history_date, pool_id
)

select * from final
