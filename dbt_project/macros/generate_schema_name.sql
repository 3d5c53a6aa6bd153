{#-
    Schemas are exactly the folder's `+schema` (staging, intermediate, marts, seeds), not dbt's
    default `<target>_<custom>`: Python steps and analysts read `marts.pool_eligibility` by name.
    Nodes without a custom schema land in the profile's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
