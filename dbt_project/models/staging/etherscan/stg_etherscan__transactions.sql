with

source as (
    select * from {{ source('raw_etherscan', 'transactions') }}
),

renamed as (
    select
        lower(address) as wallet_address,
        cast(hash as text) as transaction_hash,
        cast(block_number as bigint) as block_number,
        to_timestamp(cast(time_stamp as bigint)) as executed_at,
        lower("from") as from_address,
        lower(nullif("to", '')) as to_address,
        cast(value as numeric) as value_wei,
        {{ from_base_units('value', 18) }} as value_eth,
        cast(gas as numeric) as gas_limit,
        cast(gas_price as numeric) as gas_price_wei,
        cast(gas_used as numeric) as gas_used,
        {{ from_base_units('cast(gas_used as numeric) * cast(gas_price as numeric)', 18) }}
            as fee_eth,
        coalesce(cast(is_error as text) = '1', false) as is_error,
        lower(nullif(contract_address, '')) as created_contract_address,
        nullif(method_id, '') as method_id,
        nullif(function_name, '') as function_name,
        cast(fetched_at as timestamptz) as fetched_at
    from source
),

final as (
    select * from renamed
)

select * from final
