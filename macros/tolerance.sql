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
