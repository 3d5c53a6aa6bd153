{#-
    One row per pool, decision date (int_pool_days_in_range), token basis and token of the
    pool: what the token is and what the lists say of it on D.

    token_basis 'held' is what the pool holds: DeFiLlama's underlyingTokens addresses, each
    mapped to a symbol by the seed token_contracts (chain + lower-case address, added_at <= D);
    an address the seed does not know stays unknown (token_symbol null), and fails the token
    checks naming the address. Only where DeFiLlama gives no underlyingTokens (null or empty)
    do the tokens come from the symbol split on '-' (token_source 'symbol'). token_basis
    'symbol' is the symbol split for every pool: the old rule, kept so pool_eligibility_by_day
    can say what it would have decided (is_eligible_by_symbol). A token appears once per pool,
    day and basis. Lists: approved and blacklisted on D (added_at <= D < removed_at), an icebox
    episode in effect on D - 1, the latest market cap dated D - 1 or before
    (int_token_prices_as_of_day); tokens match exactly by normalized symbol (USDS is not SUSDS).
    Ephemeral: compiled into pool_eligibility_by_day.
-#}
{{ config(materialized='ephemeral') }}

with

pool_days as (
    select * from {{ ref('int_pool_days_in_range') }}
),

token_prices as (
    select * from {{ ref('int_token_prices_as_of_day') }}
),

token_contracts as (
    select * from {{ ref('token_contracts') }}
),

tracked_tokens as (
    select * from {{ ref('tracked_tokens') }}
),

approved_tokens as (
    select * from {{ ref('approved_tokens') }}
),

blacklisted_tokens as (
    select * from {{ ref('blacklisted_tokens') }}
),

icebox_tokens as (
    select * from {{ ref('int_icebox_episodes') }}
),

-- the addresses DeFiLlama says the pool holds, mapped to the symbols of token_contracts (a
-- chain and address appear once in the seed)
underlying_tokens as (
    select
        pool_days.pool_id,
        pool_days.eligibility_date,
        'held' as token_basis,
        'underlying_tokens' as token_source,
        underlying.token_position,
        lower(underlying.token_address) as token_address,
        {{ normalize_token_symbol('token_contracts.token_symbol') }} as token_symbol
    from pool_days
    cross join
        unnest(pool_days.underlying_token_addresses)
        with ordinality as underlying (token_address, token_position)
    left join token_contracts
        on
            pool_days.chain = token_contracts.chain
            and lower(underlying.token_address) = lower(token_contracts.token_address)
            and pool_days.eligibility_date >= token_contracts.added_at
    where cardinality(pool_days.underlying_token_addresses) > 0
),

-- the symbol split: the held tokens where DeFiLlama gives no addresses, and the old rule
symbol_tokens as (
    select
        pool_days.pool_id,
        pool_days.eligibility_date,
        bases.token_basis,
        'symbol' as token_source,
        symbol_part.token_position,
        null::text as token_address,
        symbol_part.token_symbol
    from pool_days
    cross join (values ('held'), ('symbol')) as bases (token_basis)
    cross join
        unnest(pool_days.symbol_tokens)
        with ordinality as symbol_part (token_symbol, token_position)
    where
        bases.token_basis = 'symbol'
        or coalesce(cardinality(pool_days.underlying_token_addresses), 0) = 0
),

pool_tokens as (
    select * from underlying_tokens
    union all
    select * from symbol_tokens
),

-- a token once per pool, day and basis (USDC-USDC holds USDC; an address listed twice)
distinct_tokens as (
    select distinct on (
        pool_id, eligibility_date, token_basis, coalesce(token_symbol, token_address)
    ) *
    from pool_tokens
    order by
        pool_id, eligibility_date, token_basis, coalesce(token_symbol, token_address),
        token_position
),

-- the lists' verdicts per day and symbol, evaluated once for all the pools holding it
symbols_on_day as (
    select distinct
        eligibility_date,
        token_symbol
    from distinct_tokens
    where token_symbol is not null
),

symbol_status as (
    select
        symbols_on_day.eligibility_date,
        symbols_on_day.token_symbol,
        exists(
            select from approved_tokens
            where
                {{ normalize_token_symbol('approved_tokens.token_symbol') }}
                = symbols_on_day.token_symbol
                and {{ in_effect_on('approved_tokens', 'symbols_on_day.eligibility_date') }}
        ) as is_approved,
        exists(
            select from blacklisted_tokens
            where
                {{ normalize_token_symbol('blacklisted_tokens.token_symbol') }}
                = symbols_on_day.token_symbol
                and {{ in_effect_on('blacklisted_tokens', 'symbols_on_day.eligibility_date') }}
        ) as is_blacklisted,
        exists(
            select from icebox_tokens
            where
                {{ normalize_token_symbol('icebox_tokens.token_symbol') }}
                = symbols_on_day.token_symbol
                and {{ in_effect_on('icebox_tokens', 'symbols_on_day.eligibility_date - 1') }}
        ) as is_iceboxed
    from symbols_on_day
),

token_status as (
    select
        distinct_tokens.pool_id,
        distinct_tokens.eligibility_date,
        distinct_tokens.token_basis,
        distinct_tokens.token_source,
        distinct_tokens.token_position,
        distinct_tokens.token_address,
        distinct_tokens.token_symbol,
        coalesce(
            distinct_tokens.token_symbol,
            'unknown token ' || distinct_tokens.token_address || ' on ' || pool_days.chain
        ) as token_label,
        token_prices.market_cap_usd,
        coalesce(
            tracked_tokens.is_stablecoin and tracked_tokens.peg_usd = 1, false
        ) as is_usd_stablecoin,
        coalesce(symbol_status.is_approved, false) as is_approved,
        coalesce(symbol_status.is_blacklisted, false) as is_blacklisted,
        coalesce(symbol_status.is_iceboxed, false) as is_iceboxed
    from distinct_tokens
    inner join pool_days
        on
            distinct_tokens.pool_id = pool_days.pool_id
            and distinct_tokens.eligibility_date = pool_days.eligibility_date
    left join symbol_status
        on
            distinct_tokens.eligibility_date = symbol_status.eligibility_date
            and distinct_tokens.token_symbol = symbol_status.token_symbol
    left join token_prices
        on
            distinct_tokens.eligibility_date = token_prices.eligibility_date
            and distinct_tokens.token_symbol = token_prices.token_symbol
    left join tracked_tokens
        on
            distinct_tokens.token_symbol
            = {{ normalize_token_symbol('tracked_tokens.token_symbol') }}
),

final as (
    select * from token_status
)

select * from final
