-- Withdrawable liquidity per pool and day, for the optimizer's liquidity cap
-- (position_max_pct_available_liquidity) and for analysts asking what tvl_usd means.
with

liquidity as (
    select * from {{ ref('int_pool_liquidity_by_day') }}
),

final as (
    select
        pool_id,
        liquidity_date,
        total_supply_usd,
        total_borrow_usd,
        available_liquidity_usd,
        minted_coin,
        tvl_usd,
        tvl_basis
    from liquidity
)

select * from final
