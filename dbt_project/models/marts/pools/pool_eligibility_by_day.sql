{#-
    One row per pool per decision date from range_start_date to run_date: the daily run reads
    its run date, a backtest its whole range, built in one pass. The eligibility of decision
    date D is judged with the analyst seeds in effect on D and market data dated D - 1
    (data_date): the daily run of D (02:30 UTC) and a backtest deciding D see the same
    information. The rules live in int_pool_eligibility_by_day and the models it reads.
-#}
{#- Postgres underestimates the grouped token checks and picks nested loops over every
    pool x token (25 s at 20,000 pools instead of 0.3 s): hash joins only. -#}
{{ config(materialized='table', pre_hook="set local enable_nestloop = off") }}

with

eligibility_by_day as (
    select * from {{ ref('int_pool_eligibility_by_day') }}
),

final as (
    select * from eligibility_by_day
)

-- the columns of int_pool_eligibility_by_day, which this model's contract enforces
select * from final  -- noqa: AM04
