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
        'tx_cost_usd': 'numeric',
        'model_name': 'text',
        'backtest_mase': 'double precision',
        'fallback_reason': 'text',
        'created_at': 'timestamptz',
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
        tx_cost_usd,
        model_name,
        backtest_mase,
        fallback_reason,
        created_at
    from source
)

select * from final
