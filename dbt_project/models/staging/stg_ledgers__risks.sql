with

source as (

    select * from {{ source('raw', 'risks_current') }}

),

renamed as (

    select
        {{ dbt.concat(['unit_code', "'/'", 'risk_id']) }} as risk_key,
        unit_code,
        risk_id,

        found_on,
        township,
        category,
        category_l1,
        risk_level,
        persons,
        key_subject,
        escalation_risk,
        owner,
        responsible_unit,
        due_on,
        status,
        resolved_on,
        status = '已化解' as is_resolved,

        -- lineage
        submission_id,
        sha256,
        received_at,
        source_row,
        absent_from_latest

    from source

)

select * from renamed
