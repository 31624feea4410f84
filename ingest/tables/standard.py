"""The nine standard tables (公开01–09表), recognised by title, parsed by header meaning.

A table is identified from the text just above its grid: the title (or one of
its common aliases) wins; the 公开NN表 number is only a fallback, because
provinces number their tables differently.  Columns are understood from the
merged-header label path, rows from their labels or subject codes, so the
parser does not depend on column order, on which optional columns a province
prints, or on the text layout the grid came from.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ingest import vocab
from ingest.grids import Cell, Grid
from ingest.model import Observation, ParseIssue, Reject, TableCell
from ingest.normalize import squash
from ingest.numbers import DASHES, is_blank, money_to_wan, parse_plain, quantize
from ingest.tables.header import column_paths, leaf, placed_rows


@dataclass(frozen=True)
class TableDef:
    code: str
    title: str
    aliases: tuple[str, ...]
    layout: str  # two_sided | function | economic | measure_rows
    kind: str | None
    scope: str
    measure: str = "amount"  # what a value column holds unless its header says otherwise (budget tables: budget)


TABLE_DEFS: tuple[TableDef, ...] = (
    # 收入支出决算表 / 收入决算总表 / 支出决算总表 / 财政拨款收入支出决算表: 云南's and 陕西's names (2016-2024)
    TableDef("01", "收入支出决算总表", ("部门收入支出决算总表", "收入支出决算总表", "收入支出决算表"), "two_sided", None,
             "all"),
    TableDef("02", "收入决算表", ("部门收入决算表", "收入决算表", "收入决算总表"), "function", "revenue", "all"),
    TableDef("03", "支出决算表", ("部门支出决算表", "支出决算表", "支出决算总表"), "function", "expenditure", "all"),
    TableDef("04", "财政拨款收入支出决算总表", ("财政拨款收支决算总表", "财政拨款收入支出决算总表", "财政拨款收入支出决算表"),
             "two_sided", None, "fiscal"),
    # 一般公共预算财政拨款收入支出决算表 (云南): the 05 table with 年初结转和结余 | 本年收入 | 本年支出 | 年末结转和结余
    # columns, as 07 prints them for 政府性基金
    TableDef("05", "一般公共预算财政拨款支出决算表",
             ("一般公共预算财政拨款支出决算表", "一般公共预算支出决算表", "一般公共预算财政拨款支出决算明细表",
              "一般公共预算财政拨款收入支出决算表"),
             "function", "expenditure", "general_budget"),
    TableDef("06", "一般公共预算财政拨款基本支出决算明细表",
             ("一般公共预算财政拨款基本支出决算明细表", "一般公共预算财政拨款基本支出决算表", "一般公共预算基本支出决算表"),
             "economic", "expenditure_economic", "general_budget"),
    TableDef("07", "政府性基金预算财政拨款收入支出决算表",
             ("政府性基金预算财政拨款收入支出决算表", "政府性基金预算财政拨款支出决算表"), "function", "expenditure", "gov_fund"),
    TableDef("08", "国有资本经营预算财政拨款支出决算表",
             ("国有资本经营预算财政拨款支出决算表", "国有资本经营预算财政拨款收入支出决算表"), "function", "expenditure",
             "state_capital"),
    TableDef("09", "财政拨款“三公”经费及会议费、培训费支出决算表",
             ("财政拨款三公经费及会议费培训费支出决算表", "财政拨款三公经费支出决算表", "一般公共预算财政拨款三公经费支出决算表",
              "三公经费支出决算表"), "measure_rows", "three_public", "fiscal"),
    # 财政拨款 spending by function (the university template's 表4, some provinces' 公开05表).
    TableDef("10", "财政拨款支出决算表", ("财政拨款支出决算表", "财政拨款支出决算明细表"), "function", "expenditure", "fiscal"),
)

# The 部门预算 templates' standard tables (national and provincial names).  Their figures are budgets:
# read into raw with measure budget, under their own codes (B01…) so no 决算 table code is reused.
BUDGET_TABLE_DEFS: tuple[TableDef, ...] = (
    TableDef("B01", "收支预算总表", ("收支预算总表", "财务收支预算总表", "部门财务收支预算总表", "部门收支预算总表",
                                 "收支总表"), "two_sided", None, "all", "budget"),
    TableDef("B02", "收入预算表", ("收入预算表", "收入预算总表", "部门收入预算总表", "部门收入总表", "收入总表"),
             "function", "revenue", "all", "budget"),
    TableDef("B03", "支出预算表", ("支出预算表", "支出预算总表", "部门支出预算总表", "部门支出总表", "支出总表"),
             "function", "expenditure", "all", "budget"),
    TableDef("B04", "财政拨款收支预算总表", ("财政拨款收支预算总表", "部门财政拨款收支预算总表", "财政拨款收支总表"),
             "two_sided", None, "fiscal", "budget"),
    TableDef("B05", "一般公共预算支出预算表",
             ("一般公共预算支出预算表", "一般公共预算支出功能分类预算表", "部门一般公共预算支出功能分类预算表",
              "一般公共预算支出表", "一般公共预算支出情况表", "财政拨款支出预算表功能科目", "财政拨款支出预算表"),
             "function", "expenditure", "general_budget", "budget"),
    TableDef("B06", "一般公共预算基本支出预算表",
             ("一般公共预算基本支出预算表", "一般公共预算基本支出部门预算经济分类预算表", "一般公共预算基本支出表",
              "一般公共预算基本支出情况表", "一般公共预算基本支出经济分类预算表", "财政拨款基本支出预算表",
              "基本支出预算表"),
             "economic", "expenditure_economic", "general_budget", "budget"),
    TableDef("B07", "政府性基金预算支出表",
             ("政府性基金预算支出表", "政府性基金预算支出预算表", "政府性基金预算支出功能分类预算表",
              "部门政府性基金预算支出功能分类预算表", "政府性基金预算支出情况表", "政府性基金预算财政拨款支出预算表"), "function", "expenditure", "gov_fund", "budget"),
    TableDef("B08", "国有资本经营预算支出表",
             ("国有资本经营预算支出表", "国有资本经营预算支出预算表", "国有资本经营预算支出功能分类预算表",
              "部门国有资本经营预算支出功能分类预算表"), "function", "expenditure", "state_capital", "budget"),
    TableDef("B09", "“三公”经费预算表",
             ("三公经费预算表", "三公经费和机关运行经费预算表", "部门三公经费和机关运行经费预算表", "三公经费支出预算表",
              "一般公共预算三公经费支出预算表", "财政拨款三公经费预算表", "一般公共预算三公经费支出表",
              "三公经费支出表", "三公经费会议费培训费支出预算表"), "measure_rows", "three_public", "fiscal", "budget"),
)

# Tables beyond the standard nine that 决算 templates add (云南, 四川, 内蒙古 …): the marts have no place for
# their figures, which are loaded as they are printed (layout listing: kind other, or a count with its unit),
# under their own codes so none is read as another table's figures (项目支出决算表 is no 支出决算表).
# Recognised by a pattern on the cleaned title's end (titles vary more than for the nine).
EXTRA_TABLE_DEFS: tuple[tuple[re.Pattern[str], TableDef], ...] = tuple(
    (re.compile(pattern), TableDef(code, title, (), "listing", "other", "all", "value")) for pattern, code, title in (
        (r"项目(?:收入)?支出(?:决算)?(?:明细)?(?:情况)?表$", "X1", "项目支出决算表"),
        (r"机[关构]运行经费(?:支出)?(?:决算)?(?:情况)?表$", "X2", "机关运行经费支出表"),
        (r"政府采购(?:支出)?(?:决算)?(?:情况|信息)?表$", "X3", "政府采购情况表"),
        (r"国有资产(?:占用|使用)(?:情况)?表$|资产占用情况及政府采购支出信息表$", "X4", "国有资产占用情况表"),
    ))
# a 三公 table whatever else its title names (“三公”经费、行政参公单位机关运行经费情况表): 09 in a 决算
_THREE_PUBLIC_TITLE = re.compile(r"^[^，。；：]{0,30}三公经费[^，。；：]{0,30}(?:决算|情况|统计)表$")

# The university template (高等学校…决算表, 表1–表9) names the same tables with the 高等学校 prefix and
# 收支 for 收入支出; the aliases below and the 8-character prefix allowance of identify() cover it.
# Budget templates' row labels that the 决算 vocabulary (ingest.vocab) does not know, (pattern on a cleaned
# label, kind, item).  Budget tables try these after the vocabulary.
_BUDGET_LABELS = [(re.compile(p), kind, item) for p, kind, item in (
    (r"^一般公共预算(?:资金|收入|拨款|拨款收入)?$", "revenue", "general_budget"),
    (r"^政府性基金(?:预算)?(?:资金|收入|拨款|拨款收入)?$", "revenue", "gov_fund"),
    (r"^国有资本经营预算(?:资金|收入|拨款|拨款收入)?$", "revenue", "state_capital"),
    (r"^财政拨款(?:资金|收入)?$", "revenue", "fiscal_total"),
    (r"^事业单位经营收入$", "revenue", "operating"),
    (r"^(?:当年|本年)收入(?:小计|合计)$", "revenue", "current_total"),
    (r"^收入(?:总计|合计)$", "revenue", "grand_total"),
    (r"^上年结转(?:资金|和结余)?(?:资金)?$", "revenue", "carryover_begin"),
    (r"^(?:当年|本年)支出(?:小计|合计)$", "expenditure", "total"),
    (r"^支出(?:总计|合计)$", "expenditure", "grand_total"),
    (r"^结转下年(?:资金)?$", "expenditure", "carryover_end"),
)]


def budget_item(label: str, kind: str) -> str | None:
    """Item of a budget table's row label (see _BUDGET_LABELS), for the side's kind."""
    t = vocab.clean_label(label)
    return next((item for pattern, k, item in _BUDGET_LABELS if k == kind and pattern.match(t)), None)


_UNIVERSITY_ALIASES = {"01": ("收支决算总表", "高等学校收支决算总表"), "04": ("财政拨款收支决算总表",)}

_BY_CODE = {t.code: t for t in TABLE_DEFS}
_ALIASES = sorted(
    {(squash(vocab.clean_label(a)), t) for t in (*TABLE_DEFS, *BUDGET_TABLE_DEFS)
     for a in (t.title, *t.aliases, *_UNIVERSITY_ALIASES.get(t.code, ()))},
    key=lambda pair: (len(pair[0]), pair[1].code),
    reverse=True,
)
# the aliases by their last character, longest first as in _ALIASES: a title equal to or ending with an
# alias ends with the alias's last character, so only that bucket is tried
_ALIASES_BY_LAST: dict[str, list[tuple[str, TableDef]]] = {}
for _alias, _tdef in _ALIASES:
    _ALIASES_BY_LAST.setdefault(_alias[-1], []).append((_alias, _tdef))
_CODE_RE = re.compile(r"公开\s*0?(\d{1,2})\s*表")
# 单位：万元, 金额单位：元, 单位：人民币元, 单位（万元）
_UNIT_RE = re.compile(r"单位\s*(?:[:：]\s*(?:人民币)?|[（(])\s*(万元|元|亿元|千元)")
_HEADER_UNIT_RE = re.compile(r"[（(](万元|元|亿元|千元)[）)]")
_TITLE_NOISE = re.compile(r"[（(][^（）()]{0,8}[）)]")  # 财政拨款支出预算表（功能科目）


def identify(grid: Grid) -> TableDef | None:
    """Title first (longest alias that a context line equals or ends with), then 公开NN表."""
    by_title: TableDef | None = None
    by_code: TableDef | None = None
    texts = [text for _, text in grid.context]
    # nearest first; a title a hard wrap cut over two lines ("…会议费、培训费支出决" / "算表") is read joined too
    # (a line is cleaned only while no title is found, and the search stops once both are: what is found first
    # is kept, so reading the farther lines changed nothing)
    for k in range(len(texts) - 1, -1, -1):
        text = texts[k]
        if by_title is None:
            # an extra table's title only from the title block (its last lines): a farther one may be the
            # title of an empty table above, and this grid a 绩效自评表
            t = vocab.clean_label(text)
            by_title = _by_alias(t) or (_extra_of(t) if k >= len(texts) - _TITLE_BLOCK else None)
            if by_title is None and k:
                t = vocab.clean_label(texts[k - 1] + text)
                by_title = _by_alias(t) or (_extra_of(t) if k >= len(texts) - _TITLE_BLOCK else None)
        if by_code is None and "表" in text:
            m = _CODE_RE.search(text)
            if m:
                by_code = _BY_CODE.get(f"{int(m.group(1)):02d}")
        if by_title is not None and by_code is not None:
            break
    if by_title is None and by_code is None:
        return None
    if by_title is None and _is_budget_context(grid.context_text()):
        return None  # 公开NN表 numbers a budget's tables differently: never read a budget table as a 决算 one
    if not _looks_tabular(grid):
        return None
    return by_title or by_code


_TITLE_BLOCK = 5  # context lines of a grid's title block: title, number, 编制单位, 单位, a note


def _extra_of(t: str) -> TableDef | None:
    """The extra table (EXTRA_TABLE_DEFS) a cleaned title line names, else None."""
    if len(t) > 60 or "表" not in t:
        return None
    t = _TITLE_NOISE.sub("", t).replace("、", "")
    if not t.endswith(_EXTRA_ENDINGS):
        return None  # (every pattern ends in 表$: most title lines are tried against none of them)
    return next((tdef for pattern, tdef in EXTRA_TABLE_DEFS if pattern.search(t)), None)


# what an EXTRA_TABLE_DEFS pattern's match ends the text with ($ also matches before a final line break)
_EXTRA_ENDINGS = ("表", "表\n")


def title_of(text: str) -> TableDef | None:
    """The standard table a line names as its title (or a 目录 entry names), else None."""
    t = vocab.clean_label(re.sub(r"[.…·\s]+\d*$", "", text))
    if not t or len(t) > 40:
        return None
    return _by_alias(t)


# Words before a title that make it another table of the same shape (政府采购支出预算表 is no 支出预算表,
# 项目支出预算表 lists projects; 收入支出决算表 is no 支出决算表, 财政拨款基本支出决算表 no 支出决算表 either):
# a title ending with an alias names that table only when what precedes the alias (a unit, a year, 部门,
# 高等学校 …) is none of these.  A table whose name does hold such words has an alias of its own, tried
# first (longest alias first).  Fund words (_FUND_PREFIX) before an alias that names no fund make another
# table (财政拨款支出决算表 is not 支出决算表); before one that names a fund they only narrow it
# (一般公共预算 + 财政拨款支出预算表).
_OTHER_TABLE = re.compile(r"政府采购|采购|项目|机关运行|绩效|专项|转移支付|资产|债务|收费|收入|基本|三公|明细")
_FUND_PREFIX = re.compile(r"财政拨款|一般公共预算|政府性基金|国有资本")
# A year before the table name ("某县农业农村局2023年度收入支出决算总表"): the unit's name may stand before it,
# so the words before an alias may then be longer than _PREFIX (but no sentence: no punctuation).
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年度?")
_PREFIX, _PREFIX_WITH_YEAR = 8, 30
_SENTENCE = re.compile(r"[，。；：,;:！？]")


def _by_alias(t: str) -> TableDef | None:
    """The table a cleaned title line names: equal to an alias, or ending with one after at most 8
    characters that do not make it another table (_OTHER_TABLE).  A pure function of the text, cached
    for texts of at most 400 characters: every grid's title block is asked, and title blocks repeat."""
    return _cached_by_alias(t) if len(t) <= 400 else _alias_of(t)


