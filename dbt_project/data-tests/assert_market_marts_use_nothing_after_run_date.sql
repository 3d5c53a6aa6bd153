-- Re-running a past day must give the same answer: no market or wallet mart holds a day after
-- run_date (gas_fees_daily may hold the forecast of the next day, without an actual).
with

late_prices as (
    select
        'token_prices_daily' as model_name,
        price_date as late_date
    from {{ ref('token_prices_daily') }}
    where price_date > {{ run_date() }}
),

late_episodes as (
    select
        'icebox_tokens' as model_name,
        greatest(added_at, removed_at) as late_date
    from {{ ref('icebox_tokens') }}
    where greatest(added_at, removed_at) > {{ run_date() }}
),

late_gas as (
    select
        'gas_fees_daily' as model_name,
        gas_date as late_date
    from {{ ref('gas_fees_daily') }}
    where gas_date > {{ run_date() }} and avg_gas_price_gwei is not null
),

late_hours as (
    select
        'gas_fees_hourly' as model_name,
        cast(gas_hour at time zone 'UTC' as date) as late_date
    from {{ ref('gas_fees_hourly') }}
    where gas_hour >= cast({{ run_date() }} + 1 as timestamp) at time zone 'UTC'
),

late_ledger as (
    select
        'daily_ledger' as model_name,
        ledger_date as late_date
    from {{ ref('daily_ledger') }}
    where ledger_date > {{ run_date() }}
),

final as (
    select * from late_prices
    union all
    select * from late_episodes
    union all
    select * from late_gas
    union all
    select * from late_hours
    union all
    select * from late_ledger
)

select * from final
