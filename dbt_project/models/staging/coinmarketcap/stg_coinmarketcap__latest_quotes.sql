with

-- A database loaded only on the free price path (no CoinMarketCap key) has no table.
source as (
    {{ optional_source('raw_coinmarketcap', 'quotes_latest', {
        'symbol': 'text',
        'cmc_id': 'bigint',
        'run_date': 'date',
        'price': 'double precision',
        'market_cap': 'double precision',
        'volume_24h': 'double precision',
        'last_updated': 'timestamptz',
        'fetched_at': 'timestamptz',
    }) }}
),

renamed as (
    select
        {{ normalize_token_symbol('symbol') }} as token_symbol,
        cast(cmc_id as integer) as cmc_id,
        cast(run_date as date) as run_date,
        cast(price as numeric) as price_usd,
        cast(market_cap as numeric) as market_cap_usd,
        cast(volume_24h as numeric) as volume_24h_usd,
        cast(last_updated as timestamptz) as quote_updated_at,
        cast(fetched_at as timestamptz) as fetched_at
    from source
),

final as (
    select * from renamed
)

select * from final