@lru_cache(maxsize=1 << 14)
def _cached_by_alias(t: str) -> TableDef | None:
    return _alias_of(t)


def _alias_of(t: str) -> TableDef | None:
    for candidate in (t, _TITLE_NOISE.sub("", t).replace("、", "")):
        for alias, tdef in _ALIASES_BY_LAST.get(candidate[-1:], ()):
            if candidate == alias or (candidate.endswith(alias)
                                      and _unit_prefix(candidate[:len(candidate) - len(alias)], alias)):
                return tdef
    if _THREE_PUBLIC_TITLE.match(candidate) and ("决算" in candidate or "预算" not in candidate):
        return _BY_CODE["09"]
    return None


def _unit_prefix(prefix: str, alias: str) -> bool:
    """Whether the words before ``alias`` in a title are a unit, a year, 部门 … (see _OTHER_TABLE, _YEAR)."""
    if _OTHER_TABLE.search(prefix) or (_FUND_PREFIX.search(prefix) and not _FUND_PREFIX.search(alias)):
        return False
    if len(prefix) <= _PREFIX:
        return True
    return bool(_YEAR.search(prefix)) and len(prefix) <= _PREFIX_WITH_YEAR and not _SENTENCE.search(prefix)


def _looks_tabular(grid: Grid) -> bool:
    return any(len(row) >= 3 for row in grid.rows)


