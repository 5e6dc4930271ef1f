{#- The catalogue of bulletin figures (shared/spec/indicators.md), in the spec's order.

    Each entry: id (the dotted key of the figures file), ledger (the ledger it is computed from,
    which decides has_data) and value_type: count | money | rate | bool. The per-ledger figures
    models compute one column per count/money id, and "<id>.num" / "<id>.den" per rate. -#}
{% macro figure_indicators() %}
    {%- set out = [] -%}

    {#- petition items (ledger 1) -#}
    {{- figure_entry(out, 'items_total', 'petitions') -}}
    {%- for c in var('channels') %}{{ figure_entry(out, 'items.' ~ c, 'petitions') }}{% endfor -%}
    {{- figure_entry(out, 'visits.batches', 'petitions') -}}
    {{- figure_entry(out, 'visits.persons', 'petitions') -}}
    {%- for l in var('visit_levels') -%}
        {{- figure_entry(out, 'visits.' ~ l ~ '.batches', 'petitions') -}}
        {{- figure_entry(out, 'visits.' ~ l ~ '.persons', 'petitions') -}}
    {%- endfor -%}
    {%- for t in ['individual', 'collective'] -%}
        {{- figure_entry(out, 'visits.' ~ t ~ '.batches', 'petitions') -}}
        {{- figure_entry(out, 'visits.' ~ t ~ '.persons', 'petitions') -}}
    {%- endfor -%}
    {{- figure_entry(out, 'leader_receptions.batches', 'petitions') -}}
    {{- figure_entry(out, 'leader_receptions.persons', 'petitions') -}}
    {%- for l in var('reception_levels') %}{{ figure_entry(out, 'leader_receptions.' ~ l ~ '.batches', 'petitions') }}{% endfor -%}
    {{- figure_entry(out, 'pyramid_ok', 'petitions', 'bool') -}}
    {{- figure_entry(out, 'grassroots_absorption_rate', 'petitions', 'rate') -}}
    {{- figure_entry(out, 'online_share', 'petitions', 'rate') -}}
    {{- figure_entry(out, 'repeat_items', 'petitions') -}}
    {{- figure_entry(out, 'repeat_rate', 'petitions', 'rate') -}}
    {{- figure_entry(out, 'timely_acceptance_rate', 'petitions', 'rate') -}}
    {{- figure_entry(out, 'should_accept_not_accepted', 'petitions') -}}
    {{- figure_entry(out, 'on_time_conclusion_rate', 'petitions', 'rate') -}}
    {{- figure_entry(out, 'should_handle_not_handled', 'petitions') -}}
    {{- figure_entry(out, 'participation_rate', 'petitions', 'rate') -}}
    {{- figure_entry(out, 'satisfaction_rate', 'petitions', 'rate') -}}
    {{- figure_entry(out, 'first_resolution_rate', 'petitions', 'rate') -}}
    {{- figure_entry(out, 'one_time_resolution_rate', 'petitions', 'rate') -}}
    {{- figure_entry(out, 'mediation_agreement_rate', 'petitions', 'rate') -}}
    {%- for s in var('assigned_sources') %}{{ figure_entry(out, 'assigned.' ~ s, 'petitions') }}{% endfor -%}
    {{- figure_entry(out, 'assigned_completion_rate', 'petitions', 'rate') -}}
    {%- for f in var('findings') %}{{ figure_entry(out, 'findings.' ~ f, 'petitions') }}{% endfor -%}
    {%- for c in var('categories') %}{{ figure_entry(out, 'categories.' ~ c, 'petitions') }}{% endfor -%}
    {%- for m in var('enforcement_measures') %}{{ figure_entry(out, 'enforcement.' ~ m, 'petitions') }}{% endfor -%}
    {{- figure_entry(out, 'sensitive_upward_visits', 'petitions') -}}

    {#- risk hazards (ledger 2) -#}
    {{- figure_entry(out, 'risks_found', 'risks') -}}
    {{- figure_entry(out, 'risks_resolved', 'risks') -}}
    {{- figure_entry(out, 'risk_resolution_rate', 'risks', 'rate') -}}
    {{- figure_entry(out, 'risks_open', 'risks') -}}
    {%- for l in var('risk_levels') %}{{ figure_entry(out, 'risks_open.' ~ l, 'risks') }}{% endfor -%}
    {{- figure_entry(out, 'risks_open_overdue', 'risks') -}}
    {%- for k in var('key_subjects') %}{{ figure_entry(out, 'key_subjects.' ~ k, 'risks') }}{% endfor -%}
    {%- for e in var('escalation_risks') %}{{ figure_entry(out, 'escalation_open.' ~ e, 'risks') }}{% endfor -%}

    {#- backlog cases (ledger 3) -#}
    {{- figure_entry(out, 'backlog_listed', 'backlog') -}}
    {{- figure_entry(out, 'backlog_resolved', 'backlog') -}}
    {{- figure_entry(out, 'backlog_resolution_rate', 'backlog', 'rate') -}}
    {{- figure_entry(out, 'backlog_terminated', 'backlog') -}}
    {%- for l in var('backlog_leader_levels') -%}
        {{- figure_entry(out, 'backlog_by_leader.' ~ l ~ '.listed', 'backlog') -}}
        {{- figure_entry(out, 'backlog_by_leader.' ~ l ~ '.resolved', 'backlog') -}}
    {%- endfor -%}
    {%- for y in var('backlog_age_years') -%}
        {{- figure_entry(out, 'backlog_aged.' ~ y ~ 'y.listed', 'backlog') -}}
        {{- figure_entry(out, 'backlog_aged.' ~ y ~ 'y.resolved', 'backlog') -}}
    {%- endfor -%}
    {{- figure_entry(out, 'backlog_open_overdue', 'backlog') -}}
    {{- figure_entry(out, 'relief.fund', 'backlog', 'money') -}}
    {{- figure_entry(out, 'relief.charity', 'backlog', 'money') -}}
    {{- figure_entry(out, 'relief.cases', 'backlog') -}}
    {{ return(out) }}
{% endmacro %}

{#- The wide columns behind the catalogue: one per count/money/bool id, num and den per rate. -#}
{% macro figure_columns(ledger=none) %}
    {%- set cols = [] -%}
    {%- for f in figure_indicators() if ledger is none or f.ledger == ledger -%}
        {%- if f.value_type == 'rate' -%}
            {%- do cols.append(f.id ~ '.num') -%}
            {%- do cols.append(f.id ~ '.den') -%}
        {%- else -%}
            {%- do cols.append(f.id) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(cols) }}
{% endmacro %}

{% macro figure_entry(catalogue, id, ledger, value_type='count') -%}
    {%- do catalogue.append({'id': id, 'ledger': ledger, 'value_type': value_type}) -%}
{%- endmacro %}
