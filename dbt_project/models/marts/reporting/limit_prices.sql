{#-
    The run's limit_prices (python_models/decision/explain.py computes them in step 13), one
    row per limit in the order explain.LIMITS lists them. The price is the run's own
    what-if figure; this model only unpacks it and turns bp into dollars at the run's AUM.
-#}
with

runs as (
    select * from {{ ref('stg_optimization__optimization_runs') }}
    where run_date <= {{ run_date() }}
),

unpacked as (
    select
        runs.run_id,
        runs.run_date,
        runs.aum_usd,
        prices.limit_no,
        prices.price
    from runs
    cross join
        lateral jsonb_array_elements(runs.limit_prices)
        with ordinality as prices (price, limit_no)
),

final as (
    select
        cast(run_id as text) as run_id,
        cast(run_date as date) as run_date,
        cast(limit_no as integer) as limit_no,
        cast(price ->> 'limit' as text) as limit_name,
        cast(price ->> 'value' as numeric) as limit_value,
        cast(price ->> 'loss_bounded' as text) as loss_bounded,
        cast(price ->> 'binds' as boolean) as is_binding,
        cast(price ->> 'cost_bp_a_year' as numeric) as cost_bp_a_year,
        cast(cast(price ->> 'cost_bp_a_year' as numeric) * aum_usd / 10000 as numeric)
            as cost_usd_a_year
    from unpacked
)

select * from final
