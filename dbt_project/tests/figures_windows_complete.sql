-- Every reported unit and month has all five windows.
select
    unit_code,
    report_month,
    count(distinct window_name) as windows

from {{ ref('fct_bulletin_figures') }}
group by unit_code, report_month
having count(distinct window_name) <> 5
