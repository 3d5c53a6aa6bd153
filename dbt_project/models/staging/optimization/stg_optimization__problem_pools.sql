with

source as (
    select * from {{ source('optimization', 'problem_pools') }}
),

final as (
    select
        cast(run_id as text) as run_id,
        cast(run_date as date) as run_date,
        cast(pool_id as text) as pool_id,
        cast(is_eligible as boolean) as is_eligible,
        cast(group_id as integer) as group_id,
        cast(apy_pct as double precision) as apy_pct,
        cast(tvl_usd as double precision) as tvl_usd,
        cast(gas_usd as double precision) as gas_usd,
        cast(tokens as text[]) as tokens,
        cast(protocol as text) as protocol_family,
        cast(curator as text) as curator,
        cast(chain as text) as chain,  -- noqa: RF04
        cast(available_liquidity_usd as double precision) as available_liquidity_usd
    from source
)

select * from final
