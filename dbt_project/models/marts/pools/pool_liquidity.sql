{#-
    Withdrawable liquidity per pool and decision date from range_start_date to run_date, where
    something is known (a /lendBorrow snapshot fetched on D or before, or the project's
    documented tvl basis): for analysts asking what tvl_usd means and what can be withdrawn.
    The optimizer reads the same figures from pool_eligibility_by_day.
-#}
with

liquidity as (
    select * from {{ ref('int_pool_liquidity_by_day') }}
),

final as (
    select
        pool_id::text as pool_id,
        eligibility_date::date as eligibility_date,
        liquidity_snapshot_date::date as liquidity_snapshot_date,
        total_supply_usd::double precision as total_supply_usd,
        total_borrow_usd::double precision as total_borrow_usd,
        utilization_pct::double precision as utilization_pct,
        minted_coin::text as minted_coin,
        tvl_usd::double precision as tvl_usd,
        tvl_basis::text as tvl_basis,
        tvl_basis_source::text as tvl_basis_source,
        available_liquidity_usd::double precision as available_liquidity_usd,
        supply_per_tvl::double precision as supply_per_tvl
    from liquidity
    where liquidity_snapshot_date is not null or available_liquidity_usd is not null
)

select * from final
