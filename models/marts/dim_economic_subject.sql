-- The 经济分类 seed, plus every code a counted report prints that the seed does not know
-- (with its printed name, in_classification = false), so every fact joins this dimension.
with seed as (
    select economic_code, name, level, nullif(parent_code, '') as parent_code, personnel_or_public,
        true as in_classification
    from {{ ref('economic_subjects') }}
),
printed as (
    select economic_code,
        coalesce(mode(nullif(trim(subject_name), '')), economic_code) as name
    from {{ ref('int_observations') }}
    where kind = 'expenditure_economic' and economic_code is not null and regexp_full_match(economic_code, '\d{3}(\d{2})?')
      and economic_code not in (select economic_code from seed)
    group by economic_code
),
codes as (
    select * from seed
    union all
    select economic_code, name, case length(economic_code) when 3 then '类' else '款' end as level,
        case when length(economic_code) = 5 then left(economic_code, 3) end as parent_code,
        null as personnel_or_public, false as in_classification
    from printed
)
select c.economic_code, c.name, c.level,
    case when p.economic_code is not null then c.parent_code end as parent_code,
    c.personnel_or_public, c.in_classification
from codes c
left join codes p on p.economic_code = c.parent_code
