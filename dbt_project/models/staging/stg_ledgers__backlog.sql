with

source as (

    select * from {{ source('raw', 'backlog_current') }}

),

renamed as (

    select
        {{ dbt.concat(['unit_code', "'/'", 'case_id']) }} as case_key,
        unit_code,
        case_id,
        item_id,

        first_petitioned_on,
        listed_on,
        assigned_by,
        category,
        category_l1,
        leader,
        leader_level,
        responsible_unit,
        due_on,
        status,
        resolved_on,
        status = '已化解' as is_resolved,
        status = '已终结' as is_terminated,
        -- the day the case left the list, resolved or terminated
        case when status in ('已化解', '已终结') then resolved_on end as closed_on,
        method,
        coalesce(relief_fund, 0) as relief_fund,
        coalesce(charity_fund, 0) as charity_fund,

        -- lineage
        submission_id,
        sha256,
        received_at,
        source_row,
        absent_from_latest

    from source

)

select * from renamed
