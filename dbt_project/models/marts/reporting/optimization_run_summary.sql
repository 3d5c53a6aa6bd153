with

runs as (
    select * from {{ ref('stg_optimization__optimization_runs') }}
    where run_date <= {{ run_date() }}
),

allocations as (
    select * from {{ ref('stg_optimization__daily_allocations') }}
    where run_date <= {{ run_date() }}
),

allocation_totals as (
    select
        run_id,
        count(*) filter (where allocation_usd > 0) as pools_held,
        sum(allocation_usd) as allocated_usd,
        sum(abs(allocation_usd - coalesce(previous_usd, 0))) / 2 as turnover_usd
    from allocations
    group by run_id
),

final as (
    select
        cast(runs.run_id as text) as run_id,
        cast(runs.run_date as date) as run_date,
        cast(runs.status as text) as status,
        cast(runs.error as text) as error,
        cast(runs.aum_usd as numeric) as aum_usd,
        cast(coalesce(allocation_totals.allocated_usd, 0) as numeric) as allocated_usd,
        cast(runs.aum_usd - coalesce(allocation_totals.allocated_usd, 0) as numeric) as idle_usd,
        cast(runs.idle_after as jsonb) as idle_tokens_usd,
        cast(runs.idle_reason as text) as idle_reason,
        cast(coalesce(allocation_totals.pools_held, 0) as integer) as pools_held,
        cast(coalesce(allocation_totals.turnover_usd, 0) as numeric) as turnover_usd,
        cast(runs.expected_yield_usd as numeric) as expected_yield_usd,
        cast(runs.gas_cost_usd as numeric) as gas_cost_usd,
        cast(runs.conversion_cost_usd as numeric) as conversion_cost_usd,
        cast(runs.expected_profit_usd as numeric) as expected_profit_usd,
        cast(runs.dilution_cost_usd as numeric) as dilution_cost_usd,
        cast(runs.unknown_liquidity_pools as integer) as unknown_liquidity_pools,
        cast(runs.liquidity_bound_positions as integer) as liquidity_bound_positions,
        cast(runs.parameters ->> 'horizon_days' as integer) as horizon_days,
        cast(
            100 * runs.expected_profit_usd / nullif(runs.aum_usd, 0)
            * 365 / nullif(cast(runs.parameters ->> 'horizon_days' as numeric), 0)
            as numeric
        ) as expected_net_apy_pct,
        cast(runs.started_at as timestamptz) as started_at,
        cast(runs.finished_at as timestamptz) as finished_at,
        cast(extract(epoch from runs.finished_at - runs.started_at) as numeric)
            as duration_seconds
    from runs
    left join allocation_totals
        on runs.run_id = allocation_totals.run_id
)

select * from final
