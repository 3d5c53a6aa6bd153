{#-
    One row per grouped pool per decision date (group_date = run_date, judged on the metrics
    of data_date = run_date - 1; past days are kept, a re-run replaces its day). The groups
    themselves are defined once, in int_pool_groups_by_day (which
    a backtest builds for every day of its range); this mart keeps the run date's rows.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='group_date',
        on_schema_change='append_new_columns',
    )
}}

with

groups_by_day as (
    select * from {{ ref('int_pool_groups_by_day') }}
),

final as (
    select *
    from groups_by_day
    where group_date = {{ run_date() }}
)

-- the by-day model's columns, which both models' contracts enforce
select * from final  -- noqa: AM04
