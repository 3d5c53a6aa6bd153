{#-
    The run date as a SQL date literal. Every model filters on it so re-running a past day
    gives the same answer (no `current_date` in model SQL). The flow passes `--vars
    '{"run_date": "YYYY-MM-DD"}'`; an interactive build without it means today (UTC).
-#}
{% macro run_date() -%}
    {%- set value = var('run_date', none) -%}
    {%- if value is none or value | string | trim == '' -%}
        {%- set value = modules.datetime.datetime.utcnow().strftime('%Y-%m-%d') -%}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error("var run_date must be YYYY-MM-DD, got '" ~ text ~ "'") }}
    {%- endif -%}
    cast('{{ text }}' as date)
{%- endmacro %}
