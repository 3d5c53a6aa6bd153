{#-
    One row per pool with data on run_date per action (approve, deposit, withdraw, swap): the
    USD cost of one such transaction. Ethereum: the protocol's gas units (seed) x the day's gas
    price (the forecast when there is one, else the latest actual daily average) x 1e-9 x the
    ETH price. Other chains: the per-transaction fee of the seed chain_tx_fee_usd. Built after
    the forecasting step (tag after_forecast); past days are kept, a re-run replaces its day.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='cost_date',
        on_schema_change='append_new_columns',
        tags=['after_forecast'],
    )
}}

with

eligibility as (
    select * from {{ ref('pool_eligibility') }}
),

gas_units as (
    select * from {{ ref('protocol_gas_units') }}
),

chain_fees as (
    select * from {{ ref('chain_tx_fee_usd') }}
),

gas_fees as (
    select * from {{ ref('gas_fees_daily') }}
),

token_prices as (
    select * from {{ ref('token_prices_daily') }}
),

pools_on_day as (
    select
        pool_id,
        eligibility_date as cost_date,
        chain,
        project
    from eligibility
    where eligibility_date = {{ run_date() }}
),

actions as (
    select action_list.action  -- noqa: RF04
    from
        unnest(array['approve', 'deposit', 'withdraw', 'swap']) as action_list (action)
),

day_gas_price as (
    select
        coalesce(forecast_gas_price_gwei, avg_gas_price_gwei) as gas_price_gwei,
        case
            when forecast_gas_price_gwei is not null then 'forecast' else 'actual'
        end as gas_price_source
    from gas_fees
    where
        gas_date <= {{ run_date() }}
        and coalesce(forecast_gas_price_gwei, avg_gas_price_gwei) is not null
    order by gas_date desc
    limit 1
),

day_eth_price as (
    select close_usd as eth_price_usd
    from token_prices
    where
        {{ normalize_token_symbol('token_symbol') }} = 'ETH'
        and price_date <= {{ run_date() }}
        and close_usd is not null
    order by price_date desc
    limit 1
),

costed as (
    select
        pools_on_day.pool_id,
        pools_on_day.cost_date,
        pools_on_day.chain,
        pools_on_day.project,
        actions.action,
        gas_units.gas_units,
        day_gas_price.gas_price_gwei,
        day_eth_price.eth_price_usd,
        case
            when pools_on_day.chain = '{{ var("l1_chain") }}' then day_gas_price.gas_price_source
            else 'chain_fee'
        end as cost_source,
        case
            when pools_on_day.chain = '{{ var("l1_chain") }}'
                then
                    gas_units.gas_units * day_gas_price.gas_price_gwei * 1e-9
                    * day_eth_price.eth_price_usd
            else chain_fees.fee_usd
        end as gas_usd
    from pools_on_day
    cross join actions
    left join gas_units
        on
            pools_on_day.project = gas_units.project
            and actions.action = gas_units.action
    left join chain_fees on pools_on_day.chain = chain_fees.chain
    left join day_gas_price on true
    left join day_eth_price on true
),

final as (
    select
        pool_id::text as pool_id,
        cost_date::date as cost_date,
        chain::text as chain,  -- noqa: RF04
        project::text as project,
        action::text as action,  -- noqa: RF04
        gas_units::integer as gas_units,
        gas_price_gwei::double precision as gas_price_gwei,
        eth_price_usd::double precision as eth_price_usd,
        cost_source::text as cost_source,
        gas_usd::double precision as gas_usd
    from costed
)

select * from final
