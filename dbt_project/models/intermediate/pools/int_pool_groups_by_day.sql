{#-
    One row per grouped pool per decision date D from range_start_date to run_date (the daily
    flow: the run date alone; a backtest: its whole range in one build), judged on the pool's
    metrics of D - 1 (data_date): the decision of D never reads data dated D. The single
    definition of the risk groups; pool_groups keeps the run date's rows. docs/product.md:
    group 1 when the daily delta and both stddevs are within the group 1 maxima, group 2 within
    the group 2 maxima, group 3 otherwise; a pool with fewer than 30 days of history on D - 1
    gets no group (no row). A statistic that cannot be computed (the day before D - 1 is
    missing, so no delta) fails the stable groups: such a pool is group 3.
-#}
{{ config(materialized='table') }}

{%- set min_history_days = var('pool_min_history_days') | int %}

with

metrics as (
    select * from {{ ref('int_pool_daily_metrics') }}
),

metrics_in_range as (
    select *
    from metrics
    where metric_date between {{ range_start_date() }} - 1 and {{ run_date() }} - 1
),

tested as (
    select
        pool_id,
        metric_date,
        history_days,
        apy_delta_pp,
        apy_stddev_7d_pp,
        apy_stddev_30d_pp,
        coalesce(
            apy_delta_pp <= {{ var('group1_apy_delta_max') }}
            and apy_stddev_7d_pp <= {{ var('group1_7d_stddev_max') }}
            and apy_stddev_30d_pp <= {{ var('group1_30d_stddev_max') }},
            false
        ) as is_within_group1,
        coalesce(
            apy_delta_pp <= {{ var('group2_apy_delta_max') }}
            and apy_stddev_7d_pp <= {{ var('group2_7d_stddev_max') }}
            and apy_stddev_30d_pp <= {{ var('group2_30d_stddev_max') }},
            false
        ) as is_within_group2
    from metrics_in_range
    where history_days >= {{ min_history_days }}
),

final as (
    select
        pool_id::text as pool_id,
        (metric_date + 1)::date as group_date,
        metric_date::date as data_date,
        (case
            when is_within_group1 then 1
            when is_within_group2 then 2
            else 3
        end)::integer as group_id,
        jsonb_build_object(
            'data_date', metric_date,
            'apy_delta_pp', apy_delta_pp,
            'apy_stddev_7d_pp', apy_stddev_7d_pp,
            'apy_stddev_30d_pp', apy_stddev_30d_pp,
            'history_days', history_days,
            'min_history_days', {{ min_history_days }},
            'is_within_group1', is_within_group1,
            'is_within_group2', is_within_group2,
            'group1_apy_delta_max', {{ var('group1_apy_delta_max') }},
            'group1_7d_stddev_max', {{ var('group1_7d_stddev_max') }},
            'group1_30d_stddev_max', {{ var('group1_30d_stddev_max') }},
            'group2_apy_delta_max', {{ var('group2_apy_delta_max') }},
            'group2_7d_stddev_max', {{ var('group2_7d_stddev_max') }},
            'group2_30d_stddev_max', {{ var('group2_30d_stddev_max') }},
            'group3_apy_delta_min', {{ var('group3_apy_delta_min') }},
            'group3_7d_stddev_min', {{ var('group3_7d_stddev_min') }},
            'group3_30d_stddev_min', {{ var('group3_30d_stddev_min') }}
        ) as criteria_snapshot
    from tested
)

select * from final
