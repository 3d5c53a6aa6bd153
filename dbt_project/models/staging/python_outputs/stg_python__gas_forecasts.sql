{#-
    Built before the forecast too (gas_fees_daily reads it, and the Python gas forecast reads
    gas_fees_daily): on a fresh database the table does not exist yet and the view has no
    rows (optional_source); the after_forecast stage rebuilds it over the table.
-#}
with

source as (
    {{ optional_source('forecasts', 'gas_forecasts', {
        'run_date': 'date',
        'forecast_date': 'date',
        'gas_price_gwei': 'numeric',
        'lower_80': 'numeric',
        'upper_80': 'numeric',
        'eth_price_usd': 'numeric',
        'model_name': 'text',
    }) }}
),

final as (
    select
        run_date,
        forecast_date,
        gas_price_gwei,
        lower_80,
        upper_80,
        eth_price_usd,
        model_name
    from source
)

select * from final
