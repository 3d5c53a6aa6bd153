-- The daily token prices of int_token_prices_daily, published for the marts and Python steps.
with

token_prices as (
    select * from {{ ref('int_token_prices_daily') }}
),

final as (
    select * from token_prices
)

-- the columns of int_token_prices_daily, which this model's contract enforces
select * from final  -- noqa: AM04
