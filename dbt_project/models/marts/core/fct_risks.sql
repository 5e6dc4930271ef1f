-- One row per risk hazard found by screening (矛盾纠纷排查), latest accepted version.
select
    risk_key,
    unit_code,
    risk_id,
    found_on,
    {{ month_of('found_on') }} as found_month,
    township,
    category_l1,
    risk_level,
    persons,
    key_subject,
    escalation_risk,
    responsible_unit,
    due_on,
    status,
    is_resolved,
    resolved_on,

    submission_id,
    sha256,
    received_at,
    source_row,
    absent_from_latest

from {{ ref('stg_ledgers__risks') }}
