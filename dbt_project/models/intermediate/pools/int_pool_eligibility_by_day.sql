{#-
    One row per pool with data per day from range_start_date to run_date (the daily flow: the
    run date alone; a backtest: its whole range in one build): every eligibility check of
    int_pool_eligibility_checks as its own passes_<check> column, the failed checks in order
    with their reasons, and is_eligible (no check failed), so "why was pool X excluded on D"
    is one row. pool_eligibility keeps the run date's rows; the backtest reads every day.
    Each day D is judged on data dated up to D; the pool's description (chain, project,
    tokens) is its latest as of run_date.
-#}
{#- Postgres underestimates the grouped token checks and picks nested loops over every
    pool x token (25 s at 20,000 pools instead of 0.3 s): hash joins only. -#}
{{ config(materialized='table', pre_hook="set local enable_nestloop = off") }}

with

pool_days as (
    select * from {{ ref('int_pool_days_in_range') }}
),

reserve_ratios as (
    select * from {{ ref('int_pool_reserve_ratios_by_day') }}
),

checks as (
    select * from {{ ref('int_pool_eligibility_checks') }}
),

pivoted as (
    select
        pool_id,
        eligibility_date,
        {%- for check in eligibility_checks() %}
            bool_or(passed) filter (where check_name = '{{ check }}') as passes_{{ check }},
        {%- endfor %}
        coalesce(
            array_agg(check_name order by check_order) filter (where is_failed), '{}'
        ) as failed_checks,
        coalesce(
            array_agg(reason order by check_order) filter (where reason is not null), '{}'
        ) as reasons
    from checks
    group by pool_id, eligibility_date
),

final as (
    select
        pool_days.pool_id::text as pool_id,
        pool_days.eligibility_date::date as eligibility_date,
        pool_days.chain::text as chain,  -- noqa: RF04
        pool_days.project::text as project,
        pool_days.symbol::text as symbol,  -- noqa: RF04
        pool_days.tokens::text[] as tokens,
        pool_days.tvl_usd::double precision as tvl_usd,
        pool_days.apy_pct::double precision as apy_pct,
        pool_days.group_id::integer as group_id,
        reserve_ratios.reserve_ratio::double precision as reserve_ratio,
        {%- for check in eligibility_checks() %}
            pivoted.passes_{{ check }}::boolean as passes_{{ check }},
        {%- endfor %}
        pivoted.failed_checks::text[] as failed_checks,
        pivoted.reasons::text[] as reasons,
        (cardinality(pivoted.failed_checks) = 0)::boolean as is_eligible
    from pool_days
    inner join pivoted
        on
            pool_days.pool_id = pivoted.pool_id
            and pool_days.eligibility_date = pivoted.eligibility_date
    left join reserve_ratios
        on
            pool_days.pool_id = reserve_ratios.pool_id
            and pool_days.eligibility_date = reserve_ratios.eligibility_date
)

select * from final
