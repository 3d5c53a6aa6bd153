{#-
    One row per pool and decision date (int_pool_days_in_range) of a project whose pools are
    curated vaults (protocol_families.has_curators): the vault's curator in effect on D
    (vault_curators, added_at <= D < removed_at; the latest added_at if two overlap) and
    whether that curator is approved on D (approved_curators). has_curator_row is false when
    vault_curators has no row in effect for the vault on D (a gap in the seed); curator is
    null also when the row says the curator is not known. Ephemeral: compiled into
    pool_eligibility_by_day.
-#}
{{ config(materialized='ephemeral') }}

with

pool_days as (
    select * from {{ ref('int_pool_days_in_range') }}
),

vault_curators as (
    select * from {{ ref('vault_curators') }}
),

approved_curators as (
    select * from {{ ref('approved_curators') }}
),

curated_pool_days as (
    select
        pool_id,
        eligibility_date,
        chain,
        symbol
    from pool_days
    where has_curators
),

curators_on_day as (
    select
        curated_pool_days.pool_id,
        curated_pool_days.eligibility_date,
        curated_pool_days.chain,
        curated_pool_days.symbol,
        vault_row.pool_id is not null as has_curator_row,
        vault_row.curator,
        vault_row.vault_name,
        vault_row.vault_address
    from curated_pool_days
    left join lateral (
        select
            vault_curators.pool_id,
            vault_curators.curator,
            vault_curators.vault_name,
            vault_curators.vault_address
        from vault_curators
        where
            vault_curators.pool_id = curated_pool_days.pool_id
            and {{ in_effect_on('vault_curators', 'curated_pool_days.eligibility_date') }}
        order by vault_curators.added_at desc
        limit 1
    ) as vault_row on true
),

final as (
    select
        curators_on_day.pool_id,
        curators_on_day.eligibility_date,
        curators_on_day.has_curator_row,
        curators_on_day.curator,
        coalesce(curators_on_day.vault_name, curators_on_day.symbol)
        || ' (' || curators_on_day.chain || ')' as vault_label,
        curators_on_day.vault_address,
        exists(
            select from approved_curators
            where
                approved_curators.curator = curators_on_day.curator
                and {{ in_effect_on('approved_curators', 'curators_on_day.eligibility_date') }}
        ) as is_curator_approved
    from curators_on_day
)

select * from final
