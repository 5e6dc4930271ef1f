{#- Conditional aggregates in plain SQL (no FILTER clause), the same on every target. -#}

{% macro count_where(condition) -%}
    sum(case when {{ condition }} then 1 else 0 end)
{%- endmacro %}

{% macro sum_where(expression, condition) -%}
    sum(case when {{ condition }} then {{ expression }} else 0 end)
{%- endmacro %}

{#- A quoted column named after a figure id, e.g. "items.来信". -#}
{% macro fig(column) -%}
    "{{ column }}"
{%- endmacro %}

{#- Left-join fill: every figure column of a ledger, 0 where the joins found nothing (the
    columns are named uniquely across the joined aggregates, so they need no qualifier). -#}
{% macro figure_columns_or_zero(ledger) -%}
    {%- for column in figure_columns(ledger) if column != 'pyramid_ok' %}
    coalesce({{ fig(column) }}, 0) as {{ fig(column) }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
