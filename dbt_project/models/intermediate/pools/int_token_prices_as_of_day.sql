{#-
    One row per decision date of int_pool_days_in_range and token with a price in the
    token_price_max_age_days days up to D - 1: the latest close and market cap known to the
    decision of D (dated D - 1 or before; the candle of D is not closed at 02:30 UTC, and an
    older price is unknown). Ephemeral: compiled into pool_eligibility_by_day.
-#}
{{ config(materialized='ephemeral') }}

{%- set max_age_days = var('token_price_max_age_days') | int %}

with

pool_days as (
    select * from {{ ref('int_pool_days_in_range') }}
),

token_prices as (
    select * from {{ ref('int_token_prices_daily') }}
),

days as (
    select distinct eligibility_date
    from pool_days
),

-- the days a decision may read, D - 1 back to D - token_price_max_age_days (equality joins)
readable_days as (
    select
        days.eligibility_date,
        days.eligibility_date - age.days_back as price_date,
        age.days_back
    from days
    cross join generate_series(1, {{ max_age_days }}) as age (days_back)
),

latest_token_prices as (
    select distinct on (readable_days.eligibility_date, token_symbol)
        readable_days.eligibility_date,
        {{ normalize_token_symbol('token_prices.token_symbol') }} as token_symbol,
        token_prices.price_date,
        token_prices.close_usd,
        token_prices.market_cap_usd
    from readable_days
    inner join token_prices on readable_days.price_date = token_prices.price_date
    order by readable_days.eligibility_date asc, token_symbol asc, readable_days.days_back asc
),

final as (
    select * from latest_token_prices
)

select * from final
