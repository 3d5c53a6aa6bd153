{#- The raw date column the incremental pool models filter on is indexed here, where the raw
    table is read (dlt owns it: the index is created on first use). -#}
{{ config(pre_hook="{{ index_if_exists('raw_defillama', 'pools', 'run_date') }}") }}

with

source as (
    select * from {{ source('raw_defillama', 'pools') }}
),

renamed as (
    select
        pool as pool_id,
        chain,
        project,
        symbol,
        pool_meta,
        run_date as snapshot_date,
        fetched_at,
        stablecoin as is_stablecoin,
        il_risk = 'yes' as has_il_risk,
        exposure,
        outlier as is_outlier,
        tvl_usd::double precision as tvl_usd,
        apy::double precision as apy_pct,
        apy_base::double precision as apy_base_pct,
        apy_reward::double precision as apy_reward_pct,
        apy_pct1_d::double precision as apy_change_1d_pp,
        apy_pct7_d::double precision as apy_change_7d_pp,
        apy_pct30_d::double precision as apy_change_30d_pp,
        apy_mean30d::double precision as apy_mean_30d_pct,
        apy_base7d::double precision as apy_base_7d_pct,
        il7d::double precision as il_7d_pct,
        volume_usd1d::double precision as volume_1d_usd,
        volume_usd7d::double precision as volume_7d_usd,
        -- the pool's tokens in symbol order, normalized so they match the seeds exactly
        array(
            select {{ normalize_token_symbol('symbol_part.token_symbol') }}
            from
                unnest(string_to_array(symbol, '-'))
                with ordinality as symbol_part (token_symbol, position)
            order by symbol_part.position
        )::text[] as tokens,
        case
            when jsonb_typeof(underlying_tokens) = 'array'
                then
                    array(
                        select lower(address_part.token_address)
                        from
                            jsonb_array_elements_text(underlying_tokens)  -- noqa: RF02, RF03
                            with ordinality as address_part (token_address, position)
                        order by address_part.position
                    )::text[]
        end as underlying_token_addresses,
        case
            when jsonb_typeof(reward_tokens) = 'array'
                then
                    array(
                        select lower(address_part.token_address)
                        from
                            jsonb_array_elements_text(reward_tokens)  -- noqa: RF02, RF03
                            with ordinality as address_part (token_address, position)
                        order by address_part.position
                    )::text[]
        end as reward_token_addresses
    from source
),

final as (
    select * from renamed
)

select * from final
