{#- Generic tests written for this project (dbt hub packages are not available). -#}

{#- Money that should not be negative (amounts, budgets; not changes).  A negative figure is
    what a document printed (or how it was read): a warning naming the rows, never a failed
    build — one document's content must not stop the warehouse. -#}
{% test non_negative_money(model, column_name) %}
{{ config(severity='warn') }}
select * from {{ model }} where {{ column_name }} < 0
{% endtest %}

{#- Exactly one row per grain: the listed columns, NULLs compared as equal. -#}
{% test one_row_per_grain(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Money columns are exact decimals with at least four digits after the point. -#}
{% test exact_decimal(model, column_name) %}
select column_name, data_type
from information_schema.columns
where table_schema = '{{ model.schema }}' and table_name = '{{ model.identifier }}'
  and column_name = '{{ column_name }}'
  and not (data_type like 'DECIMAL(%' and cast(regexp_extract(data_type, ',(\d+)\)', 1) as integer) >= 4)
{% endtest %}

{#- Every row says where it was read: a document, a place in it, and whether a table or the prose. -#}
{% test has_provenance(model, ref_column='source_ref', kind_column='source_kind') %}
select * from {{ model }}
where doc_id is null or {{ ref_column }} is null or {{ ref_column }} = ''
   or {{ kind_column }} is null or {{ kind_column }} not in ('table', 'narrative')
{% endtest %}
