-- A curated vault (protocol_families.has_curators) that passes every other check on a day
-- needs a vault_curators row in effect that day: without one the seed is incomplete (an
-- analyst who cannot name the curator writes a row with an empty curator, and the vault fails
-- curator_approved as "curator unknown"). Returns one row per such vault, naming it; stored in
-- test_failures (the runner prints the first rows).
{{ config(store_failures=true) }}

with

eligibility as (
    select * from {{ ref('pool_eligibility_by_day') }}
),

protocol_families as (
    select * from {{ ref('protocol_families') }}
),

vault_curators as (
    select * from {{ ref('vault_curators') }}
),

final as (
    select
        eligibility.pool_id,
        eligibility.project,
        eligibility.symbol,
        eligibility.chain,
        min(eligibility.eligibility_date) as first_decision_date,
        max(eligibility.eligibility_date) as last_decision_date
    from eligibility
    inner join protocol_families on eligibility.project = protocol_families.project
    where
        protocol_families.has_curators
        and eligibility.failed_checks <@ array['curator_approved']::text[]
        and not exists (
            select from vault_curators
            where
                vault_curators.pool_id = eligibility.pool_id
                and {{ in_effect_on('vault_curators', 'eligibility.eligibility_date') }}
        )
    group by eligibility.pool_id, eligibility.project, eligibility.symbol, eligibility.chain
)

select * from final
