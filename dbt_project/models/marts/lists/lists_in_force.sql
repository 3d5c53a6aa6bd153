{#-
    One row per analyst list, entry and decision date from range_start_date to run_date: the
    token, protocol and curator lists in force on D (added_at <= D < removed_at, the seeds'
    rule, written once here so Python never re-implements it) and the tokens in the icebox as
    the decision of D knows it (an episode in effect on D - 1: market data dated D - 1). The
    daily run reads its run date, a backtest its range; the exposure caps are in
    exposure_caps_in_force.
-#}
{{ config(materialized='table') }}

with

approved_tokens as (
    select * from {{ ref('approved_tokens') }}
),

blacklisted_tokens as (
    select * from {{ ref('blacklisted_tokens') }}
),

approved_protocols as (
    select * from {{ ref('approved_protocols') }}
),

approved_curators as (
    select * from {{ ref('approved_curators') }}
),

icebox_episodes as (
    select * from {{ ref('int_icebox_episodes') }}
),

decision_dates as (
    select day_series.in_force_date::date as in_force_date
    from
        generate_series(
            {{ range_start_date() }}, {{ run_date() }}, interval '1 day'
        ) as day_series (in_force_date)
),

entries as (
    select
        'approved_tokens' as list_name,
        {{ normalize_token_symbol('token_symbol') }} as entry,
        added_at,
        removed_at,
        note,
        0 as lag_days
    from approved_tokens
    union all
    select
        'blacklisted_tokens' as list_name,
        {{ normalize_token_symbol('token_symbol') }} as entry,
        added_at,
        removed_at,
        note,
        0 as lag_days
    from blacklisted_tokens
    union all
    select
        'approved_protocols' as list_name,
        project as entry,
        added_at,
        removed_at,
        note,
        0 as lag_days
    from approved_protocols
    union all
    select
        'approved_curators' as list_name,
        curator as entry,
        added_at,
        removed_at,
        note,
        0 as lag_days
    from approved_curators
    union all
    -- the icebox of D is the one known at the end of D - 1
    select
        'icebox' as list_name,
        {{ normalize_token_symbol('token_symbol') }} as entry,
        added_at,
        removed_at,
        reason as note,
        1 as lag_days
    from icebox_episodes
),

in_force as (
    select distinct on (decision_dates.in_force_date, entries.list_name, entries.entry)
        decision_dates.in_force_date,
        entries.list_name,
        entries.entry,
        entries.added_at,
        entries.note
    from decision_dates
    inner join entries
        on {{ in_effect_on('entries', 'decision_dates.in_force_date - entries.lag_days') }}
    order by
        decision_dates.in_force_date asc,
        entries.list_name asc,
        entries.entry asc,
        entries.added_at desc
),

final as (
    select
        in_force_date::date as in_force_date,
        list_name::text as list_name,
        entry::text as entry,
        added_at::date as added_at,
        note::text as note
    from in_force
)

select * from final
