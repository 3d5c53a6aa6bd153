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
        cast(expected_yield_usd as double precision) as expected_yield_usd,
        cast(gas_cost_usd as double precision) as gas_cost_usd,
        cast(conversion_cost_usd as double precision) as conversion_cost_usd,
        cast(expected_profit_usd as double precision) as expected_profit_usd,
        cast(aum_usd as double precision) as aum_usd,
        cast(idle_after as jsonb) as idle_after,
        cast(started_at as timestamptz) as started_at,
        cast(finished_at as timestamptz) as finished_at
    from source
)

select * from final
