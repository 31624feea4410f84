"""绩效自评 (performance self-evaluation) tables in every layout the corpus shows."""

from __future__ import annotations

import re

from ingest.normalize import squash

_QUOTES = re.compile(r"[“”\"'‘’「」《》]")
_SUFFIX = re.compile(r"(?:专项预算项目|预算项目|专项项目|项目)$")


def project_name(text: str) -> str:
    """'“劳动者驿站”运行专项预算项目' → '劳动者驿站运行' (display name kept close to print)."""
    t = _QUOTES.sub("", squash(text))
    return _SUFFIX.sub("", t) or t


_KEY_SUFFIX = re.compile(r"(?:专项资金|专项经费|补助资金|资金|经费|项目|专项)+$")


def project_key(name: str | None) -> str | None:
    """Matching key for one project named differently in table and prose."""
    if not name:
        return None
    t = project_name(name)
    t = re.sub(r"^(?:20\d\d年度?)", "", t)
    return _KEY_SUFFIX.sub("", t) or t


DEPARTMENT_PROJECT = "部门整体支出"
