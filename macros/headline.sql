{#- headline_figures(measure, prefix, only, rel): the headline columns that fct_unit_year (决算), its budget_ columns and
    fct_budget_unit_year (预算) take from a document's int_facts rows, one aggregate each —
    max(value) filter (where kind / scope / item are the column's) as <prefix><name>; a column without a scope takes
    every scope.  measure: an SQL condition on the row's measure added to each filter (none: the rows are already of
    one measure); only: the names to emit (none: all, in this order); rel: the qualifier of the int_facts columns.
    Emitted comma-separated, without a trailing comma. -#}
{% macro headline_figures(measure=none, prefix='', only=none, rel=none) -%}
    {%- set columns = [
        ('revenue_grand_total_wan', 'revenue', 'all', 'grand_total'),
        ('revenue_total_wan', 'revenue', 'all', 'current_total'),
        ('fiscal_revenue_wan', 'revenue', 'all', 'fiscal_total'),
        ('general_budget_revenue_wan', 'revenue', 'all', 'general_budget'),
        ('expenditure_grand_total_wan', 'expenditure', 'all', 'grand_total'),
        ('expenditure_total_wan', 'expenditure', 'all', 'total'),
        ('basic_all_wan', 'expenditure', 'all', 'basic'),
        ('basic_gb_wan', 'expenditure', 'general_budget', 'basic'),
        ('project_all_wan', 'expenditure', 'all', 'project'),
        ('project_gb_wan', 'expenditure', 'general_budget', 'project'),
        ('fiscal_expenditure_wan', 'expenditure', 'fiscal', 'total'),
        ('general_budget_expenditure_wan', 'expenditure', 'general_budget', 'total'),
        ('personnel_wan', 'expenditure', none, 'personnel'),
        ('public_funds_wan', 'expenditure', none, 'public_funds'),
        ('procurement_total_wan', 'procurement', none, 'total'),
    ] -%}
    {%- set q = (rel ~ '.') if rel else '' -%}
    {%- set picked = [] -%}
    {%- for name, kind, scope, item in columns if only is none or name in only -%}
        {%- do picked.append(
            "max(" ~ q ~ "value) filter (where " ~ q ~ "kind = '" ~ kind ~ "'"
            ~ ((" and " ~ q ~ "scope = '" ~ scope ~ "'") if scope else "")
            ~ " and " ~ q ~ "item = '" ~ item ~ "'"
            ~ ((" and " ~ measure) if measure else "") ~ ") as " ~ prefix ~ name) -%}
    {%- endfor -%}
    {{ picked | join(',\n        ') }}
{%- endmacro %}
