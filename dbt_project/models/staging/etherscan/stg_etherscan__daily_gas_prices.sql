with

source as (
    select * from {{ source('raw_etherscan', 'daily_avg_gas_price') }}
),

renamed as (
    select
        cast(utc_date as date) as gas_date,
        cast(avg_gas_price_wei as numeric) as avg_gas_price_wei,
        cast(avg_gas_price_wei as numeric) / 1e9 as avg_gas_price_gwei,
        cast(fetched_at as timestamptz) as fetched_at
    from source
),

final as (
    select * from renamed
)

select * from final
