-- 同比 and 环比 of every count and money figure: ytd against ytd_ly (ytd_yoy_pct), month
-- against month_ly (month_yoy_pct) and against prev_month (month_mom_pct);
-- pct = round_half_up(100 * (x - base) / base, 2), null when the base is 0.
with

figures as (

    select * from {{ ref('fct_bulletin_figures') }}
    where value_type in ('count', 'money')

),

by_window as (

    select
        unit_code,
        unit_level,
        report_month,
        {%- for window in ['month', 'ytd', 'prev_month', 'month_ly', 'ytd_ly'] %}
        max(case when window_name = '{{ window }}' then value end) as {{ window }}_value,
        {{ dbt.bool_or("window_name = '" ~ window ~ "' and has_data") }} as {{ window }}_has_data,
        {%- endfor %}
        indicator_id

    from figures
    group by unit_code, unit_level, report_month, indicator_id

),

changes as (

    {%- for change_id, current, base in [
        ('ytd_yoy_pct', 'ytd', 'ytd_ly'),
        ('month_yoy_pct', 'month', 'month_ly'),
        ('month_mom_pct', 'month', 'prev_month')
    ] %}
    {%- if not loop.first %}

    union all
    {% endif %}

    select
        unit_code,
        unit_level,
        report_month,
        '{{ change_id }}' as change_id,
        indicator_id,
        {{ current }}_value as value,
        {{ base }}_value as base_value,
        -- money has two decimals: scaled to fen, both sides stay integers
        {{ pct_half_up(
            '(' ~ current ~ '_value - ' ~ base ~ '_value) * 100',
            base ~ '_value * 100'
        ) }} as pct,
        {{ current }}_has_data and {{ base }}_has_data as has_data

    from by_window
    {%- endfor %}

)

select * from changes
