-- The icebox episodes of int_icebox_episodes, published for the optimizer and the report.
with

episodes as (
    select * from {{ ref('int_icebox_episodes') }}
),

final as (
    select * from episodes
)

-- the columns of int_icebox_episodes, which this model's contract enforces
select * from final  -- noqa: AM04
