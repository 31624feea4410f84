{{ per_document_incremental() }}
-- Revenue by source (and by 功能分类 where 公开02表 gives it), one row per unit-year × source × subject.
with facts as (
    select f.*, d.ingested_at
    from {{ ref('int_facts') }} f
    join {{ ref('int_document_versions') }} d on d.doc_id = f.doc_id and d.basis = 'final'
    where f.kind = 'revenue' and f.scope = 'all' and f.is_report_year
      and not (f.is_function_subject and f.function_code_resolved is null)
      {{ only_new_documents('d.ingested_at') }}
)
select
    unit_id,
    fiscal_year,
    doc_id,
    item as revenue_source,
    function_code_resolved as function_code,
    max(value) filter (where measure = 'amount') as amount_wan,
    max(value) filter (where measure = 'share_pct') as share_pct_stated,
    max(value) filter (where measure = 'yoy_change') as yoy_change_wan_stated,
    max(value) filter (where measure = 'budget_initial') as budget_initial_wan,
    {{ chosen_reading('source_kind', "measure = 'amount'") }} as source_kind,
    {{ chosen_reading('source_ref', "measure = 'amount'") }} as source_ref,
    {{ chosen_reading('table_code', "measure = 'amount'") }} as table_code,
    max(reading_count) filter (where measure = 'amount') as reading_count,
    max(ingested_at) as ingested_at
from facts
where item in ('general_budget', 'gov_fund', 'state_capital', 'fiscal_total', 'superior_subsidy', 'business', 'operating',
               'affiliate', 'other', 'current_total', 'use_nonfiscal_balance', 'carryover_begin', 'grand_total')
group by unit_id, fiscal_year, doc_id, item, function_code_resolved
having max(value) filter (where measure = 'amount') is not null
