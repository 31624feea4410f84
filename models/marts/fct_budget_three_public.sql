-- 三公 (and 会议费 / 培训费) as the published budget states them, one row per unit-year × item.
with facts as (
    select f.*, d.ingested_at
    from {{ ref('int_facts') }} f
    join {{ ref('int_document_versions') }} d on d.doc_id = f.doc_id and d.basis = 'budget'
    where f.kind = 'three_public' and f.is_report_year
      and f.item in ('total', 'outbound', 'vehicle_total', 'vehicle_purchase', 'vehicle_operation', 'reception', 'meeting', 'training')
)
select
    unit_id,
    fiscal_year,
    doc_id,
    item,
    -- the table's figure first (the 三公 table is scoped 财政拨款; the prose may state the same figure unscoped)
    first(value order by source_kind = 'table' desc, line_no, seq) filter (where measure = 'budget') as amount_wan,
    first(value order by source_kind = 'table' desc, line_no, seq) filter (where measure = 'yoy_change') as yoy_change_wan_stated,
    bool_or(flags like '%stated_none%') as stated_as_none,
    first(source_kind order by source_kind = 'table' desc, line_no, seq) filter (where measure = 'budget') as source_kind,
    first(source_ref order by source_kind = 'table' desc, line_no, seq) filter (where measure = 'budget') as source_ref,
    max(ingested_at) as ingested_at
from facts
group by unit_id, fiscal_year, doc_id, item
having max(value) filter (where measure = 'budget') is not null
