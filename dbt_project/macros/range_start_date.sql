{#-
    The first day of the by-day pool models (int_pool_groups_by_day, int_pool_eligibility_by_day)
    as a SQL date literal. Unset means run_date: the daily flow builds its one day. A backtest
    sets `range_start_date` to build every day from there to run_date in one pass, each day
    judged only on data dated up to that day.
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
