{#- Exact decimal rounding, half away from zero, on integers only.

    DuckDB divides DECIMALs into DOUBLE and then rounds a binary fraction (1.005 -> 1.0), so the
    quotient is never formed here: 100 * round_half_up(100 * n / d, 2)
    = sign(n / d) * floor((20000 * |n| + |d|) / (2 * |d|)), an integer division. -#}

{% macro int_div(dividend, divisor) -%}
    {{ return(adapter.dispatch('int_div')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__int_div(dividend, divisor) -%}
    div({{ dividend }}, {{ divisor }})
{%- endmacro %}

{% macro duckdb__int_div(dividend, divisor) -%}
    (({{ dividend }}) // ({{ divisor }}))
{%- endmacro %}

{#- round_half_up(100 * num / den, 2) as numeric(18, 2); null when den = 0 or either is null.
    num and den must be integers (counts, or money in fen). -#}
{% macro pct_half_up(num, den) -%}
    {%- set n = 'cast(' ~ num ~ ' as bigint)' -%}
    {%- set d = 'cast(' ~ den ~ ' as bigint)' -%}
    case
        when {{ d }} <> 0
            then cast(
                (case when ({{ n }} < 0) <> ({{ d }} < 0) then -1 else 1 end)
                * {{ int_div('20000 * abs(' ~ n ~ ') + abs(' ~ d ~ ')', '2 * abs(' ~ d ~ ')') }}
                * 0.01 as numeric(18, 2)
            )
    end
{%- endmacro %}
