{#- The raw date columns int_pool_history_unioned's incremental filters read are indexed
    here, where the raw table is read (dlt owns it: the index is created on first use). -#}
{{
    config(
        pre_hook=[
            "{{ index_if_exists('raw_defillama', 'pool_chart', 'chart_date') }}",
            "{{ index_if_exists('raw_defillama', 'pool_chart', 'fetched_at') }}",
        ],
    )
}}

with

-- Step 9 loads the chart history after the first dbt stage: a fresh database has no table yet.
source as (
    {{ optional_source('raw_defillama', 'pool_chart', {
        'pool': 'text',
        'chart_date': 'date',
        'timestamp': 'timestamptz',
        'fetched_at': 'timestamptz',
        'tvl_usd': 'double precision',
        'apy': 'double precision',
        'apy_base': 'double precision',
        'apy_reward': 'double precision',
        'il7d': 'double precision',
        'apy_base7d': 'double precision',
    }) }}
),

renamed as (
    select
        pool as pool_id,
        chart_date,
        timestamp as observed_at,
        fetched_at,
        tvl_usd,
        apy as apy_pct,
        apy_base as apy_base_pct,
        apy_reward as apy_reward_pct,
        il7d as il_7d_pct,
        apy_base7d as apy_base_7d_pct
    from source
),

final as (
    select * from renamed
)

select * from final
