{{ per_document_intermediate() }}
-- 功能分类 hierarchy: a total equals the sum of its 类, a 类 the sum of its 款 (or,
-- when no 款 is stated, of its 项), a 款 the sum of its 项 — in every
-- function-coded table and in the prose, per measure.  经济分类 likewise: a 类
-- (301 …) equals the sum of its 款 in 公开06表, and 人员经费 / 公用经费 the sum of
-- the groups they are made of.
with checks as (
    -- every use of the facts reads this CTE: in an incremental build the few documents' rows, selected once
    -- (slice_cte, macros/incremental.sql); in a full build it is inlined.  The facts are int_fact_readings' rows of
    -- reading_rank 1 (the view int_facts), read from the table so that a parent is named by row_key: its rowid in a
    -- full build (an integer; every use scans that one table in one statement), where the window and the group by
    -- on the VARCHAR observation_id of 900 k children cost a sixth of its select (bench/README.md, "Build,
    -- fourteenth round"); observation_id in an incremental build or a unit test (macros/row_key.sql)
    with facts as {{ slice_cte() }} (
        select *, {{ row_key() }} as row_key from {{ of_new_documents(ref('int_fact_readings')) }} where reading_rank = 1
    ),
    f as not materialized (
        select *, coalesce(scope, '') as scope_key
        from facts
        where kind in ('revenue', 'expenditure') and measure in ('amount', 'budget_initial', 'budget')
          and not (is_function_subject and function_code_resolved is null)
    ),
    parents as (
        select * from f where function_code_resolved is null and not is_function_subject
            or length(function_code_resolved) in (3, 5)
    ),
    -- a coded fact under each parent it may have, by the parent's code: '' (the total, no code) for a 类 of 3
    -- digits; its first 3 digits when longer, its first 5 when longer than 5 — a parent (3 or 5 digits, or none)
    -- takes the facts it starts, longer than itself.  The join is then an equality on the parent's code, where
    -- starts_with(child, parent) was evaluated on every coded fact of the parent's table, item and measure
    -- (bench/README.md, "Build, fourteenth round")
    coded as not materialized (
        select *, unnest(list_filter([
            case when length(function_code_resolved) = 3 then '' end,
            case when length(function_code_resolved) > 3 then left(function_code_resolved, 3) end,
            case when length(function_code_resolved) > 5 then left(function_code_resolved, 5) end], lambda x: x is not null))
            as parent_code
        from f where function_code_resolved is not null
    ),
    children as (
        select p.row_key as parent_id, c.* exclude (parent_code), length(c.function_code_resolved) as child_len
        from parents p
        join coded c on c.doc_id = p.doc_id and c.fiscal_year = p.fiscal_year and c.kind = p.kind and c.scope_key = p.scope_key
            and c.item_key = p.item_key and c.measure = p.measure
            and c.parent_code = coalesce(p.function_code_resolved, '')
    ),
    nearest as (
        select *, min(child_len) over (partition by parent_id) as nearest_len from children
    ),
    sums as (
        select parent_id, sum(value) as child_sum, sum(half_unit) as child_tolerance, count(*) as child_count,
               {{ ordered_refs(reading_ref('nearest') ~ " || ' ' || function_code_resolved", 'function_code_resolved') }} as child_refs
        from nearest where child_len = nearest_len
        group by parent_id
    ),
    functional as (
        select
            'hierarchy' as check_family,
            case when p.function_code_resolved is null then 'total_equals_sum_of_classes'
                 when length(p.function_code_resolved) = 3 then 'class_equals_sum_of_subclasses'
                 else 'subclass_equals_sum_of_items' end as check_name,
            '类 = Σ款 = Σ项 (功能分类)' as description,
            {{ fact_against('p', 's.child_sum', 's.child_tolerance', 's.child_refs') }}
        from parents p join sums s on s.parent_id = p.row_key
    ),
    items_only as (
        -- prose that lists 项 items without their 类 (002): the total against all listed
        -- items, resolved or not — an unresolved name still carries its amount
        select p.row_key as parent_id, sum(c.value) as child_sum, sum(c.half_unit) as child_tolerance,
               string_agg({{ reading_ref('c') }} || ' ' || coalesce(c.function_code_resolved, c.subject_name), '; '
                          order by c.line_no) as child_refs
        from f p
        join facts c on c.doc_id = p.doc_id and c.fiscal_year = p.fiscal_year and c.kind = p.kind
            and coalesce(c.scope, '') = p.scope_key and c.item_key = p.item_key and c.measure = p.measure
            and c.is_function_subject
        where p.function_code_resolved is null and not p.is_function_subject
          and not exists (select 1 from f k where k.doc_id = p.doc_id and k.fiscal_year = p.fiscal_year and k.kind = p.kind
                          and k.scope_key = p.scope_key and k.item_key = p.item_key and k.measure = p.measure
                          and length(k.function_code_resolved) = 3)
        group by p.row_key
    ),
    items_total as (
        select 'hierarchy' as check_family, 'total_equals_sum_of_items' as check_name,
            '合计 = Σ listed 项 when the 类 are not stated' as description,
            {{ fact_against('p', 'i.child_sum', 'i.child_tolerance', 'i.child_refs') }}
        from f p join items_only i on i.parent_id = p.row_key
    ),
    econ as not materialized (
        select *, coalesce(scope, '') as scope_key from facts
        where kind = 'expenditure_economic' and item_key = 'basic' and measure = 'amount' and economic_code_resolved is not null
    ),
    econ_groups as (
        select p.row_key as parent_id, sum(c.value) as child_sum, sum(c.half_unit) as child_tolerance,
               {{ ordered_refs(reading_ref('c') ~ " || ' ' || c.economic_code_resolved", 'c.economic_code_resolved') }} as child_refs
        -- a 款 of 5 digits under the 类 of its first 3 (an equality, as the children above)
        from econ p join econ c on c.doc_id = p.doc_id and c.fiscal_year = p.fiscal_year and c.scope_key = p.scope_key
            and length(p.economic_code_resolved) = 3 and length(c.economic_code_resolved) = 5
            and left(c.economic_code_resolved, 3) = p.economic_code_resolved
        group by p.row_key
    ),
    economic as (
        select 'hierarchy' as check_family, 'economic_class_equals_sum_of_items' as check_name,
            '经济分类 类 = Σ款 (公开06表)' as description,
            {{ fact_against('p', 'g.child_sum', 'g.child_tolerance', 'g.child_refs') }}
        from econ p join econ_groups g on g.parent_id = p.row_key
    ),
    personnel_public as (
        -- 人员经费 = 301 + 303, 公用经费 = the other groups (seed column personnel_or_public)
        select c.doc_id, c.fiscal_year, c.scope_key, s.personnel_or_public as group_kind,
               sum(c.value) as group_sum, sum(c.half_unit) as group_tolerance,
               {{ ordered_refs(reading_ref('c') ~ " || ' ' || c.economic_code_resolved", 'c.economic_code_resolved') }} as group_refs
        from econ c join {{ ref('economic_subjects') }} s on s.economic_code = c.economic_code_resolved and s.level = '类'
        group by all
    ),
    economic_totals as (
        select 'hierarchy' as check_family,
            case g.group_kind when 'personnel' then 'personnel_equals_economic_groups' else 'public_funds_equals_economic_groups' end as check_name,
            '人员经费 = 301 + 303; 公用经费 = 302 + 307 + 310 + … (公开06表)' as description,
            {{ fact_against('t', 'g.group_sum', 'g.group_tolerance', 'g.group_refs') }}
        from facts t
        join personnel_public g on g.doc_id = t.doc_id and g.fiscal_year = t.fiscal_year and coalesce(t.scope, '') = g.scope_key
            and t.item_key = case g.group_kind when 'personnel' then 'personnel' else 'public_funds' end
        where t.kind = 'expenditure' and t.measure = 'amount' and t.function_code_resolved is null
    )
    select * from functional
    union all select * from items_total
    union all select * from economic
    union all select * from economic_totals
)

{{ identity_checks('checks') }}
