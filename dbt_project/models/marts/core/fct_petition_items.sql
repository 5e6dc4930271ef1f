-- One row per petition item (件): the latest accepted version, with its deadlines, its repeat
-- linkage and whether it is a visit registered upward inside a sensitive period.
with

items as (

    select * from {{ ref('stg_ledgers__petitions') }}

),

deadlines as (

    select * from {{ ref('int_petitions__deadlines') }}

),

linkage as (

    select * from {{ ref('int_petitions__repeat_linkage') }}

),

calendar as (

    select
        date_day,
        is_sensitive_period

    from {{ ref('dim_date') }}

)

select
    items.petition_key,
    items.unit_code,
    items.item_id,

    items.registered_on,
    {{ month_of('items.registered_on') }} as registered_month,
    items.channel,
    items.registered_level,
    items.persons,
    items.channel = '走访' as is_visit,
    case
        when items.channel <> '走访' then null
        when items.persons >= {{ var('collective_threshold') }} then 'collective'
        else 'individual'
    end as visit_type,
    items.leader_reception,
    items.person_key,
    linkage.has_person_key,
    linkage.earlier_items_of_person,
    items.category_l1,
    items.purpose,
    items.is_first,
    items.assigned_by,
    items.finding,
    items.enforcement,
    coalesce(calendar.is_sensitive_period, false) as is_in_sensitive_period,
    (
        items.channel = '走访'
        and items.registered_level in ('省', '国家')
        and coalesce(calendar.is_sensitive_period, false)
    ) as is_sensitive_upward_visit,

    items.acceptance,
    items.accepted_on,
    deadlines.acceptance_due_on,
    items.is_extended,
    deadlines.handling_limit_days,
    deadlines.handling_due_on,
    items.concluded_on,
    {{ month_of('items.concluded_on') }} as concluded_month,
    items.handling,
    items.is_resolved,
    linkage.next_same_issue_registered_on,
    items.has_mediation_agreement,
    items.satisfaction,
    items.review_stage,
    items.review_concluded_on,

    items.submission_id,
    items.sha256,
    items.received_at,
    items.source_row,
    items.absent_from_latest

from items
inner join deadlines on items.petition_key = deadlines.petition_key
inner join linkage on items.petition_key = linkage.petition_key
left join calendar on items.registered_on = calendar.date_day
