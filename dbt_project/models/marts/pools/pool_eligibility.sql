{#-
    One row per pool of decision date run_date: every filter of docs/product.md as its own
    boolean, the failed checks with readable reasons, and is_eligible. Past days are kept; a
    re-run replaces its day. The filters are defined once (int_pool_eligibility_by_day,
    published for a range as pool_eligibility_by_day); this mart keeps the run date's rows.
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
    select * from {{ ref('pool_eligibility_by_day') }}
),

final as (
    select *
    from eligibility_by_day
    where eligibility_date = {{ run_date() }}
)

-- the by-day mart's columns, which both models' contracts enforce
select * from final  -- noqa: AM04
