-- Figures of every unit and period: the counties, and their prefectures and provinces as sums
-- of their counties (counts, money, and the numerators and denominators of rates, which are
-- only divided later: a roll-up rate is never an average of rates). units_reporting counts the
-- counties whose data of that ledger covers the period; units_total all counties of the unit.
{%- set ledgers = ['petitions', 'risks', 'backlog'] %}
{%- set summed = figure_columns() | reject('equalto', 'pyramid_ok') | list %}
with

counties as (

    select
        periods.unit_code,
        units.prefecture_code,
        units.province_code,
        periods.period_kind,
        periods.report_month,
        periods.start_on,
        {%- for ledger in ledgers %}
        case when periods.{{ ledger }}_has_data then 1 else 0 end as {{ ledger }}_units_reporting,
        {%- endfor %}
        {%- for column in summed %}
        {{ fig(column) }},
        {%- endfor %}
        periods.end_on

    from {{ ref('int_bulletin__county_periods') }} as periods
    inner join {{ ref('dim_unit') }} as units
        on periods.unit_code = units.unit_code
    inner join {{ ref('int_bulletin__county_petitions') }} as petitions
        on
            periods.unit_code = petitions.unit_code
            and periods.period_kind = petitions.period_kind
            and periods.report_month = petitions.report_month
    inner join {{ ref('int_bulletin__county_risks') }} as risks
        on
            periods.unit_code = risks.unit_code
            and periods.period_kind = risks.period_kind
            and periods.report_month = risks.report_month
    inner join {{ ref('int_bulletin__county_backlog') }} as backlog
        on
            periods.unit_code = backlog.unit_code
            and periods.period_kind = backlog.period_kind
            and periods.report_month = backlog.report_month

),

all_levels as (

    select
        unit_code,
        'county' as unit_level,
        period_kind,
        report_month,
        start_on,
        {%- for ledger in ledgers %}
        {{ ledger }}_units_reporting,
        {%- endfor %}
        {%- for column in summed %}
        {{ fig(column) }},
        {%- endfor %}
        end_on

    from counties

    {%- for level in ['prefecture', 'province'] %}

    union all

    select
        {{ level }}_code as unit_code,
        '{{ level }}' as unit_level,
        period_kind,
        report_month,
        start_on,
        {%- for ledger in ledgers %}
        sum({{ ledger }}_units_reporting) as {{ ledger }}_units_reporting,
        {%- endfor %}
        {%- for column in summed %}
        sum({{ fig(column) }}) as {{ fig(column) }},
        {%- endfor %}
        end_on

    from counties
    group by {{ level }}_code, period_kind, report_month, start_on, end_on
    {%- endfor %}

)

select
    all_levels.*,
    units.county_count as units_total,
    -- 四级走访 pyramid: 县 >= 市 >= 省 >= 国家 (visit batches)
    (
        {{ fig('visits.县.batches') }} >= {{ fig('visits.市.batches') }}
        and {{ fig('visits.市.batches') }} >= {{ fig('visits.省.batches') }}
        and {{ fig('visits.省.batches') }} >= {{ fig('visits.国家.batches') }}
    ) as pyramid_ok

from all_levels
inner join {{ ref('dim_unit') }} as units
    on all_levels.unit_code = units.unit_code
