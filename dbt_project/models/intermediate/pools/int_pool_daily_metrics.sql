{#-
    One row per pool per day with data: the day's APY/TVL and its rolling statistics.

    Incremental: a daily build recomputes the days after run_date - pool_metrics_reprocess_days
    and reads 30 more days before them (the lookback), so the 7- and 30-day windows of the
    recomputed days see their whole window. Pools whose older history changed since the last
    build (chart points loaded since the start of the day before run_date for days before
    the recomputed ones: step 9's back-fill) are recomputed from their first day.
    history_days continues from the pool's last built row. Strategy delete_insert_in_range
    (macros/delete_insert_in_range.sql): delete+insert whose delete is bounded by the
    earliest rewritten day, an index range instead of a scan of every row; work_mem is
    raised so the window sorts stay in memory.
-#}

{%- set reprocess_days = var('pool_metrics_reprocess_days') | int %}
{%- set last_kept_date %}({{ run_date() }} - {{ reprocess_days }}){% endset %}
{%- set read_start_date %}({{ run_date() }} - {{ reprocess_days + 29 }}){% endset %}
{%- set backfill_loaded_since -%}
    cast({{ run_date() }} - 1 as timestamp) at time zone 'utc'
{%- endset %}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete_insert_in_range',
        delete_range_column='metric_date',
        unique_key=['pool_id', 'metric_date'],
        on_schema_change='append_new_columns',
        pre_hook="set local work_mem = '256MB'",
        indexes=[
            {'columns': ['pool_id', 'metric_date'], 'unique': true},
            {'columns': ['metric_date']},
        ],
    )
}}


with

-- not materialized: each use below filters the table through its own index
history as not materialized (
    select * from {{ ref('int_pool_history_unioned') }}
),

{% if is_incremental() -%}
    backfilled_pools as (
        select distinct history.pool_id
        from history
        where
            history.history_date <= {{ last_kept_date }}
            and history.loaded_at >= {{ backfill_loaded_since }}
    ),

    window_history as (
        select
            history.*,
            {{ last_kept_date }} + 1 as counted_from_date
        from history
        where
            history.history_date between {{ read_start_date }} and {{ run_date() }}
            and not exists (
                select from backfilled_pools
                where backfilled_pools.pool_id = history.pool_id
            )
    ),

    backfilled_history as (
        select
            history.*,
            cast(null as date) as counted_from_date
        from history
        inner join backfilled_pools on history.pool_id = backfilled_pools.pool_id
        where history.history_date <= {{ run_date() }}
    ),

    window_pools as (
        select distinct window_history.pool_id
        from window_history
    ),

    prior_counts as (
        select
            window_pools.pool_id,
            coalesce(last_built.history_days, 0) as prior_history_days
        from window_pools
        left join lateral (
            select built.history_days
            from {{ this }} as built
            where
                built.pool_id = window_pools.pool_id
                and built.metric_date <= {{ last_kept_date }}
            order by built.metric_date desc
            limit 1
        ) as last_built on true
    ),

    scoped as (
        select
            window_history.*,
            prior_counts.prior_history_days
        from window_history
        inner join prior_counts on window_history.pool_id = prior_counts.pool_id
        union all
        select
            backfilled_history.*,
            0 as prior_history_days
        from backfilled_history
    ),
{%- else %}
    scoped as (
        select
            history.*,
            cast(null as date) as counted_from_date,
            0 as prior_history_days
        from history
        where history.history_date <= {{ run_date() }}
    ),
{%- endif %}

rolled as (
    select
        pool_id,
        history_date as metric_date,
        counted_from_date,
        history_source,
        apy_pct,
        apy_base_pct,
        apy_reward_pct,
        tvl_usd,
        case
            when lag(history_date) over by_day = history_date - 1
                then abs(apy_pct - lag(apy_pct) over by_day)
        end as apy_delta_pp,
        avg(apy_pct) over last_7_days as apy_mean_7d_pct,
        stddev_samp(apy_pct) over last_7_days as apy_stddev_7d_pp,
        avg(apy_pct) over last_30_days as apy_mean_30d_pct,
        stddev_samp(apy_pct) over last_30_days as apy_stddev_30d_pp,
        prior_history_days + count(apy_pct) filter (
            where counted_from_date is null or history_date >= counted_from_date
        ) over up_to_day as history_days
    from scoped
    window
        by_day as (partition by pool_id order by history_date),
        up_to_day as (by_day rows between unbounded preceding and current row),
        last_7_days as (by_day range between interval '6 days' preceding and current row),
        last_30_days as (by_day range between interval '29 days' preceding and current row)
),

final as (
    select
        cast(pool_id as text) as pool_id,
        cast(metric_date as date) as metric_date,
        cast(apy_pct as double precision) as apy_pct,
        cast(apy_base_pct as double precision) as apy_base_pct,
        cast(apy_reward_pct as double precision) as apy_reward_pct,
        cast(tvl_usd as double precision) as tvl_usd,
        cast(apy_delta_pp as double precision) as apy_delta_pp,
        cast(apy_mean_7d_pct as double precision) as apy_mean_7d_pct,
        cast(apy_stddev_7d_pp as double precision) as apy_stddev_7d_pp,
        cast(apy_mean_30d_pct as double precision) as apy_mean_30d_pct,
        cast(apy_stddev_30d_pp as double precision) as apy_stddev_30d_pp,
        cast(history_days as integer) as history_days,
        cast(history_source as text) as history_source
    from rolled
    where counted_from_date is null or metric_date >= counted_from_date
    -- date order keeps each day's rows together on disk for the daily reads
    order by metric_date, pool_id
)

select * from final
