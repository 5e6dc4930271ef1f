-- Petition-item figures (ledger 1) of every county and period, as known on the period's last
-- day (end_on): an acceptance, conclusion or later item dated after end_on has not happened yet.
with

periods as (

    select * from {{ ref('int_bulletin__county_periods') }}

),

items as (

    select * from {{ ref('fct_petition_items') }}

),

registered as (

    -- items registered in the period
    select
        periods.unit_code,
        periods.period_kind,
        periods.report_month,

        count(*) as {{ fig('items_total') }},
        {%- for channel in var('channels') %}
        {{ count_where("items.channel = '" ~ channel ~ "'") }} as {{ fig('items.' ~ channel) }},
        {%- endfor %}

        {{ count_where('items.is_visit') }} as {{ fig('visits.batches') }},
        {{ sum_where('items.persons', 'items.is_visit') }} as {{ fig('visits.persons') }},
        {%- for level in var('visit_levels') %}
        {%- set at_level = "items.is_visit and items.registered_level = '" ~ level ~ "'" %}
        {{ count_where(at_level) }} as {{ fig('visits.' ~ level ~ '.batches') }},
        {{ sum_where('items.persons', at_level) }} as {{ fig('visits.' ~ level ~ '.persons') }},
        {%- endfor %}
        {%- for visit_type in ['individual', 'collective'] %}
        {%- set of_type = "items.visit_type = '" ~ visit_type ~ "'" %}
        {{ count_where(of_type) }} as {{ fig('visits.' ~ visit_type ~ '.batches') }},
        {{ sum_where('items.persons', of_type) }} as {{ fig('visits.' ~ visit_type ~ '.persons') }},
        {%- endfor %}
        {%- set received = 'items.is_visit and items.leader_reception is not null' %}
        {{ count_where(received) }} as {{ fig('leader_receptions.batches') }},
        {{ sum_where('items.persons', received) }} as {{ fig('leader_receptions.persons') }},
        {%- for level in var('reception_levels') %}
        {{ count_where("items.is_visit and items.leader_reception = '" ~ level ~ "'") }}
            as {{ fig('leader_receptions.' ~ level ~ '.batches') }},
        {%- endfor %}

        {{ count_where("items.registered_level = '县'") }} as {{ fig('grassroots_absorption_rate.num') }},
        count(*) as {{ fig('grassroots_absorption_rate.den') }},
        {{ count_where("items.channel = '网上信访'") }} as {{ fig('online_share.num') }},
        count(*) as {{ fig('online_share.den') }},
        {{ count_where('not items.is_first') }} as {{ fig('repeat_items') }},
        {{ count_where('not items.is_first') }} as {{ fig('repeat_rate.num') }},
        count(*) as {{ fig('repeat_rate.den') }},

        -- 15-day acceptance: due once decided or once the limit has passed
        {%- set decided = 'items.accepted_on <= periods.end_on' %}
        {%- set acceptance_overdue = '(items.accepted_on is null or items.accepted_on > periods.end_on)'
            ~ ' and periods.end_on > items.acceptance_due_on' %}
        {{ count_where(decided ~ ' and items.accepted_on <= items.acceptance_due_on') }}
            as {{ fig('timely_acceptance_rate.num') }},
        {{ count_where('(' ~ decided ~ ') or (' ~ acceptance_overdue ~ ')') }}
            as {{ fig('timely_acceptance_rate.den') }},
        {{ count_where(acceptance_overdue) }} as {{ fig('should_accept_not_accepted') }},

        -- 60-day handling (+30 extended) of accepted items
        {%- set accepted = "items.acceptance = '受理'" %}
        {%- set concluded = 'items.concluded_on <= periods.end_on' %}
        {%- set handling_overdue = accepted
            ~ ' and (items.concluded_on is null or items.concluded_on > periods.end_on)'
            ~ ' and periods.end_on > items.handling_due_on' %}
        {{ count_where(accepted ~ ' and ' ~ concluded ~ ' and items.concluded_on <= items.handling_due_on') }}
            as {{ fig('on_time_conclusion_rate.num') }},
        {{ count_where('(' ~ accepted ~ ' and ' ~ concluded ~ ') or (' ~ handling_overdue ~ ')') }}
            as {{ fig('on_time_conclusion_rate.den') }},
        {{ count_where(handling_overdue) }} as {{ fig('should_handle_not_handled') }},

        {%- for source in var('assigned_sources') %}
        {{ count_where("items.assigned_by = '" ~ source ~ "'") }} as {{ fig('assigned.' ~ source) }},
        {%- endfor %}
        {{ count_where('items.assigned_by is not null and ' ~ concluded) }}
            as {{ fig('assigned_completion_rate.num') }},
        {{ count_where('items.assigned_by is not null') }} as {{ fig('assigned_completion_rate.den') }},
        {%- for finding in var('findings') %}
        {{ count_where("items.assigned_by is not null and items.finding = '" ~ finding ~ "'") }}
            as {{ fig('findings.' ~ finding) }},
        {%- endfor %}
        {%- for category in var('categories') %}
        {{ count_where("items.category_l1 = '" ~ category ~ "'") }} as {{ fig('categories.' ~ category) }},
        {%- endfor %}
        {%- for measure in var('enforcement_measures') %}
        {{ count_where("items.enforcement = '" ~ measure ~ "'") }} as {{ fig('enforcement.' ~ measure) }},
        {%- endfor %}
        {{ count_where('items.is_sensitive_upward_visit') }} as {{ fig('sensitive_upward_visits') }}

    from periods
    inner join items
        on
            periods.unit_code = items.unit_code
            and items.registered_on between periods.start_on and periods.end_on
    group by periods.unit_code, periods.period_kind, periods.report_month

),

