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
        cast(previous_usd as double precision) as previous_usd
    from source
)

select * from final
