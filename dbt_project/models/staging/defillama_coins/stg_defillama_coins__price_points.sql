with

source as (
    {{ optional_source('raw_defillama_coins', 'price_points', {
        'symbol': 'text', 'coin': 'text', 'timestamp': 'timestamptz',
        'price': 'double precision', 'price_date': 'date', 'fetched_at': 'timestamptz'
    }) }}
),

renamed as (
    select
        {{ normalize_token_symbol('symbol') }} as token_symbol,
        cast(coin as text) as coin_id,
        cast(timestamp as timestamptz) as priced_at,
        cast(price_date as date) as price_date,
        cast(price as numeric) as price_usd,
        cast(fetched_at as timestamptz) as fetched_at
    from source
),

final as (
    select * from renamed
)

select * from final
