-- The statutory limits of each item: acceptance decided within 15 days of registration;
-- an accepted (受理) item concluded within 60 days of acceptance, 90 when extended (延期).
with

items as (

    select * from {{ ref('stg_ledgers__petitions') }}

),

limits as (

    select
        petition_key,
        registered_on,
        accepted_on,
        acceptance,
        is_extended,
        {{ var('handling_days') }}
        + case when is_extended then {{ var('extension_days') }} else 0 end as handling_limit_days

    from items

)

select
    petition_key,
    {{ add_days('registered_on', var('acceptance_days')) }} as acceptance_due_on,
    handling_limit_days,
    case
        when acceptance = '受理'
            then {{ add_days('accepted_on', 'handling_limit_days') }}
    end as handling_due_on

from limits
