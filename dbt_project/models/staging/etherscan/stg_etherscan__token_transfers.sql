with

source as (
    select * from {{ source('raw_etherscan', 'token_transfers') }}
),

renamed as (
    select
        lower(address) as wallet_address,
        cast(hash as text) as transaction_hash,
        cast(log_index as bigint) as log_index,
        cast(block_number as bigint) as block_number,
        to_timestamp(cast(time_stamp as bigint)) as executed_at,
        lower("from") as from_address,
        lower("to") as to_address,
        lower(contract_address) as token_address,
        {{ normalize_token_symbol('token_symbol') }} as token_symbol,
        cast(token_name as text) as token_name,
        cast(token_decimal as integer) as token_decimals,
        cast(value as numeric) as amount_raw,
        {{ from_base_units('value', 'token_decimal') }} as amount,
        {{ from_base_units('cast(gas_used as numeric) * cast(gas_price as numeric)', 18) }}
            as fee_eth,
        cast(fetched_at as timestamptz) as fetched_at
    from source
),

final as (
    select * from renamed
)

select * from final
