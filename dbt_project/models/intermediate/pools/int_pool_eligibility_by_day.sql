{#-
    One row per pool with data per day from range_start_date to run_date (the daily flow: the
    run date alone; a backtest: its whole range in one build). The single definition of the
    filters: pool_eligibility keeps the run date's rows. Every filter of PRODUCT.md ("Eligible
    pool") is its own boolean, so "why was pool X excluded on D" is one row. A boolean is null
    when the test cannot be evaluated (no TVL, no market cap, reserves not valued), with the
    reason. Every test must be true for is_eligible, except pair_ratio, which only applies to
    pools whose reserve contract is in the seed pool_reserve_contracts. gas_cost_known: the
    optimizer needs the USD cost of a deposit (pool_gas_costs), so a pool on Ethereum needs its
    protocol's deposit gas units and a pool elsewhere its chain's fee (seeds); a missing seed
    row excludes that pool, with the reason, instead of stopping the day. Each day D is judged on
    data dated up to D: lists apply when added_at <= D < removed_at, icebox episodes covering
    D, the latest price and market cap at most 7 days before D, reserves fetched up to D.
    Tokens match exactly by normalized symbol (DAI is not SDAI). The pool's description
    (chain, project, tokens) is its latest as of run_date (defi_pools).
-#}
{#- Postgres underestimates the grouped token checks and picks nested loops over every
    pool x token (25 s at 20,000 pools instead of 0.3 s): hash joins only. -#}
{{ config(materialized='table', pre_hook="set local enable_nestloop = off") }}

{%- set price_max_age_days = 7 %}

with

metrics as (
    select * from {{ ref('pool_daily_metrics') }}
),

pools as (
    select * from {{ ref('defi_pools') }}
),

pool_groups as (
    select * from {{ ref('int_pool_groups_by_day') }}
),

approved_tokens as (
    select * from {{ ref('approved_tokens') }}
),

blacklisted_tokens as (
    select * from {{ ref('blacklisted_tokens') }}
),

approved_protocols as (
    select * from {{ ref('approved_protocols') }}
),

icebox_tokens as (
    select * from {{ ref('icebox_tokens') }}
),

token_prices as (
    select * from {{ ref('token_prices_daily') }}
),

tracked_tokens as (
    select * from {{ ref('tracked_tokens') }}
),

reserve_contracts as (
    select * from {{ ref('pool_reserve_contracts') }}
),

token_balances as (
    select * from {{ ref('stg_etherscan__token_balances') }}
),

protocol_gas_units as (
    select * from {{ ref('protocol_gas_units') }}
),

chain_fees as (
    select * from {{ ref('chain_tx_fee_usd') }}
),

pools_on_day as (
    select
        metrics.pool_id,
        metrics.metric_date as eligibility_date,
        pools.chain,
        pools.project,
        pools.symbol,
        pools.tokens,
        metrics.tvl_usd,
        metrics.apy_pct,
        metrics.history_days,
        pool_groups.group_id
    from metrics
    inner join pools on metrics.pool_id = pools.pool_id
    left join pool_groups
        on
            metrics.pool_id = pool_groups.pool_id
            and metrics.metric_date = pool_groups.group_date
    where metrics.metric_date between {{ range_start_date() }} and {{ run_date() }}
),

days as (
    select distinct eligibility_date
    from pools_on_day
),

latest_token_prices as (
    select distinct on (days.eligibility_date, token_symbol)
        days.eligibility_date,
        {{ normalize_token_symbol('token_prices.token_symbol') }} as token_symbol,
        token_prices.close_usd,
        token_prices.market_cap_usd
    from days
    inner join token_prices
        on
            days.eligibility_date >= token_prices.price_date
            and days.eligibility_date - {{ price_max_age_days }} < token_prices.price_date
    order by days.eligibility_date asc, token_symbol asc, token_prices.price_date desc
),

pool_tokens as (
    select distinct
        pools_on_day.pool_id,
        pools_on_day.eligibility_date,
        pool_token.token_symbol
    from pools_on_day
    cross join unnest(pools_on_day.tokens) as pool_token (token_symbol)
),

token_status as (
    select
        pool_tokens.pool_id,
        pool_tokens.eligibility_date,
        pool_tokens.token_symbol,
        latest_token_prices.market_cap_usd,
        exists(
            select from approved_tokens
            where
                {{ normalize_token_symbol('approved_tokens.token_symbol') }}
                = pool_tokens.token_symbol
                and {{ in_effect_on('approved_tokens', 'pool_tokens.eligibility_date') }}
        ) as is_approved,
        exists(
            select from blacklisted_tokens
            where
                {{ normalize_token_symbol('blacklisted_tokens.token_symbol') }}
                = pool_tokens.token_symbol
                and {{ in_effect_on('blacklisted_tokens', 'pool_tokens.eligibility_date') }}
        ) as is_blacklisted,
        exists(
            select from icebox_tokens
            where
                {{ normalize_token_symbol('icebox_tokens.token_symbol') }}
                = pool_tokens.token_symbol
                and {{ in_effect_on('icebox_tokens', 'pool_tokens.eligibility_date') }}
        ) as is_iceboxed
    from pool_tokens
    left join latest_token_prices
        on
            pool_tokens.eligibility_date = latest_token_prices.eligibility_date
            and pool_tokens.token_symbol = latest_token_prices.token_symbol
),

token_checks as (
    select
        pool_id,
        eligibility_date,
        bool_and(is_approved) as passes_tokens_approved,
        not bool_or(is_blacklisted) as passes_no_token_blacklisted,
        not bool_or(is_iceboxed) as passes_no_token_iceboxed,
        case
            when bool_or(market_cap_usd < {{ var('token_marketcap_limit') }}) then false
            when bool_or(market_cap_usd is null) then null
            else true
        end as passes_token_marketcap,
        array_agg(token_symbol order by token_symbol) filter (
            where not is_approved
        ) as unapproved_tokens,
        array_agg(token_symbol order by token_symbol) filter (
            where is_blacklisted
        ) as blacklisted_tokens,
        array_agg(token_symbol order by token_symbol) filter (
            where is_iceboxed
        ) as iceboxed_tokens,
        array_agg(token_symbol order by token_symbol) filter (
            where market_cap_usd < {{ var('token_marketcap_limit') }}
        ) as small_cap_tokens,
        array_agg(token_symbol order by token_symbol) filter (
            where market_cap_usd is null
        ) as unpriced_tokens
    from token_status
    group by pool_id, eligibility_date
),

latest_reserve_balances as (
    select distinct on (
        days.eligibility_date, token_balances.holder_address, token_balances.token_address
    )
        days.eligibility_date,
        token_balances.holder_address,
        token_balances.token_address,
        token_balances.token_symbol,
        token_balances.balance_raw
    from days
    inner join token_balances on days.eligibility_date >= token_balances.run_date
    order by
        days.eligibility_date asc,
        token_balances.holder_address asc,
        token_balances.token_address asc,
        token_balances.run_date desc,
        token_balances.fetched_at desc
),

reserve_values as (
    select
        reserve_contracts.pool_id,
        days.eligibility_date,
        latest_reserve_balances.token_symbol,
        latest_reserve_balances.balance_raw
        / power(10::numeric, tracked_tokens.decimals)
        * latest_token_prices.close_usd::numeric as reserve_usd
    from reserve_contracts
    cross join days
    left join latest_reserve_balances
        on
            days.eligibility_date = latest_reserve_balances.eligibility_date
            and lower(reserve_contracts.contract_address) = latest_reserve_balances.holder_address
    left join tracked_tokens
        on latest_reserve_balances.token_address = lower(tracked_tokens.contract_address)
    left join latest_token_prices
        on
            days.eligibility_date = latest_token_prices.eligibility_date
            and latest_reserve_balances.token_symbol = latest_token_prices.token_symbol
),

reserve_ratios as (
    select
        pool_id,
        eligibility_date,
        count(reserve_usd) as valued_reserves,
        count(*) as reserves,
        min(reserve_usd) / nullif(max(reserve_usd), 0) as reserve_ratio
    from reserve_values
    group by pool_id, eligibility_date
),

checked as (
    select
        pools_on_day.*,
        reserve_ratios.reserve_ratio,
        token_checks.unapproved_tokens,
        token_checks.blacklisted_tokens,
        token_checks.iceboxed_tokens,
        token_checks.small_cap_tokens,
        token_checks.unpriced_tokens,
        reserve_ratios.pool_id is not null as has_reserve_contract,
        coalesce(token_checks.passes_tokens_approved, false) as passes_tokens_approved,
        coalesce(token_checks.passes_no_token_blacklisted, true)
            as passes_no_token_blacklisted,
        coalesce(token_checks.passes_no_token_iceboxed, true) as passes_no_token_iceboxed,
        exists(
            select from approved_protocols
            where
                approved_protocols.project = pools_on_day.project
                and {{ in_effect_on('approved_protocols', 'pools_on_day.eligibility_date') }}
        ) as passes_protocol_approved,
        pools_on_day.tvl_usd >= {{ var('pool_tvl_limit') }} as passes_tvl,
        pools_on_day.apy_pct >= {{ var('pool_apy_limit') }}
        and pools_on_day.apy_pct <= {{ var('pool_apy_max') }} as passes_apy,
        token_checks.passes_token_marketcap,
        case
            when
                reserve_ratios.valued_reserves < 2
                or reserve_ratios.valued_reserves < reserve_ratios.reserves
                then null
            else
                reserve_ratios.reserve_ratio >= {{ var('pool_pair_tvl_ratio_min') }}
                and reserve_ratios.reserve_ratio <= {{ var('pool_pair_tvl_ratio_max') }}
        end as passes_pair_ratio,
        case
            when pools_on_day.chain = 'Ethereum'
                then exists (
                    select from protocol_gas_units
                    where
                        protocol_gas_units.project = pools_on_day.project
                        and protocol_gas_units.action = 'deposit'
                )
            else exists (
                select from chain_fees
                where chain_fees.chain = pools_on_day.chain
            )
        end as passes_gas_cost_known,
        pools_on_day.group_id is not null as passes_has_group
    from pools_on_day
    left join token_checks
        on
            pools_on_day.pool_id = token_checks.pool_id
            and pools_on_day.eligibility_date = token_checks.eligibility_date
    left join reserve_ratios
        on
            pools_on_day.pool_id = reserve_ratios.pool_id
            and pools_on_day.eligibility_date = reserve_ratios.eligibility_date
),

explained as (
    select
        checked.*,
        array_remove(array[
            case when not checked.passes_tokens_approved then 'tokens_approved' end,
            case when not checked.passes_no_token_blacklisted then 'no_token_blacklisted' end,
            case when not checked.passes_no_token_iceboxed then 'no_token_iceboxed' end,
            case when not checked.passes_protocol_approved then 'protocol_approved' end,
            case when checked.passes_tvl is not true then 'tvl' end,
            case when checked.passes_apy is not true then 'apy' end,
            case when checked.passes_token_marketcap is not true then 'token_marketcap' end,
            case
                when
                    checked.passes_pair_ratio is false
                    or (checked.has_reserve_contract and checked.passes_pair_ratio is null)
                    then 'pair_ratio'
            end,
            case when not checked.passes_gas_cost_known then 'gas_cost_known' end,
            case when not checked.passes_has_group then 'has_group' end
        ], null) as failed_checks,
        array_remove(array[
            case
                when not checked.passes_tokens_approved
                    then 'tokens not approved: ' || coalesce(
                        array_to_string(checked.unapproved_tokens, ', '), 'none in the symbol'
                    )
            end,
            case
                when not checked.passes_no_token_blacklisted
                    then 'tokens blacklisted: ' || array_to_string(checked.blacklisted_tokens, ', ')
            end,
            case
                when not checked.passes_no_token_iceboxed
                    then 'tokens in the icebox: ' || array_to_string(checked.iceboxed_tokens, ', ')
            end,
            case
                when not checked.passes_protocol_approved
                    then 'protocol ' || checked.project || ' not approved'
            end,
            case
                when checked.tvl_usd is null then 'tvl unknown'
                when not checked.passes_tvl
                    then
                        'tvl '
                        || round(checked.tvl_usd::numeric)
                        || ' USD < {{ var("pool_tvl_limit") }}'
            end,
            case
                when checked.apy_pct is null then 'apy unknown'
                when not checked.passes_apy
                    then
                        'apy ' || round(checked.apy_pct::numeric, 4)
                        || ' % outside [{{ var("pool_apy_limit") }}, {{ var("pool_apy_max") }}]'
            end,
            case
                when checked.passes_token_marketcap is false
                    then
                        'market cap < {{ var("token_marketcap_limit") }} USD: '
                        || array_to_string(checked.small_cap_tokens, ', ')
                when checked.passes_token_marketcap is null
                    then 'market cap unknown: ' || array_to_string(checked.unpriced_tokens, ', ')
            end,
            case
                when checked.passes_pair_ratio is false
                    then
                        'reserve ratio ' || round(checked.reserve_ratio, 4)
                        || ' outside [{{ var("pool_pair_tvl_ratio_min") }}, '
                        || '{{ var("pool_pair_tvl_ratio_max") }}]'
                when checked.has_reserve_contract and checked.passes_pair_ratio is null
                    then 'reserves not valued (balances or prices missing)'
            end,
            case
                when not checked.passes_gas_cost_known and checked.chain = 'Ethereum'
                    then
                        'no gas cost: protocol ' || checked.project
                        || ' has no deposit gas units in protocol_gas_units'
                when not checked.passes_gas_cost_known
                    then
                        'no gas cost: chain ' || checked.chain
                        || ' has no fee in chain_tx_fee_usd'
            end,
            case
                when not checked.passes_has_group
                    then 'no group: ' || checked.history_days || ' days of history (30 needed)'
            end
        ], null) as reasons
    from checked
),

final as (
    select
        pool_id::text as pool_id,
        eligibility_date::date as eligibility_date,
        chain::text as chain,  -- noqa: RF04
        project::text as project,
        symbol::text as symbol,  -- noqa: RF04
        tokens::text[] as tokens,
        tvl_usd::double precision as tvl_usd,
        apy_pct::double precision as apy_pct,
        group_id::integer as group_id,
        reserve_ratio::double precision as reserve_ratio,
        passes_tokens_approved::boolean as passes_tokens_approved,
        passes_no_token_blacklisted::boolean as passes_no_token_blacklisted,
        passes_no_token_iceboxed::boolean as passes_no_token_iceboxed,
        passes_protocol_approved::boolean as passes_protocol_approved,
        passes_tvl::boolean as passes_tvl,
        passes_apy::boolean as passes_apy,
        passes_token_marketcap::boolean as passes_token_marketcap,
        passes_pair_ratio::boolean as passes_pair_ratio,
        passes_gas_cost_known::boolean as passes_gas_cost_known,
        passes_has_group::boolean as passes_has_group,
        failed_checks::text[] as failed_checks,
        reasons::text[] as reasons,
        (cardinality(failed_checks) = 0)::boolean as is_eligible
    from explained
)

select * from final
