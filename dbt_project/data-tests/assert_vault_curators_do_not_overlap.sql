-- A vault has at most one curator on any day: the next vault_curators row of a pool starts
-- only after the previous one was removed.
with

vault_curators as (
    select * from {{ ref('vault_curators') }}
),

overlapping as (
    select
        earlier.pool_id,
        earlier.curator as earlier_curator,
        earlier.added_at as earlier_added_at,
        earlier.removed_at as earlier_removed_at,
        later.curator as later_curator,
        later.added_at as later_added_at
    from vault_curators as earlier
    inner join vault_curators as later
        on
            earlier.pool_id = later.pool_id
            and earlier.added_at < later.added_at
    where earlier.removed_at is null or earlier.removed_at > later.added_at
)

select * from overlapping
