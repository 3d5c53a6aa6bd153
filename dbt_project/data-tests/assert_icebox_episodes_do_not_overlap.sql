-- An approved token is in at most one icebox episode on any day: the next episode of a token
-- starts only after the previous one has ended.
with

episodes as (
    select * from {{ ref('icebox_tokens') }}
),

overlapping as (
    select
        earlier.token_symbol,
        earlier.added_at as earlier_added_at,
        earlier.removed_at as earlier_removed_at,
        later.added_at as later_added_at
    from episodes as earlier
    inner join episodes as later
        on
            earlier.token_symbol = later.token_symbol
            and earlier.added_at < later.added_at
    where earlier.removed_at is null or earlier.removed_at >= later.added_at
)

select * from overlapping
