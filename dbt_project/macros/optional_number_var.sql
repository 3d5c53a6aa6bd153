{#-
    A numeric strategy var that may be null (off), e.g. exit_tvl_drop_pct: the number, or none
    when the var is unset, null or empty. The sqlfluff templater passes a null as the text
    'None', which is off too.
-#}
{% macro optional_number_var(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none or value | string | trim | lower in ['', 'none', 'null'] -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(value | float) }}
{%- endmacro %}
