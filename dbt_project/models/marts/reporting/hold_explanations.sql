{#-
    The run's hold_explanations (python_models/decision/explain.py, explain_holds), one row
    per position kept though a decision without costs would move it, with the kept pool and
    its destinations named. explain.IDLE ('idle') marks money kept idle in the wallet.
-#}
with

runs as (
    select * from {{ ref('stg_optimization__optimization_runs') }}
    where run_date <= {{ run_date() }}
),

labels as (
    select * from {{ ref('pool_labels') }}
),

unpacked as (
    select
        runs.run_id,
        runs.run_date,
        holds.hold_no,
        holds.hold,
        holds.hold ->> 'kept' = 'idle' as is_idle
    from runs
    cross join
        lateral jsonb_array_elements(runs.hold_explanations)
        with ordinality as holds (hold, hold_no)
),

destinations as (
    select
        unpacked.run_id,
        unpacked.hold_no,
        array_agg(destination.pool_id order by destination.destination_no) as pool_ids,
        array_agg(
            coalesce(labels.pool_label, destination.pool_id) order by destination.destination_no
        ) as pool_labels
    from unpacked
    cross join
        lateral jsonb_array_elements_text(coalesce(unpacked.hold -> 'to', '[]'))
        with ordinality as destination (pool_id, destination_no)
    left join labels
        on destination.pool_id = labels.pool_id
    group by unpacked.run_id, unpacked.hold_no
),

final as (
    select
        cast(unpacked.run_id as text) as run_id,
        cast(unpacked.run_date as date) as run_date,
        cast(unpacked.hold_no as integer) as hold_no,
        cast(unpacked.is_idle as boolean) as is_idle,
        cast(case when not unpacked.is_idle then unpacked.hold ->> 'kept' end as text)
            as kept_pool_id,
        cast(
            case
                when unpacked.is_idle then 'idle'
                else coalesce(labels.pool_label, unpacked.hold ->> 'kept')
            end as text
        ) as kept_label,
        cast(unpacked.hold ->> 'kept_usd' as numeric) as kept_usd,
        cast(unpacked.hold ->> 'frictionless_usd' as numeric) as frictionless_usd,
        cast(coalesce(destinations.pool_ids, '{}') as text[]) as destination_pool_ids,
        cast(coalesce(destinations.pool_labels, '{}') as text[]) as destination_labels,
        cast(unpacked.hold ->> 'gain_usd_a_year' as numeric) as gain_usd_a_year,
        cast(unpacked.hold ->> 'cost_usd' as numeric) as cost_usd,
        cast(unpacked.hold ->> 'payback_days' as numeric) as payback_days,
        cast(unpacked.hold ->> 'rule' as text) as hold_rule
    from unpacked
    left join labels
        on unpacked.hold ->> 'kept' = labels.pool_id
    left join destinations
        on
            unpacked.run_id = destinations.run_id
            and unpacked.hold_no = destinations.hold_no
)

select * from final
