-- Risk-hazard figures (ledger 2) of every county and period, as known on the period's last day:
-- a risk is resolved at end_on only when 已化解 with resolved_on <= end_on.
with

periods as (

    select * from {{ ref('int_bulletin__county_periods') }}

),

risks as (

    select * from {{ ref('fct_risks') }}

),

found as (

    -- risks found in the period
    {%- set resolved_by_end = 'risks.is_resolved and risks.resolved_on <= periods.end_on' %}
    select
        periods.unit_code,
        periods.period_kind,
        periods.report_month,
        count(*) as {{ fig('risks_found') }},
        {{ count_where(resolved_by_end) }} as {{ fig('risks_resolved') }},
        {{ count_where(resolved_by_end) }} as {{ fig('risk_resolution_rate.num') }},
        count(*) as {{ fig('risk_resolution_rate.den') }}

    from periods
    inner join risks
        on
            periods.unit_code = risks.unit_code
            and risks.found_on between periods.start_on and periods.end_on
    group by periods.unit_code, periods.period_kind, periods.report_month

),

open_at_end as (

    -- risks found on or before end_on and not resolved by then
    select
        periods.unit_code,
        periods.period_kind,
        periods.report_month,
        count(*) as {{ fig('risks_open') }},
        {%- for level in var('risk_levels') %}
        {{ count_where("risks.risk_level = '" ~ level ~ "'") }} as {{ fig('risks_open.' ~ level) }},
        {%- endfor %}
        {%- for subject in var('key_subjects') %}
        {{ count_where("risks.key_subject = '" ~ subject ~ "'") }} as {{ fig('key_subjects.' ~ subject) }},
        {%- endfor %}
        {%- for escalation in var('escalation_risks') %}
        {{ count_where("risks.escalation_risk = '" ~ escalation ~ "'") }}
            as {{ fig('escalation_open.' ~ escalation) }},
        {%- endfor %}
        {{ count_where('risks.due_on < periods.end_on') }} as {{ fig('risks_open_overdue') }}

    from periods
    inner join risks
        on
            periods.unit_code = risks.unit_code
            and periods.end_on >= risks.found_on
    where not coalesce(risks.is_resolved and risks.resolved_on <= periods.end_on, false)
    group by periods.unit_code, periods.period_kind, periods.report_month

),

filled as (

    select
        periods.unit_code,
        periods.period_kind,
        periods.report_month,
        {{- figure_columns_or_zero('risks') }}

    from periods
    left join found
        on
            periods.unit_code = found.unit_code
            and periods.period_kind = found.period_kind
            and periods.report_month = found.report_month
    left join open_at_end
        on
            periods.unit_code = open_at_end.unit_code
            and periods.period_kind = open_at_end.period_kind
            and periods.report_month = open_at_end.report_month

)

select * from filled
