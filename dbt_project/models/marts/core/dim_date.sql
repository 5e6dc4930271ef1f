-- The calendar (Asia/Shanghai dates) with the sensitive periods of the reference seed.
with

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('calendar_start') ~ "' as date)",
        "cast('" ~ var('calendar_end') ~ "' as date)"
    ) }}

),

calendar as (

    select cast(date_day as date) as date_day
    from days

),

periods as (

    select * from {{ ref('ref_sensitive_periods') }}

),

sensitive_days as (

    select
        calendar.date_day,
        {{ dbt.listagg('periods.period_name', "'、'", 'order by periods.starts_on, periods.period_name') }}
            as sensitive_periods

    from calendar
    inner join periods
        on calendar.date_day between periods.starts_on and periods.ends_on
    group by calendar.date_day

)

select
    calendar.date_day,
    {{ month_of('calendar.date_day') }} as month_start,
    {{ dbt.last_day('calendar.date_day', 'month') }} as month_end,
    cast({{ dbt.date_trunc('year', 'calendar.date_day') }} as date) as year_start,
    {{ date_part_int('year', 'calendar.date_day') }} as year_number,
    {{ date_part_int('month', 'calendar.date_day') }} as month_number,
    sensitive_days.date_day is not null as is_sensitive_period,
    sensitive_days.sensitive_periods

from calendar
left join sensitive_days on calendar.date_day = sensitive_days.date_day
