{#-
    One row per pool, decision date (int_pool_days_in_range) and eligibility check of
    docs/product.md ("Eligible pool"): whether it passed and, when it did not, the readable
    reason with the values and limits. Each check is one CTE, its rule and its reason
    together: here, or in int_pool_token_checks for the checks on the pool's tokens; the list
    and order of the checks is the macro eligibility_checks(). passed is null when the check
    cannot be evaluated (no TVL, no market cap, reserves not valued), and such a check fails.
    Decision date D: seeds in effect on D, market data dated D - 1 (the inputs' own rule).
    pair_ratio applies only to pools of the seed pool_reserve_contracts (no row otherwise).
    gas_cost_known: the optimizer prices a touch of the pool (deposit gas units on the L1, var
    l1_chain, a chain's fee elsewhere), so a missing seed row excludes the pool instead of
    stopping the day. The exit signals tvl_not_collapsing and utilization_below_limit pass
    when their var is null (off) or the value is unknown. passed_by_symbol: what the check
    says under the old rule (tokens split from the symbol, no curator check), for
    is_eligible_by_symbol. Ephemeral: compiled into pool_eligibility_by_day with that build's
    range and thresholds (a backtest sweep rebuilds only the by-day models).
-#}
{{ config(materialized='ephemeral') }}

{%- set l1_chain = var('l1_chain') %}
{%- set tvl_drop_pct = optional_number_var('exit_tvl_drop_pct') %}
{%- set utilization_limit_pct = optional_number_var('exit_utilization_pct') %}

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

vault_curators as (
    select * from {{ ref('int_vault_curators_by_day') }}
),

liquidity as (
    select * from {{ ref('int_pool_liquidity_by_day') }}
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

-- market data dated D - 1, or the /pools snapshot of D for a pool with nothing earlier
has_data as (
    select
        pool_id,
        eligibility_date,
        data_source is not null as passed,
        'no data on ' || data_date || coalesce(
            ' (latest ' || last_data_date || ')', ''
        ) as reason
    from pool_days
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

-- a curated vault needs a curator in vault_curators on D, approved on D; other pools pass
curator_approved as (
    select
        pool_days.pool_id,
        pool_days.eligibility_date,
        case
            when not coalesce(pool_days.has_curators, false) then true
            else coalesce(vault_curators.is_curator_approved, false)
        end as passed,
        case
            when not vault_curators.has_curator_row
                then
                    'curator unknown: vault ' || vault_curators.vault_label
                    || ' has no row in vault_curators on ' || pool_days.eligibility_date
            when vault_curators.curator is null
                then 'curator unknown: vault ' || vault_curators.vault_label
            else
                'curator ' || vault_curators.curator || ' of vault '
                || vault_curators.vault_label || ' not approved'
        end as reason
    from pool_days
    left join vault_curators
        on
            pool_days.pool_id = vault_curators.pool_id
            and pool_days.eligibility_date = vault_curators.eligibility_date
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

-- exit signal: TVL(D - 1) / TVL(D - 2) - 1 below -exit_tvl_drop_pct %
tvl_not_collapsing as (
    select
        pool_id,
        eligibility_date,
        {%- if tvl_drop_pct is none %}
            true as passed,
        {%- else %}
            coalesce(tvl_change_1d_pct >= -{{ tvl_drop_pct }}, true) as passed,
        {%- endif %}
        'TVL fell ' || round(-tvl_change_1d_pct::numeric, 1) || ' % on ' || data_date
        || ' (limit {{ "%g" | format(tvl_drop_pct or 0) }} %)' as reason
    from pool_days
),

-- exit signal: the /lendBorrow utilization in effect at or above exit_utilization_pct %
utilization_below_limit as (
    select
        pool_days.pool_id,
        pool_days.eligibility_date,
        {%- if utilization_limit_pct is none %}
            true as passed,
        {%- else %}
            coalesce(liquidity.utilization_pct < {{ utilization_limit_pct }}, true) as passed,
        {%- endif %}
        'utilization ' || round(liquidity.utilization_pct::numeric, 1) || ' % >= '
        || '{{ "%g" | format(utilization_limit_pct or 0) }} % (/lendBorrow of '
        || liquidity.liquidity_snapshot_date || ')' as reason
    from pool_days
    left join liquidity
        on
            pool_days.pool_id = liquidity.pool_id
            and pool_days.eligibility_date = liquidity.eligibility_date
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
        'no group: ' || coalesce(history_days, 0)
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
            reason,
            {%- if check == 'curator_approved' %}
                true as passed_by_symbol
            {%- else %}
                passed as passed_by_symbol
            {%- endif %}
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
        (case when passed is not true then reason end)::text as reason,
        (passed_by_symbol is not true)::boolean as is_failed_by_symbol
    from checks
)

select * from final
