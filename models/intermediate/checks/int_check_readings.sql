{{ per_document_intermediate() }}
-- The same fact read in two places (table and prose, two tables, two passages)
-- must agree: narrative figures = table figures.
with checks as (
    with r as {{ slice_cte() }} (
        select * from {{ of_new_documents(ref('int_fact_readings')) }} where kind <> 'performance'
    )
    select
        'readings_agree' as check_family,
        case when p.source_kind = 'table' and o.source_kind = 'table' then 'table_vs_table'
             when p.source_kind = 'table' then 'narrative_vs_table'
             else 'narrative_vs_narrative' end as check_name,
        'The same figure stated in two places must be the same figure' as description,
        {{ fact_against('p', 'o.value', 'o.half_unit', reading_ref('o')) }}
    from r p
    join r o on o.doc_id = p.doc_id and o.fact_key = p.fact_key and p.reading_rank = 1 and o.reading_rank > 1
    where not (o.value = p.value and o.line_no = p.line_no)
)

{{ identity_checks('checks') }}
