-- One row per backlog case (信访积案), latest accepted version.
select
    case_key,
    unit_code,
    case_id,
    item_id,
    first_petitioned_on,
    listed_on,
    assigned_by,
    category_l1,
    leader_level,
    responsible_unit,
    due_on,
    status,
    is_resolved,
    is_terminated,
    resolved_on,
    closed_on,
    method,
    relief_fund,
    charity_fund,
    (relief_fund > 0 or charity_fund > 0) as has_relief,

    submission_id,
    sha256,
    received_at,
    source_row,
    absent_from_latest

from {{ ref('stg_ledgers__backlog') }}
