with

actuals as (
    select * from {{ ref('int_gas_daily_actuals_combined') }}
),

token_prices as (
    select * from {{ ref('token_prices_daily') }}
),

gas_forecasts as (
    select * from {{ ref('stg_forecasts__gas_forecasts') }}
),

eth_prices as (
    select
        price_date,
        close_usd
    from token_prices
    where token_symbol = 'ETH'
),

-- What was known on run_date: for each forecast day, the latest forecast made by then.
known_forecasts as (
    select distinct on (forecast_date)
        forecast_date,
        run_date as forecast_run_date,
        gas_price_gwei,
        lower_80,
        upper_80,
        eth_price_usd,
        model_name
    from gas_forecasts
    where run_date <= {{ run_date() }}
    order by forecast_date asc, run_date desc
),

joined as (
    select
        coalesce(actuals.gas_date, known_forecasts.forecast_date) as gas_date,
        actuals.avg_gas_price_gwei,
        coalesce(
            eth_prices.close_usd, actuals.hourly_eth_price_usd, known_forecasts.eth_price_usd
        ) as eth_price_usd,
        actuals.actual_source,
        known_forecasts.gas_price_gwei as forecast_gas_price_gwei,
        known_forecasts.lower_80 as forecast_lower_80_gwei,
        known_forecasts.upper_80 as forecast_upper_80_gwei,
        known_forecasts.model_name as forecast_model_name,
        known_forecasts.forecast_run_date
    from actuals
    full outer join known_forecasts
        on actuals.gas_date = known_forecasts.forecast_date
    left join eth_prices
        on coalesce(actuals.gas_date, known_forecasts.forecast_date) = eth_prices.price_date
),

final as (
    select
        cast(gas_date as date) as gas_date,
        cast(avg_gas_price_gwei as numeric) as avg_gas_price_gwei,
        cast(eth_price_usd as numeric) as eth_price_usd,
        cast(forecast_gas_price_gwei as numeric) as forecast_gas_price_gwei,
        cast(forecast_lower_80_gwei as numeric) as forecast_lower_80_gwei,
        cast(forecast_upper_80_gwei as numeric) as forecast_upper_80_gwei,
        cast(forecast_model_name as text) as forecast_model_name,
        cast(forecast_run_date as date) as forecast_run_date,
        cast(actual_source as text) as actual_source
    from joined
)

select * from final