concluded as (

    -- items concluded in the period
    {%- set evaluated = 'items.satisfaction in ' ~ sql_list(var('evaluated_satisfaction')) %}
    {%- set mediable = '(items.purpose in ' ~ sql_list(var('mediation_purposes')) ~ ' or items.purpose is null)' %}
    {%- set one_time = 'items.is_first and items.is_resolved and (items.person_key is null'
        ~ ' or items.next_same_issue_registered_on is null'
        ~ ' or items.next_same_issue_registered_on > periods.end_on)' %}
    select
        periods.unit_code,
        periods.period_kind,
        periods.report_month,

        {{ count_where(evaluated) }} as {{ fig('participation_rate.num') }},
        count(*) as {{ fig('participation_rate.den') }},
        {{ count_where('items.satisfaction in ' ~ sql_list(var('satisfied'))) }}
            as {{ fig('satisfaction_rate.num') }},
        {{ count_where(evaluated) }} as {{ fig('satisfaction_rate.den') }},
        {{ count_where('items.is_first and items.is_resolved') }} as {{ fig('first_resolution_rate.num') }},
        {{ count_where('items.is_first') }} as {{ fig('first_resolution_rate.den') }},
        {{ count_where(one_time) }} as {{ fig('one_time_resolution_rate.num') }},
        {{ count_where('items.is_first') }} as {{ fig('one_time_resolution_rate.den') }},
        {{ count_where(mediable ~ ' and items.has_mediation_agreement') }}
            as {{ fig('mediation_agreement_rate.num') }},
        {{ count_where(mediable) }} as {{ fig('mediation_agreement_rate.den') }}

    from periods
    inner join items
        on
            periods.unit_code = items.unit_code
            and items.concluded_on between periods.start_on and periods.end_on
    group by periods.unit_code, periods.period_kind, periods.report_month

),

filled as (

    select
        periods.unit_code,
        periods.period_kind,
        periods.report_month,
        {{- figure_columns_or_zero('petitions') }}

    from periods
    left join registered
        on
            periods.unit_code = registered.unit_code
            and periods.period_kind = registered.period_kind
            and periods.report_month = registered.report_month
    left join concluded
        on
            periods.unit_code = concluded.unit_code
            and periods.period_kind = concluded.period_kind
            and periods.report_month = concluded.report_month

)

select * from filled
