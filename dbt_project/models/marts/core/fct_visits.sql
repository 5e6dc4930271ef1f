-- One row per visit batch (走访 批次): the level it was registered at, its persons (人次),
-- individual (个访) or collective (集体访, persons >= var collective_threshold), leader reception.
select
    petition_key,
    unit_code,
    item_id,
    registered_on,
    registered_month,
    registered_level,
    persons,
    visit_type,
    visit_type = 'collective' as is_collective,
    leader_reception,
    leader_reception is not null as has_leader_reception,
    is_first,
    category_l1,
    is_in_sensitive_period,
    is_sensitive_upward_visit

from {{ ref('fct_petition_items') }}
where is_visit
