-- Every figure id is present in every window of every unit and month (indicators.md).
with

catalogue as (

    select count(*) as figures from {{ ref('dim_indicator') }}

),

present as (

    select
        unit_code,
        report_month,
        window_name,
        count(distinct indicator_id) as figures

    from {{ ref('fct_bulletin_figures') }}
    group by unit_code, report_month, window_name

)

select present.*
from present
cross join catalogue
where present.figures <> catalogue.figures
