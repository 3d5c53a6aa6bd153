-- An eligible pool on decision date D has a group and 30+ days of history on D - 1, data dated
-- D - 1, and passes every check (docs/product.md: "A pool with fewer than 30 days of history
-- has no group and is not eligible"). Returns the offending rows.
with

eligibility as (
    select * from {{ ref('pool_eligibility') }}
),

pool_groups as (
    select * from {{ ref('pool_groups') }}
),

metrics as (
    select * from {{ ref('pool_daily_metrics') }}
),

eligible as (
    select *
    from eligibility
    where is_eligible
),

final as (
    select
        eligible.pool_id,
        eligible.eligibility_date,
        pool_groups.group_id,
        metrics.history_days
    from eligible
    left join pool_groups
        on
            eligible.pool_id = pool_groups.pool_id
            and eligible.eligibility_date = pool_groups.group_date
    left join metrics
        on
            eligible.pool_id = metrics.pool_id
            and eligible.eligibility_date - 1 = metrics.metric_date
    where
        pool_groups.group_id is null
        or metrics.history_days is null
        or metrics.history_days < 30
        or eligible.group_id is distinct from pool_groups.group_id
        or eligible.data_source not in ('chart', 'pools_snapshot')
        or not (
            eligible.passes_has_data
            and eligible.passes_tokens_approved
            and eligible.passes_no_token_blacklisted
            and eligible.passes_no_token_iceboxed
            and eligible.passes_protocol_approved
            and eligible.passes_curator_approved
            and eligible.passes_tvl
            and eligible.passes_apy
            and eligible.passes_tvl_not_collapsing
            and eligible.passes_utilization_below_limit
            and eligible.passes_token_marketcap
            and eligible.passes_gas_cost_known
            and eligible.passes_has_group
            and eligible.passes_pair_ratio is not false
        )
)

select * from final
