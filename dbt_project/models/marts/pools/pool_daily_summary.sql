{#-
    One row per pool per forecast day: the forecasts made on run_date (APY and TVL with their
    80 % intervals) next to the actuals of that day from pool_daily_metrics (null until known),
    for dbt docs, the report and the backtest. Built after the forecasting step (it reads the
    forecasts source); past days are kept, a re-run replaces the forecasts of its run_date.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='forecast_run_date',
        on_schema_change='append_new_columns',
        tags=['after_forecast'],
    )
}}

with

forecasts as (
    select * from {{ ref('stg_forecasts__pool_forecasts') }}
),

metrics as (
    select * from {{ ref('pool_daily_metrics') }}
),

run_forecasts as (
    select
        pool_id,
        forecast_date,
        max(forecast_value) filter (where target = 'apy_pct') as forecast_apy_pct,
        max(lower_80) filter (where target = 'apy_pct') as forecast_apy_lower_80_pct,
        max(upper_80) filter (where target = 'apy_pct') as forecast_apy_upper_80_pct,
        max(model_name) filter (where target = 'apy_pct') as apy_model_name,
        max(backtest_mase) filter (where target = 'apy_pct') as apy_backtest_mase,
        max(forecast_value) filter (where target = 'tvl_usd') as forecast_tvl_usd,
        max(lower_80) filter (where target = 'tvl_usd') as forecast_tvl_lower_80_usd,
        max(upper_80) filter (where target = 'tvl_usd') as forecast_tvl_upper_80_usd,
        max(model_name) filter (where target = 'tvl_usd') as tvl_model_name
    from forecasts
    where run_date = {{ run_date() }}
    group by pool_id, forecast_date
),

final as (
    select
        run_forecasts.pool_id::text as pool_id,
        run_forecasts.forecast_date::date as summary_date,
        {{ run_date() }} as forecast_run_date,
        metrics.apy_pct::double precision as actual_apy_pct,
        run_forecasts.forecast_apy_pct::double precision as forecast_apy_pct,
        run_forecasts.forecast_apy_lower_80_pct::double precision as forecast_apy_lower_80_pct,
        run_forecasts.forecast_apy_upper_80_pct::double precision as forecast_apy_upper_80_pct,
        (metrics.apy_pct - run_forecasts.forecast_apy_pct)::double precision
            as apy_forecast_error_pp,
        metrics.tvl_usd::double precision as actual_tvl_usd,
        run_forecasts.forecast_tvl_usd::double precision as forecast_tvl_usd,
        run_forecasts.forecast_tvl_lower_80_usd::double precision as forecast_tvl_lower_80_usd,
        run_forecasts.forecast_tvl_upper_80_usd::double precision as forecast_tvl_upper_80_usd,
        metrics.apy_mean_7d_pct::double precision as apy_mean_7d_pct,
        metrics.apy_stddev_30d_pp::double precision as apy_stddev_30d_pp,
        run_forecasts.apy_model_name::text as apy_model_name,
        run_forecasts.apy_backtest_mase::double precision as apy_backtest_mase,
        run_forecasts.tvl_model_name::text as tvl_model_name
    from run_forecasts
    left join metrics
        on
            run_forecasts.pool_id = metrics.pool_id
            and run_forecasts.forecast_date = metrics.metric_date
)

select * from final
