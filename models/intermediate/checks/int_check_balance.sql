{{ per_document_intermediate() }}
-- 收入总计 = 支出总计: both sides of the 收入支出决算总表 (scope all) and of the
-- 财政拨款收入支出决算总表 (scope fiscal) balance — and of a budget's 收支预算总表 and
-- 财政拨款收支预算总表 (measure budget).  A sentence that states the two
-- as one figure ("收支总计均为X") asserts the identity rather than evidencing it, so
-- a pair read at the very same place is not evaluated.
with checks as (
    with f as {{ slice_cte(full='') }} (
        select * from {{ of_new_documents(ref('int_facts')) }}
        where item_key = 'grand_total' and measure in ('amount', 'budget')
          and function_code_resolved is null and not is_function_subject and entity is null
    )
    select
        'sums' as check_family,
        'revenue_equals_expenditure' as check_name,
        '收入总计 = 支出总计 (公开01表 / 公开04表)' as description,
        {{ fact_against('r', 'e.value', 'e.half_unit', reading_ref('e')) }}
    from f r
    join f e on e.doc_id = r.doc_id and e.fiscal_year = r.fiscal_year and e.scope = r.scope and e.measure = r.measure
        and r.kind = 'revenue' and e.kind = 'expenditure'
    where r.source_ref <> e.source_ref
)

{{ identity_checks('checks') }}
