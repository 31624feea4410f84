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
    全年预算数, else the budget), and initial_key and full_year_key: those readings' fact_key (the relation holds one
    reading of a fact per document, a fact_key names its measure, so both arg_min pick the same row).  id: the
    column that names a reading (default observation_id).

    passage_pairs and readings_of_pairs: below. -#}
{% macro budget_sides(relation, id='observation_id') -%}
        select metric_key, doc_id, fiscal_year,
            arg_min({{ id }}, case measure when 'budget_initial' then 1 when 'budget' then 2 else 3 end) as initial_id,
            arg_min({{ id }}, case measure when 'budget_full_year' then 1 when 'budget' then 2 else 3 end) as full_year_id,
            arg_min(fact_key, case measure when 'budget_initial' then 1 when 'budget' then 2 else 3 end) as initial_key,
            arg_min(fact_key, case measure when 'budget_full_year' then 1 when 'budget' then 2 else 3 end) as full_year_key
        from {{ relation }} where measure in ('budget_initial', 'budget', 'budget_full_year')
        group by all
{%- endmacro %}

{#- passage_pairs(pairs, readings, source_kind=none, id='observation_id'): a select of every row of pairs with num_id
    and den_id replaced by the reading of that fact stated in the percentage's own passage, where there is one: same
    document, fact_key and section, at most passage_lines lines above the percentage, the nearest; else the fact's
    id unchanged.
        pairs     stated_id, num_id, den_id (a stated percentage and the two facts it divides), the lookup's keys —
                  doc_id, line_no, section (and source_kind when source_kind is none) of the percentage, num_key
                  and den_key (the facts' fact_key) — and any other columns, kept as they are.  Carrying the keys
                  spares two joins of 600 k sides with 2 M readings by id, a third of int_check_ratios at 10,000
                  reports (bench/README.md, "Build, thirteenth round");
        readings  every reading a passage may state (id, doc_id, fact_key, source_kind, section, line_no);
        source_kind  the source_kind a passage reading must have: a SQL literal ("'narrative'"), or none for the
                  percentage's own;
        id        the column that names a reading in pairs and readings (int_check_ratios passes its row_key, an
                  integer in a full build).  Also an argument of budget_sides and readings_of_pairs.
    Shared by int_check_ratios and int_check_full_rates.  An explicit join and aggregate rather than a correlated
    subquery per side (issue 14): DuckDB decorrelated the subqueries into a join of readings with the percentages
    by document (15 M rows at 10,000 reports). -#}
{% macro passage_pairs(pairs, readings, source_kind=none, id='observation_id') -%}
    with q as materialized (
        -- every key of the lookup in one materialised relation, so the join with readings is one hash join on all
        -- of them (inlined, DuckDB joined readings with the percentages by document first: 15 M rows)
        select stated_id, num_id as fact_id, doc_id, num_key as fact_key, line_no, section
            {%- if source_kind is none %}, source_kind{% endif %} from {{ pairs }}
        union
        select stated_id, den_id, doc_id, den_key, line_no, section
            {%- if source_kind is none %}, source_kind{% endif %} from {{ pairs }}
    ),
    passage as (
        select q.stated_id, q.fact_id, arg_max(r.{{ id }}, r.line_no) as passage_id
        from (
            select * from q
        ) as q
        inner join {{ readings }} as r on q.doc_id = r.doc_id and q.fact_key = r.fact_key
            {#- a literal source_kind filters the readings' scan (a join condition on a constant column did not) #}
            and {{ ('r.source_kind = ' ~ source_kind) if source_kind is not none else 'q.source_kind = r.source_kind' }}
            and q.section is not distinct from r.section
            and r.line_no between q.line_no - {{ var('passage_lines') }} and q.line_no
        group by q.stated_id, q.fact_id
    )
    select p.* replace (coalesce(pn.passage_id, p.num_id) as num_id, coalesce(pd.passage_id, p.den_id) as den_id)
    from {{ pairs }} as p
    left join passage as pn on p.stated_id = pn.stated_id and p.num_id = pn.fact_id
    left join passage as pd on p.stated_id = pd.stated_id and p.den_id = pd.fact_id
{%- endmacro %}

{#- readings_of_pairs(pairs, readings, ids): every column of the readings a family's evaluated pairs name (ids: the
    columns of pairs that hold observation_ids, by default stated_id, num_id, den_id): the pairs are few, readings
    are millions, and DuckDB, misjudging the pairs' size, built its hash tables on all readings for each of the
    three joins by observation_id (14–20 s each at 10,000 reports).  The distinct ids joined with readings, not
    `observation_id in (…)`: for the IN, DuckDB built its hash table on the readings (a right semi join over 2.5 M
    readings).  At 10,000 reports alone: int_check_ratios 11.1 -> 8.2 CPU-s, int_check_yoy 5.5 -> 1.8. -#}
{% macro readings_of_pairs(pairs, readings, ids=('stated_id', 'num_id', 'den_id'), id='observation_id') -%}
        select r.* from (
            select distinct id from (
                {%- for column in ids %}
                {% if not loop.first %}union all {% endif %}select {{ column }} as id from {{ pairs }}
                {%- endfor %})
        ) as ids
        inner join {{ readings }} as r on ids.id = r.{{ id }}
{%- endmacro %}
