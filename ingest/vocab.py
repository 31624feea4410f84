"""The template's vocabulary: how labels printed in tables and prose map to metrics.

Everything here is knowledge of the national 部门决算 template (labels, their
common variants, the 功能分类 类 names, the 绩效 indicator levels).  Parsers look
labels up here instead of carrying special cases of their own.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from ingest.normalize import squash

_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩])")
_QUOTES = re.compile(r"[“”\"'‘’「」《》]")


def clean_label(text: str) -> str:
    """Squash whitespace, drop quotes and a leading ordinal ("一、", "（二）", "3.").  Cached for texts of at
    most 400 characters (the same labels and title lines are cleaned in every report)."""
    text = text or ""
    return _cached_clean(text) if len(text) <= 400 else _clean(text)


@lru_cache(maxsize=1 << 14)
def _cached_clean(text: str) -> str:
    return _clean(text)


def _clean(text: str) -> str:
    t = _QUOTES.sub("", squash(text))
    return _ORDINAL.sub("", t)


# ---------------------------------------------------------------- revenue
# (pattern on a cleaned label, item).  First match wins: specific before general.
REVENUE_LABELS: list[tuple[str, str]] = [
    (r"^(?:本年)?一般公共预算财政拨款(?:收入)?$", "general_budget"),
    (r"^(?:本年)?政府性基金预算财政拨款(?:收入)?$", "gov_fund"),
    (r"^(?:本年)?国有资本经营预算财政拨款(?:收入)?$", "state_capital"),
    (r"^(?:本年)?财政拨款收入(?:合计)?$", "fiscal_total"),
    (r"^(?:本年)?上级补助收入$", "superior_subsidy"),
    (r"^(?:本年)?事业收入(?:合计)?$", "business"),
    (r"^(?:本年)?经营收入$", "operating"),
    (r"^(?:本年)?附属单位上缴收入$", "affiliate"),
    (r"^(?:本年)?其他收入$", "other"),
    (r"^(?:本年)?收入(?:决算|预算)?合计$", "current_total"),
    (r"^使用非财政拨款结余(?:[（(]含专用结余[）)]|和专用结余)?$", "use_nonfiscal_balance"),
    (r"^(?:用事业基金弥补收支差额)$", "use_nonfiscal_balance"),
    (r"^年初(?:财政拨款)?结转和?结余$", "carryover_begin"),
    (r"^上年结转(?:和结余|结余)?$", "carryover_begin"),  # older and provincial templates' name for it
    (r"^收入(?:决算)?总计$", "grand_total"),
]

EXPENDITURE_LABELS: list[tuple[str, str]] = [
    (r"^(?:本年)?支出(?:决算)?合计$", "total"),
    (r"^(?:本年)?基本支出$", "basic"),
    (r"^(?:本年)?项目支出$", "project"),
    (r"^(?:本年)?上缴上级支出$", "remit_superior"),
    (r"^(?:本年)?经营支出$", "operating"),
    (r"^(?:本年)?对附属单位补助支出$", "affiliate_subsidy"),
    (r"^人员经费(?:合计)?$", "personnel"),
    (r"^公用经费(?:合计)?$", "public_funds"),
    (r"^结余分配$", "balance_distribution"),
    (r"^年末(?:财政拨款)?结转和?结余$", "carryover_end"),
    (r"^支出(?:决算)?总计$", "grand_total"),
    # budget templates (江苏 and others): money set aside for the year's unforeseen needs, beside 基本/项目支出
    (r"^(?:单位)?预留机动(?:经费|费|资金)$", "reserve"),
]

_REV = [(re.compile(p), item) for p, item in REVENUE_LABELS]
# "其中：" (of which) before a revenue source: a part of the row above it printed on a row of its own (the university
# template's 其中：政府性基金预算财政拨款 under 财政拨款收入) — the source all the same
_OF_WHICH = re.compile(r"^其中[:：]?")
_EXP = [(re.compile(p), item) for p, item in EXPENDITURE_LABELS]


def revenue_item(label: str) -> str | None:
    """The revenue item (REVENUE_LABELS, first match) a row or column label names, also after 其中：; None when
    none.  Cached for labels of at most 400 characters (the same labels in every report)."""
    return _revenue_item(label) if len(label or "") <= 400 else _revenue_item.__wrapped__(label)


def of_which(label: str) -> bool:
    """A label printed as a part of the row above it (其中：…): its figure is one part of that row's, not all of
    them — a sum of parts that holds such a part is checked only when every part is stated."""
    return bool(_OF_WHICH.match(clean_label(label)))


def expenditure_item(label: str) -> str | None:
    """The expenditure item a label names (EXPENDITURE_LABELS, first match), else None.  Cached as
    revenue_item."""
    return _expenditure_item(label) if len(label or "") <= 400 else _expenditure_item.__wrapped__(label)


@lru_cache(maxsize=1 << 13)
def _revenue_item(label: str) -> str | None:
    return _first_item(_REV, _OF_WHICH.sub("", clean_label(label)))


@lru_cache(maxsize=1 << 13)
def _expenditure_item(label: str) -> str | None:
    return _first_item(_EXP, clean_label(label))


def _first_item(patterns: list[tuple[re.Pattern[str], str]], cleaned: str) -> str | None:
    for pattern, item in patterns:
        if pattern.match(cleaned):
            return item
    return None


# Funding scopes named by fund (used for 04表 columns and 结转 sub-rows).
FUND_SCOPES: list[tuple[str, str]] = [
    ("一般公共预算", "general_budget"),
    ("政府性基金", "gov_fund"),
    ("国有资本经营", "state_capital"),
]


def fund_scope(label: str) -> str | None:
    t = clean_label(label)
    for key, scope in FUND_SCOPES:
        if key in t:
            return scope
    return None


# ------------------------------------------------------ 功能分类 类 names
# The 类 of the 支出功能分类 (2024).  Kept as names: codes are resolved in the
# warehouse (dbt seed ``function_subjects``); a test keeps the two in step.
FUNCTION_CLASS_NAMES = [
    "一般公共服务", "外交", "国防", "公共安全", "教育", "科学技术", "文化旅游体育与传媒", "社会保障和就业",
    "社会保险基金", "卫生健康", "节能环保", "城乡社区", "农林水", "交通运输", "资源勘探工业信息等",
    "商业服务业等", "金融", "援助其他地区", "自然资源海洋气象等", "住房保障", "粮油物资储备",
    "国有资本经营预算", "灾害防治及应急管理", "预备费", "其他", "转移性", "债务还本", "债务付息",
    "债务发行费用", "抗疫特别国债安排的",
]
_CLASS_RE = re.compile(
    r"^(" + "|".join(sorted(map(re.escape, FUNCTION_CLASS_NAMES), key=len, reverse=True)) + r")(?:支出)?$"
)


def function_class(label: str) -> str | None:
    """The 类 name when the label is a 类 row such as '八、社会保障和就业支出'."""
    m = _CLASS_RE.match(clean_label(label))
    if not m:
        return None
    return m.group(1)


@lru_cache(maxsize=1)
def _class_codes() -> dict[str, str]:
    """类 name (without 支出) → its code, from the warehouse's seed (seeds/function_subjects.csv) and the
    seed's aliases; empty when the seed is not beside the package."""
    path = Path(__file__).resolve().parents[1] / "seeds" / "function_subjects.csv"
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get("level") != "类":
                continue
            for name in [row["name"], *(row.get("aliases") or "").split("|")]:
                if name.strip():
                    out.setdefault(name.strip().removesuffix("支出"), row["function_code"])
    return out


