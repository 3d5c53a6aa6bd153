with

source as (
    select * from {{ source('raw_ethgastracker', 'gas_hourly') }}
),

renamed as (
    select
        cast(network as text) as network,
        cast(period as timestamptz) as gas_hour,
        cast(base_fee as numeric) as base_fee_gwei,
        cast(min as numeric) as min_gas_price_gwei,
        cast(max as numeric) as max_gas_price_gwei,
        cast(median as numeric) as median_gas_price_gwei,
        cast(gas_limit as numeric) as avg_block_gas_limit,
        cast(gas_used as numeric) as avg_block_gas_used,
        cast(tx_count as numeric) as avg_block_tx_count,
        cast(eth_price as numeric) as eth_price_usd,
        cast(fetched_at as timestamptz) as fetched_at
    from source
),

final as (
    select * from renamed
)

select * from final
