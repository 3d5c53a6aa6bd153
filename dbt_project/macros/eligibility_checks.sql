{#-
    The eligibility checks of docs/product.md ("Eligible pool"), in the order failed_checks and
    reasons list them. Each is one CTE (its rule and its reason) of int_pool_token_checks
    (kind token: judged on the tokens the pool holds) or int_pool_eligibility_checks (kind
    pool), and one passes_<name> column of pool_eligibility_by_day: adding a check is its CTE,
    its line here and the column's documentation. kind: only the checks of that kind.
-#}
{% macro eligibility_checks(kind=none) -%}
    {%- set checks = [
        ('has_data', 'pool'),
        ('tokens_approved', 'token'),
        ('no_token_blacklisted', 'token'),
        ('no_token_iceboxed', 'token'),
        ('protocol_approved', 'pool'),
        ('curator_approved', 'pool'),
        ('tvl', 'pool'),
        ('apy', 'pool'),
        ('tvl_not_collapsing', 'pool'),
        ('utilization_below_limit', 'pool'),
        ('token_marketcap', 'token'),
        ('pair_ratio', 'pool'),
        ('gas_cost_known', 'pool'),
        ('has_group', 'pool'),
    ] -%}
    {%- set names = [] -%}
    {%- for name, check_kind in checks if kind is none or check_kind == kind -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}
