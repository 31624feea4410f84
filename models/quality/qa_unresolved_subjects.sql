-- Figures printed with a 功能分类 or 经济分类 name that could not be resolved to one code:
-- they are kept here (with the reason) instead of being dropped or counted twice.
select
    o.observation_id, o.doc_id, d.unit_id, o.fiscal_year, o.kind, o.scope, o.item, o.measure, o.value, o.subject_name,
    r.note as reason, o.source_ref, o.snippet
from {{ ref('int_observations') }} o
join {{ ref('int_document_versions') }} d on d.doc_id = o.doc_id
join {{ ref('int_function_subject_resolution') }} r on r.subject_name = o.subject_name
where o.function_code is null and r.function_code is null
union all
select
    o.observation_id, o.doc_id, d.unit_id, o.fiscal_year, o.kind, o.scope, o.item, o.measure, o.value, o.subject_name,
    case when e.n > 1 then '经济分类 name under ' || e.n || ' codes (' || e.codes || '): ambiguous'
         else '经济分类 name not in the classification' end as reason,
    o.source_ref, o.snippet
from {{ ref('int_observations') }} o
join {{ ref('int_document_versions') }} d on d.doc_id = o.doc_id
left join (select name, count(*) as n, string_agg(economic_code, ', ' order by economic_code) as codes
           from {{ ref('economic_subjects') }} group by name) e on e.name = o.subject_name
where o.kind = 'expenditure_economic' and o.economic_code_resolved is null and o.subject_name is not null
