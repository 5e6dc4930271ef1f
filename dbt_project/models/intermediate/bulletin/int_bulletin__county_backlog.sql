-- Backlog-case figures (ledger 3) of every county and period, as known on the period's last day.
-- A case is on the list during the period when listed on or before end_on and not closed
-- (resolved or terminated) before start_on; it counts as resolved or terminated in the period
-- when it was closed between start_on and end_on.
with

periods as (

    select * from {{ ref('int_bulletin__county_periods') }}

),

cases as (

    select * from {{ ref('fct_backlog_cases') }}

),

listed as (

    {%- set resolved = 'cases.is_resolved and cases.resolved_on between periods.start_on and periods.end_on' %}
    {%- set terminated = 'cases.is_terminated and cases.resolved_on between periods.start_on and periods.end_on' %}
    select
        periods.unit_code,
        periods.period_kind,
        periods.report_month,
        count(*) as {{ fig('backlog_listed') }},
        {{ count_where(resolved) }} as {{ fig('backlog_resolved') }},
        {{ count_where(resolved) }} as {{ fig('backlog_resolution_rate.num') }},
        count(*) as {{ fig('backlog_resolution_rate.den') }},
        {{ count_where(terminated) }} as {{ fig('backlog_terminated') }},
        {%- for level in var('backlog_leader_levels') %}
        {%- set of_level = "cases.leader_level = '" ~ level ~ "'" %}
        {{ count_where(of_level) }} as {{ fig('backlog_by_leader.' ~ level ~ '.listed') }},
        {{ count_where(of_level ~ ' and ' ~ resolved) }} as {{ fig('backlog_by_leader.' ~ level ~ '.resolved') }},
        {%- endfor %}
        {%- for years in var('backlog_age_years') %}
        {%- set aged = 'cases.first_petitioned_on <= ' ~ add_years('periods.end_on', -years) %}
        {{ count_where(aged) }} as {{ fig('backlog_aged.' ~ years ~ 'y.listed') }},
        {{ count_where(aged ~ ' and ' ~ resolved) }} as {{ fig('backlog_aged.' ~ years ~ 'y.resolved') }},
        {%- endfor %}
        {{ count_where('(cases.closed_on is null or cases.closed_on > periods.end_on)'
                       ~ ' and cases.due_on < periods.end_on') }} as {{ fig('backlog_open_overdue') }},
        {{ sum_where('cases.relief_fund', resolved) }} as {{ fig('relief.fund') }},
        {{ sum_where('cases.charity_fund', resolved) }} as {{ fig('relief.charity') }},
        {{ count_where(resolved ~ ' and cases.has_relief') }} as {{ fig('relief.cases') }}

    from periods
    inner join cases
        on
            periods.unit_code = cases.unit_code
            and periods.end_on >= cases.listed_on
            and (cases.closed_on is null or periods.start_on <= cases.closed_on)
    group by periods.unit_code, periods.period_kind, periods.report_month

),

filled as (

    select
        periods.unit_code,
        periods.period_kind,
        periods.report_month,
        {{- figure_columns_or_zero('backlog') }}

    from periods
    left join listed
        on
            periods.unit_code = listed.unit_code
            and periods.period_kind = listed.period_kind
            and periods.report_month = listed.report_month

)

select * from filled