def function_class_code(label: str) -> str | None:
    """The 功能分类 类 code a 类 row label names ('四、公共安全支出' → '204'), None when it names no 类.

    A two-sided total table (收支总表, 收支预算总表) lists 类 by name only; the code comes from the
    classification seed the warehouse uses, so the row is a function-class row like a coded one."""
    name = function_class(label)
    if name is None:
        return None
    return _class_codes().get(name)


# ---------------------------------------------------------------- 三公
THREE_PUBLIC_LABELS: list[tuple[str, str]] = [
    (r"公务用车购置及运行(?:维护)?费?", "vehicle_total"),
    (r"公务用车购置(?:费|支出)?", "vehicle_purchase"),
    (r"公务用车运行(?:维护)?费?", "vehicle_operation"),
    (r"因公出国[（(]?境[）)]?(?:费用?|经费)?", "outbound"),
    (r"国内(?:公务)?接待", "reception_domestic"),
    (r"(?:外事接待|国[（(]境[）)]外(?:公务)?接待)", "reception_foreign"),
    (r"公务接待费?", "reception"),
    (r"会议费", "meeting"),
    (r"培训费", "training"),
    (r"三公经费", "total"),
]
_THREE = [(re.compile(p), item) for p, item in THREE_PUBLIC_LABELS]


