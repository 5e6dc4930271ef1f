-- The catalogue of bulletin figures (macros/figure_indicators.sql) as a table: what the figures
-- API reads to type each id (count / money / rate / bool) and to order them.
{%- for figure in figure_indicators() %}
{%- if not loop.first %}
union all
{%- endif %}
select
    cast('{{ figure.id }}' as {{ dbt.type_string() }}) as indicator_id,
    cast('{{ figure.ledger }}' as {{ dbt.type_string() }}) as ledger,
    cast('{{ figure.value_type }}' as {{ dbt.type_string() }}) as value_type,
    {{ loop.index }} as sort_order,
    {{ 'true' if figure.value_type in ('count', 'money') else 'false' }} as has_changes
{%- endfor %}
