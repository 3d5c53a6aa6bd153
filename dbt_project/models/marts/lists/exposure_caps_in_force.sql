{#-
    One row per decision date from range_start_date to run_date and capped name: the tightest
    exposure cap of the seed exposure_caps in force on D (added_at <= D < removed_at) for one
    protocol family, chain, token or curator, in % of AUM. The lower of it and the strategy's
    family/chain/token/curator maximum applies. The daily run reads its run date, a backtest
    its range.
-#}
{{ config(materialized='table') }}

with

exposure_caps as (
    select * from {{ ref('exposure_caps') }}
),

decision_dates as (
    select day_series.in_force_date::date as in_force_date
    from
        generate_series(
            {{ range_start_date() }}, {{ run_date() }}, interval '1 day'
        ) as day_series (in_force_date)
),

caps_in_force as (
    select
        decision_dates.in_force_date,
        exposure_caps.dimension,
        exposure_caps.name,
        min(exposure_caps.max_pct) as max_pct,
        string_agg(exposure_caps.note, '; ' order by exposure_caps.added_at) as note
    from decision_dates
    inner join exposure_caps
        on {{ in_effect_on('exposure_caps', 'decision_dates.in_force_date') }}
    group by decision_dates.in_force_date, exposure_caps.dimension, exposure_caps.name
),

final as (
    select
        in_force_date::date as in_force_date,
        dimension::text as dimension,
        name::text as name,  -- noqa: RF04
        max_pct::double precision as max_pct,
        note::text as note
    from caps_in_force
)

select * from final
