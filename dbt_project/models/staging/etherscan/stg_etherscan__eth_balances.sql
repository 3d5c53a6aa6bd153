with

source as (
    select * from {{ source('raw_etherscan', 'balances') }}
),

renamed as (
    select
        lower(address) as wallet_address,
        cast(run_date as date) as run_date,
        cast(balance_wei as numeric) as balance_wei,
        {{ from_base_units('balance_wei', 18) }} as balance_eth,
        cast(fetched_at as timestamptz) as fetched_at
    from source
),

final as (
    select * from renamed
)

select * from final
