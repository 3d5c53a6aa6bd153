{{ config(materialized='table') }}

with

daily_prices as (
    -- CoinMarketCap's candles or, on the free price path, DeFiLlama coins' daily OHLC
    select * from {{ ref('int_token_daily_candles') }}
    where price_date <= {{ run_date() }}
),

latest_quotes as (
    select * from {{ ref('stg_coinmarketcap__latest_quotes') }}
    where run_date <= {{ run_date() }}
),

-- A day's candle where there is one; a day the run only has the latest quote for (today's
-- candle not closed yet) still gets its close price and market cap from the quote.
prices_with_quotes as (
    select
        coalesce(daily_prices.token_symbol, latest_quotes.token_symbol) as token_symbol,
        coalesce(daily_prices.price_date, latest_quotes.run_date) as price_date,
        daily_prices.open_usd,
        daily_prices.high_usd,
        daily_prices.low_usd,
        coalesce(daily_prices.close_usd, latest_quotes.price_usd) as close_usd,
        daily_prices.volume_usd,
        coalesce(latest_quotes.market_cap_usd, daily_prices.market_cap_usd) as market_cap_usd,
        case
            when daily_prices.price_date is not null then 'ohlcv' else 'latest_quote'
        end as price_source
    from daily_prices
    full outer join latest_quotes
        on
            daily_prices.token_symbol = latest_quotes.token_symbol
            and daily_prices.price_date = latest_quotes.run_date
),

with_returns as (
    select
        prices_with_quotes.token_symbol,
        prices_with_quotes.price_date,
        prices_with_quotes.open_usd,
        prices_with_quotes.high_usd,
        prices_with_quotes.low_usd,
        prices_with_quotes.close_usd,
        prices_with_quotes.volume_usd,
        prices_with_quotes.market_cap_usd,
        prices_with_quotes.price_source,
        prices_with_quotes.close_usd / nullif(day_before.close_usd, 0) - 1 as return_1d,
        prices_with_quotes.close_usd / nullif(week_before.close_usd, 0) - 1 as return_7d
    from prices_with_quotes
    left join prices_with_quotes as day_before
        on
            prices_with_quotes.token_symbol = day_before.token_symbol
            and prices_with_quotes.price_date - 1 = day_before.price_date
    left join prices_with_quotes as week_before
        on
            prices_with_quotes.token_symbol = week_before.token_symbol
            and prices_with_quotes.price_date - 7 = week_before.price_date
),

final as (
    select
        cast(token_symbol as text) as token_symbol,
        cast(price_date as date) as price_date,
        cast(open_usd as numeric) as open_usd,
        cast(high_usd as numeric) as high_usd,
        cast(low_usd as numeric) as low_usd,
        cast(close_usd as numeric) as close_usd,
        cast(return_1d as numeric) as return_1d,
        cast(return_7d as numeric) as return_7d,
        cast(market_cap_usd as numeric) as market_cap_usd,
        cast(volume_usd as numeric) as volume_usd,
        cast(price_source as text) as price_source
    from with_returns
)

select * from final
