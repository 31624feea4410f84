{{ per_document_intermediate('budget') }}
-- The 决算's 年初预算 = the published budget (部门预算) of the same unit-year, when both reports are loaded:
-- per kind, funding scope, item and 功能分类 subject the 决算 states a 年初预算 for and the budget states.
-- Rounding tolerance from both printed figures (macros/tolerance.sql); the left side is the 决算's figure.
-- Incremental: a 决算 is rebuilt when it or its unit-year's budget changed (counterpart 'budget',
-- macros/comparisons.sql).
with checks as (
    with facts as {{ slice_cte(full='') }} (
        select *, coalesce(scope, '') as scope_key, coalesce(function_code_resolved, '') as fc
        from {{ of_units_of_new_documents(ref('int_facts'), 'budget') }}
        where kind in ('revenue', 'expenditure') and is_report_year
          and not (is_function_subject and function_code_resolved is null)
    ),
    final as (
        select * from facts where basis = 'final' and measure = 'budget_initial'
        {% if is_incremental() %}and doc_id in ({{ new_documents('budget') }}){% endif %}
    ),
    budget as (select * from facts where basis = 'budget' and measure = 'budget')
    select
        'budget_vs_final' as check_family,
        'budget_initial_equals_published_budget' as check_name,
        '决算 年初预算 = 部门预算 published budget' as description,
        {{ fact_against('f', 'b.value', 'b.half_unit', reading_ref('b') ~ " || ' (budget ' || b.doc_id || ')'") }}
    from final f
    join budget b on b.unit_id = f.unit_id and b.fiscal_year = f.fiscal_year and b.kind = f.kind
        and b.scope_key = f.scope_key and b.item_key = f.item_key and b.fc = f.fc
)

{{ identity_checks('checks', 'budget') }}
