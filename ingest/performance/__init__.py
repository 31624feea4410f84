"""绩效自评 (performance self-evaluation) tables in every layout the corpus shows."""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.normalize import squash

_QUOTES = re.compile(r"[“”\"'‘’「」《》]")
_SUFFIX = re.compile(r"(?:专项预算项目|预算项目|专项项目|项目)$")


def project_name(text: str) -> str:
    """'“劳动者驿站”运行专项预算项目' → '劳动者驿站运行' (display name kept close to print)."""
    t = _QUOTES.sub("", squash(text))
    return _SUFFIX.sub("", t) or t


_KEY_SUFFIX = re.compile(r"(?:专项资金|专项经费|补助资金|资金|经费|项目|专项)+$")


_YEAR_PREFIX = re.compile(r"^(?:20\d\d年度?)")


def project_key(name: str | None) -> str | None:
    """Matching key for one project named differently in table and prose (cached: every figure of a
    project asks for it)."""
    if not name:
        return None
    return _project_key(name) if len(name) <= 400 else _key_of(name)


@lru_cache(maxsize=1 << 14)
def _project_key(name: str) -> str:
    return _key_of(name)


def _key_of(name: str) -> str:
    t = _YEAR_PREFIX.sub("", project_name(name))
    return _KEY_SUFFIX.sub("", t) or t


_LEVEL_PREFIX = re.compile(r"^(?:[省市区县]级?|本级)")


def reconcile_keys(table_keys: set[str], other_keys: set[str]) -> dict[str, str]:
    """Map project keys read only from prose onto the self-evaluation table they mean.

    Prose abbreviates and re-words project names ('劳动者驿站' for the table's
    '劳动者驿站运行', '劳模春节慰问金及疗休养' for '市劳模春节慰问金及疗休养').  A prose key
    joins a table key when, leaving out a leading 市/区/县/省(级), one contains the
    other — and only when exactly one table key qualifies; anything ambiguous stays
    as printed.  Keys shorter than four characters never match by containment.
    """
    bare = {t: _LEVEL_PREFIX.sub("", t) for t in table_keys}
    mapping: dict[str, str] = {}
    for key in other_keys - table_keys:
        k = _LEVEL_PREFIX.sub("", key)
        exact = [t for t, b in bare.items() if b == k]
        candidates = exact or [
            t for t, b in bare.items() if min(len(b), len(k)) >= 4 and (k in b or b in k)
        ]
        if len(candidates) == 1:
            mapping[key] = candidates[0]
    return mapping


DEPARTMENT_PROJECT = "部门整体支出"

# A date or period and nothing else ("2023 年全年", "2024年12月底前", "年底前"): what an indicator achieved or
# aims at (实际完成值 / 指标值), never an indicator's name
_PERIOD = re.compile(r"(?=.*(?:\d{4}年|\d{1,2}月|全年|年底|年内|年末))(?:\d{4}年度?)?(?:\d{1,2}月(?:\d{1,2}日)?)?"
                     r"(?:全年|年底|年内|年末|月底|底|末|内|前|之前|以前)*")


def is_period_value(text: str) -> bool:
    """True when ``text`` (spaces ignored) is only a date or period — 2023年全年, 2024年12月31日前, 全年, 年底前:
    a value an indicator row prints (its 实际完成值 or 指标值), not the name of an indicator."""
    return _PERIOD.fullmatch(squash(text)) is not None
