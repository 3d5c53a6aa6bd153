{#-
    Incremental strategy `delete_insert_in_range`: dbt's delete+insert, with the delete bounded
    to target rows whose `delete_range_column` (model config) is at or after the earliest value
    the new rows carry. The bound is read from the new rows at run time and written as a
    literal, so Postgres uses the target's index on that column instead of scanning every row:
    a daily build of a long history costs what a build of a short one does.
-#}
{% macro get_incremental_delete_insert_in_range_sql(arg_dict) %}
    {%- set column = config.require('delete_range_column') -%}
    {%- set first_value = run_query(
        'select min(' ~ adapter.quote(column) ~ ')::text from ' ~ arg_dict['temp_relation']
    ).columns[0].values()[0] -%}
    {%- set predicates = arg_dict['incremental_predicates'] or [] -%}
    {%- if first_value is not none -%}
        {%- set predicates = predicates + [
            'DBT_INTERNAL_DEST.' ~ adapter.quote(column) ~ ' >= ' ~ "'" ~ first_value ~ "'"
        ] -%}
    {%- endif -%}
    {%- do return(get_delete_insert_merge_sql(
        arg_dict['target_relation'],
        arg_dict['temp_relation'],
        arg_dict['unique_key'],
        arg_dict['dest_columns'],
        predicates
    )) -%}
{% endmacro %}
