{#-
    One row per pool with data per day from range_start_date to run_date: the day's TVL,
    APY, history and group, and the pool's description (chain, project, tokens) as of
    run_date. Ephemeral, like every input of the eligibility checks: it is compiled into
    int_pool_eligibility_by_day with that build's range (a backtest rebuilds only the by-day
    models, for its own range).
-#}
{{ config(materialized='ephemeral') }}

with

metrics as (
    select * from {{ ref('int_pool_daily_metrics') }}
),

pools as (
    select * from {{ ref('int_pool_descriptions') }}
),

pool_groups as (
    select * from {{ ref('int_pool_groups_by_day') }}
),

pools_on_day as (
    select
        metrics.pool_id,
        metrics.metric_date as eligibility_date,
        pools.chain,
        pools.project,
        pools.symbol,
        pools.tokens,
        metrics.tvl_usd,
        metrics.apy_pct,
        metrics.history_days,
        pool_groups.group_id
    from metrics
    inner join pools on metrics.pool_id = pools.pool_id
    left join pool_groups
        on
            metrics.pool_id = pool_groups.pool_id
            and metrics.metric_date = pool_groups.group_date
    where metrics.metric_date between {{ range_start_date() }} and {{ run_date() }}
),

final as (
    select * from pools_on_day
)

select * from final
