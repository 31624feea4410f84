{#- A figure printed with a 功能分类 name instead of a code: a revenue or expenditure figure without a code whose name
    is a 类/款/项 chain (一般公共服务支出（类）群众团体事务（款）工会事务（项）), or that a two-sided total table lists
    by 类 name (公开01/04表 of a 决算, B01/B04 of a 预算).  o: the alias of a relation with stg_observations' columns.

    One predicate for both sides of the lookup: int_function_subject_resolution resolves the names of these figures,
    and int_observations resolves only these figures.  So whether a figure is resolved, and to what, depends on the
    figure alone (its name against the seed) — never on which other documents are loaded — and an incremental build,
    which rebuilds only the new documents' figures, gives the rows of a full one.  (Joined by name alone, a figure of
    kind other in one report — a row of a table no template describes — took a code when another report printed the
    same name as an expenditure, and an incremental build left the older report's figure as it was.) -#}
{% macro is_named_function_subject(o='o') -%}
    ({{ o }}.kind in ('expenditure', 'revenue') and {{ o }}.function_code is null and {{ o }}.subject_name is not null
     and ({{ o }}.subject_name similar to '.*（(类|款|项)）.*' or {{ o }}.table_code in ('01', '04', 'B01', 'B04')))
{%- endmacro %}
