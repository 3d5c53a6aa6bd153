{#-
    The name the report gives each pool, written once: `project symbol (chain)`, as the
    console's allocation table shows it. The other reporting marts join it, so the Slack
    message never shows a bare pool id.
-#}
with

pools as (
    select * from {{ ref('defi_pools') }}
),

final as (
    select
        cast(pool_id as text) as pool_id,
        cast(
            coalesce(project || ' ' || symbol || ' (' || chain || ')', pool_id) as text
        ) as pool_label,
        cast(project as text) as project,
        cast(symbol as text) as symbol,  -- noqa: RF04
        cast(chain as text) as chain  -- noqa: RF04
    from pools
)

select * from final
