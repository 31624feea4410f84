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
        -- every version of the unit's reports (counted or shadowed), not a file that is no report or failed
        count(*) filter (where is_loaded or exclusion = 'shadowed') as document_count,
        count(*) filter (where is_loaded) as counted_document_count
    from docs group by unit_id
),
units as (
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
    y.first_year,
    y.last_year,
    y.document_count,
    y.counted_document_count
from docs d
join years y on y.unit_id = d.unit_id
left join {{ ref('admin_divisions') }} a on a.adcode = d.adcode
where d.latest = 1
),
-- sector: the name without 中共 and its place (province, city, county as the name prints them, in full or short:
-- 江苏省 / 江苏), e.g. 上海市普陀区司法局 → 司法局, 江苏省人民检察院 → 人民检察院; a party committee keeps its level
-- (中共江苏省委办公厅 → 省委办公厅).  A name without a place is its own sector (西南大学).
bare as (select *, regexp_replace(unit_name, '^中共', '') as bare from units),
{%- set levels = ['province', 'city', 'county'] %}
{%- for level in levels %}
{%- set before = 'bare' if loop.first else 'rest_' ~ levels[loop.index0 - 1] %}
{%- set short = "regexp_replace(" ~ level ~ ", '(?:壮族|回族|维吾尔)?自治区$|特别行政区$|自治州$|自治县$|地区$|[省市区县盟旗]$', '')" %}
strip_{{ level }} as (
    -- the place in full (江苏省, 普陀区) or short (江苏, 普陀: without the level word, when two characters are left)
    select *,
        case when starts_with({{ before }}, {{ level }}) then substr({{ before }}, length({{ level }}) + 1)
             when length({{ short }}) >= 2 and starts_with({{ before }}, {{ short }})
                  then substr({{ before }}, length({{ short }}) + 1)
             else {{ before }} end as rest_{{ level }}
    from {{ 'bare' if loop.first else 'strip_' ~ levels[loop.index0 - 1] }}
),
{%- endfor %}
stripped as (select *, rest_county as rest from strip_county)
select
    unit_id, unit_name, scope, province, city, county, adcode, admin_level,
    nullif(case when starts_with(rest, '委') and length(rest) < length(bare)
                     and substr(bare, length(bare) - length(rest), 1) in ('省', '市', '区', '县', '州', '旗')
                then substr(bare, length(bare) - length(rest), 1) || rest
                else rest end, '') as sector,
    first_year, last_year, document_count, counted_document_count
from stripped
