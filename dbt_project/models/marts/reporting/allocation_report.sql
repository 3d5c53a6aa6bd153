{#-
    One row per run and pool of its allocation (held after the run or before it). Exit
    signals: a pool held before the run that fails one of the eligibility checks of
    exit_checks on the run date; its reason is the reasons entry at the check's position in
    failed_checks (pool_eligibility gives one sentence per failed check, in the same order).
-#}
{%- set exit_checks = ['tvl_not_collapsing', 'utilization_below_limit'] %}

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

labels as (
    select * from {{ ref('pool_labels') }}
),

eligibility as (
    select * from {{ ref('pool_eligibility') }}
),

metrics as (
    select * from {{ ref('pool_daily_metrics') }}
),

classified as (
    select
        allocations.*,
        coalesce(allocations.previous_usd, 0) as previous_position_usd,
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

-- the exit checks a pool held before the run fails on the run date, with their reasons
exit_signals as (
    select
        classified.run_id,
        classified.pool_id,
        array_agg(failed.check_name order by failed.check_position) as exit_signals,
        array_agg(eligibility.reasons[failed.check_position] order by failed.check_position)
            as exit_reasons
    from classified
    inner join eligibility
        on
            classified.pool_id = eligibility.pool_id
            and classified.run_date = eligibility.eligibility_date
    cross join
        lateral unnest(eligibility.failed_checks)
        with ordinality as failed (check_name, check_position)
    where
        classified.previous_position_usd > 0
        and failed.check_name in (
            {%- for check in exit_checks %}
                '{{ check }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
    group by classified.run_id, classified.pool_id
),

final as (
    select
        cast(classified.run_id as text) as run_id,
        cast(classified.run_date as date) as run_date,
        cast(runs.status as text) as run_status,
        cast(classified.pool_id as text) as pool_id,
        cast(coalesce(labels.pool_label, classified.pool_id) as text) as pool_label,
        cast(labels.chain as text) as chain,  -- noqa: RF04
        cast(labels.project as text) as project,
        cast(labels.symbol as text) as symbol,  -- noqa: RF04
        cast(classified.protocol_family as text) as protocol_family,
        cast(classified.curator as text) as curator,
        cast(classified.group_id as integer) as group_id,
        cast(classified.allocation_usd as numeric) as allocation_usd,
        cast(classified.previous_position_usd as numeric) as previous_usd,
        cast(classified.change_usd as numeric) as change_usd,
        cast(classified.change_kind as text) as change_kind,
        round(cast(100 * classified.allocation_usd / nullif(runs.aum_usd, 0) as numeric), 4)
            as share_of_aum_pct,
        cast(eligibility.apy_pct as numeric) as apy_pct,
        cast(pool_forecasts.forecast_value as numeric) as forecast_apy_pct,
        cast(metrics.apy_pct as numeric) as earned_apy_pct,
        cast(eligibility.is_eligible as boolean) as is_eligible,
        cast(coalesce(exit_signals.exit_signals, '{}') as text[]) as exit_signals,
        cast(coalesce(exit_signals.exit_reasons, '{}') as text[]) as exit_reasons
    from classified
    inner join runs
        on classified.run_id = runs.run_id
    left join labels
        on classified.pool_id = labels.pool_id
    left join eligibility
        on
            classified.pool_id = eligibility.pool_id
            and classified.run_date = eligibility.eligibility_date
    left join pool_forecasts
        on
            classified.pool_id = pool_forecasts.pool_id
            and classified.run_date = pool_forecasts.run_date
    left join metrics
        on
            classified.pool_id = metrics.pool_id
            and classified.run_date = metrics.metric_date
    left join exit_signals
        on
            classified.run_id = exit_signals.run_id
            and classified.pool_id = exit_signals.pool_id
)

select * from final
