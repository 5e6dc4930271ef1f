-- Units silent for longer than their reporting deadline: a warning, never a failed build.
{{ config(severity='warn') }}

select
    unit_code,
    ledger_kind,
    received_at,
    days_since_accepted

from {{ ref('fct_unit_reporting_status') }}
where is_late
