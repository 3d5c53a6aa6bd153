{#-
    The first decision date of the by-day models (int_pool_groups_by_day,
    pool_eligibility_by_day, pool_liquidity, lists_in_force, exposure_caps_in_force) as a SQL
    date literal. Unset means run_date: the daily flow builds its one day. A backtest sets
    `range_start_date` to build every decision date from there to run_date in one pass, each
    date D judged on the analyst seeds in effect on D and market data dated up to D - 1.
-#}
{% macro range_start_date() -%}
    {%- set value = var('range_start_date', none) -%}
    {%- if value is none or value | string | trim == '' -%}
        {{ run_date() }}
    {%- else -%}
        {%- set text = value | string | trim -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
            {{ exceptions.raise_compiler_error(
                "var range_start_date must be YYYY-MM-DD, got '" ~ text ~ "'"
            ) }}
        {%- endif -%}
        cast('{{ text }}' as date)
    {%- endif -%}
{%- endmacro %}
