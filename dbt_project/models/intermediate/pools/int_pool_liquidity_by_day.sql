{#-
    One row per pool and decision date (int_pool_days_in_range): what can be withdrawn from it,
    as the decision of D knows it. The /lendBorrow snapshot in effect is the latest fetched on
    D or before (step 1 of D fetches it at 02:30 UTC, before the decision); its utilization is
    borrows / supply. Which figure DeFiLlama's tvlUsd is (tvl_basis): the whole supply for a
    minted coin (GHO), else the project's documented basis (protocol_families.tvl_basis: 39 of
    DeFiLlama's 41 real records are supply - borrows, fluid-lending the whole supply), else
    what comparing the snapshot with the /pools snapshot of its fetch day shows, within 0.5 %
    (snapshot_tvl_basis, kept for analysts either way). The decision's figures depend only on
    the basis, the utilization (a ratio) and the TVL of D - 1, so a database that fetched
    /pools every day and one that did not (a backtest's) give the decision the same numbers.
    Without a /lendBorrow snapshot no utilization is known.

    available_liquidity_usd, from the pool's TVL of D - 1: the TVL itself where it is supply -
    borrows, else TVL x (1 - utilization), at least 0; null when neither the snapshot nor the
    project's basis tells. supply_per_tvl: the snapshot's supply over the TVL figure (1 where
    tvlUsd is the supply), null without a snapshot. Ephemeral: compiled into
    pool_eligibility_by_day and pool_liquidity.
-#}
{{ config(materialized='ephemeral') }}

{%- set tvl_match_share = 0.005 %}

with

pool_days as (
    select * from {{ ref('int_pool_days_in_range') }}
),

lend_borrow as (
    select * from {{ ref('stg_defillama__lend_borrow') }}
    where snapshot_date <= {{ run_date() }}
),

snapshots as (
    select * from {{ ref('int_pool_snapshots_deduplicated') }}
    where snapshot_date <= {{ run_date() }}
),

-- one row per pool and fetch day already: the raw table is merged on pool + run_date
lend_borrow_snapshots as (
    select
        lend_borrow.pool_id,
        lend_borrow.snapshot_date,
        lend_borrow.total_supply_usd,
        lend_borrow.total_borrow_usd,
        lend_borrow.minted_coin,
        snapshots.tvl_usd as snapshot_tvl_usd,
        greatest(
            lend_borrow.total_supply_usd - coalesce(lend_borrow.total_borrow_usd, 0), 0
        ) as supply_minus_borrows_usd
    from lend_borrow
    left join snapshots
        on
            lend_borrow.pool_id = snapshots.pool_id
            and lend_borrow.snapshot_date = snapshots.snapshot_date
    where lend_borrow.total_supply_usd is not null
),

classified as (
    select
        *,
        case
            when snapshot_tvl_usd is null then 'unknown'
            when
                abs(snapshot_tvl_usd - supply_minus_borrows_usd)
                <= {{ tvl_match_share }} * greatest(snapshot_tvl_usd, 1)
                then 'supply_minus_borrows'
            when
                abs(snapshot_tvl_usd - total_supply_usd)
                <= {{ tvl_match_share }} * greatest(snapshot_tvl_usd, 1)
                then 'total_supply'
            else 'neither'
        end as snapshot_tvl_basis
    from lend_borrow_snapshots
),

latest_snapshots as (
    select distinct on (pool_days.pool_id, pool_days.eligibility_date)
        pool_days.pool_id,
        pool_days.eligibility_date,
        classified.snapshot_date,
        classified.total_supply_usd,
        classified.total_borrow_usd,
        classified.minted_coin,
        classified.snapshot_tvl_usd,
        classified.supply_minus_borrows_usd,
        classified.snapshot_tvl_basis
    from pool_days
    inner join classified
        on
            pool_days.pool_id = classified.pool_id
            and pool_days.eligibility_date >= classified.snapshot_date
    order by
        pool_days.pool_id asc, pool_days.eligibility_date asc, classified.snapshot_date desc
),

with_basis as (
    select
        pool_days.pool_id,
        pool_days.eligibility_date,
        pool_days.tvl_usd,
        latest_snapshots.snapshot_date as liquidity_snapshot_date,
        latest_snapshots.total_supply_usd,
        latest_snapshots.total_borrow_usd,
        latest_snapshots.minted_coin,
        latest_snapshots.snapshot_tvl_usd,
        latest_snapshots.supply_minus_borrows_usd,
        100 * coalesce(latest_snapshots.total_borrow_usd, 0)
        / nullif(latest_snapshots.total_supply_usd, 0) as utilization_pct,
        latest_snapshots.snapshot_tvl_basis,
        case
            when latest_snapshots.minted_coin is not null then 'total_supply'
            else
                coalesce(
                    pool_days.project_tvl_basis,
                    nullif(latest_snapshots.snapshot_tvl_basis, 'unknown'),
                    latest_snapshots.snapshot_tvl_basis
                )
        end as tvl_basis,
        case
            when latest_snapshots.minted_coin is not null then 'minted_coin'
            when pool_days.project_tvl_basis is not null then 'protocol_families'
            when latest_snapshots.snapshot_tvl_basis is not null then 'lend_borrow'
        end as tvl_basis_source
    from pool_days
    left join latest_snapshots
        on
            pool_days.pool_id = latest_snapshots.pool_id
            and pool_days.eligibility_date = latest_snapshots.eligibility_date
),

final as (
    select
        pool_id,
        eligibility_date,
        liquidity_snapshot_date,
        total_supply_usd,
        total_borrow_usd,
        minted_coin,
        utilization_pct,
        snapshot_tvl_basis,
        tvl_basis,
        tvl_basis_source,
        tvl_usd,
        case
            when tvl_basis = 'supply_minus_borrows' then tvl_usd
            when liquidity_snapshot_date is not null
                then greatest(tvl_usd * (1 - utilization_pct / 100), 0)
        end as available_liquidity_usd,
        case
            when liquidity_snapshot_date is null then null
            when tvl_basis = 'total_supply' then 1
            when tvl_basis = 'supply_minus_borrows' and utilization_pct < 100
                then 1 / (1 - utilization_pct / 100)
        end as supply_per_tvl
    from with_basis
)

select * from final
