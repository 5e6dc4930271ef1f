with

source as (

    select * from {{ source('raw', 'submissions') }}

),

renamed as (

    select
        submission_id,
        unit_code,
        file_name,
        sha256,
        size_bytes,
        received_at,
        {{ local_date('received_at') }} as received_on,
        ingested_at,
        archive_path,
        ledger_kind,
        file_format,
        encoding,
        outcome,
        outcome = 'accepted' as is_accepted,
        row_count,
        error_count,
        warning_count,
        is_sample

    from source

)

select * from renamed
