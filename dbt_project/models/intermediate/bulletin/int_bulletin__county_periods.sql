-- Every county with accepted data, for every period, and whether its data covers the period per
-- ledger: an accepted submission of that ledger received after the period's first day (a file
-- received on day d is the ledger as known on d - 1, the night before: one received on the 1st
-- knows nothing of the month). A county without it shows "no data" in the bulletin, never zeros.
with

submissions as (

    select * from {{ ref('stg_ledgers__submissions') }}
    where is_accepted

),

counties as (

    select unit_code from {{ ref('dim_unit') }}
    where unit_level = 'county'

),

latest_accepted as (

    select
        submissions.unit_code,
        max(case when submissions.ledger_kind = 'petitions' then submissions.received_on end)
            as petitions_received_on,
        max(case when submissions.ledger_kind = 'risks' then submissions.received_on end)
            as risks_received_on,
        max(case when submissions.ledger_kind = 'backlog' then submissions.received_on end)
            as backlog_received_on

    from submissions
    inner join counties on submissions.unit_code = counties.unit_code
    group by submissions.unit_code

)

select
    latest_accepted.unit_code,
    periods.period_kind,
    periods.report_month,
    periods.start_on,
    periods.end_on,
    coalesce(latest_accepted.petitions_received_on > periods.start_on, false) as petitions_has_data,
    coalesce(latest_accepted.risks_received_on > periods.start_on, false) as risks_has_data,
    coalesce(latest_accepted.backlog_received_on > periods.start_on, false) as backlog_has_data

from latest_accepted
cross join {{ ref('int_bulletin__periods') }} as periods
