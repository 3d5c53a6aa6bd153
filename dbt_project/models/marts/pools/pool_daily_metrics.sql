{#-
    The daily pool metrics of int_pool_daily_metrics, published for the forecasts, the
    summary and the backtest. A view: the incremental table (and its indexes) is the
    intermediate model, so a daily build rewrites only its last days, never a full copy.
-#}
{{ config(materialized='view') }}

with

metrics as (
    select * from {{ ref('int_pool_daily_metrics') }}
),

final as (
    select * from metrics
)

-- the columns of int_pool_daily_metrics, which this model's contract enforces
select * from final  -- noqa: AM04
