-- One row per hour of EthGasTracker's mainnet averages up to the end of run_date.
with

hourly_gas_prices as (
    select * from {{ ref('stg_ethgastracker__hourly_gas_prices') }}
),

mainnet_hours as (
    select
        gas_hour,
        median_gas_price_gwei as avg_gas_price_gwei,
        base_fee_gwei,
        min_gas_price_gwei,
        max_gas_price_gwei,
        avg_block_tx_count,
        eth_price_usd
    from hourly_gas_prices
    where
        network = 'mainnet'
        and gas_hour < cast({{ run_date() }} + 1 as timestamp) at time zone 'UTC'
),

final as (
    select
        cast(gas_hour as timestamptz) as gas_hour,
        cast(avg_gas_price_gwei as numeric) as avg_gas_price_gwei,
        cast(base_fee_gwei as numeric) as base_fee_gwei,
        cast(min_gas_price_gwei as numeric) as min_gas_price_gwei,
        cast(max_gas_price_gwei as numeric) as max_gas_price_gwei,
        cast(avg_block_tx_count as numeric) as avg_block_tx_count,
        cast(eth_price_usd as numeric) as eth_price_usd
    from mainnet_hours
)

select * from final
