-- Budget against final accounts: per unit-year × funding scope × 功能分类 subject (null = the unit's total) ×
-- expenditure type (total, basic, project), the published budget (the counted 部门预算's figure), the counted
-- 决算's 年初预算 and 全年预算 where it states them, the actual (决算 amount), and
-- execution_rate = actual / published budget (null when either is missing or the budget is 0).
-- A row exists when either report states the figure; both documents are named.
-- Incremental per unit (macros/comparisons.sql): a unit is rebuilt when one of its reports changed.
{{ per_unit_incremental() }}
-- function_level and function_name are dim_function_subject's, which every counted report feeds (a code the seed does
-- not know is named as the reports print it most often): a later report can rename a code that units built earlier
-- print, so after each build the rows whose level or name is no longer the dimension's take it (a scan of the code
-- and name columns; only those rows are written), and an incremental build gives a full build's rows
{{ config(post_hook="update {{ this }} as t set function_level = f.level, function_name = f.name
                     from {{ ref('dim_function_subject') }} as f where f.function_code = t.function_code
                     and (t.function_level is distinct from f.level or t.function_name is distinct from f.name)") }}
with budget as (
    select unit_id, fiscal_year, doc_id, funding_scope, function_code, expenditure_type, amount_wan, source_ref
    from {{ of_new_units(ref('fct_budget_expenditure')) }}
    where expenditure_type in ('total', 'basic', 'project')
),
final as (
    select
        f.unit_id, f.fiscal_year, f.doc_id, f.scope as funding_scope, f.function_code_resolved as function_code,
        f.item as expenditure_type,
        max(f.value) filter (where f.measure = 'amount') as actual_wan,
        max(f.value) filter (where f.measure = 'budget_initial') as budget_initial_wan,
        max(f.value) filter (where f.measure = 'budget_full_year') as budget_full_year_wan,
        {{ chosen_reading('source_ref', "f.measure = 'amount'", 'f') }} as actual_source_ref
    from {{ of_new_units(ref('int_facts')) }} f
    where f.basis = 'final' and f.kind = 'expenditure' and f.is_report_year and f.scope is not null
      and f.item in ('total', 'basic', 'project')
      and not (f.is_function_subject and f.function_code_resolved is null)
    group by all
    having max(f.value) filter (where f.measure in ('amount', 'budget_initial', 'budget_full_year')) is not null
),
joined as (
    select
        coalesce(b.unit_id, a.unit_id) as unit_id,
        coalesce(b.fiscal_year, a.fiscal_year) as fiscal_year,
        coalesce(b.funding_scope, a.funding_scope) as funding_scope,
        coalesce(b.function_code, a.function_code) as function_code,
        coalesce(b.expenditure_type, a.expenditure_type) as expenditure_type,
        b.doc_id as budget_doc_id,
        a.doc_id as final_doc_id,
        b.amount_wan as budget_wan,
        a.budget_initial_wan,
        a.budget_full_year_wan,
        a.actual_wan,
        b.source_ref as budget_source_ref,
        a.actual_source_ref
    from budget b
    full outer join final a on a.unit_id = b.unit_id and a.fiscal_year = b.fiscal_year
        and a.funding_scope = b.funding_scope and a.function_code is not distinct from b.function_code
        and a.expenditure_type = b.expenditure_type
)
select
    j.*,
    f.level as function_level,
    f.name as function_name,
    case when j.budget_wan <> 0 then cast(round(j.actual_wan / j.budget_wan, 4) as decimal(18, 4)) end as execution_rate,
    us.state_key as unit_state
from joined j
left join ({{ unit_states() }}) us on us.unit_id = j.unit_id
left join {{ ref('dim_function_subject') }} f on f.function_code = j.function_code
