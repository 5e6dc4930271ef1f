with

source as (

    select * from {{ source('raw', 'petitions_current') }}

),

renamed as (

    select
        {{ dbt.concat(['unit_code', "'/'", 'item_id']) }} as petition_key,
        unit_code,
        item_id,

        registered_on,
        channel,
        level as registered_level,
        persons,
        person_key,
        township,
        category,
        category_l1,
        purpose,
        is_first,
        assigned_by,
        leader_reception,
        acceptance,
        accepted_on,
        responsible_unit,
        coalesce(extended, false) as is_extended,
        concluded_on,
        handling,
        coalesce(mediation_agreement, false) as has_mediation_agreement,
        coalesce(resolved, false) as is_resolved,
        finding,
        satisfaction,
        review_stage,
        review_concluded_on,
        enforcement,

        -- lineage
        submission_id,
        sha256,
        received_at,
        source_row,
        absent_from_latest

    from source

)

select * from renamed
