select function_code, name, level, nullif(parent_code, '') as parent_code, nullif(aliases, '') as aliases
from {{ ref('function_subjects') }}
