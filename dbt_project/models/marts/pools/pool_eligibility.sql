{#-
    One row per pool with data on run_date: every filter of docs/product.md as its own boolean, the
    failed checks with readable reasons, and is_eligible. Past days are kept; a re-run replaces
    its day. The filters are defined once, in int_pool_eligibility_by_day (which a backtest
    builds for every day of its range); this mart keeps the run date's rows.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='eligibility_date',
        on_schema_change='append_new_columns',
    )
}}

with

eligibility_by_day as (
    select * from {{ ref('int_pool_eligibility_by_day') }}
),

final as (
    select *
    from eligibility_by_day
    where eligibility_date = {{ run_date() }}
)

-- the by-day model's columns, which both models' contracts enforce
select * from final  -- noqa: AM04
