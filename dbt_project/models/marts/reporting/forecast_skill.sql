{#-
    Built after the forecasting step (its staging view is tagged after_forecast). The skill of
    a forecast is its selected model's MAE ratio against persistence ("same as yesterday")
    over the backtest: below 1 it beats persistence.
-#}
with

metrics as (
    select * from {{ ref('stg_forecasts__model_performance_metrics') }}
    where
        run_date <= {{ run_date() }}
        and metric = 'mase'
        and is_selected
),

final as (
    select
        cast(run_date as date) as run_date,
        cast(subject_type as text) as subject_type,
        cast(target as text) as target,  -- noqa: RF04
        cast(count(*) as integer) as subjects,
        cast(avg(metric_value) as numeric) as mean_mae_ratio,
        cast(count(*) filter (where metric_value < 1) as integer) as subjects_beating_persistence,
        cast(max(horizon_days) as integer) as horizon_days
    from metrics
    group by run_date, subject_type, target
)

select * from final
