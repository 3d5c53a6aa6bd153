{#-
    One spelling per token symbol (upper case, no surrounding blanks) so seeds, prices, pool
    token lists and wallet transfers join exactly. Tokens are compared with `=` on this, never
    by substring: USDS is not SUSDS, DAI is not SDAI.
-#}
{% macro normalize_token_symbol(expression) -%}
    upper(trim({{ expression }}))
{%- endmacro %}
