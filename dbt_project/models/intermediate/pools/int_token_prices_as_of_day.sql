{#-
    One row per day of int_pool_days_in_range and token with a price in the
    token_price_max_age_days days up to it: the latest close and market cap known on the
    day (older prices are unknown). Ephemeral: compiled into int_pool_eligibility_by_day.
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

latest_token_prices as (
    select distinct on (days.eligibility_date, token_symbol)
        days.eligibility_date,
        {{ normalize_token_symbol('token_prices.token_symbol') }} as token_symbol,
        token_prices.close_usd,
        token_prices.market_cap_usd
    from days
    inner join token_prices
        on
            days.eligibility_date >= token_prices.price_date
            and days.eligibility_date - {{ max_age_days }} < token_prices.price_date
    order by days.eligibility_date asc, token_symbol asc, token_prices.price_date desc
),

final as (
    select * from latest_token_prices
)

select * from final
