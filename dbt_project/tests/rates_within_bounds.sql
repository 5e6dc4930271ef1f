-- A rate's numerator is a subset of its denominator: 0 <= num <= den, pct in [0, 100].
select
    unit_code,
    report_month,
    window_name,
    indicator_id,
    num,
    den,
    pct

from {{ ref('fct_bulletin_figures') }}
where
    value_type = 'rate'
    and (num < 0 or num > den or pct < 0 or pct > 100 or (den = 0) <> (pct is null))
