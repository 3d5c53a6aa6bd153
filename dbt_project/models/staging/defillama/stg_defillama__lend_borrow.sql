with

-- Step 1 loads /lendBorrow beside /pools; until a fetch succeeds (a failure only warns) and
-- answers rows there is no table: no pool's withdrawable liquidity is known then.
source as (
    {{ optional_source('raw_defillama', 'lend_borrow', {
        'pool': 'text',
        'run_date': 'date',
        'fetched_at': 'timestamptz',
        'total_supply_usd': 'double precision',
        'total_borrow_usd': 'double precision',
        'debt_ceiling_usd': 'double precision',
        'minted_coin': 'text',
        'borrowable': 'boolean',
        'ltv': 'double precision',
    }) }}
),

renamed as (
    select
        pool as pool_id,
        run_date as snapshot_date,
        fetched_at,
        total_supply_usd,
        total_borrow_usd,
        debt_ceiling_usd,
        minted_coin,
        borrowable as is_borrowable,
        ltv as loan_to_value
    from source
),

final as (
    select * from renamed
)

select * from final
