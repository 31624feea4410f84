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
    case when {{ a }}.table_code = 'perf' then '绩效自评表' when {{ a }}.table_code is not null then '公开' || {{ a }}.table_code || '表'
         else {{ a }}.source_kind end || ' "' || {{ a }}.value_text || '"'
{%- endmacro %}
