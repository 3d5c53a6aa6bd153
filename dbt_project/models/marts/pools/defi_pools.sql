-- The pool descriptions of int_pool_descriptions, published for the optimizer and the report.
with

descriptions as (
    select * from {{ ref('int_pool_descriptions') }}
),

final as (
    select * from descriptions
)

-- the columns of int_pool_descriptions, which this model's contract enforces
select * from final  -- noqa: AM04
