{{ per_document_intermediate() }}
-- Totals equal the sum of their parts (rules in seeds/identity_rules.csv), per
-- document, year, funding scope, 功能分类 subject (so every row of 公开02/03/05表
-- is checked too) and measure.  A rule is evaluated when the total and at least
-- min_parts of its parts are stated; stated zeros count as parts.  A rule with a
-- requires_part is evaluated only when that part is stated: 本年收入合计 = 财政拨款收入 + 事业 + …
-- says nothing when the report states the 财政拨款 by fund and never as one figure (the by-fund
-- rule checks that report), where 事业 + 其他 alone would be a false alarm.
with checks as (
    with rules as (
        select *, string_split(part_items, '|') as parts from {{ ref('identity_rules') }}
    ),
    f as {{ slice_cte() }} (
        select *, coalesce(scope, '') as scope_key, coalesce(function_code_resolved, '') as fc, coalesce(entity, '') as entity_key
        from {{ of_new_documents(ref('int_facts')) }}
        where measure in ('amount', 'budget_initial', 'budget', 'budget_full_year', 'actual', 'count')
          and not (is_function_subject and function_code_resolved is null)
          and kind <> 'project'
    ),
    -- not materialized either: the join with the 14 rules costs less than a copy of its million rows
    totals as not materialized (
        select r.rule, r.description, r.min_parts, r.skip_if_present, r.requires_part, r.parts, f.*
        from rules r join f on f.kind = r.kind and f.item_key = r.total_item
    ),
    parts as (
        select
            t.rule, t.doc_id, t.fiscal_year, t.scope_key, t.fc, t.entity_key, t.measure,
            sum(p.value) as part_sum,
            sum(p.half_unit) as part_tolerance,
            count(*) as part_count,
            count(*) filter (where list_contains(string_split(p.flags, ','), 'of_which')) as of_which_parts,
            len(t.parts) as parts_defined,
            {{ ordered_refs(reading_ref('p') ~ " || ' ' || p.item_key", 'p.item_key') }} as part_refs
        from totals t
        join f p on p.doc_id = t.doc_id and p.fiscal_year = t.fiscal_year and p.kind = t.kind
            and p.scope_key = t.scope_key and p.fc = t.fc and p.entity_key = t.entity_key and p.measure = t.measure
            and list_contains(t.parts, p.item_key)
        group by all
    )
    select
        'sums' as check_family,
        t.rule as check_name,
        t.description,
        {{ fact_against('t', 'p.part_sum', 'p.part_tolerance', 'p.part_refs') }}
    from totals t
    join parts p on p.rule = t.rule and p.doc_id = t.doc_id and p.fiscal_year = t.fiscal_year and p.scope_key = t.scope_key
        and p.fc = t.fc and p.entity_key = t.entity_key and p.measure = t.measure
    where p.part_count >= t.min_parts
      -- parts that are all zero say nothing about a non-zero total unless every part is stated
      and (p.part_sum <> 0 or p.part_count = p.parts_defined or t.value = 0)
      -- a part printed as 其中 (of which) under its total, its sibling parts unprinted, says nothing of the sum
      and (p.of_which_parts = 0 or p.part_count = p.parts_defined)
      and not exists (
          select 1 from f x
          where coalesce(t.skip_if_present, '') <> '' and x.item_key = t.skip_if_present
            and x.doc_id = t.doc_id and x.fiscal_year = t.fiscal_year and x.kind = t.kind and x.scope_key = t.scope_key
            and x.fc = t.fc and x.measure = t.measure
      )
      and (coalesce(t.requires_part, '') = '' or exists (
          select 1 from f x
          where x.item_key = t.requires_part
            and x.doc_id = t.doc_id and x.fiscal_year = t.fiscal_year and x.kind = t.kind and x.scope_key = t.scope_key
            and x.fc = t.fc and x.entity_key = t.entity_key and x.measure = t.measure
      ))
)

{{ identity_checks('checks') }}
