{#- The status history of one ledger's rows, from the append-only raw versions.

    Every accepted version of a row, in submission order (received time, then file name, as the
    raw.<kind>_current views order them), is compared with the version before it; the versions
    where any state column changed are kept: the first one, then one per change. valid_to is the
    received time of the next kept version (null for the state in force). -#}
{% macro status_history(kind, key, surrogate_key, state_columns) %}

with

submissions as (

    select
        submission_id,
        file_name

    from {{ ref('stg_ledgers__submissions') }}
    where is_accepted and ledger_kind = '{{ kind }}'

),

versions as (

    select
        raw_rows.unit_code,
        raw_rows.{{ key }},
        raw_rows.submission_id,
        raw_rows.received_at,
        {%- for name, expr in state_columns.items() %}
        {{ expr }} as {{ name }},
        {%- endfor %}
        row_number() over (
            partition by raw_rows.unit_code, raw_rows.{{ key }}
            order by raw_rows.received_at, submissions.file_name, raw_rows.submission_id
        ) as version_number

    from {{ source('raw', kind) }} as raw_rows
    inner join submissions
        on raw_rows.submission_id = submissions.submission_id

),

compared as (

    select
        *,
        {%- for name in state_columns %}
        lag({{ name }}) over by_version as previous_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}

    from versions
    window by_version as (partition by unit_code, {{ key }} order by version_number)

),

changes as (

    select
        unit_code,
        {{ key }},
        version_number,
        submission_id,
        received_at as valid_from,
        {%- for name in state_columns %}
        {{ name }},
        {%- endfor %}
        version_number = 1 as is_first_seen

    from compared
    where
        version_number = 1
        {%- for name in state_columns %}
        or {{ name }} is distinct from previous_{{ name }}
        {%- endfor %}

)

select
    {{ dbt.concat(['unit_code', "'/'", key]) }} as {{ surrogate_key }},
    *,
    lead(valid_from) over (partition by unit_code, {{ key }} order by version_number) as valid_to

from changes

{% endmacro %}
