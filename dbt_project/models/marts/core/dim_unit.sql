-- Every reporting unit and every roll-up: counties (from the seed), their prefectures and
-- provinces, with their level and parent.
with

units as (

    select * from {{ ref('ref_units') }}

),

counties as (

    select
        unit_code,
        unit_name,
        'county' as unit_level,
        prefecture_code as parent_code,
        unit_code as county_code,
        prefecture_code,
        prefecture_name,
        province_code,
        province_name,
        1 as county_count

    from units

),

prefectures as (

    select
        prefecture_code as unit_code,
        prefecture_name as unit_name,
        'prefecture' as unit_level,
        province_code as parent_code,
        cast(null as {{ dbt.type_string() }}) as county_code,
        prefecture_code,
        prefecture_name,
        province_code,
        province_name,
        count(*) as county_count

    from units
    group by prefecture_code, prefecture_name, province_code, province_name

),

provinces as (

    select
        province_code as unit_code,
        province_name as unit_name,
        'province' as unit_level,
        cast(null as {{ dbt.type_string() }}) as parent_code,
        cast(null as {{ dbt.type_string() }}) as county_code,
        cast(null as {{ dbt.type_string() }}) as prefecture_code,
        cast(null as {{ dbt.type_string() }}) as prefecture_name,
        province_code,
        province_name,
        count(*) as county_count

    from units
    group by province_code, province_name

)

select * from counties
union all
select * from prefectures
union all
select * from provinces
