-- Per county that has ever submitted, per ledger: the accepted submission in force (what the
-- figures are computed from) and how old it is. A unit whose accepted data of a ledger is older
-- than var reporting_deadline_days (or that never had any accepted) is late; tests/late_units
-- lists them as a warning on every build.
with

submissions as (

    select * from {{ ref('stg_ledgers__submissions') }}

),

units as (

    select distinct submissions.unit_code
    from submissions
    inner join {{ ref('dim_unit') }} as dim_unit
        on submissions.unit_code = dim_unit.unit_code and dim_unit.unit_level = 'county'

),

kinds as (

    select kind_list.ledger_kind
    from (values ('petitions'), ('risks'), ('backlog')) as kind_list (ledger_kind)

),

ranked as (

    -- the same order as the raw.<kind>_current views: received time, then file name
    select
        submissions.*,
        row_number() over (
            partition by submissions.unit_code, submissions.ledger_kind
            order by submissions.received_at desc, submissions.file_name desc, submissions.submission_id desc
        ) as recency

    from submissions
    where submissions.is_accepted

),

in_force as (

    select * from ranked
    where recency = 1

),

received as (

    select
        unit_code,
        ledger_kind,
        max(received_at) as last_received_at

    from submissions
    group by unit_code, ledger_kind

),

status as (

    select
        units.unit_code,
        kinds.ledger_kind,
        in_force.submission_id,
        in_force.file_name,
        in_force.sha256,
        in_force.received_at,
        in_force.ingested_at as accepted_at,
        in_force.is_sample,
        received.last_received_at,
        cast({{ dbt.datediff('in_force.received_on', as_of_date(), 'day') }} as bigint) as days_since_accepted

    from units
    cross join kinds
    left join in_force
        on units.unit_code = in_force.unit_code and kinds.ledger_kind = in_force.ledger_kind
    left join received
        on units.unit_code = received.unit_code and kinds.ledger_kind = received.ledger_kind

)

select
    *,
    coalesce(days_since_accepted > {{ var('reporting_deadline_days') }}, true) as is_late

from status
