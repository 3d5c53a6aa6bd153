{#-
    `select` the listed columns of a source, or no rows of the same shape when its writer has
    not created the table yet: the Python forecasts on a fresh database's first
    before_forecast stage (stg_forecasts__gas_forecasts, read by gas_fees_daily, is built before
    the forecast exists), or the gas
    oracle before the poller's first run. `source()` is always called,
    so the lineage in dbt docs is the same either way.
    columns: mapping of column name -> SQL type.
-#}
{% macro optional_source(source_name, table_name, columns) -%}
    {%- set relation = source(source_name, table_name) -%}
    {#- Only commands that create tables look the table up: compile, docs and SQLFluff's dbt
        templater need no database connection. -#}
    {%- if execute and flags.WHICH in ['run', 'build', 'retry'] -%}
        {%- set found = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
    {%- else -%}
        {%- set found = relation -%}
    {%- endif -%}
    {%- if found is not none %}
    select
        {%- for name, data_type in columns.items() %}
        cast({{ adapter.quote(name) }} as {{ data_type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- else %}
    select
        {%- for name, data_type in columns.items() %}
        cast(null as {{ data_type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where false
    {%- endif %}
{%- endmacro %}
