-- One row per reporting unit, whatever its suffix and year — every unit a document names,
-- including a unit whose only documents do not count (a budget, a shadowed or partial copy),
-- so every document joins its unit.  Attributes come from the unit's latest counted report,
-- else its latest document.
with docs as (
    select *, row_number() over (partition by unit_id order by is_loaded desc, fiscal_year desc nulls last,
                                                               ingested_at desc, doc_id) as latest
    from {{ ref('int_document_versions') }}
    where unit_id is not null
),
years as (
    select unit_id,
        min(fiscal_year) filter (where is_loaded) as first_year,
        max(fiscal_year) filter (where is_loaded) as last_year,
        count(*) filter (where is_loaded) as document_count
    from docs group by unit_id
)
select
    d.unit_id,
    d.unit_name,
    d.unit_scope as scope,
    coalesce(a.province, d.province) as province,
    -- GB/T 2260 files a municipality's districts under placeholder prefectures (市辖区, 县): their city is the municipality
    case when a.level = 'province' then null
         when coalesce(nullif(a.city, ''), d.city) in ('市辖区', '县') then coalesce(a.province, d.province)
         else coalesce(nullif(a.city, ''), d.city) end as city,
    case when a.level = 'county' then a.name else d.county end as county,
    d.adcode,
    a.level as admin_level,
    d.sector,
    y.first_year,
    y.last_year,
    y.document_count
from docs d
join years y on y.unit_id = d.unit_id
left join {{ ref('admin_divisions') }} a on a.adcode = d.adcode
where d.latest = 1