def _is_budget_context(text: str) -> bool:
    return "预算" in text and "决算" not in text


def table_unit(grid: Grid) -> str:
    """The money unit the table is printed in: 单位：元/万元/千元/亿元 in its title block or its first rows
    (a header cell 单位：元, or 金额（元） in a table read as cells); 万元 when none is stated."""
    m = _UNIT_RE.search(grid.context_text())
    if m:
        return m.group(1)
    head = "\n".join(c.text for row in grid.rows[:3] for c in row if parse_plain(c.text) is None)
    m = _UNIT_RE.search(head) or (_HEADER_UNIT_RE.search(head) if grid.layout not in ("tsv", "cells") else None)
    if m:
        return m.group(1)
    return "万元"


_EXTRA_DECIMALS = {"元": 4, "千元": 1, "万元": 0, "万": 0, "亿元": -4}


def wan_decimals(decimals: int, unit: str) -> int:
    """Decimals of a figure once converted to 万元: a 元 figure printed with 2 decimals is exact to 6 in 万元."""
    return max(decimals + _EXTRA_DECIMALS.get(unit, 0), 0)


# ---------------------------------------------------------------- helpers
_CODE_FULL = re.compile(r"^(\d{3}(?:\d{2}){0,2})$")
_CODE_LEADING = re.compile(r"^(\d{3}(?:\d{2}){0,2})\s*(\S.*)$")
_CODE_LEAVES = ("科目代码", "科目编码", "功能分类科目编码", "功能科目编码", "功能科目代码", "经济分类科目编码",
                "经济科目编码", "经济科目代码", "编码", "代码")
_NAME_LEAVES = ("科目名称", "功能科目名称", "功能分类科目名称", "经济科目名称", "经济分类科目名称", "名称", "项目")
_LABEL_LEAVES = {*_CODE_LEAVES, *_NAME_LEAVES, "行次", "类", "款", "项", "栏次", "序号"}


def _code_column(grid: Grid, body_start: int, col: int) -> int:
    """The column that holds the body's subject codes under a header code column ``col``: ``col`` itself,
    or the column just left of it when the codes are printed there and ``col`` holds none (a PDF whose
    code boxes are wider than the header's: the header's label then starts one column right of them)."""
    def codes(j: int) -> int:
        return sum(1 for row in grid.rows[body_start:] if j < len(row) and _CODE_FULL.match(squash(row[j].text)))
    if col > 0 and codes(col) == 0 and codes(col - 1) > 0:
        return col - 1
    return col


def _split_header(grid: Grid) -> tuple[int, int | None]:
    """Index of the first body row, and index of the 栏次 row if there is one."""
    for r, row in enumerate(grid.rows[:8]):
        if any(squash(c.text) == "栏次" for c in row):
            return r + 1, r
    # No 栏次 row: the header ends at the first row holding a number outside label columns — unless that row
    # numbers the columns 1, 2, 3 … without saying 栏次 (a table without a label column): it is the 栏次 row.
    for r, row in enumerate(grid.rows[:8]):
        if any(parse_plain(c.text) is not None and c.col >= 2 for c in row):
            if r > 0 and _numbers_columns(row):
                return r + 1, r
            return r, None
    return min(1, len(grid.rows)), None


def _numbers_columns(row: list[Cell]) -> bool:
    """Whether a row's cells are the column numbers 1, 2, 3 … (at least 3 of them, integers, nothing else)."""
    texts = [squash(c.text) for c in row if squash(c.text)]
    return len(texts) >= 3 and texts == [str(k) for k in range(1, len(texts) + 1)]


_FUND_WORDS = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算|社会保险基金预算")


def _measure(path: list[str], default: str = "amount") -> str:
    """amount, or a budget measure when the column header says so (fund names aside); budget tables'
    columns are budgets (``default``).  Asked for every figure of a standard table (≈ 300 a report) of a few
    column paths: a path without 预算 is ``default`` at once (the fund names' removal cannot add one), the others
    are cached by their text."""
    joined = "".join(path)
    if "预算" not in joined:
        return default
    return _budget_measure(joined, default)


@lru_cache(maxsize=1 << 10)
def _budget_measure(joined: str, default: str) -> str:
    """:func:`_measure` of a column path's joined text."""
    joined = _FUND_WORDS.sub("", joined)
    if "年初预算" in joined:
        return "budget_initial"
    if "预算" in joined and "决算" not in joined:
        return "budget"
    return default


_AMOUNT_LEAF = re.compile(r"^(?:本年|本期)(?:决算)?(?:数|金额|合计)$|^决算(?:金额|合计)$|^金额合计$")


def _column_metric(path: list[str], default_kind: str | None, budget: bool = False) -> tuple[str, str] | None:
    """(kind, item) for a value column of a function-coded table."""
    if not path:
        return None
    lf = vocab.clean_label(leaf(path))
    ancestors = "".join(path[:-1])
    if _AMOUNT_LEAF.match(lf):
        lf = "金额"  # 本年决算数, 决算金额, 本年数 …: the amount column, as 决算数 / 金额
    if lf in ("小计", "合计", "计", "决算数", "金额") and len(path) >= 2:
        parent = vocab.clean_label(path[-2])  # 事业收入 / 金额: the amount of the parent's item
        if vocab.revenue_item(parent) not in (None, "current_total", "grand_total"):
            return "revenue", vocab.revenue_item(parent)
        if vocab.expenditure_item(parent) not in (None, "total", "grand_total"):
            return "expenditure", vocab.expenditure_item(parent)
    if lf in ("小计", "合计", "计", "决算数", "金额"):
        if "收入" in ancestors:
            return "revenue", "current_total"
        if "支出" in ancestors or default_kind == "expenditure":
            return "expenditure", "total"
        if default_kind == "revenue":
            return "revenue", "current_total"
        return None
    if lf == "本年收入":
        return "revenue", "current_total"
    if lf == "本年支出":
        return "expenditure", "total"
    item = vocab.expenditure_item(lf)
    if item:
        return "expenditure", item
    item = vocab.revenue_item(lf)
    if item:
        return "revenue", item
    if budget:
        for kind in ("revenue", "expenditure"):
            item = budget_item(lf, kind)
            if item:
                return kind, item
    return None


