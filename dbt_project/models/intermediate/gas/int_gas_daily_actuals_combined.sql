with

etherscan_daily as (
    select * from {{ ref('stg_etherscan__daily_gas_prices') }}
),

gas_hours as (
    select * from {{ ref('int_gas_hours_mainnet') }}
),

-- Etherscan publishes the daily average a day or more late; EthGasTracker's hourly averages
-- cover the recent days. A day from hours needs at least 20 of its 24 hours.
hourly_days as (
    select
        cast(gas_hour at time zone 'UTC' as date) as gas_date,
        round(avg(avg_gas_price_gwei), 6) as avg_gas_price_gwei,
        avg(eth_price_usd) as eth_price_usd,
        count(*) as hours_observed
    from gas_hours
    group by 1
    having count(*) >= 20
),

combined as (
    select
        coalesce(etherscan_daily.gas_date, hourly_days.gas_date) as gas_date,
        coalesce(etherscan_daily.avg_gas_price_gwei, hourly_days.avg_gas_price_gwei)
            as avg_gas_price_gwei,
        hourly_days.eth_price_usd as hourly_eth_price_usd,
        hourly_days.hours_observed,
        case
            when etherscan_daily.gas_date is not null then 'etherscan_daily'
            else 'ethgastracker_hourly'
        end as actual_source
    from etherscan_daily
    full outer join hourly_days
        on etherscan_daily.gas_date = hourly_days.gas_date
),

final as (
    select * from combined
    where gas_date <= {{ run_date() }}
)

select * from final
