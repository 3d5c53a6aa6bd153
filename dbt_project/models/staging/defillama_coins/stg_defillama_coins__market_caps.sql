with

source as (
    {{ optional_source('raw_defillama_coins', 'market_caps', {
        'symbol': 'text', 'coin': 'text', 'mcap': 'double precision',
        'timestamp': 'timestamptz', 'fetched_at': 'timestamptz', 'run_date': 'date'
    }) }}
),

renamed as (
    select
        {{ normalize_token_symbol('symbol') }} as token_symbol,
        cast(coin as text) as coin_id,
        cast(run_date as date) as run_date,
        cast(mcap as numeric) as market_cap_usd,
        cast(timestamp as timestamptz) as market_cap_at,
        cast(fetched_at as timestamptz) as fetched_at
    from source
),

final as (
    select * from renamed
)

select * from final
