with

runs as (
    select * from {{ ref('stg_optimization__optimization_runs') }}
    where run_date <= {{ run_date() }}
),

allocations as (
    select * from {{ ref('stg_optimization__daily_allocations') }}
    where run_date <= {{ run_date() }}
),

pool_forecasts as (
    select * from {{ ref('stg_forecasts__pool_forecasts') }}
    where target = 'apy_pct'
),

pools as (
    select * from {{ ref('defi_pools') }}
),

eligibility as (
    select * from {{ ref('pool_eligibility') }}
),

classified as (
    select
        allocations.run_id,
        allocations.run_date,
        allocations.pool_id,
        allocations.group_id,
        allocations.allocation_usd,
        coalesce(allocations.previous_usd, 0) as previous_usd,
        allocations.allocation_usd - coalesce(allocations.previous_usd, 0) as change_usd,
        case
            when coalesce(allocations.previous_usd, 0) = 0 and allocations.allocation_usd > 0
                then 'opened'
            when allocations.previous_usd > 0 and allocations.allocation_usd = 0
                then 'closed'
            when allocations.allocation_usd > allocations.previous_usd then 'increased'
            when allocations.allocation_usd < allocations.previous_usd then 'decreased'
            else 'unchanged'
        end as change_kind
    from allocations
),

final as (
    select
        cast(classified.run_id as text) as run_id,
        cast(classified.run_date as date) as run_date,
        cast(runs.status as text) as run_status,
        cast(classified.pool_id as text) as pool_id,
        cast(pools.chain as text) as chain,  -- noqa: RF04
        cast(pools.project as text) as project,
        cast(pools.symbol as text) as symbol,  -- noqa: RF04
        cast(classified.group_id as integer) as group_id,
        cast(classified.allocation_usd as numeric) as allocation_usd,
        cast(classified.previous_usd as numeric) as previous_usd,
        cast(classified.change_usd as numeric) as change_usd,
        cast(classified.change_kind as text) as change_kind,
        round(cast(100 * classified.allocation_usd / nullif(runs.aum_usd, 0) as numeric), 4)
            as share_of_aum_pct,
        cast(eligibility.apy_pct as numeric) as apy_pct,
        cast(pool_forecasts.forecast_value as numeric) as forecast_apy_pct,
        cast(eligibility.is_eligible as boolean) as is_eligible
    from classified
    inner join runs
        on classified.run_id = runs.run_id
    left join pools
        on classified.pool_id = pools.pool_id
    left join eligibility
        on
            classified.pool_id = eligibility.pool_id
            and classified.run_date = eligibility.eligibility_date
    left join pool_forecasts
        on
            classified.pool_id = pool_forecasts.pool_id
            and classified.run_date = pool_forecasts.run_date
)

select * from final
