-- Daily candles of every tracked token from either price path: CoinMarketCap's OHLCV where
-- the run had a plan with OHLCV history, else the day's OHLC made from DeFiLlama's hourly
-- coins points (open = first point, close = last, high/low = extremes of the points, so an
-- intraday wick between two hourly points is lost). A day both paths have keeps
-- CoinMarketCap's candle.
with

cmc_candles as (
    select
        token_symbol,
        price_date,
        open_usd,
        high_usd,
        low_usd,
        close_usd,
        volume_usd,
        market_cap_usd,
        'coinmarketcap' as candle_source
    from {{ ref('stg_coinmarketcap__daily_prices') }}
),

points as (
    select * from {{ ref('stg_defillama_coins__price_points') }}
),

market_caps as (
    select * from {{ ref('stg_defillama_coins__market_caps') }}
),

point_days as (
    select distinct on (token_symbol, price_date)
        token_symbol,
        price_date,
        first_value(price_usd) over day_points as open_usd,
        max(price_usd) over day_points as high_usd,
        min(price_usd) over day_points as low_usd,
        last_value(price_usd) over day_points as close_usd
    from points
    window
        day_points as (
            partition by token_symbol, price_date
            order by priced_at
            rows between unbounded preceding and unbounded following
        )
    order by token_symbol asc, price_date asc
),

-- A day's market cap is the one fetched by the run right after the day ended (run date
-- D+1, at 02:30 UTC), the closest DeFiLlama serves to the day's close.
coins_candles as (
    select
        point_days.token_symbol,
        point_days.price_date,
        point_days.open_usd,
        point_days.high_usd,
        point_days.low_usd,
        point_days.close_usd,
        cast(null as numeric) as volume_usd,
        market_caps.market_cap_usd,
        'defillama_coins' as candle_source
    from point_days
    left join market_caps
        on
            point_days.token_symbol = market_caps.token_symbol
            and point_days.price_date + 1 = market_caps.run_date
),

unioned as (
    select * from cmc_candles
    union all
    select coins_candles.* from coins_candles
    where not exists (
        select from cmc_candles
        where
            cmc_candles.token_symbol = coins_candles.token_symbol
            and cmc_candles.price_date = coins_candles.price_date
    )
),

final as (
    select
        cast(token_symbol as text) as token_symbol,
        cast(price_date as date) as price_date,
        cast(open_usd as numeric) as open_usd,
        cast(high_usd as numeric) as high_usd,
        cast(low_usd as numeric) as low_usd,
        cast(close_usd as numeric) as close_usd,
        cast(volume_usd as numeric) as volume_usd,
        cast(market_cap_usd as numeric) as market_cap_usd,
        cast(candle_source as text) as candle_source
    from unioned
)

select * from final
