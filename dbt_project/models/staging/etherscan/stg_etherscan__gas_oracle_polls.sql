with

-- The oracle is polled by its own deployment: a database where it never ran has no table.
source as (
    {{ optional_source('raw_etherscan', 'gas_oracle', {
        'last_block': 'bigint',
        'safe_gas_price': 'numeric',
        'propose_gas_price': 'numeric',
        'fast_gas_price': 'numeric',
        'suggest_base_fee': 'numeric',
        'gas_used_ratio': 'text',
        'polled_at': 'timestamptz',
    }) }}
),

renamed as (
    select
        cast(last_block as bigint) as block_number,
        cast(safe_gas_price as numeric) as safe_gas_price_gwei,
        cast(propose_gas_price as numeric) as propose_gas_price_gwei,
        cast(fast_gas_price as numeric) as fast_gas_price_gwei,
        cast(suggest_base_fee as numeric) as base_fee_gwei,
        cast(gas_used_ratio as text) as gas_used_ratios,
        cast(polled_at as timestamptz) as polled_at
    from source
),

final as (
    select * from renamed
)

select * from final
