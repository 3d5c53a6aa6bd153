{#-
    One row per pool, day (int_pool_days_in_range) and eligibility check judged on the pool's
    tokens (int_pool_tokens_by_day; eligibility_checks('token')): whether it passed and the
    reason it would fail, with the tokens concerned. Each check is one CTE. Read by
    int_pool_eligibility_checks. Ephemeral: compiled into int_pool_eligibility_by_day.
-#}
{{ config(materialized='ephemeral') }}

with

pool_days as (
    select * from {{ ref('int_pool_days_in_range') }}
),

pool_tokens as (
    select * from {{ ref('int_pool_tokens_by_day') }}
),

-- every pool day with each of its tokens (one row of nulls for a symbol without tokens)
tokens_on_day as (
    select
        pool_days.pool_id,
        pool_days.eligibility_date,
        pool_tokens.token_symbol,
        pool_tokens.market_cap_usd,
        pool_tokens.is_approved,
        pool_tokens.is_blacklisted,
        pool_tokens.is_iceboxed
    from pool_days
    left join pool_tokens
        on
            pool_days.pool_id = pool_tokens.pool_id
            and pool_days.eligibility_date = pool_tokens.eligibility_date
),

tokens_approved as (
    select
        pool_id,
        eligibility_date,
        coalesce(bool_and(is_approved), false) as passed,
        'tokens not approved: ' || coalesce(
            array_to_string(
                array_agg(token_symbol order by token_symbol) filter (where not is_approved),
                ', '
            ),
            case when count(token_symbol) = 0 then 'none in the symbol' end
        ) as reason
    from tokens_on_day
    group by pool_id, eligibility_date
),

no_token_blacklisted as (
    select
        pool_id,
        eligibility_date,
        not coalesce(bool_or(is_blacklisted), false) as passed,
        'tokens blacklisted: ' || array_to_string(
            array_agg(token_symbol order by token_symbol) filter (where is_blacklisted), ', '
        ) as reason
    from tokens_on_day
    group by pool_id, eligibility_date
),

no_token_iceboxed as (
    select
        pool_id,
        eligibility_date,
        not coalesce(bool_or(is_iceboxed), false) as passed,
        'tokens in the icebox: ' || array_to_string(
            array_agg(token_symbol order by token_symbol) filter (where is_iceboxed), ', '
        ) as reason
    from tokens_on_day
    group by pool_id, eligibility_date
),

-- false when a token's market cap is too small, else null (unknown) when one has none
token_marketcap as (
    select
        pool_id,
        eligibility_date,
        case
            when bool_or(market_cap_usd < {{ var('token_marketcap_limit') }}) then false
            when bool_or(market_cap_usd is null) then null
            else true
        end as passed,
        coalesce(
            'market cap < {{ var("token_marketcap_limit") }} USD: ' || array_to_string(
                array_agg(token_symbol order by token_symbol) filter (
                    where market_cap_usd < {{ var('token_marketcap_limit') }}
                ),
                ', '
            ),
            'market cap unknown: ' || array_to_string(
                array_agg(token_symbol order by token_symbol) filter (
                    where market_cap_usd is null and token_symbol is not null
                ),
                ', '
            )
        ) as reason
    from tokens_on_day
    group by pool_id, eligibility_date
),

final as (
    {%- for check in eligibility_checks('token') %}
        select
            pool_id,
            eligibility_date,
            '{{ check }}' as check_name,
            passed,
            reason
        from {{ check }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
