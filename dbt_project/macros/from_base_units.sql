{#-
    An amount in base units (wei, a token's smallest unit) in whole units, exactly: numeric
    division rounds to about 16 significant digits (165690737228797082245 / 1e18 gives
    165.6907372287970822), while multiplying by 10^-decimals keeps every digit, so the wallet
    ledger sums to the chain's balance to the last base unit.
-#}
{% macro from_base_units(amount, decimals) -%}
    cast({{ amount }} as numeric) * power(cast(10 as numeric), -cast({{ decimals }} as integer))
{%- endmacro %}
