-- Per pool and day: supply, borrows, what can be withdrawn (supply - borrows) and which of
-- them DeFiLlama's tvlUsd is. For most lending markets tvlUsd already is supply - borrows;
-- for some (fluid-lending, minted coins such as GHO) it is the whole supply.
{% set tvl_match_share = 0.005 %}

with

lend_borrow as (
    select * from {{ ref('stg_defillama__lend_borrow') }}
    where snapshot_date <= {{ run_date() }}
),

pools as (
    select * from {{ ref('int_pool_snapshots_deduplicated') }}
    where snapshot_date <= {{ run_date() }}
),

-- one row per pool and day already: the raw table is merged on pool + run_date
liquidity as (
    select
        lend_borrow.pool_id,
        lend_borrow.snapshot_date as liquidity_date,
        lend_borrow.total_supply_usd,
        lend_borrow.total_borrow_usd,
        greatest(
            lend_borrow.total_supply_usd - coalesce(lend_borrow.total_borrow_usd, 0), 0
        ) as available_liquidity_usd,
        lend_borrow.minted_coin,
        pools.tvl_usd
    from lend_borrow
    left join pools
        on
            lend_borrow.pool_id = pools.pool_id
            and lend_borrow.snapshot_date = pools.snapshot_date
    where lend_borrow.total_supply_usd is not null
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
        case
            when tvl_usd is null then 'unknown'
            when
                abs(tvl_usd - available_liquidity_usd)
                <= {{ tvl_match_share }} * greatest(tvl_usd, 1)
                then 'supply_minus_borrows'
            when
                abs(tvl_usd - total_supply_usd)
                <= {{ tvl_match_share }} * greatest(tvl_usd, 1)
                then 'total_supply'
            else 'neither'
        end as tvl_basis
    from liquidity
)

select * from final
