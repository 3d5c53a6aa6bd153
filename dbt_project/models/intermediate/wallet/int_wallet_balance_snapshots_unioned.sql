with

eth_balances as (
    select * from {{ ref('stg_etherscan__eth_balances') }}
),

token_balances as (
    select * from {{ ref('stg_etherscan__token_balances') }}
),

tracked_tokens as (
    select * from {{ ref('tracked_tokens') }}
),

-- Wallets are the addresses whose ETH balance is fetched; token_balances also holds pool
-- reserve contracts, which are not ours.
wallets as (
    select distinct wallet_address from eth_balances
),

tracked_contracts as (
    select
        {{ normalize_token_symbol('token_symbol') }} as token_symbol,
        lower(contract_address) as token_address,
        decimals
    from tracked_tokens
    where contract_address is not null and decimals is not null
),

eth_snapshots as (
    select
        wallet_address,
        'ETH' as token_symbol,
        run_date,
        fetched_at,
        balance_eth as balance
    from eth_balances
),

token_snapshots as (
    select
        token_balances.holder_address as wallet_address,
        tracked_contracts.token_symbol,
        token_balances.run_date,
        token_balances.fetched_at,
        {{ from_base_units('token_balances.balance_raw', 'tracked_contracts.decimals') }}
            as balance
    from token_balances
    inner join wallets
        on token_balances.holder_address = wallets.wallet_address
    inner join tracked_contracts
        on token_balances.token_address = tracked_contracts.token_address
),

unioned as (
    select * from eth_snapshots
    union all
    select * from token_snapshots
),

-- A snapshot is the balance as of its fetch, but never later than the end of its run date
-- (a replayed past day is fetched today).
final as (
    select
        wallet_address,
        token_symbol,
        run_date,
        fetched_at,
        least(
            fetched_at, cast(run_date + 1 as timestamp) at time zone 'UTC'
        ) as balance_as_of,
        balance
    from unioned
    where run_date <= {{ run_date() }}
)

select * from final