_GENERIC_LEAVES = ("合计", "小计", "计", "金额", "支出金额")


def three_public_item(path: list[str] | str) -> str | None:
    """Item for a 三公 table column given its header path (most specific label last), or a row label.

    A generic leaf (合计 / 小计 / 金额) is the item of its nearest parent that names one (公务用车购置及运行维护费
    / 小计 → vehicle_total, 公务接待费 / 国内接待 / 金额 → reception_domestic); 合计 / 小计 under no item (or
    under 预算数 / 决算数 only) is the 三公 total."""
    labels = [path] if isinstance(path, str) else list(path)
    leaf = _OF_WHICH.sub("", clean_label(labels[-1])) if labels else ""
    if leaf in _GENERIC_LEAVES:
        for parent in reversed(labels[:-1]):
            item = _three_item(_OF_WHICH.sub("", clean_label(parent)))
            if item:
                return item
        return "total" if leaf in ("合计", "小计", "计") else None
    return _three_item(leaf)


def _three_item(label: str) -> str | None:
    for pattern, item in _THREE:
        if pattern.search(label):
            return item
    return None


# The counts a 三公 (or 国有资产) table prints beside its money (云南's 相关统计数 rows, 公务接待费's 批次 | 人次
# columns, 国有资产占用情况表's 车辆数): (pattern on a cleaned label, kind, item).  Item names follow the
# narrative's (ingest.narrative.labels): a count is a count, never money.  First match wins.
COUNT_LABELS: list[tuple[str, str, str]] = [
    (r"出国[（(]?境[）)]?团组", "three_public", "outbound_groups"),
    (r"出国[（(]?境[）)]?(?:人次|人数)", "three_public", "outbound_people"),
    (r"公务用车购置(?:数|数量|车辆数)|购置(?:公务用车|车辆)(?:数|数量)?", "three_public", "vehicle_purchase_count"),
    (r"公务用车保有量|车辆(?:保有量|数|数量)", "assets", "vehicles"),
    (r"(?:外事接待|国[（(]境[）)]外公务接待)(?:批次|批数)", "three_public", "reception_foreign_batches"),
    (r"(?:外事接待|国[（(]境[）)]外公务接待)(?:人次|人数)", "three_public", "reception_foreign_people"),
    (r"国内公务接待(?:批次|批数)", "three_public", "reception_domestic_batches"),
    (r"国内公务接待(?:人次|人数)", "three_public", "reception_domestic_people"),
    (r"(?:公务)?接待(?:批次|批数)|^批次$", "three_public", "reception_batches"),
    (r"(?:公务)?接待(?:人次|人数)|^人次$", "three_public", "reception_people"),
    (r"单价(?:100|一百)万元以上(?:的)?(?:通用|专用)?设备", "assets", "equipment_over_1m"),
]
_COUNTS = [(re.compile(p), kind, item) for p, kind, item in COUNT_LABELS]
# a count's printed unit, in brackets at the end of its label: 公务用车保有量（辆）, 国内公务接待批次（个）
_COUNT_UNIT = re.compile(r"[（(](个|辆|台|套|台[（(]套[）)]|人|人次|批次|批|次|平方米|处|栋|户|家|项)[）)]$")


