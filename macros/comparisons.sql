{#- Incremental builds of what compares documents (issue #14).

    A per-document table (macros/incremental.sql) rebuilds a document when its state — state_key of
    int_document_versions: doc_id, ingestion time, basis, unit, year — is not the one its rows were built
    with.  A family that compares a document with other reports of its unit depends on those reports too:
    a new 2023 report changes the 2024 report's year-over-year checks; a replaced budget changes the
    决算's 年初预算 check.  Such a model names its counterpart, and a row's state becomes the document's
    state together with the states of every counted counterpart report, so an incremental run rebuilds
    exactly the documents whose own state or whose counterparts changed (a counterpart added, replaced,
    relabelled or no longer counted).

    counterpart (the reports a document d's rows read besides d itself; all are counted reports of d's unit):
        none          none: d alone (the state is d's state_key)
        'prior_year'  the reports of the year before d's (int_check_yoy)
        'budget'      for a final account, the budget of its year (int_check_budget_initial)
        'compared'    both of the above (fct_identity_check, the union of every family)
-#}

{% macro counterpart_condition(counterpart, v='v', o='o') -%}
    {%- set prior -%}({{ o }}.fiscal_year = {{ v }}.fiscal_year - 1){%- endset -%}
    {%- set budget -%}({{ v }}.basis = 'final' and {{ o }}.basis = 'budget' and {{ o }}.fiscal_year = {{ v }}.fiscal_year){%- endset -%}
    {%- if counterpart == 'prior_year' -%} {{ prior }}
    {%- elif counterpart == 'budget' -%} {{ budget }}
    {%- elif counterpart == 'compared' -%} ({{ prior }} or {{ budget }})
    {%- else -%} {{ exceptions.raise_compiler_error("unknown counterpart '" ~ counterpart ~ "' (none, prior_year, budget, compared)") }}
    {%- endif -%}
{%- endmacro %}

{#- One row per counted document: doc_id, state_key (the state its rows are built with). -#}
{% macro document_states(counterpart=none) -%}
    {%- if counterpart is none or counterpart == 'none' -%}
    select doc_id, state_key from {{ ref('int_document_versions') }} where is_loaded
    {%- else -%}
    select v.doc_id,
        md5(v.state_key || '|' || coalesce(string_agg(o.state_key, ',' order by o.state_key), '')) as state_key
    from {{ ref('int_document_versions') }} as v
    left join {{ ref('int_document_versions') }} as o
        on o.is_loaded and o.doc_id <> v.doc_id and o.unit_id = v.unit_id and {{ counterpart_condition(counterpart) }}
    where v.is_loaded
    group by v.doc_id, v.state_key
    {%- endif -%}
{%- endmacro %}

{#- relation's rows of every document of a unit with a document to rebuild (the documents to rebuild and
    their counterparts, which are of the same unit); the whole relation in a full build. -#}
{% macro of_units_of_new_documents(relation, counterpart) -%}
    {%- if is_incremental() -%}
        (select * from {{ relation }} where unit_id in (
            select unit_id from {{ ref('int_document_versions') }} where doc_id in ({{ new_documents(counterpart) }})))
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- Marts of one row per unit-year that join a unit's reports (fct_unit_year: the 决算, its budget, its
    identity checks, the unit's name; fct_budget_execution: the budget against the 决算) are built per unit:
    {{ per_unit_incremental() }} first in the model, every input wrapped as {{ of_new_units(ref(...)) }}, and
    the column unit_state (state_key of unit_states(), joined on unit_id) in the select.  A unit's state is the states of all its counted
    reports, whatever their year and basis, so an incremental run rebuilds every unit one of whose reports
    was added, replaced, relabelled or stopped counting — and nothing else; the post-hook drops units
    without a counted report.  A unit with no row in the table is evaluated again each run (it yields none). -#}
{% macro unit_states() -%}
    select unit_id, md5(string_agg(state_key, ',' order by state_key)) as state_key
    from {{ ref('int_document_versions') }}
    where is_loaded and unit_id is not null
    group by unit_id
{%- endmacro %}

{% macro new_units() -%}
    select u.unit_id from ({{ unit_states() }}) as u
    where not exists (select 1 from {{ this }} as t where t.unit_id = u.unit_id and t.unit_state = u.state_key)
{%- endmacro %}

{% macro of_new_units(relation) -%}
    {%- if is_incremental() -%}
        (select * from {{ relation }} where unit_id in ({{ new_units() }}))
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{% macro per_unit_incremental() -%}
    {#- append: the pre-hook has deleted the rows of every unit the model selects (of_new_units) -#}
    {{ config(materialized='incremental', unique_key='unit_id', incremental_strategy='append',
              on_schema_change='append_new_columns',
              pre_hook="{% if is_incremental() %}delete from {{ this }} where unit_id in ({{ new_units() }}){% endif %}",
              post_hook="delete from {{ this }} where unit_id not in (select unit_id from {{ ref('int_document_versions') }} where is_loaded and unit_id is not null)") }}
-- depends_on: {{ ref('int_document_versions') }}
{%- endmacro %}
