{#-
    dbt_utils.unique_combination_of_columns without the package (the dbt hub is unreachable
    offline): fails with one row per duplicated key combination.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns_csv = combination_of_columns | join(', ') %}
    select
        {{ columns_csv }},
        count(*) as duplicate_rows
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1
{% endtest %}
