{#-
    dbt_utils.expression_is_true without the package: fails with every row for which the
    expression is false, e.g. `expression: "end_balance >= 0"` (null passes, as in dbt_utils).
    `column_name`, when the test sits under a column, is prefixed to the expression.
-#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    {%- if column_name is none %}
    where not ({{ expression }})
    {%- else %}
    where not ({{ column_name }} {{ expression }})
    {%- endif %}
{% endtest %}
