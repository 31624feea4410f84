-- Published budget revenue by funding scope, source (and 功能分类 subject where the 收入预算表 gives it); one row
-- per unit-year × scope × source × subject, from the counted budget of the unit-year.
with facts as (
    select f.*, d.ingested_at
    from {{ ref('int_facts') }} f
    join {{ ref('int_document_versions') }} d on d.doc_id = f.doc_id and d.basis = 'budget'
    where f.kind = 'revenue' and f.is_report_year and f.scope is not null
      and not (f.is_function_subject and f.function_code_resolved is null)
)
select
    unit_id,
    fiscal_year,
    doc_id,
    scope as funding_scope,
    item as revenue_source,
    function_code_resolved as function_code,
    max(value) filter (where measure = 'budget') as amount_wan,
    max(value) filter (where measure = 'share_pct') as share_pct_stated,
    max(value) filter (where measure = 'yoy_change') as yoy_change_wan_stated,
    {{ chosen_reading('source_kind', "measure = 'budget'") }} as source_kind,
    {{ chosen_reading('source_ref', "measure = 'budget'") }} as source_ref,
    {{ chosen_reading('table_code', "measure = 'budget'") }} as table_code,
    max(reading_count) filter (where measure = 'budget') as reading_count,
    max(ingested_at) as ingested_at
from facts
where item in ('general_budget', 'gov_fund', 'state_capital', 'fiscal_total', 'superior_subsidy', 'business', 'operating',
               'affiliate', 'other', 'current_total', 'use_nonfiscal_balance', 'carryover_begin', 'grand_total')
group by unit_id, fiscal_year, doc_id, scope, item, function_code_resolved
having max(value) filter (where measure = 'budget') is not null
