-- One row per pool ever seen in a /pools snapshot dated <= run_date: its latest description.
{{ config(materialized='table') }}
with

snapshots as (
    select * from {{ ref('int_pool_snapshots_deduplicated') }}
),

visible_snapshots as (
    select *
    from snapshots
    where snapshot_date <= {{ run_date() }}
),

latest_snapshot_date as (
    select max(snapshot_date) as snapshot_date
    from visible_snapshots
),

pool_spans as (
    select
        pool_id,
        min(fetched_at) as first_seen_at,
        max(fetched_at) as last_seen_at,
        max(snapshot_date) as last_seen_date
    from visible_snapshots
    group by pool_id
),

latest_descriptions as (
    select distinct on (pool_id) *
    from visible_snapshots
    order by pool_id asc, snapshot_date desc, fetched_at desc
),

final as (
    select
        latest_descriptions.pool_id::text as pool_id,
        latest_descriptions.chain::text as chain,  -- noqa: RF04
        latest_descriptions.project::text as project,
        latest_descriptions.symbol::text as symbol,  -- noqa: RF04
        latest_descriptions.tokens::text[] as tokens,
        latest_descriptions.underlying_token_addresses::text[] as underlying_token_addresses,
        latest_descriptions.pool_meta::text as pool_meta,
        latest_descriptions.is_stablecoin::boolean as is_stablecoin,
        latest_descriptions.exposure::text as exposure,
        (pool_spans.last_seen_date = latest_snapshot_date.snapshot_date)::boolean as is_active,
        pool_spans.first_seen_at::timestamptz as first_seen_at,
        pool_spans.last_seen_at::timestamptz as last_seen_at,
        pool_spans.last_seen_date::date as last_seen_date
    from latest_descriptions
    inner join pool_spans on latest_descriptions.pool_id = pool_spans.pool_id
    cross join latest_snapshot_date
)

select * from final
