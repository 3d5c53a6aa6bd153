{#-
    One row per step of each run's plan, its pool named and, for a deposit or a withdrawal,
    the tokens it is paid in or returns: the pool's tokens as the optimizer split it
    (problem_pools), else those of its eligibility row on the run date, each token once
    (a symbol may repeat one, as USDC-USDC).
-#}
with

steps as (
    select * from {{ ref('stg_optimization__rebalance_plan_steps') }}
    where run_date <= {{ run_date() }}
),

problem_pools as (
    select * from {{ ref('stg_optimization__problem_pools') }}
),

labels as (
    select * from {{ ref('pool_labels') }}
),

eligibility as (
    select * from {{ ref('pool_eligibility') }}
),

final as (
    select
        cast(steps.run_id as text) as run_id,
        cast(steps.run_date as date) as run_date,
        cast(steps.step_no as integer) as step_no,
        cast(steps.action as text) as action,  -- noqa: RF04
        cast(steps.pool_id as text) as pool_id,
        cast(
            case
                when steps.pool_id is not null then coalesce(labels.pool_label, steps.pool_id)
            end as text
        ) as pool_label,
        cast(
            array(
                select pool_tokens.token_symbol
                from
                    unnest(coalesce(problem_pools.tokens, eligibility.tokens, '{}'))
                    with ordinality as pool_tokens (token_symbol, token_position)
                group by pool_tokens.token_symbol
                order by min(pool_tokens.token_position)
            ) as text[]
        ) as pool_tokens,
        cast(steps.token_symbol as text) as token_symbol,
        cast(steps.to_token_symbol as text) as to_token_symbol,
        cast(steps.amount_usd as numeric) as amount_usd,
        cast(steps.gas_usd as numeric) as gas_usd
    from steps
    left join labels
        on steps.pool_id = labels.pool_id
    left join problem_pools
        on
            steps.run_id = problem_pools.run_id
            and steps.pool_id = problem_pools.pool_id
    left join eligibility
        on
            steps.pool_id = eligibility.pool_id
            and steps.run_date = eligibility.eligibility_date
)

select * from final
