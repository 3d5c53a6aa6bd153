with

flows as (
    select * from {{ ref('int_wallet_flows_unioned') }}
),

snapshots as (
    select * from {{ ref('int_wallet_balance_snapshots_unioned') }}
),

token_prices as (
    select * from {{ ref('token_prices_daily') }}
),

-- The latest balance snapshot per wallet and token anchors the ledger: the balance before
-- every recorded flow is that snapshot minus the flows up to it, so a history that misses
-- old transactions (or internal ETH transfers) is still right at the snapshot.
latest_snapshots as (
    select distinct on (wallet_address, token_symbol)
        wallet_address,
        token_symbol,
        run_date as snapshot_run_date,
        balance_as_of,
        balance
    from snapshots
    order by wallet_address asc, token_symbol asc, run_date desc, fetched_at desc
),

flows_to_snapshot as (
    select
        latest_snapshots.wallet_address,
        latest_snapshots.token_symbol,
        latest_snapshots.balance - coalesce(sum(flows.amount), 0) as opening_balance
    from latest_snapshots
    left join flows
        on
            latest_snapshots.wallet_address = flows.wallet_address
            and latest_snapshots.token_symbol = flows.token_symbol
            and latest_snapshots.balance_as_of >= flows.executed_at
    group by
        latest_snapshots.wallet_address,
        latest_snapshots.token_symbol,
        latest_snapshots.balance
),

daily_flows as (
    select
        wallet_address,
        token_symbol,
        flow_date,
        sum(amount) as net_flow
    from flows
    group by wallet_address, token_symbol, flow_date
),

positions as (
    select
        wallet_address,
        token_symbol,
        min(first_date) as first_date
    from (
        select
            wallet_address,
            token_symbol,
            flow_date as first_date
        from daily_flows
        union all
        select
            wallet_address,
            token_symbol,
            snapshot_run_date
        from latest_snapshots
    ) as activity
    group by wallet_address, token_symbol
),

position_days as (
    select
        positions.wallet_address,
        positions.token_symbol,
        cast(ledger_day as date) as ledger_date
    from positions
    cross join lateral generate_series(
        positions.first_date, {{ run_date() }}, interval '1 day'
    ) as ledger_day
),

wallet_balances as (
    select
        position_days.wallet_address,
        position_days.token_symbol,
        position_days.ledger_date,
        coalesce(daily_flows.net_flow, 0) as net_flow,
        coalesce(flows_to_snapshot.opening_balance, 0)
        + sum(coalesce(daily_flows.net_flow, 0)) over (
            partition by position_days.wallet_address, position_days.token_symbol
            order by position_days.ledger_date
        ) as end_balance
    from position_days
    left join daily_flows
        on
            position_days.wallet_address = daily_flows.wallet_address
            and position_days.token_symbol = daily_flows.token_symbol
            and position_days.ledger_date = daily_flows.flow_date
    left join flows_to_snapshot
        on
            position_days.wallet_address = flows_to_snapshot.wallet_address
            and position_days.token_symbol = flows_to_snapshot.token_symbol
),

treasury_balances as (
    select
        token_symbol,
        ledger_date,
        sum(end_balance - net_flow) as start_balance,
        sum(net_flow) as net_flow,
        sum(end_balance) as end_balance,
        count(*) as wallets
    from wallet_balances
    group by token_symbol, ledger_date
),

-- The close of the day, or the last close before it (a missing candle does not zero NAV).
priced as (
    select
        treasury_balances.*,
        latest_price.close_usd as price_usd,
        latest_price.price_date
    from treasury_balances
    left join lateral (
        select
            token_prices.close_usd,
            token_prices.price_date
        from token_prices
        where
            token_prices.token_symbol = treasury_balances.token_symbol
            and token_prices.price_date <= treasury_balances.ledger_date
        order by token_prices.price_date desc
        limit 1
    ) as latest_price on true
),

final as (
    select
        cast(ledger_date as date) as ledger_date,
        cast(token_symbol as text) as token_symbol,
        cast(start_balance as numeric) as start_balance,
        cast(net_flow as numeric) as net_flow,
        cast(end_balance as numeric) as end_balance,
        cast(price_usd as numeric) as price_usd,
        cast(price_date as date) as price_date,
        cast(end_balance * price_usd as numeric) as nav_usd,
        cast(wallets as integer) as wallets
    from priced
)

select * from final
