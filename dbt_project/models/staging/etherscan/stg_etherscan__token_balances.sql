with

source as (
    select * from {{ source('raw_etherscan', 'token_balances') }}
),

renamed as (
    select
        lower(address) as holder_address,
        lower(contract_address) as token_address,
        {{ normalize_token_symbol('token_symbol') }} as token_symbol,
        cast(run_date as date) as run_date,
        cast(balance_raw as numeric) as balance_raw,
        cast(fetched_at as timestamptz) as fetched_at
    from source
),

final as (
    select * from renamed
)

select * from final
