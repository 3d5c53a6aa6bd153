{#-
    One row per pool, day (int_pool_days_in_range) and eligibility check of docs/product.md
    ("Eligible pool"): whether it passed and, when it did not, the readable reason with the
    values and limits. Each check is one CTE, its rule and its reason together: here, or in
    int_pool_token_checks for the checks on the pool's tokens; the list and order of the
    checks is the macro eligibility_checks(). passed is null when the check
    cannot be evaluated (no TVL, no market cap, reserves not valued), and such a check fails.
    pair_ratio applies only to pools of the seed pool_reserve_contracts (no row otherwise).
    gas_cost_known: the optimizer needs the USD cost of a deposit (pool_gas_costs), so a pool
    on the L1 (var l1_chain) needs its protocol's deposit gas units and a pool elsewhere its
    chain's fee (seeds); a missing seed row excludes the pool instead of stopping the day.
    Ephemeral: compiled into int_pool_eligibility_by_day with that build's range and
    thresholds (a backtest sweep rebuilds only the by-day models).
-#}
{{ config(materialized='ephemeral') }}

{%- set l1_chain = var('l1_chain') %}

with

pool_days as (
    select * from {{ ref('int_pool_days_in_range') }}
),

token_checks as (
    select * from {{ ref('int_pool_token_checks') }}
),

reserve_ratios as (
    select * from {{ ref('int_pool_reserve_ratios_by_day') }}
),

approved_protocols as (
    select * from {{ ref('approved_protocols') }}
),

protocol_gas_units as (
    select * from {{ ref('protocol_gas_units') }}
),

chain_fees as (
    select * from {{ ref('chain_tx_fee_usd') }}
),

protocol_approved as (
    select
        pool_id,
        eligibility_date,
        exists(
            select from approved_protocols
            where
                approved_protocols.project = pool_days.project
                and {{ in_effect_on('approved_protocols', 'pool_days.eligibility_date') }}
        ) as passed,
        'protocol ' || project || ' not approved' as reason
    from pool_days
),

tvl as (
    select
        pool_id,
        eligibility_date,
        tvl_usd >= {{ var('pool_tvl_limit') }} as passed,
        case
            when tvl_usd is null then 'tvl unknown'
            else 'tvl ' || round(tvl_usd::numeric) || ' USD < {{ var("pool_tvl_limit") }}'
        end as reason
    from pool_days
),

apy as (
    select
        pool_id,
        eligibility_date,
        apy_pct >= {{ var('pool_apy_limit') }}
        and apy_pct <= {{ var('pool_apy_max') }} as passed,
        case
            when apy_pct is null then 'apy unknown'
            else
                'apy ' || round(apy_pct::numeric, 4)
                || ' % outside [{{ var("pool_apy_limit") }}, {{ var("pool_apy_max") }}]'
        end as reason
    from pool_days
),

-- null (excludes) when a reserve cannot be valued (balance or price missing)
pair_ratio as (
    select
        pool_days.pool_id,
        pool_days.eligibility_date,
        case
            when reserve_ratios.is_valued
                then
                    reserve_ratios.reserve_ratio >= {{ var('pool_pair_tvl_ratio_min') }}
                    and reserve_ratios.reserve_ratio <= {{ var('pool_pair_tvl_ratio_max') }}
        end as passed,
        case
            when reserve_ratios.is_valued
                then
                    'reserve ratio ' || round(reserve_ratios.reserve_ratio, 4)
                    || ' outside [{{ var("pool_pair_tvl_ratio_min") }}, '
                    || '{{ var("pool_pair_tvl_ratio_max") }}]'
            else 'reserves not valued (balances or prices missing)'
        end as reason
    from pool_days
    inner join reserve_ratios
        on
            pool_days.pool_id = reserve_ratios.pool_id
            and pool_days.eligibility_date = reserve_ratios.eligibility_date
),

gas_cost_known as (
    select
        pool_id,
        eligibility_date,
        case
            when chain = '{{ l1_chain }}'
                then exists (
                    select from protocol_gas_units
                    where
                        protocol_gas_units.project = pool_days.project
                        and protocol_gas_units.action = 'deposit'
                )
            else exists (
                select from chain_fees
                where chain_fees.chain = pool_days.chain
            )
        end as passed,
        case
            when chain = '{{ l1_chain }}'
                then
                    'no gas cost: protocol ' || project
                    || ' has no deposit gas units in protocol_gas_units'
            else 'no gas cost: chain ' || chain || ' has no fee in chain_tx_fee_usd'
        end as reason
    from pool_days
),

has_group as (
    select
        pool_id,
        eligibility_date,
        group_id is not null as passed,
        'no group: ' || history_days
        || ' days of history ({{ var("pool_min_history_days") }} needed)' as reason
    from pool_days
),

checks as (
    select * from token_checks
    {%- for check in eligibility_checks('pool') %}
        union all
        select
            pool_id,
            eligibility_date,
            '{{ check }}' as check_name,
            passed,
            reason
        from {{ check }}
    {%- endfor %}
),

final as (
    select
        pool_id::text as pool_id,
        eligibility_date::date as eligibility_date,
        check_name::text as check_name,
        (case check_name
            {%- for check in eligibility_checks() %}
                when '{{ check }}' then {{ loop.index }}
            {%- endfor %}
        end)::integer as check_order,
        passed::boolean as passed,
        (passed is not true)::boolean as is_failed,
        (case when passed is not true then reason end)::text as reason
    from checks
)

select * from final
