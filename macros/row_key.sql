{#- The key a model names a reading (or an observation) by, in one statement that scans its table once:
    in a full build its rowid (an integer, cheaper to join than the VARCHAR observation_id of 2.5 M rows); in an
    incremental build, where the rows are a slice of a few documents (a subquery, which has no rowid), and in a
    dbt unit test, whose inputs are CTEs (var readings_by_id set in the test's overrides), observation_id. -#}
{% macro row_key() -%}
    {{ 'observation_id' if is_incremental() or var('readings_by_id', false) else 'rowid' }}
{%- endmacro %}
