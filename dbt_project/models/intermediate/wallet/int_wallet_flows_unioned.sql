with

transactions as (
    select * from {{ ref('stg_etherscan__transactions') }}
),

token_transfers as (
    select * from {{ ref('stg_etherscan__token_transfers') }}
),

tracked_tokens as (
    select * from {{ ref('tracked_tokens') }}
),

tracked_contracts as (
    select
        {{ normalize_token_symbol('token_symbol') }} as token_symbol,
        lower(contract_address) as token_address
    from tracked_tokens
    where contract_address is not null
),

-- ETH moved by normal transactions (a reverted one moves no value) and the fee the wallet
-- paid as sender (paid even when reverted; it covers the token transfers of that tx too).
eth_value_flows as (
    select
        wallet_address,
        'ETH' as token_symbol,
        transaction_hash,
        executed_at,
        (case when to_address = wallet_address then value_eth else 0 end)
        - (case when from_address = wallet_address then value_eth else 0 end) as amount,
        'transfer' as flow_kind
    from transactions
    where not is_error and value_eth <> 0
),

eth_fee_flows as (
    select
        wallet_address,
        'ETH' as token_symbol,
        transaction_hash,
        executed_at,
        -fee_eth as amount,
        'gas_fee' as flow_kind
    from transactions
    where from_address = wallet_address and fee_eth > 0
),

-- ERC-20 transfers of tracked tokens only, matched by contract address (airdropped spam
-- with a look-alike symbol never reaches the ledger).
token_flows as (
    select
        token_transfers.wallet_address,
        tracked_contracts.token_symbol,
        token_transfers.transaction_hash,
        token_transfers.executed_at,
        case
            when token_transfers.to_address = token_transfers.wallet_address
                then token_transfers.amount
            else 0
        end
        - case
            when token_transfers.from_address = token_transfers.wallet_address
                then token_transfers.amount
            else 0
        end as amount,
        'transfer' as flow_kind
    from token_transfers
    inner join tracked_contracts
        on token_transfers.token_address = tracked_contracts.token_address
),

unioned as (
    select * from eth_value_flows
    union all
    select * from eth_fee_flows
    union all
    select * from token_flows
),

final as (
    select
        wallet_address,
        token_symbol,
        transaction_hash,
        executed_at,
        cast(executed_at at time zone 'UTC' as date) as flow_date,
        amount,
        flow_kind
    from unioned
    where executed_at < cast({{ run_date() }} + 1 as timestamp) at time zone 'UTC'
)

select * from final
