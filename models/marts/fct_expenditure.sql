{{ per_document_incremental() }}
-- Expenditure by funding scope, 功能分类 subject and type; one row per unit-year × scope × subject × type.
with facts as (
    select f.*, d.ingested_at
    from {{ ref('int_facts') }} f
    join {{ ref('int_document_versions') }} d on d.doc_id = f.doc_id and d.basis = 'final'
    where f.kind = 'expenditure' and f.is_report_year and f.scope is not null
      and not (f.is_function_subject and f.function_code_resolved is null)
      {{ only_new_documents('d.ingested_at') }}
)
select
    unit_id,
    fiscal_year,
    doc_id,
    scope as funding_scope,
    function_code_resolved as function_code,
    item as expenditure_type,
    max(value) filter (where measure = 'amount') as amount_wan,
    coalesce(max(value) filter (where measure = 'budget_initial'), max(value) filter (where measure = 'budget')) as budget_initial_wan,
    max(value) filter (where measure = 'completion_pct') as completion_pct_stated,
    max(value) filter (where measure = 'share_pct') as share_pct_stated,
    max(value) filter (where measure = 'yoy_change') as yoy_change_wan_stated,
    max(value) filter (where measure = 'yoy_change_pct') as yoy_change_pct_stated,
    -- provenance of the amount, or of the budget when only the budget is stated
    coalesce({{ chosen_reading('source_kind', "measure = 'amount'") }},
             {{ chosen_reading('source_kind', "measure in ('budget_initial', 'budget')") }}) as source_kind,
    coalesce({{ chosen_reading('source_ref', "measure = 'amount'") }},
             {{ chosen_reading('source_ref', "measure in ('budget_initial', 'budget')") }}) as source_ref,
    {{ chosen_reading('table_code', "measure = 'amount'") }} as table_code,
    max(reading_count) filter (where measure = 'amount') as reading_count,
    max(ingested_at) as ingested_at
from facts
where item in ('total', 'basic', 'project', 'remit_superior', 'operating', 'affiliate_subsidy', 'personnel', 'public_funds',
               'balance_distribution', 'carryover_end', 'grand_total')
group by unit_id, fiscal_year, doc_id, scope, function_code_resolved, item
having max(value) filter (where measure = 'amount') is not null
    or max(value) filter (where measure in ('budget_initial', 'budget')) is not null
