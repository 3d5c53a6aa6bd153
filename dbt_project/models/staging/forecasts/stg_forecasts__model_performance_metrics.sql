{#- Waits for the forecasting step (tag after_forecast): the table exists only once it ran. -#}
{{ config(tags=['after_forecast']) }}

with

source as (
    select * from {{ source('forecasts', 'model_performance_metrics') }}
),

final as (
    select
        cast(run_date as date) as run_date,
        cast(subject_type as text) as subject_type,
        cast(subject_id as text) as subject_id,
        cast(target as text) as target,  -- noqa: RF04
        cast(model_name as text) as model_name,
        cast(metric as text) as metric,  -- noqa: RF04
        cast(metric_value as double precision) as metric_value,
        cast(is_selected as boolean) as is_selected,
        cast(training_start as date) as training_start,
        cast(training_end as date) as training_end,
        cast(horizon_days as integer) as horizon_days,
        cast(created_at as timestamptz) as created_at
    from source
)

select * from final