def count_unit(label: str) -> str | None:
    """The count unit a row or column label states at its end ('公务用车保有量（辆）' → '辆'), None when none
    (money labels state 万元/元, which is not a count)."""
    m = _COUNT_UNIT.search(squash(label or ""))
    return m.group(1) if m else None


def count_item(label: str) -> tuple[str, str] | None:
    """(kind, item) of a count a table prints (COUNT_LABELS), e.g. '4.公务用车保有量（辆）' → ('assets', 'vehicles');
    None when the label names no count.  Column labels joined with their parents work the same way."""
    t = _OF_WHICH.sub("", clean_label(label))
    t = _COUNT_UNIT.sub("", t)
    for pattern, kind, item in _COUNTS:
        if pattern.search(t):
            return kind, item
    return None


_COUNTED_VEHICLES = re.compile(r"^(?:公务用?车|车辆|公务用车车辆)(?:合计|总数)?$")


def counted_item(label: str) -> tuple[str, str] | None:
    """count_item for a figure already known to be a count (its column says 数量 / 辆): a row that only names
    vehicles (车辆（辆）, 公务用车) then counts the unit's vehicles as well."""
    found = count_item(label)
    if found is None and _COUNTED_VEHICLES.match(_COUNT_UNIT.sub("", clean_label(label))):
        return "assets", "vehicles"
    return found


# ------------------------------------------------------------- 绩效 levels
# 二级指标 → 一级指标 in the national template (2021+ versions).
LEVEL2_TO_LEVEL1 = {
    "数量指标": "产出指标",
    "质量指标": "产出指标",
    "时效指标": "产出指标",
    "成本指标": "产出指标",
    "经济成本指标": "成本指标",
    "社会成本指标": "成本指标",
    "生态环境成本指标": "成本指标",
    "经济效益指标": "效益指标",
    "社会效益指标": "效益指标",
    "生态效益指标": "效益指标",
    "可持续影响指标": "效益指标",
    "服务对象满意度指标": "满意度指标",
    "满意度指标": "满意度指标",
}
LEVEL1_NAMES = ["产出指标", "效益指标", "满意度指标", "成本指标"]


_POINTS = re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[）)]")


def level1_of(text: str) -> str | None:
    """'产出指标（50分）' → '产出指标'.  Cached for texts of at most 400 characters (cells repeat)."""
    return _level1(text) if len(text) <= 400 else _level1.__wrapped__(text)


@lru_cache(maxsize=1 << 12)
def _level1(text: str) -> str | None:
    t = _POINTS.sub("", squash(text))
    return t if t in LEVEL1_NAMES else None


def level2_of(text: str) -> str | None:
    """'社会效 益指标', '社会效益', '经济成本\\n指标' → canonical 二级指标 name.  Cached as level1_of."""
    return _level2(text) if len(text) <= 400 else _level2.__wrapped__(text)


@lru_cache(maxsize=1 << 12)
def _level2(text: str) -> str | None:
    t = _POINTS.sub("", squash(text))
    if t in LEVEL2_TO_LEVEL1:
        return t
    if t + "指标" in LEVEL2_TO_LEVEL1:
        return t + "指标"
    if t in ("经济成本", "社会成本", "生态环境成本"):
        return t + "指标"
    return None


def level_points(text: str) -> str | None:
    m = re.search(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]", text or "")
    return m.group(1) if m else None
