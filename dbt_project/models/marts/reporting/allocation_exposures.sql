with

exposures as (
    select * from {{ ref('stg_optimization__exposure_shares') }}
    where run_date <= {{ run_date() }}
),

final as (
    select
        cast(run_id as text) as run_id,
        cast(run_date as date) as run_date,
        cast(dimension as text) as dimension,
        cast(exposure_name as text) as exposure_name,
        cast(share_pct as numeric) as share_pct,
        cast(cap_pct as numeric) as cap_pct,
        cast(cap_pct - share_pct as numeric) as headroom_pct
    from exposures
)

select * from final
