-- The bulletin figures mart: one row per (unit incl. roll-ups, report month, window, figure id)
-- for every month from the first month with data, for every county with accepted data, its
-- prefecture and its province. Windows (shared/spec/indicators.md): month, ytd, prev_month,
-- month_ly, ytd_ly, each computed as known on its own last day (window_end).
with

windows as (

    select
        window_list.window_name,
        window_list.period_kind,
        window_list.months_back

    from (
        values
        ('month', 'month', 0),
        ('ytd', 'ytd', 0),
        ('prev_month', 'month', 1),
        ('month_ly', 'month', 12),
        ('ytd_ly', 'ytd', 12)
    ) as window_list (window_name, period_kind, months_back)

),

report_windows as (

    select
        periods.report_month,
        windows.window_name,
        windows.period_kind,
        {{ add_months('periods.report_month', '-windows.months_back') }} as period_month

    from {{ ref('int_bulletin__periods') }} as periods
    cross join windows
    where periods.is_reported and periods.period_kind = 'month'

),

figures as (

    select * from {{ ref('int_bulletin__unit_period_figures') }}

)

select
    figures.unit_code,
    figures.unit_level,
    report_windows.report_month,
    report_windows.window_name,
    figures.indicator_id,
    figures.ledger,
    figures.value_type,
    figures.start_on as window_start,
    figures.end_on as window_end,
    figures.value,
    figures.num,
    figures.den,
    -- round_half_up(100 num / den, 2), null when den = 0 (and for every non-rate)
    {{ pct_half_up('figures.num', 'figures.den') }} as pct,
    figures.units_reporting > 0 as has_data,
    figures.units_reporting,
    figures.units_total

from report_windows
inner join figures
    on
        report_windows.period_kind = figures.period_kind
        and report_windows.period_month = figures.report_month
