"""Document metadata found from the text: unit name, fiscal year, report kind.

No fixed positions: several independent patterns propose candidates and the
best-supported candidate wins (a unit is usually named in the title, in 编制部门
lines, in 纳入…编制范围, in the 绩效自评表 header …; typos lose the vote).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ingest.normalize import squash

ORG_SUFFIX = (
    r"(?:总工会|工会|委员会|人民政府|政府|办事处|办公室|办公厅|管理局|局|厅|委|办|中心|医院|学校|学院|大学|研究院|院|馆|所|站|"
    r"联合会|协会|学会|妇联|团委|科协|侨联|文联|残联|红十字会|集团|公司)"
)
SCOPE_SUFFIX = r"(?:[（(](?:汇总|本级|差额|部门汇总|单位汇总)[)）])"
_UNIT = rf"[\u4e00-\u9fa5]{{2,30}}?{ORG_SUFFIX}{SCOPE_SUFFIX}?"

SCOPES = {"汇总": "consolidated", "部门汇总": "consolidated", "单位汇总": "consolidated", "本级": "own", "差额": "balance"}

# (pattern, weight, words).  Weighted votes; the exact-string frequency in the whole
# document breaks ties and outvotes one-off typos.
_UNIT_PATTERNS: list[tuple[re.Pattern[str], float, tuple[str, ...]]] = [
    # (pattern, weight, words one of which every match contains: a line without any is not searched)
    (re.compile(rf"(?:编制部门|编制单位|预算单位|单位名称|部门[（(]单位[)）]名称)\s*[:：\t ]\s*({_UNIT})(?![\u4e00-\u9fa5])"), 3.0,
     ("编制部门", "编制单位", "预算单位", "单位名称", "名称")),
    (re.compile(rf"纳入({_UNIT})\s*20\d\d\s*年度?(?:部门|单位)?决算编制范围"), 3.0, ("编制范围",)),
    (re.compile(rf"^({_UNIT})(?:部门)?(?:整体支出)?\s*(?:20\d\d\s*年度?)?\s*(?:部门)?(?:整体支出)?绩效(?:自评表|自评报告|评价报告)"), 2.0,
     ("绩效",)),
    (re.compile(rf"^20\d\d\s*年度?({_UNIT})(?:部门)?(?:整体)?(?:绩效评价报告|决算)"), 3.0, ("绩效评价报告", "决算")),
    (re.compile(rf"^({_UNIT})下属"), 2.0, ("下属",)),
    (re.compile(rf"^(?:本单位作为)?({_UNIT})(?:一级预算单位)"), 1.0, ("一级预算单位",)),
]
_UNIT_WORDS = re.compile("|".join(sorted({w for _, _, words in _UNIT_PATTERNS for w in words}, key=len, reverse=True)))
# each pattern with its own words: a line is searched only with the patterns whose words it holds (a line
# naming 决算 — most do — is not searched for 编制单位： or 纳入…编制范围)
_GATED_PATTERNS = [(pattern, weight, re.compile("|".join(map(re.escape, words)))) for pattern, weight, words in _UNIT_PATTERNS]

_TITLE_NOISE = re.compile(r"\*+|#+|20\d\d\s*年度?|部门决算公开报告|部门决算|单位决算|决算公开|公开报告|报告|"
                          r"部门预算公开表格|部门预算公开|部门预算|单位预算|预算公开|公开表格")

# A unit named behind a label ("预算主管部门：上海市普陀区司法局", "部门：中共江苏省委办公厅 单位：万元"): the whole
# run of characters after the label, which must end like an organisation's name.
_LABELLED_UNIT = re.compile(
    r"(?:预算主管部门|主管部门|编制部门|编制单位|预算单位|单位名称|部门名称|部门[（(]单位[)）]名称|(?<![\u4e00-\u9fa5])部门)"
    r"\s*[:：]\s*([\u4e00-\u9fa5]{2,40}" + SCOPE_SUFFIX + r"?)(?![\u4e00-\u9fa5])")
_ENDS_LIKE_UNIT = re.compile(rf"{ORG_SUFFIX}{SCOPE_SUFFIX}?$")


@dataclass
class Metadata:
    unit_name_raw: str | None
    unit_name: str | None
    scope: str | None
    fiscal_year: int | None
    report_kind: str
    sector: str | None


def _title_block(lines: list[str], limit: int = 12) -> list[str]:
    """Non-blank lines before the table of contents / first part heading."""
    block: list[str] = []
    for line in lines:
        text = line.strip()
        if not text:
            continue
        if text.startswith(("目录", "目 录", "第一部分", "第一章")) or "\t" in line:
            break
        block.append(text)
        if len(block) >= limit:
            break
    return block


@lru_cache(maxsize=1 << 14)
def _cached_line_votes(line: str) -> tuple[tuple[str, float], ...]:
    return _line_votes(line)


def _line_votes(line: str) -> tuple[tuple[str, float], ...]:
    """The (unit name, weight) votes of one line (see _UNIT_PATTERNS, _LABELLED_UNIT), in order: a pure
    function of the line, cached for lines of at most 400 characters (most lines repeat across reports)."""
    text = line.strip()
    if not text or len(text) > 400:
        return ()
    out: list[tuple[str, float]] = []
    if _UNIT_WORDS.search(text):
        for pattern, weight, words in _GATED_PATTERNS:
            if words.search(text):
                for m in pattern.finditer(text):
                    out.append((squash(m.group(1)), weight))
    if ("：" in text or ":" in text) and ("部门" in text or "单位" in text):  # every label of _LABELLED_UNIT has one
        for m in _LABELLED_UNIT.finditer(text):
            name = m.group(1)
            if _ENDS_LIKE_UNIT.search(name) and not re.search(r"(?:单位|部门)$", name):
                out.append((name, 3.0))
    return tuple(out)


def find_unit(lines: list[str]) -> str | None:
    votes: Counter[str] = Counter()
    title = _title_block(lines)
    for text in title:
        cleaned = _TITLE_NOISE.sub("", text).strip()
        m = re.fullmatch(_UNIT, squash(cleaned))
        if m:
            votes[m.group(0)] += 4.0
    for line in lines:
        for name, weight in (_cached_line_votes(line) if len(line) <= 400 else _line_votes(line)):
            votes[name] += weight
    if not votes:
        return None
    body = "\n".join(lines)
    flat = squash(body)
    # A typo variant gets few exact hits; a short form ("西区总工会") that ends a
    # longer candidate ("攀枝花市西区总工会") is the same unit and votes for it.
    scored = {name: score + 0.5 * flat.count(name) for name, score in votes.items()}
    for short in list(scored):
        longer = [name for name in scored if name != short and name.endswith(short)]
        if longer:
            best = max(longer, key=lambda name: scored[name])
            scored[best] += scored.pop(short)
    return max(scored.items(), key=lambda kv: (kv[1], len(kv[0])))[0]


def split_scope(unit_name_raw: str | None) -> tuple[str | None, str | None]:
    if not unit_name_raw:
        return None, None
    m = re.search(r"[（(](汇总|本级|差额|部门汇总|单位汇总)[)）]\s*$", unit_name_raw)
    if not m:
        return unit_name_raw, None
    return unit_name_raw[: m.start()], SCOPES[m.group(1)]


_YEAR_TITLE = re.compile(r"(20\d\d)\s*年度?[^\n]{0,40}?[决预]算")
_YEAR_ANY = re.compile(r"(20\d\d)\s*年度")


def find_fiscal_year(lines: list[str]) -> int | None:
    for text in _title_block(lines):
        m = re.search(r"(20\d\d)\s*年", text)
        if m:
            return int(m.group(1))
    counts: Counter[int] = Counter()
    for line in lines:
        for m in _YEAR_TITLE.finditer(line):
            counts[int(m.group(1))] += 3
        for m in _YEAR_ANY.finditer(line):
            counts[int(m.group(1))] += 1
    if not counts:
        return None
    return counts.most_common(1)[0][0]


_KINDS = ("部门决算", "单位决算", "部门预算", "单位预算")


def find_report_kind(lines: list[str]) -> str:
    """部门决算 / 单位决算 / 部门预算 / 单位预算: the kind the title block names, else the first named in the
    first 200 lines, else 决算 or 预算 by which word the document uses more (a budget is never a 决算), with
    部门 as the default level."""
    for text in _title_block(lines):
        flat = squash(text)
        for kind in _KINDS:
            if kind in flat:
                return kind
    head = "\n".join(lines[:200])
    found = [(head.find(kind), kind) for kind in _KINDS if kind in head]
    if found:
        return min(found)[1]
    body = "\n".join(lines)
    budget = len(re.findall(r"(?<!决)预算(?:表|数|公开|总表|收入|支出)", body))
    final = body.count("决算")
    return "部门预算" if budget > final else "部门决算"


def sector_of(unit_name: str | None) -> str | None:
    if not unit_name:
        return None
    m = re.search(rf"{ORG_SUFFIX}$", unit_name)
    return m.group(0) if m else None


def extract(lines: list[str], tables: list | None = None) -> Metadata:
    raw = find_unit(lines)
    name, scope = split_scope(raw)
    return Metadata(
        unit_name_raw=raw,
        unit_name=name,
        scope=scope,
        fiscal_year=find_fiscal_year(lines),
        report_kind=find_report_kind(lines),
        sector=sector_of(name),
    )
