{{ per_document_incremental() }}
-- 三公 (and 会议费 / 培训费): budget and actual per item. Stated zeros ("无…支出") are facts with value 0.
with facts as (
    select f.*, d.ingested_at
    from {{ ref('int_facts') }} f
    join {{ ref('int_document_versions') }} d on d.doc_id = f.doc_id and d.basis = 'final'
    where f.kind = 'three_public' and f.is_report_year
      and f.item in ('total', 'outbound', 'vehicle_total', 'vehicle_purchase', 'vehicle_operation', 'reception', 'meeting', 'training')
      {{ only_new_documents('d.ingested_at') }}
)
select
    unit_id,
    fiscal_year,
    doc_id,
    item,
    max(value) filter (where measure = 'budget') as budget_wan,
    max(value) filter (where measure = 'actual') as actual_wan,
    max(value) filter (where measure = 'completion_pct') as completion_pct_stated,
    max(value) filter (where measure = 'share_pct') as share_pct_stated,
    max(value) filter (where measure = 'yoy_change') as yoy_change_wan_stated,
    bool_or(flags like '%stated_none%') as stated_as_none,
    coalesce({{ chosen_reading('source_ref', "measure = 'actual'") }}, {{ chosen_reading('source_ref') }}) as source_ref,
    coalesce({{ chosen_reading('source_kind', "measure = 'actual'") }}, {{ chosen_reading('source_kind') }}) as source_kind,
    max(ingested_at) as ingested_at
from facts
group by unit_id, fiscal_year, doc_id, item
having max(value) filter (where measure in ('budget', 'actual')) is not null
