with

source as (
    select * from {{ source('optimization', 'exposure_shares') }}
),

final as (
    select
        cast(run_id as text) as run_id,
        cast(run_date as date) as run_date,
        cast(dimension as text) as dimension,
        cast(name as text) as exposure_name,
        cast(share_pct as double precision) as share_pct,
        cast(cap_pct as double precision) as cap_pct
    from source
)

select * from final
