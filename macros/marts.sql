{#- A mart row that aggregates several facts names one of them as its place (source_ref, source_kind,
    table_code): the same one in every build, whatever order the rows arrive in (any_value is not, and an
    incremental build must equal a full one).  The fact whose value the row shows (the largest, as max(value)
    takes), a table's before the prose's, then the earliest line.
    chosen_reading('source_ref', "measure = 'amount'") → first(source_ref order by …) filter (where measure = 'amount') -#}
{% macro chosen_reading(column, condition=none, alias='') -%}
    {%- set p = (alias ~ '.') if alias else '' -%}
    first({{ p }}{{ column }} order by {{ p }}value desc, {{ p }}source_kind = 'table' desc, {{ p }}line_no, {{ p }}seq, {{ p }}source_ref)
    {%- if condition %} filter (where {{ condition }}){% endif %}
{%- endmacro %}
