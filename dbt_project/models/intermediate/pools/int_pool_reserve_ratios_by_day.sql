{#-
    One row per pool of the seed pool_reserve_contracts per decision date of
    int_pool_days_in_range: its reserves as of D - 1 (the latest token balances fetched on D - 1
    or before) valued at the prices known on D (int_token_prices_as_of_day, dated D - 1 or
    before), and smallest / largest reserve. Ephemeral: compiled into pool_eligibility_by_day.
-#}
{{ config(materialized='ephemeral') }}

with

pool_days as (
    select * from {{ ref('int_pool_days_in_range') }}
),

token_prices as (
    select * from {{ ref('int_token_prices_as_of_day') }}
),

tracked_tokens as (
    select * from {{ ref('tracked_tokens') }}
),

reserve_contracts as (
    select * from {{ ref('pool_reserve_contracts') }}
),

token_balances as (
    select * from {{ ref('stg_etherscan__token_balances') }}
),

days as (
    select distinct eligibility_date
    from pool_days
),

latest_reserve_balances as (
    select distinct on (
        days.eligibility_date, token_balances.holder_address, token_balances.token_address
    )
        days.eligibility_date,
        token_balances.holder_address,
        token_balances.token_address,
        token_balances.token_symbol,
        token_balances.balance_raw
    from days
    inner join token_balances on days.eligibility_date - 1 >= token_balances.run_date
    order by
        days.eligibility_date asc,
        token_balances.holder_address asc,
        token_balances.token_address asc,
        token_balances.run_date desc,
        token_balances.fetched_at desc
),

reserve_values as (
    select
        reserve_contracts.pool_id,
        days.eligibility_date,
        latest_reserve_balances.token_symbol,
        latest_reserve_balances.balance_raw
        / power(10::numeric, tracked_tokens.decimals)
        * token_prices.close_usd::numeric as reserve_usd
    from reserve_contracts
    cross join days
    left join latest_reserve_balances
        on
            days.eligibility_date = latest_reserve_balances.eligibility_date
            and lower(reserve_contracts.contract_address) = latest_reserve_balances.holder_address
    left join tracked_tokens
        on latest_reserve_balances.token_address = lower(tracked_tokens.contract_address)
    left join token_prices
        on
            days.eligibility_date = token_prices.eligibility_date
            and latest_reserve_balances.token_symbol = token_prices.token_symbol
),

reserve_ratios as (
    select
        pool_id,
        eligibility_date,
        count(reserve_usd) as valued_reserves,
        count(*) as reserves,
        min(reserve_usd) / nullif(max(reserve_usd), 0) as reserve_ratio
    from reserve_values
    group by pool_id, eligibility_date
),

-- a ratio needs two reserves or more, every one of them valued, not all zero
valued as (
    select
        *,
        coalesce(
            valued_reserves >= 2 and valued_reserves = reserves and reserve_ratio is not null,
            false
        ) as is_valued
    from reserve_ratios
),

final as (
    select * from valued
)

select * from final
