{#-
    The point-in-time rule of every analyst list and icebox episode: a row applies on day D
    when it was added on or before D and not yet removed (`added_at <= D < removed_at`, an
    open `removed_at` meaning still in effect). One definition, so approval, blacklist,
    protocol and icebox checks cannot drift apart.
-#}
{% macro in_effect_on(listing, as_of) -%}
    {{ listing }}.added_at <= {{ as_of }}
    and ({{ listing }}.removed_at is null or {{ listing }}.removed_at > {{ as_of }})
{%- endmacro %}
