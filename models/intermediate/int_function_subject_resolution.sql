{{ config(materialized='table') }}
-- A table, not a view: int_observations, marts.qa_unresolved_subjects and three data tests read it, and as a view
-- each of them scanned every raw observation again for the distinct names (five scans of ≈ 3 M rows in every build
-- at 10,000 reports, however few documents were new); built once per build, it holds a few hundred names.
-- Name → 功能分类 code for figures printed with names only, e.g.
-- 一般公共服务支出（类）群众团体事务（款）工会事务（项） → 2012906.
-- Names are compared without a trailing 支出 and against the seed's aliases; a 款
-- whose 类 is misprinted (000: 一般公共预算支出（类）) is found by its own name when
-- that name is unique.  Anything else stays unresolved and is listed in
-- marts.qa_unresolved_subjects — never silently dropped.
with seed as (
    select function_code, level, parent_code, regexp_replace(name, '支出$', '') as norm_name
    from {{ ref('function_subjects') }}
    union all
    select function_code, level, parent_code, regexp_replace(trim(alias), '支出$', '')
    from (select function_code, level, parent_code, unnest(string_split(aliases, '|')) as alias
          from {{ ref('function_subjects') }} where aliases is not null and aliases <> '')
),
candidates as (
    select distinct o.subject_name
    from {{ ref('stg_observations') }} o
    join {{ ref('int_document_versions') }} d on d.doc_id = o.doc_id and d.is_loaded
    -- the names of the figures int_observations resolves (the same predicate: macros/function_subjects.sql)
    where {{ is_named_function_subject('o') }}
),
parsed as (
    select
        subject_name,
        case when subject_name like '%（类）%' then nullif(trim(regexp_extract(subject_name, '^([^（]*)（类）', 1)), '')
             when subject_name not like '%（%' then subject_name end as lei,
        nullif(trim(regexp_extract(subject_name, '([^（）]*)（款）', 1)), '') as kuan,
        nullif(trim(regexp_extract(subject_name, '([^（）]*)（项）', 1)), '') as xiang,
        subject_name like '%（款）%' as has_kuan,
        subject_name like '%（项）%' as has_xiang
    from candidates
),
lei as (
    select p.*,
        (select min(s.function_code) from seed s
         where s.level = '类' and s.norm_name = regexp_replace(p.lei, '支出$', '')) as lei_code
    from parsed p
),
kuan as (
    select l.*,
        coalesce(
            (select min(s.function_code) from seed s
             where s.level = '款' and s.parent_code = l.lei_code and s.norm_name = regexp_replace(l.kuan, '支出$', '')),
            (select case when count(distinct s.function_code) = 1 then min(s.function_code) end from seed s
             where s.level = '款' and s.norm_name = regexp_replace(l.kuan, '支出$', ''))
        ) as kuan_code
    from lei l
),
xiang as (
    select k.*,
        (select min(s.function_code) from seed s
         where s.level = '项' and s.parent_code = k.kuan_code and s.norm_name = regexp_replace(k.xiang, '支出$', '')) as xiang_code
    from kuan k
)
select
    subject_name,
    lei,
    kuan,
    xiang,
    case
        when has_xiang then xiang_code
        when has_kuan then kuan_code
        else lei_code
    end as function_code,
    case
        when (has_xiang and xiang_code is null) or (has_kuan and kuan_code is null) or (not has_kuan and not has_xiang and lei_code is null)
            then 'unresolved'
        when lei is not null and lei_code is null then 'resolved_despite_class_name'
        else 'resolved'
    end as resolution,
    case
        when has_xiang and xiang is null then '（项） has no name'
        when not has_kuan and not has_xiang and lei_code is null then '类 name not in the classification: ' || coalesce(lei, '')
        when has_kuan and kuan_code is null then '款 not found under its 类: ' || coalesce(kuan, '')
        when has_xiang and xiang_code is null then '项 not found under its 款: ' || coalesce(xiang, '')
        when lei is not null and lei_code is null then '类 name misprinted: ' || lei
    end as note
from xiang
