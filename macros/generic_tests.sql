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

{#- A primary key: the column is never null and holds no value twice — dbt's unique and not_null in one query.
    Fails with one row per duplicated value (n = its rows) and one for the null group.  One test node instead
    of two: at 10,000 reports dbt's own cost per node (≈ 0.1 CPU-s: compile, connection, events) is most of an
    incremental build (issue #14), and both tests scan the same column anyway. -#}
{% test primary_key(model, column_name) %}
select {{ column_name }}, count(*) as n
from {{ model }}
group by {{ column_name }}
having count(*) > 1 or {{ column_name }} is null
{% endtest %}
