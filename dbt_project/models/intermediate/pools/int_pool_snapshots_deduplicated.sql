-- A view on purpose: date filters of the incremental models downstream push through the
-- window (it partitions by the date) into the raw table's run_date index.
with

pools as (
    select * from {{ ref('stg_defillama__pools') }}
),

ranked as (
    select
        pools.*,
        row_number() over (
            partition by pools.pool_id, pools.snapshot_date
            order by pools.fetched_at desc
        ) as fetch_rank
    from pools
),

final as (
    select
        pool_id,
        snapshot_date,
        fetched_at,
        chain,
        project,
        symbol,
        pool_meta,
        tokens,
        underlying_token_addresses,
        is_stablecoin,
        has_il_risk,
        exposure,
        tvl_usd,
        apy_pct,
        apy_base_pct,
        apy_reward_pct
    from ranked
    where fetch_rank = 1
)

select * from final
