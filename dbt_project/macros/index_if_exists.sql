{#-
    A pre-hook that indexes a raw column the incremental filters read. dlt owns the raw
    tables, so the index is created on first use; a source whose table does not exist yet
    (the chart history on a fresh database) is skipped.
-#}
{% macro index_if_exists(source_name, table_name, column) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set found = none -%}
    {%- if execute -%}
        {%- set found = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
    {%- endif -%}
    {%- if found is not none -%}
        create index if not exists {{ table_name }}_{{ column }}_idx on {{ relation }} ({{ column }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