class _Emitter:
    """Collects observations, cells and rejects for one table."""

    def __init__(self, grid: Grid, tdef: TableDef, table_no: int, fiscal_year: int | None, unit: str):
        self.grid, self.tdef, self.table_no, self.year, self.unit = grid, tdef, table_no, fiscal_year, unit
        self.observations: list[Observation] = []
        self.rejects: list[Reject] = []
        self.issues: list[ParseIssue] = []
        self.roles: dict[tuple[int, int], str] = {}
        self.values: dict[tuple[int, int], Decimal] = {}
        self.skip: set[int] = set()  # body rows that do not line up with the header
        self.paths: list[list[str]] = []  # column label paths (set by parse)
        self._snippets: dict[int, str] = {}  # id(row) → snippet (rows live as long as the grid)
        self.section = f"公开{tdef.code}表 {tdef.title}"  # every figure's section

    def check_alignment(self, body_start: int, width: int, strict: bool = False) -> None:
        """A figure right of the header's last column means the row's cells slid: none of its figures can
        be attributed to a column, so the row is rejected whole and the document marked partial.  With
        ``strict`` (one cell per line, where every cell of a row is printed, blank or not) a row with more
        cells than the table has columns slid too, even when its last cells are blank."""
        for r in range(body_start, len(self.grid.rows)):
            row = self.grid.rows[r]
            beyond = [c for c in row if c.col >= width and parse_plain(c.text) is not None]
            if strict and not beyond and len(row) > width:
                beyond = [c for c in row if parse_plain(c.text) is not None][:1]
            if not beyond:
                continue
            self.skip.add(r)
            self.issues.append(ParseIssue(
                "error", f"line {beyond[0].line_no}",
                f"公开{self.tdef.code}表: row does not line up with the header ({len(row)} cells, header has {width}); "
                "its figures were not loaded"))
            for cell in row:
                if parse_plain(cell.text) is not None:
                    self.roles[(r, cell.col)] = "misaligned"
                    self.rejects.append(Reject(cell.line_no, cell.text, "row_misaligned", self.snippet(row), "table",
                                           cell.ref))

    def snippet(self, row: list[Cell]) -> str:
        """The row as printed (cells joined by " | ", at most 240 characters), built once per row: a row of n
        figures asks for it n times, and rebuilding it each time made a very wide row quadratic."""
        key = id(row)
        text = self._snippets.get(key)
        if text is None:
            text = self._snippets[key] = " | ".join(c.text for c in row if c.text)[:240]
        return text

    def value(self, r: int, cell: Cell, row: list[Cell], kind: str, measure: str, item: str | None,
              scope: str | None, function_code: str | None = None, subject_name: str | None = None,
              economic_code: str | None = None, flags: str | None = None, count_unit: str | None = None) -> None:
        """One figure: money converted from the table's unit to 万元, or with ``count_unit`` a count (车辆数,
        批次 …) kept as printed in that unit.  (The two callers of the 功能分类 and 收入/支出 layouts, ≈ 300 figures
        a report, pass their arguments by position: ≈ 1 µs less a call than by keyword on CPython 3.11.)"""
        text = cell.text
        stripped = text.strip()  # is_blank and is_dash of a cell's text (never None), stripped once
        if not stripped:
            self.roles[(r, cell.col)] = "blank"
            return
        if stripped in DASHES:
            self.roles[(r, cell.col)] = "dash"
            return
        parsed = parse_plain(text)
        if parsed is None:
            self.roles[(r, cell.col)] = "text"
            self.rejects.append(Reject(cell.line_no, text, "malformed_number", self.snippet(row), "table", cell.ref))
            return
        money = count_unit is None
        value = quantize(money_to_wan(parsed.value, self.unit)) if money else parsed.value
        unit = self.unit if money else count_unit
        self.roles[(r, cell.col)] = "value"
        self.values[(r, cell.col)] = value
        # positional, in the order of Observation's fields (see ingest.model: 3x cheaper than by keyword)
        self.observations.append(
            Observation(
                kind, measure, value, "万元" if money else unit,  # kind, measure, value, unit
                f"{text}{'' if unit == '万元' or not money else unit}", "table", cell.line_no,  # value_text … line_no
                item, scope, self.year, function_code, subject_name, economic_code,  # item … economic_code
                None, None, None, None, None,  # project, project_kind, project_key, indicator_no, ref_key
                wan_decimals(parsed.decimals, self.unit) if money else parsed.decimals,  # decimals
                unit, self.tdef.code, self.table_no, cell.col,  # printed_unit, table_code, table_no, col_no
                self.section, self.snippet(row), flags, cell.ref,  # section, snippet, flags, source_ref
            )
        )

    def unmapped(self, r: int, cell: Cell, row: list[Cell], reason: str, label: str | None = None) -> None:
        if self.tdef.measure == "budget" and reason in ("unmapped_row", "unmapped_column") \
                and parse_plain(cell.text) is not None:
            # A budget template's line the 决算 vocabulary has no item for (单位预留机动经费 …): kept with its
            # printed row label as a figure of kind other, so nothing printed is lost.
            label = label or next((c.text for c in row if c.text.strip() and parse_plain(c.text) is None), None)
            column = "/".join(self.paths[cell.col]) if cell.col < len(self.paths) else ""
            self.value(r, cell, kind="other", measure="budget", item=None, scope=self.tdef.scope,
                       subject_name="/".join(x for x in (label, column) if x) or None, row=row)
            return
        if parse_plain(cell.text) is not None:
            self.roles[(r, cell.col)] = "value"
            self.rejects.append(Reject(cell.line_no, cell.text, reason, self.snippet(row), "table", cell.ref))

    def cells(self, header_end: int) -> list[TableCell]:
        """Every cell of the grid with its role and value (one TableCell a cell: the table's attributes and
        the role/value maps are looked up once, not once per cell)."""
        out: list[TableCell] = []
        append = out.append
        no, code, title = self.table_no, self.tdef.code, self.tdef.title
        roles, values = self.roles.get, self.values.get
        rows = self.grid.rows
        for r in range(min(header_end, len(rows))):
            for cell in rows[r]:
                col = cell.col
                append(TableCell(no, code, title, r, col, cell.line_no, cell.text, values((r, col)), "header", cell.ref))
        for r in range(max(header_end, 0), len(rows)):
            for cell in rows[r]:
                key = (r, cell.col)
                text = cell.text
                append(TableCell(no, code, title, r, key[1], cell.line_no, text, values(key),
                                 roles(key, "label" if text else "blank"), cell.ref))
        return out


# ---------------------------------------------------------------- layouts
def _blank_or_dash(em: _Emitter, r: int, cell: Cell) -> bool:
    """What _Emitter.value does first, for the hot callers before they work out a figure's measure, scope and
    flags: a blank or dash cell gets its role and no figure (True).  Two thirds of the cells these callers
    hand over are blank or dashes."""
    text = cell.text.strip()
    if text and text not in DASHES:
        return False
    em.roles[(r, cell.col)] = "dash" if text else "blank"
    return True


