-- The hours of int_gas_hours_mainnet, published for the gas forecast and the backtest.
with

gas_hours as (
    select * from {{ ref('int_gas_hours_mainnet') }}
),

final as (
    select * from gas_hours
)

-- the columns of int_gas_hours_mainnet, which this model's contract enforces
select * from final  -- noqa: AM04
