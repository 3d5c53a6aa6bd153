{#-
    One row per pool, decision date (int_pool_days_in_range) and eligibility check judged on
    the pool's tokens (int_pool_tokens_by_day; eligibility_checks('token')): whether it passed
    on the tokens the pool holds, the reason it would fail (naming the tokens, or the address
    of a token token_contracts does not know), and whether it would pass on the tokens of the
    symbol split (passed_by_symbol, the old rule). Each check is one CTE, computed for both
    token bases. Read by int_pool_eligibility_checks. Ephemeral: compiled into
    pool_eligibility_by_day.
-#}
{{ config(materialized='ephemeral') }}

with

pool_days as (
    select * from {{ ref('int_pool_days_in_range') }}
),

pool_tokens as (
    select * from {{ ref('int_pool_tokens_by_day') }}
),

-- every pool day and token basis with each of its tokens (one row of nulls without tokens)
tokens_on_day as (
    select
        pool_days.pool_id,
        pool_days.eligibility_date,
        bases.token_basis,
        pool_tokens.token_label,
        pool_tokens.market_cap_usd,
        pool_tokens.is_approved,
        pool_tokens.is_blacklisted,
        pool_tokens.is_iceboxed
    from pool_days
    cross join (values ('held'), ('symbol')) as bases (token_basis)
    left join pool_tokens
        on
            pool_days.pool_id = pool_tokens.pool_id
            and pool_days.eligibility_date = pool_tokens.eligibility_date
            and bases.token_basis = pool_tokens.token_basis
),

tokens_approved as (
    select
        pool_id,
        eligibility_date,
        token_basis,
        coalesce(bool_and(is_approved), false) as passed,
        'tokens not approved: ' || coalesce(
            array_to_string(
                array_agg(token_label order by token_label) filter (where not is_approved),
                ', '
            ),
            case when count(token_label) = 0 then 'none in the pool' end
        ) as reason
    from tokens_on_day
    group by pool_id, eligibility_date, token_basis
),

no_token_blacklisted as (
    select
        pool_id,
        eligibility_date,
        token_basis,
        not coalesce(bool_or(is_blacklisted), false) as passed,
        'tokens blacklisted: ' || array_to_string(
            array_agg(token_label order by token_label) filter (where is_blacklisted), ', '
        ) as reason
    from tokens_on_day
    group by pool_id, eligibility_date, token_basis
),

no_token_iceboxed as (
    select
        pool_id,
        eligibility_date,
        token_basis,
        not coalesce(bool_or(is_iceboxed), false) as passed,
        'tokens in the icebox: ' || array_to_string(
            array_agg(token_label order by token_label) filter (where is_iceboxed), ', '
        ) as reason
    from tokens_on_day
    group by pool_id, eligibility_date, token_basis
),

-- false when a token's market cap is too small, else null (unknown) when one has none
token_marketcap as (
    select
        pool_id,
        eligibility_date,
        token_basis,
        case
            when bool_or(market_cap_usd < {{ var('token_marketcap_limit') }}) then false
            when bool_or(market_cap_usd is null) then null
            else true
        end as passed,
        coalesce(
            'market cap < {{ var("token_marketcap_limit") }} USD: ' || array_to_string(
                array_agg(token_label order by token_label) filter (
                    where market_cap_usd < {{ var('token_marketcap_limit') }}
                ),
                ', '
            ),
            'market cap unknown: ' || array_to_string(
                array_agg(token_label order by token_label) filter (
                    where market_cap_usd is null and token_label is not null
                ),
                ', '
            )
        ) as reason
    from tokens_on_day
    group by pool_id, eligibility_date, token_basis
),

final as (
    {%- for check in eligibility_checks('token') %}
        select
            pool_id,
            eligibility_date,
            '{{ check }}' as check_name,
            bool_or(passed) filter (where token_basis = 'held') as passed,
            max(reason) filter (where token_basis = 'held') as reason,
            bool_or(passed) filter (where token_basis = 'symbol') as passed_by_symbol
        from {{ check }}
        group by pool_id, eligibility_date
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
