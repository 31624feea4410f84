{#-
Rounding tolerance, after the approach of XBRL Calculations 1.1.

A figure printed with k decimals stands for an interval of ± half a unit in its
last digit (5,334.09 stands for [5334.085, 5334.095]).  A sum of n printed
figures stands for the sum of their intervals.  An identity fails only when the
intervals of its two sides cannot meet:

    |lhs - rhs| > Σ half_unit(lhs terms) + Σ half_unit(rhs terms)

For a stated percentage compared with a ratio of two printed figures, the ratio
is itself an interval [(a-ha)/(b+hb), (a+ha)/(b-hb)]; the check passes when the
stated percentage's interval overlaps it.  No fixed "magic" tolerance is used.
-#}

{% macro half_unit(decimals) -%}
    cast(0.5 * pow(10, -coalesce({{ decimals }}, 2)) as decimal(18, 8))
{%- endmacro %}

{#- Interval of (a ± ha) / (b ± hb) · 100 when b's interval excludes 0: the four corners. -#}
{% macro ratio_low(a, ha, b, hb) -%}
    case when ({{ b }}) - ({{ hb }}) > 0 then 100.0 * least(
        (({{ a }}) - ({{ ha }})) / (({{ b }}) - ({{ hb }})), (({{ a }}) - ({{ ha }})) / (({{ b }}) + ({{ hb }})),
        (({{ a }}) + ({{ ha }})) / (({{ b }}) - ({{ hb }})), (({{ a }}) + ({{ ha }})) / (({{ b }}) + ({{ hb }}))) end
{%- endmacro %}
{#- A stated percentage against the interval [low, high] of a computed ratio: the right side is the interval's
    middle, the tolerance the stated figure's half unit plus the interval's half-width (int_check_ratios,
    int_check_named_shares). -#}
{% macro ratio_interval_sides(low='low', high='high', half_unit='half_unit') -%}
    cast(({{ low }} + {{ high }}) / 2 as decimal(18, 6)) as rhs,
    cast({{ half_unit }} + ({{ high }} - {{ low }}) / 2 as decimal(18, 6)) as tolerance
{%- endmacro %}
{% macro ratio_high(a, ha, b, hb) -%}
    case when ({{ b }}) - ({{ hb }}) > 0 then 100.0 * greatest(
        (({{ a }}) - ({{ ha }})) / (({{ b }}) - ({{ hb }})), (({{ a }}) - ({{ ha }})) / (({{ b }}) + ({{ hb }})),
        (({{ a }}) + ({{ ha }})) / (({{ b }}) - ({{ hb }})), (({{ a }}) + ({{ ha }})) / (({{ b }}) + ({{ hb }}))) end
{%- endmacro %}

{#- The two amounts a stated rate divides, shared by int_check_ratios and int_check_full_rates.

    budget_sides(relation): one row per (metric_key, doc_id, fiscal_year) of the relation's budget readings,
    with initial_id (完成年初预算的 X% divides by the 年初预算, else the budget) and full_year_id (执行率 by the
    全年预算数, else the budget).

    passage_reading(stated, fact, fallback_id, source_kind): the observation_id of the fact's reading stated in
    the percentage's own passage (same section, at most passage_lines lines above it, the nearest), else
    fallback_id; readings is the CTE of every reading, stated/fact are aliases of the stated percentage and of
    the fact's winning reading. -#}
{% macro budget_sides(relation) -%}
        select metric_key, doc_id, fiscal_year,
            arg_min(observation_id, case measure when 'budget_initial' then 1 when 'budget' then 2 else 3 end) as initial_id,
            arg_min(observation_id, case measure when 'budget_full_year' then 1 when 'budget' then 2 else 3 end) as full_year_id
        from {{ relation }} where measure in ('budget_initial', 'budget', 'budget_full_year')
        group by all
{%- endmacro %}

{% macro passage_reading(stated, fact, fallback_id, source_kind) -%}
    coalesce((select arg_max(r.observation_id, r.line_no) from readings r
              where r.doc_id = {{ stated }}.doc_id and r.fact_key = {{ fact }}.fact_key and r.source_kind = {{ source_kind }}
                and r.line_no between {{ stated }}.line_no - {{ var('passage_lines') }} and {{ stated }}.line_no
                and r.section is not distinct from {{ stated }}.section), {{ fallback_id }})
{%- endmacro %}
