with

source as (
    select * from {{ source('optimization', 'daily_allocations') }}
),

final as (
    select
        cast(run_id as text) as run_id,
        cast(run_date as date) as run_date,
        cast(pool_id as text) as pool_id,
        cast(group_id as integer) as group_id,
        cast(allocation_usd as double precision) as allocation_usd,
        cast(previous_usd as double precision) as previous_usd,
        cast(protocol as text) as protocol_family,
        cast(curator as text) as curator,
        cast(chain as text) as chain,  -- noqa: RF04
        cast(liquidity_cap_usd as double precision) as liquidity_cap_usd,
        cast(coalesce(is_liquidity_bound, false) as boolean) as is_liquidity_bound
    from source
)

select * from final
