-- Cross-city comparison: headline figures per city and year, with each city's
-- rank among the cities of its province that year.
with u as (
    select * from {{ ref('fct_unit_year') }} where city is not null or province is not null
)
select
    province,
    coalesce(city, province) as city,
    fiscal_year,
    count(*) as units,
    sum(expenditure_total_wan) as expenditure_total_wan,
    sum(basic_expenditure_wan) as basic_expenditure_wan,
    sum(project_expenditure_wan) as project_expenditure_wan,
    round(100.0 * sum(basic_expenditure_wan) / nullif(sum(expenditure_total_wan), 0), 2) as basic_share_pct,
    sum(fiscal_revenue_wan) as fiscal_revenue_wan,
    round(100.0 * sum(fiscal_revenue_wan) / nullif(sum(revenue_total_wan), 0), 2) as fiscal_dependence_pct,
    sum(three_public_total_wan) as three_public_total_wan,
    sum(staff_actual) as staff_actual,
    cast(round(sum(expenditure_total_wan) / nullif(sum(staff_actual), 0), 4) as decimal(18, 4)) as expenditure_per_staff_wan,
    sum(inconsistencies) as inconsistencies,
    rank() over (partition by province, fiscal_year order by sum(expenditure_total_wan) desc nulls last) as rank_in_province
from u
group by province, coalesce(city, province), fiscal_year
