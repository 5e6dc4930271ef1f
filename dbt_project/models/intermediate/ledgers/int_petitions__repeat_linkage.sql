-- Repeat petitions linked by pseudonym (person_key, a keyed HMAC of the ID number) within the
-- unit's ledger. For each item: how many earlier items the same person has, and the first item
-- of the same person and first-level class registered after this one was concluded (which makes
-- a resolution not "one-time", 一次性化解, once it is known).
with

items as (

    select
        petition_key,
        unit_code,
        item_id,
        person_key,
        category_l1,
        registered_on,
        concluded_on

    from {{ ref('stg_ledgers__petitions') }}

),

sequenced as (

    select
        petition_key,
        case
            when person_key is not null
                then row_number() over by_person - 1
        end as earlier_items_of_person

    from items
    window by_person as (partition by unit_code, person_key order by registered_on, item_id)

),

next_same_issue as (

    select
        concluded.petition_key,
        min(later.registered_on) as next_same_issue_registered_on

    from items as concluded
    inner join items as later
        on
            concluded.unit_code = later.unit_code
            and concluded.person_key = later.person_key
            and concluded.category_l1 = later.category_l1
            and concluded.concluded_on < later.registered_on
    group by concluded.petition_key

)

select
    items.petition_key,
    items.person_key is not null as has_person_key,
    sequenced.earlier_items_of_person,
    next_same_issue.next_same_issue_registered_on

from items
inner join sequenced on items.petition_key = sequenced.petition_key
left join next_same_issue on items.petition_key = next_same_issue.petition_key
