-- One wide row of headline figures per unit-year of a counted 决算.  When a unit publishes several
-- reports for a year (汇总 and 本级), the consolidated one is used.  The budget_* columns are the
-- published budget's figures (the counted 部门预算 of the same unit-year, budget_doc_id), null without one.
-- Incremental per unit (macros/comparisons.sql): a unit is rebuilt when one of its reports changed.
{{ per_unit_incremental() }}
with docs as (
    select *, row_number() over (
        partition by unit_id, fiscal_year
        order by case unit_scope when 'consolidated' then 0 when 'balance' then 1 when 'own' then 2 else 3 end,
                 ingested_at desc
    ) as choice
    from {{ of_new_units(ref('int_document_versions')) }}
    where is_loaded and basis = 'final' and unit_id is not null
),
f as (
    select * from {{ of_new_units(ref('int_facts')) }}
    where basis = 'final' and is_report_year and function_code_resolved is null and not is_function_subject
),
pick as (
    select
        f.doc_id,
        {{ headline_figures(measure="measure = 'amount'") }},
        max(value) filter (where kind = 'expenditure' and scope = 'general_budget' and item = 'total' and measure in ('budget_initial', 'budget')) as general_budget_initial_wan,
        max(value) filter (where kind = 'three_public' and item = 'total' and measure = 'actual') as three_public_total_wan,
        max(value) filter (where kind = 'three_public' and item = 'total' and measure = 'budget') as three_public_budget_wan,
        max(value) filter (where kind = 'agency_operation' and measure = 'amount') as agency_operation_wan,
        max(value) filter (where kind = 'procurement' and item = 'total' and measure = 'amount') as procurement_total_wan,
        max(value) filter (where kind = 'staff' and item = 'authorized_total' and entity is null) as staff_authorized_unit,
        sum(value) filter (where kind = 'staff' and item = 'authorized_total' and entity is not null) as staff_authorized_entities,
        max(value) filter (where kind = 'staff' and item = 'actual_total' and entity is null) as staff_actual_unit,
        sum(value) filter (where kind = 'staff' and item = 'actual_total' and entity is not null) as staff_actual_entities,
        max(value) filter (where kind = 'staff' and item = 'retired') as staff_retired,
        max(value) filter (where kind = 'assets' and item = 'vehicles') as vehicles
    from f group by f.doc_id
),
-- the counted budget of the same unit-year (stg_documents.basis = 'budget'), its headline figures
budget as (
    select
        b.unit_id, b.fiscal_year, b.doc_id as budget_doc_id,
        {{ headline_figures(prefix='budget_', rel='f', only=['revenue_grand_total_wan', 'revenue_total_wan',
            'expenditure_grand_total_wan', 'expenditure_total_wan', 'basic_all_wan', 'basic_gb_wan', 'project_all_wan',
            'project_gb_wan']) }}
    from {{ of_new_units(ref('int_document_versions')) }} b
    left join {{ of_new_units(ref('int_facts')) }} f on f.doc_id = b.doc_id and f.is_report_year and f.measure = 'budget'
        and f.function_code_resolved is null and not f.is_function_subject
    where b.is_loaded and b.basis = 'budget' and b.unit_id is not null
    group by b.unit_id, b.fiscal_year, b.doc_id
),
checks as (
    select doc_id, count(*) as identity_checks, count(*) filter (where not passed) as inconsistencies
    from {{ of_new_units(ref('fct_identity_check')) }} group by doc_id
)
select
    d.unit_id,
    d.fiscal_year,
    d.doc_id,
    u.unit_name,
    u.province,
    u.city,
    d.unit_scope as report_scope,
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
    p.general_budget_initial_wan,
    p.personnel_wan,
    p.public_funds_wan,
    p.three_public_total_wan,
    p.three_public_budget_wan,
    p.agency_operation_wan,
    p.procurement_total_wan,
    coalesce(p.staff_authorized_unit, p.staff_authorized_entities) as staff_authorized,
    coalesce(p.staff_actual_unit, p.staff_actual_entities) as staff_actual,
    p.staff_retired,
    p.vehicles,
    bg.budget_doc_id,
    bg.budget_revenue_grand_total_wan,
    bg.budget_revenue_total_wan,
    bg.budget_expenditure_grand_total_wan,
    bg.budget_expenditure_total_wan,
    coalesce(bg.budget_basic_all_wan, bg.budget_basic_gb_wan) as budget_basic_expenditure_wan,
    coalesce(bg.budget_project_all_wan, bg.budget_project_gb_wan) as budget_project_expenditure_wan,
    coalesce(c.identity_checks, 0) as identity_checks,
    coalesce(c.inconsistencies, 0) as inconsistencies,
    us.state_key as unit_state
from docs d
left join pick p on p.doc_id = d.doc_id
left join {{ ref('dim_unit') }} u on u.unit_id = d.unit_id
left join checks c on c.doc_id = d.doc_id
left join budget bg on bg.unit_id = d.unit_id and bg.fiscal_year = d.fiscal_year
left join ({{ unit_states() }}) us on us.unit_id = d.unit_id
where d.choice = 1
