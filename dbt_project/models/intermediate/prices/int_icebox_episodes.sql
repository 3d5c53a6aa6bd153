{{ config(materialized='table') }}
{%- set recovery_days = var('icebox_recovery_days') | int -%}

with

signals as (
    select * from {{ ref('int_icebox_signals_evaluated') }}
),

-- Observed price days per token, numbered, so "N consecutive days without a signal" counts
-- days whose prices were seen (a token whose prices stop stays in the icebox).
numbered_days as (
    select
        *,
        row_number() over (partition by token_symbol order by price_date) as day_no
    from signals
),

signal_days as (
    select
        *,
        lag(day_no) over (partition by token_symbol order by price_date) as previous_signal_day_no
    from numbered_days
    where has_signal
),

-- A signal opens a new episode unless it comes before the previous episode's recovery is
-- complete (fewer than recovery_days quiet days since the last signal): then it extends it.
episode_starts as (
    select
        *,
        coalesce(
            day_no - previous_signal_day_no - 1 >= {{ recovery_days }}, true
        ) as is_episode_start
    from signal_days
),

episode_numbered as (
    select
        *,
        sum(case when is_episode_start then 1 else 0 end) over (
            partition by token_symbol order by price_date
        ) as episode_no
    from episode_starts
),

episodes as (
    select
        token_symbol,
        episode_no,
        min(price_date) as added_at,
        max(price_date) as last_signal_date,
        max(day_no) as last_signal_day_no,
        count(*) as signal_days
    from episode_numbered
    group by token_symbol, episode_no
),

entries as (
    select
        token_symbol,
        price_date,
        signal_reason,
        array_remove(
            array[
                case when has_signal_l then 'L' end,
                case when has_signal_c then 'C' end,
                case when has_signal_depeg then 'depeg' end
            ],
            null
        ) as entry_signals
    from episode_numbered
    where is_episode_start
),

final as (
    select
        cast(episodes.token_symbol as text) as token_symbol,
        cast(episodes.added_at as date) as added_at,
        cast(recovered.price_date as date) as removed_at,
        cast(entries.entry_signals[1] as text) as signal,  -- noqa: RF04
        cast(entries.entry_signals as text[]) as entry_signals,
        cast(entries.signal_reason as text) as reason,
        cast(episodes.last_signal_date as date) as last_signal_date,
        cast(episodes.signal_days as integer) as signal_days,
        recovered.price_date is null as is_active
    from episodes
    inner join entries
        on
            episodes.token_symbol = entries.token_symbol
            and episodes.added_at = entries.price_date
    left join numbered_days as recovered
        on
            episodes.token_symbol = recovered.token_symbol
            and episodes.last_signal_day_no + {{ recovery_days }} = recovered.day_no
)

select * from final