def _function_code(row: list[Cell], code_cols: list[int], split_cols: dict[str, int], carry: dict[str, str]) -> tuple[str | None, str | None]:
    """(code, leftover name) from a joined code column or from split 类/款/项 columns."""
    if split_cols:
        parts = {}
        for key in ("类", "款", "项"):
            col = split_cols.get(key)
            text = squash(row[col].text) if col is not None and col < len(row) else ""
            parts[key] = text if text.isdigit() else ""
        if not any(parts.values()):
            return None, None
        if parts["类"]:
            carry["类"], carry["款"] = parts["类"], ""
        if parts["款"]:
            carry["款"] = parts["款"]
        lei = carry.get("类", "")
        if parts["项"]:
            return lei + carry.get("款", "") + parts["项"], None
        if parts["款"]:
            return lei + parts["款"], None
        return lei or None, None
    parts = [squash(row[col].text) for col in code_cols if col < len(row)]
    parts = [p for p in parts if p]
    if len(parts) >= 2 and len(parts[0]) == 3 and all(len(p) == 2 and p.isdigit() for p in parts[1:3]) \
            and parts[0].isdigit():
        return "".join(parts[:3]), None  # one code printed over its 类 | 款 | 项 columns
    for col in code_cols:
        if col >= len(row):
            continue
        text = row[col].text.strip()
        m = _CODE_FULL.match(squash(text))
        if m:
            return m.group(1), None
        m = _CODE_LEADING.match(text)
        if m:
            return m.group(1), m.group(2).strip()
    return None, None


_TOTAL_LABELS = ("合计", "总计", "本年合计", "本年支出合计", "本年收入合计", "合计数", "支出合计", "收入合计")


def _parse_function(em: _Emitter, body_start: int, paths: list[list[str]]) -> None:
    tdef = em.tdef
    leaves = [squash(leaf(p)) for p in paths]
    code_cols = [_code_column(em.grid, body_start, j) for j, lf in enumerate(leaves) if lf in _CODE_LEAVES]
    split_cols = {lf: j for j, lf in enumerate(leaves) if lf in ("类", "款", "项")}
    name_cols = [j for j, lf in enumerate(leaves) if lf in _NAME_LEAVES]
    label_cols = set(code_cols) | set(split_cols.values()) | set(name_cols) | {j for j, lf in enumerate(leaves) if lf in _LABEL_LEAVES}
    only_metrics = not code_cols and not split_cols and not name_cols and bool(paths) \
        and _column_metric(paths[0], tdef.kind, tdef.measure == "budget") is not None
    if only_metrics:
        label_cols = set()  # one row of totals under metric headers (合计 | 基本支出 | 项目支出 …)
    elif not code_cols and not split_cols and not name_cols:
        code_cols, name_cols = [0], [1]
        label_cols = {0, 1}
    value_cols = [j for j in range(len(paths)) if j not in label_cols]
    metrics = {j: _column_metric(paths[j], tdef.kind, tdef.measure == "budget") for j in value_cols}
    carry: dict[str, str] = {}
    seen_total = False
    group: str | None = None  # the group label of a budget table's labelled rows (一般公共预算资金 | 小计)
    for r in range(body_start, len(em.grid.rows)):
        if r in em.skip:
            continue
        row = em.grid.rows[r]
        code, name = _function_code(row, code_cols, split_cols, carry)
        if name is None:
            name = next((row[j].text.strip() for j in name_cols if j < len(row) and row[j].text.strip()), None)
        labels = "".join(squash(row[j].text) for j in sorted(label_cols) if j < len(row)
                         if squash(row[j].text) not in ("类", "款", "项"))
        is_total = code is None and (labels in _TOTAL_LABELS or only_metrics)
        seen_total |= is_total
        if code is None and not is_total and tdef.measure == "budget" and labels:
            item, code, group = _labelled_row([row[j].text for j in sorted(label_cols) if j < len(row)],
                                              tdef.kind, group)
            if code is None:
                _emit_labelled(em, r, row, metrics, paths, item)
                continue
            name = vocab.clean_label(name or labels)
        if code is None and not is_total and not name:
            for cell in row:
                em.unmapped(r, cell, row, "row_without_subject")
            continue
        for cell in row:
            if cell.col not in metrics:
                continue
            metric = metrics[cell.col]
            if metric is None:
                em.unmapped(r, cell, row, "unmapped_column")
                continue
            if _blank_or_dash(em, r, cell):
                continue
            kind, item = metric
            scope = tdef.scope
            em.value(r, cell, row, kind, _measure(paths[cell.col], tdef.measure), item, scope,
                     None if is_total else code, None if is_total else name)  # function_code, subject_name
    if len(em.grid.rows) > body_start and not seen_total and tdef.measure != "budget":
        em.issues.append(ParseIssue("error", f"line {em.grid.first_line}", f"公开{tdef.code}表 has no 合计 row"))


def _labelled_row(texts: list[str], kind: str | None, group: str | None) -> tuple[str | None, str | None, str | None]:
    """A budget table's row with no subject code, labelled instead (江苏's 收入预算总表 lists 收入总计, then
    一般公共预算资金 | 小计, 政府性基金 | 小计 …) → (item, 类 code, group label for the rows below).

    收入/支出总计 is the grand total; 小计/合计 under a group label is the group's item; a 类 printed by name
    is that 类 (its code from the seed); a label the vocabulary knows is its item; None otherwise."""
    clean = [vocab.clean_label(t) for t in texts]
    group = clean[0] if clean and clean[0] else group
    last = next((t for t in reversed(clean) if t), "")
    if "".join(clean) in ("收入总计", "支出总计"):
        return "grand_total", None, group
    if kind == "expenditure" and vocab.function_class_code(last):
        return "total", vocab.function_class_code(last), group
    label = group if last in ("小计", "合计") else last
    if not label or kind not in ("revenue", "expenditure"):
        return None, None, group
    by_vocab = vocab.revenue_item(label) if kind == "revenue" else vocab.expenditure_item(label)
    return budget_item(label, kind) or by_vocab, None, group


def _emit_labelled(em: _Emitter, r: int, row: list[Cell], metrics: dict, paths: list[list[str]], item: str | None) -> None:
    """The figures of a labelled row (_labelled_row): under the table's amount column (合计 / 金额) they are
    the row's item; under any other column, or with no item, they are kept unmapped (kind other)."""
    for cell in row:
        if cell.col not in metrics:
            continue
        metric = metrics[cell.col]
        if item is None or metric is None or metric[1] not in ("total", "current_total"):
            em.unmapped(r, cell, row, "unmapped_row")
            continue
        em.value(r, cell, kind=metric[0], measure=_measure(paths[cell.col], em.tdef.measure), item=item,
                 scope=em.tdef.scope, row=row)


_SIDE_LABEL = re.compile(r"项目(?:名称)?(?:[（(].*[）)])?$|(?:功能)?科目名称$")


def _sides(paths: list[list[str]]) -> list[tuple[int, int]]:
    starts = [j for j, p in enumerate(paths) if _SIDE_LABEL.match(squash(leaf(p)))]
    if not starts:
        return [(0, len(paths))]
    return [(s, starts[k + 1] if k + 1 < len(starts) else len(paths)) for k, s in enumerate(starts)]


