with

-- An API Pro endpoint: a database loaded only with a free Etherscan key has no table.
source as (
    {{ optional_source('raw_etherscan', 'daily_avg_gas_price', {
        'utc_date': 'date',
        'avg_gas_price_wei': 'numeric',
        'fetched_at': 'timestamptz',
    }) }}
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
