-- The budget's fct_unit_year: one wide row of headline figures per unit-year of a counted budget (部门预算 /
-- 单位预算, int_document_versions.basis = 'budget'), so a unit that publishes only a budget has its 收入/支出总计,
-- 基本/项目, 三公 total and 机关运行经费 in one place.  Every figure is the published budget (measure 'budget'
-- after int_observations; 政府采购 read as 预算 is taken too); the table's reading over the prose
-- (int_facts, reading_rank 1).  Where the 三公 total and 机关运行经费 were read is kept beside them.
with docs as (
    select * from {{ ref('int_document_versions') }}
    where is_loaded and basis = 'budget' and unit_id is not null
),
f as (
    select f.* from {{ ref('int_facts') }} f
    join docs d on d.doc_id = f.doc_id
    where f.is_report_year and f.function_code_resolved is null and not f.is_function_subject
      and f.measure in ('budget', 'budget_initial')
),
pick as (
    select
        doc_id,
        {{ headline_figures() }},
        -- the table's figure first (a 三公 table is scoped 财政拨款; the prose may state the same figure unscoped)
        first(value order by source_kind = 'table' desc, line_no, seq) filter (where kind = 'three_public' and item = 'total')
            as three_public_total_wan,
        first(source_ref order by source_kind = 'table' desc, line_no, seq) filter (where kind = 'three_public' and item = 'total')
            as three_public_source_ref,
        first(value order by source_kind = 'table' desc, line_no, seq) filter (where kind = 'agency_operation' and item = 'total')
            as agency_operation_wan,
        first(source_ref order by source_kind = 'table' desc, line_no, seq) filter (where kind = 'agency_operation' and item = 'total')
            as agency_operation_source_ref
    from f group by doc_id
),
checks as (
    select doc_id, count(*) as identity_checks, count(*) filter (where not passed) as inconsistencies
    from {{ ref('fct_identity_check') }} group by doc_id
)
select
    d.unit_id,
    d.fiscal_year,
    d.doc_id,
    u.unit_name,
    u.province,
    u.city,
    d.unit_scope as report_scope,
    d.report_kind,
    p.revenue_grand_total_wan,
    p.revenue_total_wan,
    p.fiscal_revenue_wan,
    p.general_budget_revenue_wan,
    p.expenditure_grand_total_wan,
    p.expenditure_total_wan,
    coalesce(p.basic_all_wan, p.basic_gb_wan) as basic_expenditure_wan,
    coalesce(p.project_all_wan, p.project_gb_wan) as project_expenditure_wan,
    p.fiscal_expenditure_wan,
    p.general_budget_expenditure_wan,
    p.personnel_wan,
    p.public_funds_wan,
    p.three_public_total_wan,
    p.three_public_source_ref,
    p.agency_operation_wan,
    p.agency_operation_source_ref,
    p.procurement_total_wan,
    coalesce(c.identity_checks, 0) as identity_checks,
    coalesce(c.inconsistencies, 0) as inconsistencies
from docs d
left join pick p on p.doc_id = d.doc_id
left join {{ ref('dim_unit') }} u on u.unit_id = d.unit_id
left join checks c on c.doc_id = d.doc_id
