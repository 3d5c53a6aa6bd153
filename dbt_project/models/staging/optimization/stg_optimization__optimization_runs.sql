with

source as (
    select * from {{ source('optimization', 'optimization_runs') }}
),

final as (
    select
        cast(run_id as text) as run_id,
        cast(run_date as date) as run_date,
        cast(status as text) as status,  -- noqa: RF04
        cast(error as text) as error,  -- noqa: RF04
        cast(parameters as jsonb) as parameters,  -- noqa: RF04
        cast(lists_snapshot as jsonb) as lists_snapshot,
        cast(holdings_input as jsonb) as holdings_input,
        cast(solver_stats as jsonb) as solver_stats,
        cast(aum_usd as double precision) as aum_usd,
        cast(expected_yield_usd as double precision) as expected_yield_usd,
        cast(gas_cost_usd as double precision) as gas_cost_usd,
        cast(conversion_cost_usd as double precision) as conversion_cost_usd,
        cast(expected_profit_usd as double precision) as expected_profit_usd,
        cast(dilution_cost_usd as double precision) as dilution_cost_usd,
        cast(idle_after as jsonb) as idle_after,
        cast(idle_reason as text) as idle_reason,
        cast(unknown_liquidity_pools as integer) as unknown_liquidity_pools,
        cast(liquidity_bound_positions as integer) as liquidity_bound_positions,
        cast(coalesce(limit_prices, '[]') as jsonb) as limit_prices,
        cast(coalesce(hold_explanations, '[]') as jsonb) as hold_explanations,
        cast(started_at as timestamptz) as started_at,
        cast(finished_at as timestamptz) as finished_at
    from source
)

select * from final
