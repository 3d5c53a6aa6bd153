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

-- a re-run of a day appends a second fetch: the later one wins, as for /pools
latest_fetch as (
    select
        lend_borrow.*,
        row_number() over (
            partition by lend_borrow.pool_id, lend_borrow.snapshot_date
            order by lend_borrow.fetched_at desc
        ) as fetch_rank
    from lend_borrow
),

liquidity as (
    select
        latest_fetch.pool_id,
        latest_fetch.snapshot_date as liquidity_date,
        latest_fetch.total_supply_usd,
        latest_fetch.total_borrow_usd,
        greatest(
            latest_fetch.total_supply_usd - coalesce(latest_fetch.total_borrow_usd, 0), 0
        ) as available_liquidity_usd,
        latest_fetch.minted_coin,
        pools.tvl_usd
    from latest_fetch
    left join pools
        on
            latest_fetch.pool_id = pools.pool_id
            and latest_fetch.snapshot_date = pools.snapshot_date
    where latest_fetch.fetch_rank = 1 and latest_fetch.total_supply_usd is not null
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
