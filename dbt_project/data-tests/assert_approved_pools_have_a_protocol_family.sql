-- Every pool of an approved protocol needs its project in protocol_families (its family caps
-- its exposure, its category says what a deposit is, has_curators whether a curator must be
-- approved). Returns one row per such pool, naming it; stored in test_failures (the runner
-- prints the first rows).
{{ config(store_failures=true) }}

with

eligibility as (
    select * from {{ ref('pool_eligibility_by_day') }}
),

protocol_families as (
    select * from {{ ref('protocol_families') }}
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
    where
        eligibility.passes_protocol_approved
        and not exists (
            select from protocol_families
            where protocol_families.project = eligibility.project
        )
    group by eligibility.pool_id, eligibility.project, eligibility.symbol, eligibility.chain
)

select * from final
