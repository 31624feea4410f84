-- One value per fact: the winning reading.
select * from {{ ref('int_fact_readings') }} where reading_rank = 1
