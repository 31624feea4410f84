{#- A readable name for what a fact measures, used in identity check output. -#}
{% macro fact_label(a) -%}
    concat_ws(' ',
        {{ a }}.kind,
        nullif({{ a }}.item_key, ''),
        case when coalesce({{ a }}.scope, '') <> '' then '[' || {{ a }}.scope || ']' end,
        {{ a }}.measure,
        coalesce({{ a }}.function_code_resolved, case when {{ a }}.is_function_subject then {{ a }}.subject_name end),
        {{ a }}.economic_code_resolved,
        {{ a }}.project,
        {{ a }}.entity,
        case when not {{ a }}.is_report_year then '(' || {{ a }}.fiscal_year || ')' end
    )
{%- endmacro %}

{#- Where a reading was taken: line/cell, and the table or "narrative", and the text as printed. -#}
{% macro reading_ref(a) -%}
    {{ a }}.source_ref || ' ' ||
    case when {{ a }}.table_code = 'perf' then '绩效自评表' when {{ a }}.table_code like 'B%' then '预算' || substr({{ a }}.table_code, 2) || '表'
         when {{ a }}.table_code is not null then '公开' || {{ a }}.table_code || '表'
         else {{ a }}.source_kind end || ' "' || {{ a }}.value_text || '"'
{%- endmacro %}

{#- The columns every identity check emits after its family, name and description, when its left side
    is one stated fact: where and what, the fact against the right side, the rounding tolerance of both
    sides (the fact's half unit + the right side's), and where each side was read. -#}
{% macro fact_against(fact, rhs, rhs_tolerance, rhs_refs) -%}
    {{ fact }}.doc_id, {{ fact }}.fiscal_year, {{ fact_label(fact) }} as subject, '=' as comparison,
    {{ fact }}.value as lhs, {{ rhs }} as rhs, {{ fact }}.half_unit + {{ rhs_tolerance }} as tolerance,
    {{ reading_ref(fact) }} as lhs_refs, {{ rhs_refs }} as rhs_refs
{%- endmacro %}
