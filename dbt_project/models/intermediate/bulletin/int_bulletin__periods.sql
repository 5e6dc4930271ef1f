-- The periods a bulletin's windows are made of: for every report month from 12 months before
-- the first month with data to the month of the latest accepted submission, the month itself
-- and the year to date. The windows of shared/spec/indicators.md map onto them:
-- month = (month, m), ytd = (ytd, m), prev_month = (month, m - 1), month_ly = (month, m - 12),
-- ytd_ly = (ytd, m - 12). Only months from the first month with data on are reported.
with

accepted as (

    select received_on from {{ ref('stg_ledgers__submissions') }}
    where is_accepted

),

first_events as (

    select min(registered_on) as first_on from {{ ref('stg_ledgers__petitions') }}
    union all
    select min(found_on) from {{ ref('stg_ledgers__risks') }}
    union all
    select min(received_on) from accepted

),

bounds as (

    select
        {{ month_of('min(first_on)') }} as first_month,
        (select {{ month_of('max(received_on)') }} from accepted) as last_month

    from first_events

),

months as (

    select distinct
        calendar.month_start,
        calendar.month_end,
        calendar.year_start,
        calendar.month_start >= bounds.first_month as is_reported

    from {{ ref('dim_date') }} as calendar
    cross join bounds
    where
        calendar.month_start >= {{ add_months('bounds.first_month', -12) }}
        and calendar.month_start <= bounds.last_month

)

select
    'month' as period_kind,
    month_start as report_month,
    month_start as start_on,
    month_end as end_on,
    is_reported

from months

union all

select
    'ytd' as period_kind,
    month_start as report_month,
    year_start as start_on,
    month_end as end_on,
    is_reported

from months
