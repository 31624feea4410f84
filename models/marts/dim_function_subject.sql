-- The classification seed, plus every code a counted report prints that the seed does not
-- know (a university prints 2050204 高中教育 …): a code is a fact of the report, not an error,
-- so it gets a row here with its printed name (in_classification = false) and every fact
-- joins this dimension whatever its document prints.
with seed as (
    select function_code, name, level, nullif(parent_code, '') as parent_code, nullif(aliases, '') as aliases,
        true as in_classification
    from {{ ref('function_subjects') }}
),
-- (a code resolved from a printed name comes from the seed: only printed codes can be unknown)
printed_names as (
    select function_code, nullif(trim(regexp_replace(subject_name, '^.*（(类|款|项)）', '')), '') as name, count(*) as n
    from {{ ref('int_observations') }}
    where function_code is not null and regexp_full_match(function_code, '\d{3}(\d{2}){0,2}')
      and function_code not in (select function_code from seed)
    group by all
),
-- the name printed most often, then the first in order: not mode(), whose choice among equally frequent names follows
-- the order the rows are read in, which differs between an incremental and a full build of the same reports
printed as (
    select function_code,
        coalesce(first(name order by n desc, name) filter (where name is not null), function_code) as name
    from printed_names
    group by function_code
),
codes as (
    select * from seed
    union all
    select function_code, name,
        case length(function_code) when 3 then '类' when 5 then '款' else '项' end as level,
        case when length(function_code) > 3 then left(function_code, length(function_code) - 2) end as parent_code,
        null as aliases, false as in_classification
    from printed
)
select c.function_code, c.name, c.level,
    -- a printed code whose parent is known neither to the seed nor to any report hangs at the top
    case when p.function_code is not null then c.parent_code end as parent_code,
    c.aliases, c.in_classification
from codes c
left join codes p on p.function_code = c.parent_code
