select economic_code, name, level, nullif(parent_code, '') as parent_code, personnel_or_public
from {{ ref('economic_subjects') }}