def _parse_two_sided(em: _Emitter, body_start: int, paths: list[list[str]]) -> None:
    tdef = em.tdef
    sides = _sides(paths)
    totals_found = {"revenue": False, "expenditure": False}
    for side_no, (a, b) in enumerate(sides):
        side_text = "".join(paths[a][:1]) if paths[a] else ""
        side_kind = "revenue" if ("收入" in side_text or (side_no == 0 and "支出" not in side_text)) else "expenditure"
        value_cols = [j for j in range(a + 1, b) if squash(leaf(paths[j])) not in _LABEL_LEAVES]
        sub_context: str | None = None
        for r in range(body_start, len(em.grid.rows)):
            if r in em.skip:
                continue
            row = em.grid.rows[r]
            label_cell = row[a] if a < len(row) else None
            label = label_cell.text.strip() if label_cell else ""
            cells = [row[j] for j in value_cols if j < len(row)]
            if not label and side_no > 0 and any(parse_plain(c.text) is not None for c in cells):
                # 当年支出小计 printed across the previous side's columns, its figure in this side's column
                pa = sides[side_no - 1][0]
                left = row[pa].text.strip() if pa < len(row) else ""
                if left and all(is_blank(row[j].text) for j in range(pa + 1, a) if j < len(row)):
                    label = left
            if not label:
                for cell in cells:
                    em.unmapped(r, cell, row, "row_without_label")
                continue
            clean = vocab.clean_label(label)
            subject_name = function_code = None
            if side_kind == "revenue":
                item = vocab.revenue_item(label)
                if tdef.measure == "budget":  # 收入合计 closes a budget's revenue side
                    item = budget_item(label, "revenue") or item
                elif item is None and budget_item(label, "revenue") == "carryover_begin":
                    item = "carryover_begin"  # 上年结转和结余 (university and older templates)
                if clean in ("总计", "合计"):
                    item = "grand_total"
                scope_of_row = None
                if item == "carryover_begin":
                    sub_context = item
                elif sub_context and "收入" not in clean and vocab.fund_scope(label):
                    item, scope_of_row = sub_context, vocab.fund_scope(label)
                elif item:
                    sub_context = None
                kind = "revenue"
            else:
                item = vocab.expenditure_item(label)
                if tdef.measure == "budget":
                    item = budget_item(label, "expenditure") or item
                if clean in ("总计", "合计"):
                    item = "grand_total"
                scope_of_row = None
                if item == "carryover_end":
                    sub_context = item
                elif sub_context and vocab.fund_scope(label) and not vocab.function_class(label):
                    item, scope_of_row = sub_context, vocab.fund_scope(label)
                elif item:
                    sub_context = None
                if item is None and vocab.function_class(label):
                    # a 类 row listed on the expenditure side (功能分类 column of a 收支总表): its 类 total
                    item, subject_name, function_code = "total", clean, vocab.function_class_code(label)
                kind = "expenditure"
            if item == "grand_total":
                totals_found[kind] = True
            for cell in cells:
                if item is None:
                    em.unmapped(r, cell, row, "unmapped_row", label)
                    continue
                if _blank_or_dash(em, r, cell):
                    continue
                # 财政拨款收支总表 (04, B04): columns per fund (合计 | 一般公共预算 | 政府性基金预算 | …)
                col_scope = vocab.fund_scope(leaf(paths[cell.col])) if tdef.scope == "fiscal" else None
                scope = scope_of_row or col_scope or tdef.scope
                em.value(r, cell, row, kind, _measure(paths[cell.col], tdef.measure), item, scope, function_code,
                         subject_name, None, "of_which" if vocab.of_which(label) else None)  # economic_code, flags
    for kind, found in totals_found.items():
        if not found and len(em.grid.rows) > body_start and tdef.measure != "budget":
            em.issues.append(ParseIssue("error", f"line {em.grid.last_line}",
                                        f"公开{tdef.code}表 ends without its {kind} 总计 row (truncated?)"))


def _parse_economic(em: _Emitter, body_start: int, paths: list[list[str]], whole: bool = False) -> None:
    """基本支出 by 经济分类 (06, B06): code | name | figures, in one or several column groups; 人员经费合计 /
    公用经费合计 footers.  With ``whole`` (a table defined by function whose rows are 经济分类 codes — 四川's
    …支出决算明细表 — see _economic_codes) each column says its item (_whole_item: 合计 total, 基本支出 basic,
    项目支出 project, 人员经费 / 公用经费) and a 合计 row gives the table's totals."""
    header = em.grid.rows[max(body_start - 1, 0)]
    header_key = [squash(c.text) for c in header]
    starts = [_code_column(em.grid, body_start, c.col) for c in header if squash(c.text) in _CODE_LEAVES]
    if not starts:
        starts = [0]
    groups = [(s, starts[k + 1] if k + 1 < len(starts) else max(len(r) for r in em.grid.rows)) for k, s in enumerate(starts)]
    for r in range(body_start, len(em.grid.rows)):
        if r in em.skip:
            continue
        row = em.grid.rows[r]
        if [squash(c.text) for c in row] == header_key:
            continue  # header repeated after a page break
        for a, b in groups:
            cells = [c for c in row if a <= c.col < b]
            if not cells:
                continue
            code_text = squash(cells[0].text)
            name = cells[1].text.strip() if len(cells) > 1 else ""
            values = cells[2:]
            kuan = squash(name)
            if len(cells) > 2 and parse_plain(cells[2].text) is None and (
                    (re.fullmatch(r"\d{3}", code_text) and re.fullmatch(r"\d{2}", kuan))
                    or (not kuan and _CODE_FULL.match(code_text))):
                # the code printed over 类 | 款 columns, or in a box wider than its header's (an empty
                # column between code and name): the name in the third
                code_text, name, values = code_text + kuan, cells[2].text.strip(), cells[3:]
            label = vocab.clean_label(code_text + name)
            footer = vocab.expenditure_item(code_text) or vocab.expenditure_item(name)
            if footer in ("personnel", "public_funds"):
                for cell in [c for c in cells[1:] if parse_plain(c.text) is not None or is_blank(c.text)]:
                    if parse_plain(cell.text) is not None:
                        em.value(r, cell, kind="expenditure", measure=em.tdef.measure, item=footer, scope=em.tdef.scope,
                                 subject_name=label, row=row)
                continue
            if em.tdef.measure == "budget" and vocab.clean_label(code_text + name) in _TOTAL_LABELS:
                for cell in [c for c in cells[1:] if parse_plain(c.text) is not None]:
                    # a budget table's 合计 row: the unit's basic budget and its 人员经费 / 公用经费
                    lf = squash(leaf(paths[cell.col])) if cell.col < len(paths) else ""
                    item = "personnel" if "人员经费" in lf else "public_funds" if "公用经费" in lf else "basic"
                    em.value(r, cell, kind="expenditure", measure="budget", item=item, scope=em.tdef.scope,
                             row=row)
                continue
            if whole and label in _TOTAL_LABELS:
                for cell in values:
                    path = paths[cell.col] if cell.col < len(paths) else []
                    if squash(leaf(path)) not in _LABEL_LEAVES:
                        em.value(r, cell, kind="expenditure", measure=_measure(path, em.tdef.measure),
                                 item=_whole_item(path), scope=em.tdef.scope, row=row)
                continue
            if not _CODE_FULL.match(code_text) or len(code_text) not in (3, 5):
                for cell in values:
                    em.unmapped(r, cell, row, "row_without_subject")
                continue
            for cell in values:
                path = paths[cell.col] if cell.col < len(paths) else []
                lf = squash(leaf(path))
                if whole and lf in _LABEL_LEAVES:
                    continue
                item = _whole_item(path) if whole else \
                    "personnel" if "人员经费" in lf else "public_funds" if "公用经费" in lf else "basic"
                em.value(r, cell, kind="expenditure_economic", measure=_measure(path, em.tdef.measure), item=item,
                         scope=em.tdef.scope, economic_code=code_text, subject_name=name, row=row)


