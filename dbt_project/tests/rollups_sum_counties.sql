-- A prefecture's or province's counts, money, numerators and denominators are the sums of its
-- counties' (rates are recomputed from those sums, never averaged).
with

figures as (

    select * from {{ ref('fct_bulletin_figures') }}
    where value_type <> 'bool'

),

counties as (

    select * from {{ ref('dim_unit') }}
    where unit_level = 'county'

),

summed as (

    -- one equi-join per level (DuckDB 2.0 fails on the dictionary cache of an IN-list join)
    {%- for level in ['prefecture', 'province'] %}
    {%- if not loop.first %}

    union all
    {% endif %}

    select
        counties.{{ level }}_code as unit_code,
        figures.report_month,
        figures.window_name,
        figures.indicator_id,
        sum(figures.value) as value,
        sum(figures.num) as num,
        sum(figures.den) as den

    from figures
    inner join counties on figures.unit_code = counties.unit_code
    group by counties.{{ level }}_code, figures.report_month, figures.window_name, figures.indicator_id
    {%- endfor %}

)

select
    summed.*,
    figures.value as rollup_value,
    figures.num as rollup_num,
    figures.den as rollup_den

from summed
inner join figures
    on
        summed.unit_code = figures.unit_code
        and summed.report_month = figures.report_month
        and summed.window_name = figures.window_name
        and summed.indicator_id = figures.indicator_id
where
    summed.value is distinct from figures.value
    or summed.num is distinct from figures.num
    or summed.den is distinct from figures.den
