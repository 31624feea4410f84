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
