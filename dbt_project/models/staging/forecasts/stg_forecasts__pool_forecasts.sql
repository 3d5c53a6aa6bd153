{#- Waits for the forecasting step (tag after_forecast): the table exists only once it ran. -#}
{{ config(tags=['after_forecast']) }}

with

source as (
    select * from {{ source('forecasts', 'pool_forecasts') }}
),

final as (
    select
        cast(run_date as date) as run_date,
        cast(pool_id as text) as pool_id,
        cast(target as text) as target,  -- noqa: RF04
        cast(forecast_date as date) as forecast_date,
        cast(forecast_value as double precision) as forecast_value,
        cast(lower_80 as double precision) as lower_80,
        cast(upper_80 as double precision) as upper_80,
        cast(horizon_days as integer) as horizon_days,
        cast(model_name as text) as model_name,
        cast(backtest_mase as double precision) as backtest_mase,
        cast(fallback_reason as text) as fallback_reason,
        cast(created_at as timestamptz) as created_at
    from source
)

select * from final