def _whole_item(path: list[str]) -> str:
    """The item of a column of an 经济分类 table that is not only 基本支出: 人员经费 / 公用经费, 项目支出 or 基本支出
    (a column or its parent), another expenditure the vocabulary knows (上缴上级支出 …), else total (合计)."""
    lf = vocab.clean_label(leaf(path))
    joined = "".join(vocab.clean_label(p) for p in path)
    if "人员经费" in lf:
        return "personnel"
    if "公用经费" in lf:
        return "public_funds"
    if "项目支出" in joined:
        return "project"
    if "基本支出" in joined:
        return "basic"
    item = vocab.expenditure_item(lf)
    return item if item not in (None, "grand_total") else "total"


def _economic_codes(grid: Grid, body_start: int) -> bool:
    """Whether a table's body rows are coded by 经济分类 (301, 30201, 50101 …: first digit 3 or 5) rather than by
    功能分类 (2xx): at least two codes in the rows' first cells, none of them a function code."""
    codes = [squash(row[0].text) for row in grid.rows[body_start:] if row and _CODE_FULL.match(squash(row[0].text))]
    return len(codes) >= 2 and all(c[0] in "35" for c in codes)


def _parse_measure_rows(em: _Emitter, body_start: int, paths: list[list[str]]) -> None:
    """The 三公 table in any of its orientations, decided row by row:

    - a row labelled 预算数 / 决算数 with the items in the columns (the 2020–2024 national template);
    - a row labelled with an item (1.因公出国（境）费, 其中：公务用车购置费 …) with 预算数 | 决算数 columns (云南's
      “三公”经费、行政参公单位机关运行经费情况表, most budget templates), its 机关运行经费 row the unit's
      agency_operation figure;
    - a row without a label under columns that say both measure and item (预算数 / 公务用车购置及运行费 / 小计:
      the 2016–2019 national template);
    - a count, wherever it is printed (相关统计数 rows such as 公务用车保有量（辆）, 批次 | 人次 columns beside
      公务接待费): a count with its unit, never money (vocab.count_item).

    A figure none of these place is kept as unmapped."""
    # a 合计 column of its own is the 三公 total unless 会议费 / 培训费 stand beside the 三公 columns
    beside = any(vocab.three_public_item(p) in ("meeting", "training") for p in paths if p)
    for r in range(body_start, len(em.grid.rows)):
        if r in em.skip:
            continue
        row = em.grid.rows[r]
        label = vocab.clean_label(row[0].text) if row else ""
        cells = row[1:]
        row_count = vocab.count_item(row[0].text) if label else None
        row_item = _row_three_public_item(row[0].text) if label and not row_count else None
        if row_count or row_item:
            for cell in cells:
                _emit_item_row(em, r, cell, row, row_count, row_item)
            continue
        if "决算" in label:
            measure = "actual"
        elif "预算" in label:
            measure = "budget"
        elif em.tdef.measure == "budget" and row and (not label or parse_plain(row[0].text) is not None):
            measure, cells = "budget", row  # a budget table's one row of figures, no row label
        elif row and (not label or parse_plain(row[0].text) is not None):
            measure, cells = None, row  # the figures under columns that name measure and item
        else:
            for cell in row[1:]:
                em.unmapped(r, cell, row, "unmapped_row")
            continue
        for cell in cells:
            path = paths[cell.col] if cell.col < len(paths) else []
            if squash(leaf(path)) in _LABEL_LEAVES:
                continue  # 序号 / 行次 beside the figures
            cell_measure = measure or _path_measure(path)
            count = _column_count(path)
            if count:
                em.value(r, cell, kind=count[0], measure="count", item=count[1],
                         scope="fiscal" if count[0] == "three_public" else None, row=row,
                         count_unit=vocab.count_unit(leaf(path)) or "个")
                continue
            item = _three_public_item(path, beside)
            if item is None or cell_measure is None:
                em.unmapped(r, cell, row, "unmapped_column")
                continue
            em.value(r, cell, kind="three_public", measure=cell_measure, item=item, scope="fiscal", row=row)


def _column_count(path: list[str]) -> tuple[str, str] | None:
    """(kind, item) of a count column (vocab.count_item of its leaf); 批次 / 人次 under 国内公务接待 or 公务接待费
    count that item's receptions (reception_domestic_batches …)."""
    if not path:
        return None
    count = vocab.count_item(leaf(path))
    if count and count[1] in ("reception_batches", "reception_people") and len(path) > 1:
        parent = vocab.three_public_item(path[:-1])
        if parent and parent.startswith("reception"):
            return "three_public", f"{parent}_{count[1].rsplit('_', 1)[1]}"
    return count


_AGENCY_OPERATION = re.compile(r"机关运行经费")


def _row_three_public_item(text: str) -> str | None:
    """The item a 三公 table's row label names: a 三公 item, 会议费 / 培训费, or agency_operation (机关运行经费);
    None for a label naming none (预算数 / 决算数 rows, 栏次, 相关统计数 …)."""
    t = vocab.clean_label(text)
    if _AGENCY_OPERATION.search(t):
        return "agency_operation"
    if re.search(r"预算|决算", t):
        return None
    return vocab.three_public_item(t)


def _path_measure(path: list[str]) -> str | None:
    """budget / actual from a 三公 column's header path (预算数, 全年预算数, 决算数, 执行数 …), None when it says neither."""
    joined = _FUND_WORDS.sub("", "".join(vocab.clean_label(p) for p in path))
    if "决算" in joined or "执行数" in joined or "实际支出" in joined:
        return "actual"
    if "预算" in joined:
        return "budget"
    return None


def _emit_item_row(em: _Emitter, r: int, cell: Cell, row: list[Cell], count: tuple[str, str] | None,
                   item: str | None) -> None:
    """One figure of a 三公 row labelled with its item (or count): the measure is its column's."""
    path = em.paths[cell.col] if cell.col < len(em.paths) else []
    measure = _path_measure(path) or ("budget" if em.tdef.measure == "budget" else None)
    if count is not None:
        em.value(r, cell, kind=count[0], measure="count", item=count[1],
                 scope="fiscal" if count[0] == "three_public" else None, row=row,
                 count_unit=vocab.count_unit(row[0].text) or "个")
    elif measure is None:
        em.unmapped(r, cell, row, "unmapped_column")
    elif item == "agency_operation":
        em.value(r, cell, kind="agency_operation", measure="amount" if measure == "actual" else measure, item=None,
                 scope=None, row=row)
    else:
        em.value(r, cell, kind="three_public", measure=measure, item=item, scope="fiscal", row=row,
                 flags="of_which" if vocab.of_which(row[0].text) else None)


def _three_public_item(path: list[str], beside: bool = True) -> str | None:
    """vocab.three_public_item, plus 购置费 / 运行费 columns under a 公务用车 parent.  A 合计 / 总计 column of its
    own is no item when 会议费 / 培训费 columns stand ``beside`` the 三公 ones (三公 + 会议费 + 培训费)."""
    if len(path) == 1 and vocab.clean_label(path[0]) in ("合计", "总计") and beside:
        return None  # a grand total beside the 三公 group (三公 + 会议费 + 培训费) is not the 三公 total
    item = vocab.three_public_item(path)
    if item is None and len(path) >= 2 and "公务用车" in "".join(path[:-1]):
        lf = vocab.clean_label(path[-1])
        item = "vehicle_purchase" if lf.startswith("购置") else "vehicle_operation" if lf.startswith("运行") else None
    return item


