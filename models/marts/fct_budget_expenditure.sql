-- Published budget (部门预算 / 单位预算) expenditure by funding scope, 功能分类 subject and type; one row per
-- unit-year × scope × subject × type, from the counted budget of the unit-year (stg_documents.basis = 'budget').
-- A separate mart, not a figure_basis column on fct_expenditure: the 决算 marts stay one figure per fact and
-- a budget can never be summed with an actual by accident.
with facts as (
    select f.*, d.ingested_at
    from {{ ref('int_facts') }} f
    join {{ ref('int_document_versions') }} d on d.doc_id = f.doc_id and d.basis = 'budget'
    where f.kind = 'expenditure' and f.is_report_year and f.scope is not null
      and not (f.is_function_subject and f.function_code_resolved is null)
)
select
    unit_id,
    fiscal_year,
    doc_id,
    scope as funding_scope,
    function_code_resolved as function_code,
    item as expenditure_type,
    max(value) filter (where measure = 'budget') as amount_wan,
    max(value) filter (where measure = 'share_pct') as share_pct_stated,
    max(value) filter (where measure = 'yoy_change') as yoy_change_wan_stated,
    max(value) filter (where measure = 'yoy_change_pct') as yoy_change_pct_stated,
    {{ chosen_reading('source_kind', "measure = 'budget'") }} as source_kind,
    {{ chosen_reading('source_ref', "measure = 'budget'") }} as source_ref,
    {{ chosen_reading('table_code', "measure = 'budget'") }} as table_code,
    max(reading_count) filter (where measure = 'budget') as reading_count,
    max(ingested_at) as ingested_at
from facts
where item in ('total', 'basic', 'project', 'remit_superior', 'operating', 'affiliate_subsidy', 'reserve', 'personnel', 'public_funds',
               'balance_distribution', 'carryover_end', 'grand_total')
group by unit_id, fiscal_year, doc_id, scope, function_code_resolved, item
having max(value) filter (where measure = 'budget') is not null
