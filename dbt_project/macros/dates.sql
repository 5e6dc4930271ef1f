{#- Date arithmetic that stays a date on every target (dbt.dateadd yields a timestamp). -#}

{% macro add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}

{% macro add_months(date_expr, months) -%}
    cast({{ dbt.dateadd('month', months, date_expr) }} as date)
{%- endmacro %}

{% macro month_of(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{#- The Asia/Shanghai calendar date of a timestamptz: dates in ledgers.md are local dates. -#}
{% macro local_date(timestamp_expr) -%}
    cast(({{ timestamp_expr }}) at time zone 'Asia/Shanghai' as date)
{%- endmacro %}

{#- The reference day for lateness: var as_of_date, else today in Asia/Shanghai. -#}
{% macro as_of_date() -%}
    {%- if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
        {{ local_date(dbt.current_timestamp()) }}
    {%- endif -%}
{%- endmacro %}

{#- A string literal list for `in (...)`, from a var holding a list of strings. -#}
{% macro sql_list(values) -%}
    ({%- for v in values -%}'{{ v }}'{%- if not loop.last %}, {% endif -%}{%- endfor -%})
{%- endmacro %}

{% macro date_part_int(part, date_expr) -%}
    cast(extract({{ part }} from {{ date_expr }}) as integer)
{%- endmacro %}

{% macro add_years(date_expr, years) -%}
    cast({{ dbt.dateadd('year', years, date_expr) }} as date)
{%- endmacro %}
