{#-
    One row per pool, day (int_pool_days_in_range) and token of the pool: what the lists say
    of the token on that day (approved, blacklisted, in the icebox: added_at <= D <
    removed_at) and its latest market cap (int_token_prices_as_of_day). Tokens match exactly
    by normalized symbol (DAI is not SDAI). Ephemeral: compiled into
    int_pool_eligibility_by_day.
-#}
{{ config(materialized='ephemeral') }}

with

pool_days as (
    select * from {{ ref('int_pool_days_in_range') }}
),

token_prices as (
    select * from {{ ref('int_token_prices_as_of_day') }}
),

approved_tokens as (
    select * from {{ ref('approved_tokens') }}
),

blacklisted_tokens as (
    select * from {{ ref('blacklisted_tokens') }}
),

icebox_tokens as (
    select * from {{ ref('int_icebox_episodes') }}
),

pool_tokens as (
    select distinct
        pool_days.pool_id,
        pool_days.eligibility_date,
        pool_token.token_symbol
    from pool_days
    cross join unnest(pool_days.tokens) as pool_token (token_symbol)
),

token_status as (
    select
        pool_tokens.pool_id,
        pool_tokens.eligibility_date,
        pool_tokens.token_symbol,
        token_prices.market_cap_usd,
        exists(
            select from approved_tokens
            where
                {{ normalize_token_symbol('approved_tokens.token_symbol') }}
                = pool_tokens.token_symbol
                and {{ in_effect_on('approved_tokens', 'pool_tokens.eligibility_date') }}
        ) as is_approved,
        exists(
            select from blacklisted_tokens
            where
                {{ normalize_token_symbol('blacklisted_tokens.token_symbol') }}
                = pool_tokens.token_symbol
                and {{ in_effect_on('blacklisted_tokens', 'pool_tokens.eligibility_date') }}
        ) as is_blacklisted,
        exists(
            select from icebox_tokens
            where
                {{ normalize_token_symbol('icebox_tokens.token_symbol') }}
                = pool_tokens.token_symbol
                and {{ in_effect_on('icebox_tokens', 'pool_tokens.eligibility_date') }}
        ) as is_iceboxed
    from pool_tokens
    left join token_prices
        on
            pool_tokens.eligibility_date = token_prices.eligibility_date
            and pool_tokens.token_symbol = token_prices.token_symbol
),

final as (
    select * from token_status
)

select * from final