_MONEY_COLUMN = re.compile(r"金额|元|价值|原值|净值|账面|预算|决算|拨款|支出|收入|合计|小计|资产总额|资产")
_LABEL_COLUMN = re.compile(r"名称|编码|代码|项目|单位|序号|行次|栏次|类型|类别|用途|内容|方式|品目")


def _parse_listing(em: _Emitter, body_start: int, paths: list[list[str]]) -> None:
    """An extra table (EXTRA_TABLE_DEFS): every figure kept as printed, with its row label (the row's text
    cells joined) and column header path — kind other, measure value, in 万元 — or, when its column (数量,
    车辆数（辆）) or, under a column that is not money, its row label (车辆（辆）) states a count, a count in that
    unit (kind and item from vocab.count_item when it names one: 公务用车保有量 → assets/vehicles)."""
    label_cols = {j for j, p in enumerate(paths) if _LABEL_COLUMN.search(squash(leaf(p))) and not
                  _MONEY_COLUMN.search(squash(leaf(p)))}
    for r in range(body_start, len(em.grid.rows)):
        if r in em.skip:
            continue
        row = em.grid.rows[r]
        texts = [c.text.strip() for c in row if c.text.strip() and (c.col in label_cols or parse_plain(c.text) is None)]
        label = " ".join(texts) or None
        for cell in row:
            if cell.col in label_cols or parse_plain(cell.text) is None:
                continue
            path = paths[cell.col] if cell.col < len(paths) else []
            column = "/".join(path)
            unit = _listing_count_unit(path, row)
            if unit is None:
                kind, item = _listing_money(texts[0] if texts else "", path)
                em.value(r, cell, kind=kind, measure="amount" if kind != "other" else "value",
                         item=item if kind != "other" else column or None, scope=None, subject_name=label, row=row)
                continue
            kind, item = vocab.count_item(leaf(path)) or vocab.counted_item(texts[0] if texts else "") \
                or ("other", column or None)
            em.value(r, cell, kind=kind, measure="count", item=item, scope=None, subject_name=label, row=row,
                     count_unit=unit)


_LISTED_TOTALS = (
    (re.compile(r"^(?:机关|机构)运行经费(?:支出)?(?:合计|决算数?|总额)?$"), "agency_operation", None),
    (re.compile(r"^政府采购(?:支出)?(?:合计|总额|决算数?)$"), "procurement", "total"),
)


def _listing_money(label: str, path: list[str]) -> tuple[str, str | None]:
    """(kind, item) of a listing's money figure: the unit's 机关运行经费 or 政府采购 total when its row label (or,
    on a row without one, its column) names it and the column names no budget; else ("other", None)."""
    if _path_measure(path) == "budget":
        return "other", None
    for text in (label, leaf(path)):
        t = vocab.clean_label(text)
        for pattern, kind, item in _LISTED_TOTALS:
            if pattern.match(t):
                return kind, item
    return "other", None


_COUNT_COLUMN = re.compile(r"数量|[台辆套个]数|保有量|面积|批次|人次|团组|^数$")


def _listing_count_unit(path: list[str], row: list[Cell]) -> str | None:
    """The count unit of a listing figure: its column's (车辆数（辆）, 数量, 台数), else — under a column that
    names no money — its row label's (车辆（辆）); None for money."""
    lf = squash(leaf(path))
    unit = vocab.count_unit(lf)
    if unit:
        return unit
    label = next((c.text for c in row if c.text.strip() and parse_plain(c.text) is None), "")
    if _COUNT_COLUMN.search(lf):
        return vocab.count_unit(label) or "个"
    if _MONEY_COLUMN.search(lf):
        return None
    return vocab.count_unit(label)


_LAYOUTS = {
    "function": _parse_function,
    "two_sided": _parse_two_sided,
    "economic": _parse_economic,
    "measure_rows": _parse_measure_rows,
    "listing": _parse_listing,
    "economic_whole": lambda em, body_start, paths: _parse_economic(em, body_start, paths, whole=True),
}


def _cells_width(grid: Grid, body_start: int) -> int:
    """The column count of a one-cell-per-line table: its widest header row, or the length most of its body
    rows have when that is more (a header with merged cells printed once is narrower than the table)."""
    header = max((len(grid.rows[r]) for r in range(body_start)), default=0)
    body = Counter(len(row) for row in grid.rows[body_start:] if row)
    return max(header, body.most_common(1)[0][0] if body else 0)


def _right_aligned(grid: Grid, body_start: int, width: int) -> Grid:
    """A one-cell-per-line grid with its short body rows padded on the left to ``width``.

    A converter that prints one cell per line prints nothing for a row's empty leading label cells (the
    code cell of a 合计 row, the left side of a two-sided table's row under its last revenue line), so
    such a row comes with fewer cells than the table; its figures are its last cells.  Padding it with
    empty cells at the left puts them back under their columns.  A row that starts with a subject code
    starts in the first column: what it lacks are trailing blanks (some exports drop them), so it is
    padded at the right."""
    rows = list(grid.rows)
    for r in range(body_start, len(rows)):
        row = rows[r]
        if row and len(row) < width:
            if _CODE_FULL.match(squash(row[0].text)):
                rows[r] = row + [Cell("", row[-1].line_no, c) for c in range(len(row), width)]
                continue
            pad = width - len(row)
            rows[r] = [Cell("", row[0].line_no, c) for c in range(pad)] + [
                Cell(c.text, c.line_no, c.col + pad, c.ref) for c in row]
    return Grid(grid.layout, rows, grid.first_line, grid.last_line, grid.consumed, grid.context)


def parse(grid: Grid, tdef: TableDef, table_no: int, fiscal_year: int | None):
    """Parse one standard table → (observations, cells, rejects, issues).

    A one-cell-per-line grid (layout ``cells``) is first put back on its columns: body rows printed without
    their empty leading label cells are right-aligned (_right_aligned), header rows with merged cells
    printed once are placed over the rows below them (header.placed_rows)."""
    body_start, lanci = _split_header(grid)
    header_rows = [grid.row_texts(r) for r in range(body_start) if r != lanci]
    if grid.layout == "cells" and body_start > 0:
        width = _cells_width(grid, body_start)
        grid = _right_aligned(grid, body_start, width)
        header_rows = placed_rows(header_rows, width)
    else:
        width = max((len(grid.rows[r]) for r in range(body_start)), default=0)
    em = _Emitter(grid, tdef, table_no, fiscal_year, table_unit(grid))
    layout = tdef.layout
    if layout == "function" and _economic_codes(grid, body_start):
        layout = "economic_whole"  # a …支出决算明细表 by 经济分类: its rows are no function codes
    if layout == "economic":
        while len(header_rows) > 1 and all(squash(t) in ("", "类", "款", "项") for t in header_rows[-1]):
            header_rows = header_rows[:-1]  # the 类 | 款 row under a split code column
        header_rows = header_rows[-1:]
    ncols = max((len(row) for row in grid.rows), default=0)
    paths = column_paths(header_rows, ncols)
    em.paths = paths
    if body_start > 0:
        em.check_alignment(body_start, width, strict=grid.layout == "cells")
    _LAYOUTS[layout](em, body_start, paths)
    return em.observations, em.cells(body_start), em.rejects, em.issues
