{#-
    One row per pool per decision date from range_start_date to run_date (the daily flow: the
    run date alone; a backtest: its whole range in one build): every eligibility check of
    int_pool_eligibility_checks as its own passes_<check> column, the failed checks in order
    with their reasons, is_eligible (no check failed) and is_eligible_by_symbol (what the old
    rule, tokens split from the symbol and no curator check, would say), next to what the
    decision reads: the pool (latest description as of run_date, family, curator), its tokens
    (what it holds), the market data of data_date = D - 1, withdrawable liquidity and the
    inputs of its gas cost. Published as pool_eligibility_by_day (the range) and
    pool_eligibility (the run date). Ephemeral: compiled into pool_eligibility_by_day.
-#}
{{ config(materialized='ephemeral') }}

{%- set l1_chain = var('l1_chain') %}

with

pool_days as (
    select * from {{ ref('int_pool_days_in_range') }}
),

pool_tokens as (
    select * from {{ ref('int_pool_tokens_by_day') }}
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

checks as (
    select * from {{ ref('int_pool_eligibility_checks') }}
),

protocol_gas_units as (
    select * from {{ ref('protocol_gas_units') }}
),

chain_fees as (
    select * from {{ ref('chain_tx_fee_usd') }}
),

-- the tokens the pool holds, in pool order, each once
held_tokens as (
    select
        pool_id,
        eligibility_date,
        min(token_source) as token_source,
        coalesce(
            array_agg(token_symbol order by token_position) filter (
                where token_symbol is not null
            ),
            '{}'
        ) as tokens,
        count(*) > 0 and bool_and(is_usd_stablecoin) as is_usd_stablecoin_pool
    from pool_tokens
    where token_basis = 'held'
    group by pool_id, eligibility_date
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
        ) as reasons,
        not bool_or(is_failed_by_symbol) as is_eligible_by_symbol
    from checks
    group by pool_id, eligibility_date
),

final as (
    select
        pool_days.pool_id::text as pool_id,
        pool_days.eligibility_date::date as eligibility_date,
        pool_days.data_date::date as data_date,
        pool_days.data_source::text as data_source,
        pool_days.chain::text as chain,  -- noqa: RF04
        pool_days.project::text as project,
        pool_days.family::text as family,  -- noqa: RF04
        pool_days.category::text as category,
        vault_curators.curator::text as curator,
        pool_days.symbol::text as symbol,  -- noqa: RF04
        coalesce(held_tokens.tokens, '{}')::text[] as tokens,
        coalesce(held_tokens.token_source, 'symbol')::text as token_source,
        pool_days.underlying_token_addresses::text[] as underlying_token_addresses,
        coalesce(held_tokens.is_usd_stablecoin_pool, false)::boolean as is_usd_stablecoin_pool,
        pool_days.tvl_usd::double precision as tvl_usd,
        pool_days.apy_pct::double precision as apy_pct,
        pool_days.tvl_change_1d_pct::double precision as tvl_change_1d_pct,
        pool_days.history_days::integer as history_days,
        pool_days.group_id::integer as group_id,
        reserve_ratios.reserve_ratio::double precision as reserve_ratio,
        liquidity.available_liquidity_usd::double precision as available_liquidity_usd,
        liquidity.supply_per_tvl::double precision as supply_per_tvl,
        liquidity.utilization_pct::double precision as utilization_pct,
        liquidity.tvl_basis::text as tvl_basis,
        liquidity.liquidity_snapshot_date::date as liquidity_snapshot_date,
        (case
            when pool_days.chain = '{{ l1_chain }}' then protocol_gas_units.gas_units
        end)::integer as deposit_gas_units,
        (case
            when pool_days.chain <> '{{ l1_chain }}' then chain_fees.fee_usd
        end)::double precision as tx_fee_usd,
        {%- for check in eligibility_checks() %}
            pivoted.passes_{{ check }}::boolean as passes_{{ check }},
        {%- endfor %}
        pivoted.failed_checks::text[] as failed_checks,
        pivoted.reasons::text[] as reasons,
        (cardinality(pivoted.failed_checks) = 0)::boolean as is_eligible,
        pivoted.is_eligible_by_symbol::boolean as is_eligible_by_symbol
    from pool_days
    inner join pivoted
        on
            pool_days.pool_id = pivoted.pool_id
            and pool_days.eligibility_date = pivoted.eligibility_date
    left join held_tokens
        on
            pool_days.pool_id = held_tokens.pool_id
            and pool_days.eligibility_date = held_tokens.eligibility_date
    left join reserve_ratios
        on
            pool_days.pool_id = reserve_ratios.pool_id
            and pool_days.eligibility_date = reserve_ratios.eligibility_date
    left join vault_curators
        on
            pool_days.pool_id = vault_curators.pool_id
            and pool_days.eligibility_date = vault_curators.eligibility_date
    left join liquidity
        on
            pool_days.pool_id = liquidity.pool_id
            and pool_days.eligibility_date = liquidity.eligibility_date
    left join protocol_gas_units
        on
            pool_days.project = protocol_gas_units.project
            and protocol_gas_units.action = 'deposit'
    left join chain_fees on pool_days.chain = chain_fees.chain
)

select * from final
