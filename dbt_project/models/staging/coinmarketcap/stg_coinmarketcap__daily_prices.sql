with

-- A database loaded only on the free price path (no OHLCV plan) has no table.
source as (
    {{ optional_source('raw_coinmarketcap', 'ohlcv_daily', {
        'symbol': 'text',
        'cmc_id': 'bigint',
        'quote_date': 'date',
        'time_open': 'timestamptz',
        'time_close': 'timestamptz',
        'open': 'double precision',
        'high': 'double precision',
        'low': 'double precision',
        'close': 'double precision',
        'volume': 'double precision',
        'market_cap': 'double precision',
        'fetched_at': 'timestamptz',
    }) }}
),

renamed as (
    select
        {{ normalize_token_symbol('symbol') }} as token_symbol,
        cast(cmc_id as integer) as cmc_id,
        cast(quote_date as date) as price_date,
        cast(time_open as timestamptz) as opened_at,
        cast(time_close as timestamptz) as closed_at,
        cast(open as numeric) as open_usd,
        cast(high as numeric) as high_usd,
        cast(low as numeric) as low_usd,
        cast(close as numeric) as close_usd,
        cast(volume as numeric) as volume_usd,
        cast(market_cap as numeric) as market_cap_usd,
        cast(fetched_at as timestamptz) as fetched_at
    from source
),

final as (
    select * from renamed
)

select * from final
