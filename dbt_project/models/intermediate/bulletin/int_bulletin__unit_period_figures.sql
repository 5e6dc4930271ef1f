-- One row per unit, period and figure id (the catalogue of macros/figure_indicators.sql):
-- counts and money as value, rates as num and den (divided in fct_bulletin_figures), pyramid_ok
-- as 1 / 0.
with

unit_periods as (

    select * from {{ ref('int_bulletin__unit_periods') }}

),

unpivoted as (

    {%- for figure in figure_indicators() %}
    {%- set is_rate = figure.value_type == 'rate' %}
    {%- if not loop.first %}

    union all
    {% endif %}

    select
        unit_code,
        unit_level,
        period_kind,
        report_month,
        start_on,
        end_on,
        '{{ figure.id }}' as indicator_id,
        '{{ figure.ledger }}' as ledger,
        '{{ figure.value_type }}' as value_type,
        {%- if is_rate %}
        cast(null as numeric(18, 2)) as value,
        cast({{ fig(figure.id ~ '.num') }} as bigint) as num,
        cast({{ fig(figure.id ~ '.den') }} as bigint) as den,
        {%- elif figure.value_type == 'bool' %}
        cast(case when {{ fig(figure.id) }} then 1 else 0 end as numeric(18, 2)) as value,
        cast(null as bigint) as num,
        cast(null as bigint) as den,
        {%- else %}
        cast({{ fig(figure.id) }} as numeric(18, 2)) as value,
        cast(null as bigint) as num,
        cast(null as bigint) as den,
        {%- endif %}
        cast({{ figure.ledger }}_units_reporting as integer) as units_reporting,
        cast(units_total as integer) as units_total

    from unit_periods
    {%- endfor %}

)

select * from unpivoted
