with

categories as (

    select * from {{ ref('ref_categories') }}

),

old_names as (

    select
        category_l1,
        {{ dbt.listagg('old_name', "'、'", 'order by old_name') }} as old_names

    from {{ ref('ref_category_crosswalk') }}
    group by category_l1

)

select
    categories.category_l1,
    categories.sort_order,
    categories.is_risk_domain,
    old_names.old_names

from categories
left join old_names on categories.category_l1 = old_names.category_l1
