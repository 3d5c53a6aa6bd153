with

source as (
    select * from {{ source('optimization', 'rebalance_plan') }}
),

final as (
    select
        cast(run_id as text) as run_id,
        cast(run_date as date) as run_date,
        cast(step_no as integer) as step_no,
        cast(action as text) as action,  -- noqa: RF04
        cast(pool_id as text) as pool_id,
        cast(token_symbol as text) as token_symbol,
        cast(to_token_symbol as text) as to_token_symbol,
        cast(amount_usd as double precision) as amount_usd,
        cast(gas_usd as double precision) as gas_usd
    from source
)

select * from final
