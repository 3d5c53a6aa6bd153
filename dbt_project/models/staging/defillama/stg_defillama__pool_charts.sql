with

source as (
    select * from {{ source('raw_defillama', 'pool_chart') }}
),

renamed as (
    select
        pool as pool_id,
        chart_date,
        timestamp as observed_at,
        fetched_at,
        tvl_usd::double precision as tvl_usd,
        apy::double precision as apy_pct,
        apy_base::double precision as apy_base_pct,
        apy_reward::double precision as apy_reward_pct,
        il7d::double precision as il_7d_pct,
        apy_base7d::double precision as apy_base_7d_pct
    from source
),

final as (
    select * from renamed
)

select * from final
