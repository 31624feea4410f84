"""What a phrase in the prose refers to: metric labels of the 决算 template.

Each entry is (regex, factory).  The factory receives the matched text and
returns the subjects it names (a phrase such as 收、支总计 names two).  Order
matters where two patterns can start at the same place: the longer, more
specific one comes first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ingest import vocab
from ingest.performance import DEPARTMENT_PROJECT, project_name

CJK = r"\u4e00-\u9fa5"


@dataclass(frozen=True)
class Subject:
    kind: str
    item: str | None = None
    scope: str | None = None  # explicit in the label; None → section context
    subject_name: str | None = None
    function_code: str | None = None
    project: str | None = None
    project_kind: str | None = None
    value_type: str = "money"  # money | count
    implied_measure: str | None = None  # e.g. 年初预算收入 → budget_initial
    strong: bool = True  # a strong label ends an explanation clause
    skip_same_fact: bool = False  # readings of this label may legitimately differ
    adjacent: bool = False  # only a number right after the label belongs to it
    economic_code: str | None = None  # 经济分类 code of an economic item name, when one code fits
    function_class: str | None = None  # the 功能分类 类 an economic item name also names (其他支出)

    def ref_key(self, scope: str | None) -> str:
        return "|".join(str(x or "") for x in (self.kind, scope, self.item, self.subject_name, self.project))


Factory = Callable[[str], list[Subject]]
LABELS: list[tuple[str, Factory]] = []


def label(pattern: str):
    def deco(fn: Factory) -> Factory:
        LABELS.append((pattern, fn))
        return fn

    return deco


def _scope_prefix(text: str) -> str | None:
    if "一般公共预算" in text:
        return "general_budget"
    if "政府性基金" in text:
        return "gov_fund"
    if "国有资本经营" in text:
        return "state_capital"
    if "财政拨款" in text:
        return "fiscal"
    return None


_Q = "[“”\"]?"

# ------------------------------------------------------------------ totals
@label(r"(?:财政拨款)?(?:收入(?:决算|预算)?总计[、和及与]支出(?:决算|预算)?总计|收[、和]\s*支(?:决算|预算)?总计|"
       r"收入[、和]支出(?:决算|预算)?总计|收支(?:决算|预算)?总计|收[、和]\s*支总预算|收支总预算)")
def _both_totals(text: str) -> list[Subject]:
    """收、支总计 — and a budget's 收、支预算总计 / 收、支总预算, whose 预算 is the measure."""
    scope = "fiscal" if "财政拨款" in text else "all"
    measure = "budget" if "预算" in text else None
    return [Subject("revenue", "grand_total", scope, implied_measure=measure),
            Subject("expenditure", "grand_total", scope, implied_measure=measure)]


@label(r"(?:政府性基金预算|国有资本经营预算)财政拨款收支")
def _fund_both(text: str) -> list[Subject]:
    scope = _scope_prefix(text)
    item = "gov_fund" if scope == "gov_fund" else "state_capital"
    return [Subject("revenue", item, "all"), Subject("expenditure", "total", scope)]


# ------------------------------------------------- 功能分类 chains (类/款/项)
# A segment: a name, then in brackets its level (类/款/项), its code (3, 5 or 7 digits,
# or the 2 digits of a 款/项 under the code printed before it), or both ("204类", "06款").
_SEG_RE = re.compile(rf"([{CJK}]*?)[（(](\d{{2,7}})?\s*(类|款|项)?[）)]")
_LEVELS = ["类", "款", "项"]


def parse_chain(text: str) -> tuple[dict[str, str], str | None] | None:
    """Names and 功能分类 code of a chain of 类/款/项 segments.

    '一般公共服务（201）群众团体事务（29）行政运行（01）' → ({类,款,项 names}, '2012901');
    '公共安全支出（204类）司法（06款）行政运行（01项）' → (…, '2040601');
    '小学教育（2050202）' → ({'项': '小学教育'}, '2050202') — a full code names its level.
    The code is None unless it is complete from the 类 down (a 款 code without its 类
    names nothing).  None when no segment is a chain segment.
    """
    parts: dict[str, str] = {}
    codes: dict[str, str] = {}
    full: str | None = None
    position = 0
    for m in _SEG_RE.finditer(text):
        name, digits, marker = m.group(1), m.group(2), m.group(3)
        if not digits and not marker:
            continue
        if digits and len(digits) in (5, 7) and not marker:
            level = "款" if len(digits) == 5 else "项"
            full = digits
        elif digits and len(digits) == 3 and marker in (None, "类"):
            level = "类"
        elif digits and len(digits) == 2:
            level = marker or _LEVELS[min(max(position, 1), 2)]
            if level == "类":
                return None
        elif not digits:
            level = marker
        else:
            return None  # a number in brackets that is no 功能分类 code
        if digits and len(digits) <= 3:
            codes[level] = digits
        parts[level] = name
        position = _LEVELS.index(level) + 1
    if not parts:
        return None
    code = full
    if code is None and codes.get("类") and (codes.get("款") or not parts.get("款")):
        code = codes["类"] + codes.get("款", "") + (codes.get("项", "") if codes.get("款") else "")
    if code is not None and not re.fullmatch(r"2\d{2}(?:\d{2}){0,2}", code):
        return None  # 功能分类 expenditure codes start with 2 (phone prefixes such as （029） do not)
    return parts, code


def chain_name(parts: dict[str, str]) -> str:
    return "".join(f"{parts[k]}（{k}）" for k in ("类", "款", "项") if k in parts)


# (anchor regex, backward char class, max back, factory, words)
ANCHORED: list[tuple[str, str, int, Factory, tuple[str, ...]]] = []


def anchored(anchor: str, back: str, max_back: int, words: tuple[str, ...]):
    """A label found by its fixed end (e.g. （项）, 项目自评综述) and extended backwards.

    Patterns that begin with a free run of characters would otherwise be tried
    at every position of every sentence.  ``words``: every match of ``anchor`` holds one of them — a
    sentence holding none is not searched (most hold none; tests check every match found holds one).
    """

    def deco(fn: Factory) -> Factory:
        ANCHORED.append((anchor, back, max_back, fn, words))
        return fn

    return deco


@anchored(r"(?:[（(](?:类|款|项|\d{2,3}|\d{2,3}\s*(?:类|款|项)|\d{5}|\d{7})[）)])", rf"{CJK}", 30, ("（", "("))
def _chain(text: str) -> list[Subject]:
    parsed = parse_chain(text)
    if parsed is None:
        return []
    parts, code = parsed
    markers = re.findall(r"[（(](类|款|项)[）)]", text)
    if not markers and not code:
        return []  # e.g. a phone prefix "（029）"
    if code is None and set(parts) == {"类"}:
        code = CLASS_CODES.get(parts["类"].removesuffix("支出"))  # '公共安全（类）支出' is 类 204
    return [Subject("expenditure", "total", None, subject_name=chain_name(parts), function_code=code)]


# ---------------------------------------------------------------- revenue
_REV_CORE = (
    r"一般公共预算财政拨款收入|政府性基金预算财政拨款收入|国有资本经营预算财政拨款收入|财政拨款收入(?:总计|合计)?|"
    r"上级补助收入|事业收入|经营收入|附属单位上缴收入|其他收入|收入(?:决算|预算)?合计|收入(?:决算)?总计|"
    r"使用非财政拨款结余(?:[（(]含专用结余[）)])?|年初结转和结余"
)


@label(rf"(?:本年)?(?:{_REV_CORE})")
def _revenue(text: str) -> list[Subject]:
    t = text.removeprefix("本年")
    if t.startswith("财政拨款收入总计"):
        return [Subject("revenue", "grand_total", "fiscal")]
    item = vocab.revenue_item(t)
    measure = "budget" if "预算合计" in t else None  # 本年收入预算合计: 预算 is the measure
    return [Subject("revenue", item, "all", implied_measure=measure)] if item else []


@label(r"(?:一般公共预算|政府性基金预算|国有资本经营预算)(?:拨款)?收入")
def _fund_revenue(text: str) -> list[Subject]:
    """A budget's '一般公共预算收入 24,169.74万元': the unit's appropriation from that fund."""
    scope = _scope_prefix(text)
    return [Subject("revenue", "general_budget" if scope == "general_budget" else scope, "all")]


@label(r"(?:收入预算(?:总额)?|预算收入总额|年初预算收入)")
def _revenue_budget(text: str) -> list[Subject]:
    return [Subject("revenue", "current_total", "all", implied_measure="budget_initial")]


@label(r"决算报表(?:收入|支出)")
def _report_total(text: str) -> list[Subject]:
    kind = "revenue" if text.endswith("收入") else "expenditure"
    return [Subject(kind, "current_total" if kind == "revenue" else "total", "all", implied_measure="amount")]


@label(r"年初预算支出|支出预算(?:总额)?")
def _expenditure_budget(text: str) -> list[Subject]:
    return [Subject("expenditure", "total", "all", implied_measure="budget_initial")]


# ------------------------------------------------------------ expenditure
# a fund's 拨款 (budget templates: 一般公共预算拨款支出预算, 政府性基金拨款支出预算) is its 财政拨款
_EXP_SCOPE = (r"(?:一般公共预算财政拨款|政府性基金预算财政拨款|国有资本经营预算财政拨款|财政拨款|"
              r"一般公共预算拨款|政府性基金(?:预算)?拨款|国有资本经营预算拨款|一般公共预算)")
_EXP_CORE = (r"基本支出|项目支出|上缴上级支出|经营支出|对附属单位补助支出|支出(?:决算)?合计|支出(?:决算)?总计|"
             r"(?:单位)?预留机动(?:经费|费|资金)")


@label(rf"(?:本年|全年)?{_EXP_SCOPE}?(?:{_EXP_CORE})")
def _expenditure(text: str) -> list[Subject]:
    core = re.sub(rf"^(?:本年|全年)?{_EXP_SCOPE}?", "", text)
    item = vocab.expenditure_item(core)
    if not item:
        return []
    scope = _scope_prefix(text) or ("all" if item in ("total", "grand_total") else None)
    return [Subject("expenditure", item, scope)]


@label(rf"(?:本年)?{_EXP_SCOPE}支出")
def _scoped_total(text: str) -> list[Subject]:
    return [Subject("expenditure", "total", _scope_prefix(text))]


@label(r"人员经费(?:支出)?|人员支出")
def _personnel(text: str) -> list[Subject]:
    return [Subject("expenditure", "personnel")]


@label(r"公用经费(?:支出)?")
def _public_funds(text: str) -> list[Subject]:
    return [Subject("expenditure", "public_funds")]


@label(r"结余分配|年末(?:财政拨款)?结转和?结余(?:资金)?|结转结余|结转和结余")
def _carryover(text: str) -> list[Subject]:
    if text.startswith("结余分配"):
        return [Subject("expenditure", "balance_distribution")]
    return [Subject("expenditure", "carryover_end")]


# ------------------------------------------------------- 功能分类 类 names
_CLASS_NAMES = [n for n in vocab.FUNCTION_CLASS_NAMES if n not in ("预备费", "转移性")]
_CLASS = "|".join(sorted(map(re.escape, _CLASS_NAMES), key=len, reverse=True))


# 类 name (without 支出) → 功能分类 code, from the reference seed (filled by the tokenizer).
CLASS_CODES: dict[str, str] = {}


def function_class_codes(rows: list[tuple[str, str, str]]) -> None:
    """Register the 类 codes of the seed's (code, name, level) rows."""
    CLASS_CODES.update({name.removesuffix("支出"): code for code, name, level in rows if level == "类"})


@label(rf"(?:{_CLASS})(?:支出|收入)")
def _class(text: str) -> list[Subject]:
    kind = "revenue" if text.endswith("收入") else "expenditure"
    name = text[:-2]
    if kind == "expenditure" and text in ECONOMIC_CODES:
        # 其他支出: an economic item too — the sentence decides (see the interpreter)
        return [Subject("expenditure_economic", None, subject_name=text, economic_code=ECONOMIC_CODES[text],
                        strong=False, adjacent=True, function_class=name)]
    return [Subject(kind, "total" if kind == "expenditure" else "fiscal_total", None,
                    subject_name=f"{name}（类）", function_code=CLASS_CODES.get(name) if kind == "expenditure" else None)]


# ---------------------------------------------------------------- 三公
@label(rf"(?:财政拨款)?{_Q}三公{_Q}经费(?:财政拨款)?(?:支出)?")
def _three_total(text: str) -> list[Subject]:
    return [Subject("three_public", "total")]


@label(r"(?:全年)?(?:安排)?(?:因公)?出国[（(]境[）)]团组")
def _outbound_groups(text: str) -> list[Subject]:
    return [Subject("three_public", "outbound_groups", value_type="count")]


@label(r"出国[（(]境[）)](?=\s*\d)")
def _outbound_people(text: str) -> list[Subject]:
    return [Subject("three_public", "outbound_people", value_type="count")]


@label(r"(?:更新)?购置公务用车(?=\s*\d)")
def _vehicle_purchase_count(text: str) -> list[Subject]:
    return [Subject("three_public", "vehicle_purchase_count", value_type="count")]


@label(r"(?:国内公务接待|外事接待|国[（(]境[）)]外公务接待)(?=\s*\d+\s*批次)|接待(?=\s*\d+\s*批次)")
def _reception_counts(text: str) -> list[Subject]:
    if text == "接待":  # "国（境）外公务接待支出0万元，接待0批次": the reception item in play
        return [Subject("three_public", "reception_in_context", value_type="count")]
    item = "reception_foreign" if ("外事" in text or "境" in text) else "reception_domestic"
    return [Subject("three_public", item, value_type="count")]


_THREE_ITEMS = [
    (r"公务用车购置及运行(?:维护)?费(?:支出)?", "vehicle_total"),
    (r"公务用车购置(?:费|支出)?", "vehicle_purchase"),
    (r"公务用车运行(?:维护)?费(?:支出)?", "vehicle_operation"),
    (r"因公出国[（(]境[）)](?:费用|经费|费)?(?:支出)?", "outbound"),
    (r"国内公务接待(?:费)?(?:支出)?", "reception_domestic"),
    (r"(?:外事接待|国[（(]境[）)]外公务接待)(?:费)?(?:支出)?", "reception_foreign"),
    (r"公务接待费?(?:支出)?", "reception"),
    (r"会议费(?:支出)?", "meeting"),
    (r"培训费(?:支出)?", "training"),
]
for _pattern, _item in _THREE_ITEMS:
    LABELS.append((rf"(?:财政拨款)?{_pattern}", (lambda item: lambda text: [Subject("three_public", item)])(_item)))


# ------------------------------------------- 机关运行经费, 政府采购, assets
@label(r"机关运行经费(?:支出)?")
def _agency(text: str) -> list[Subject]:
    return [Subject("agency_operation", "total")]


# 政府采购 and its parts.  A part is named with the procurement word (政府采购货物支出, 政府采购工程预算,
# 货物类政府采购) or, inside an enumeration of procurement, by its category alone (拟采购货物支出, 购买服务
# 支出, 工程类): those are IN_CONTEXT items — procurement parts only where procurement is being broken
# down (the interpreter drops them elsewhere: 购买服务 alone is also 政府购买服务, another thing).
# The measure word after a part (预算, 支出) stays outside the label, so 预算 still marks a budget.
_PART = {"货": "goods", "工": "works", "服": "services"}
IN_CONTEXT = "in_context_"
_PROCUREMENT = [
    (r"(?:货物|工程|服务)(?:类)?采购授予中小企业合同金额", lambda t: "sme_" + _PART[t[0]]),
    (r"政府采购(?:货物|工程|服务)(?:类)?(?:采购)?(?:支出)?", lambda t: _PART[t[4]]),
    (r"(?:货物|工程|服务)类?政府采购(?:支出)?", lambda t: _PART[t[0]]),
    (r"面向中小企业预留(?:的)?政府采购项目(?:预算)?(?:金额)?", lambda t: "sme_reserved"),
    (r"预留给?(?:小型和微型|小微)企业(?:的)?政府采购项目(?:预算)?(?:金额)?", lambda t: "small_micro_reserved"),
    (r"授予中小企业合同金额", lambda t: "sme"),
    (r"授予小微企业合同金额", lambda t: "small_micro"),
    (r"政府采购支出总额|政府采购支出|政府采购事项|政府采购", lambda t: "total"),
    (r"(?:拟)?(?:采购|购买)(?:货物|工程|服务)(?:类)?(?:支出)?|(?:货物|工程|服务)类(?:采购)?(?:支出)?",
     lambda t: IN_CONTEXT + _PART[t.lstrip("拟采购买")[0]]),
]
for _pattern, _item_of in _PROCUREMENT:
    # "…项目预算金额 1486.42 万元": the 预算 the label swallowed is still the measure
    LABELS.append((_pattern, (lambda item_of: lambda text: [Subject(
        "procurement", item_of(text), implied_measure="budget" if "预算" in text else None)])(_item_of)))


@label(r"单价\s*100\s*万元(?:[（(]含[）)])?(?:及)?以上(?:的)?(?:专用)?设备(?:[（(]不含车辆[）)])?")
def _equipment(text: str) -> list[Subject]:
    return [Subject("assets", "equipment_over_1m", value_type="count")]


@label(r"购置单价\s*100\s*万元(?:[（(]含[）)])?(?:及)?以上(?:的)?(?:专用)?设备")
def _equipment_purchase(text: str) -> list[Subject]:
    return [Subject("assets", "equipment_over_1m_purchased", value_type="count")]


@label(r"(?:当年)?购置车辆")
def _vehicles_purchased(text: str) -> list[Subject]:
    return [Subject("assets", "vehicles_purchased", value_type="count")]


@label(r"(?:公务用车保有量(?:为)?|(?:共有|实有)?(?:公务用)?车辆(?:总数)?|(?:共有)?公务用车(?=\s*\d))")
def _vehicles(text: str) -> list[Subject]:
    return [Subject("assets", "vehicles", value_type="count")]


VEHICLE_TYPES = [
    (r"一般公务用车", "general"),
    (r"副部[（(]省[）)]级(?:及)?以上领导用车", "vice_minister"),
    (r"主要负责人用车", "head"),
    (r"主要领导干部用车", "leader"),
    (r"机要通信用车", "confidential"),
    (r"应急保障用车", "emergency"),
    (r"执法执勤用车", "law_enforcement"),
    (r"特种专业技术用车", "special"),
    (r"离退休干部(?:服务)?用车", "retiree"),
    (r"其他用车", "other"),
    (r"轿车", "sedan"),
    (r"越野车", "suv"),
    (r"载客汽车", "bus"),
]
for _pattern, _item in VEHICLE_TYPES:
    LABELS.append((_pattern, (lambda item: lambda text: [Subject("assets", "vehicles_" + item, value_type="count",
                                                                 strong=False, adjacent=True)])(_item)))


# ---------------------------------------------------------------- staff
_STAFF = [
    (r"(?:参公编制|参照公务员法管理的事业(?:编制)?)(?:人员)?", "civil_servant_managed"),
    (r"行政编制(?:人员)?", "admin"),
    (r"事业编制(?:人员)?", "institution"),
    (r"工勤编制(?:人员)?", "worker"),
    (r"临聘编制(?:人员)?", "temporary"),
]
for _pattern, _item in _STAFF:
    LABELS.append((_pattern, (lambda item: lambda text: [Subject("staff", "authorized_" + item, value_type="count")])(_item)))


@label(r"(?:核定|人员)?编制(?:人数|总数|数)?(?:共)?(?:为)?(?=\s*\d)")
def _staff_total(text: str) -> list[Subject]:
    return [Subject("staff", "authorized_total", value_type="count")]


@label(r"(?:在职)?实有(?:在职)?(?:人员|人数)(?:共)?|年末实有人数|现有在职(?:人员)?|(?:在职)?(?=(?:行政|事业|工勤|临聘|参公|参照)[^，。；]{0,16}?人员\s*\d)")
def _staff_actual(text: str) -> list[Subject]:
    return [Subject("staff", "actual_total", value_type="count")]


@label(r"(?:共|合计)(?=\s*\d+\s*[名人](?:工作人员|在职人员|职工))")
def _staff_group_total(text: str) -> list[Subject]:
    """'…临聘编制人员2名，共8名工作人员': the total of the list in play."""
    return [Subject("staff", "relative_total", value_type="count")]


@label(r"(?:单位管理的)?离退休人员(?:共)?|退休人员(?:共)?")
def _retired(text: str) -> list[Subject]:
    return [Subject("staff", "retired", value_type="count")]


_RELATIVE_STAFF = {"行政": "admin", "事业": "institution", "工勤": "worker", "参公": "civil_servant_managed"}


@label(r"(?<![编制])(?:行政|事业|工勤|参公)(?:人员)?(?=\s*\d+\s*[人名])")
def _staff_relative(text: str) -> list[Subject]:
    # 其中行政48人、事业212人、工勤5人: authorized or actual, decided by the enumeration parent
    return [Subject("staff", "relative_" + _RELATIVE_STAFF[text[:2]], value_type="count", strong=False)]


@label(r"(?:离休|退休)(?:人员|干部)?(?=\s*\d+\s*[人名])")
def _retired_kind(text: str) -> list[Subject]:
    """离退休人员20人，其中离休1人、退休19人: 离休 (retired_veteran: joined before 1949) and
    退休 (retired_regular).  '退休人员6名' alone is all the retired: the plain label wins there."""
    return [Subject("staff", "retired_veteran" if text.startswith("离休") else "retired_regular", value_type="count")]


# ----------------------------------------------------------- performance
@label(r"部门整体(?:支出)?(?:[（(]含部门预算项目[）)])?(?:绩效)?(?=自评|评价|得分|预算)")
def _department(text: str) -> list[Subject]:
    return [Subject("project", None, project=DEPARTMENT_PROJECT, project_kind="department")]


@label(r"(?<=重点评价[，,])涉及(?:预算)?(?:资金|金额)|(?<=重点绩效评价[，,])涉及(?:预算)?(?:资金|金额)")
def _key_eval_funds(text: str) -> list[Subject]:
    return [Subject("performance", "key_evaluation_funds", skip_same_fact=True)]


@label(r"(?:共)?涉及(?:预算)?(?:总)?(?:资金|金额)")
def _eval_funds(text: str) -> list[Subject]:
    return [Subject("performance", "evaluated_funds", skip_same_fact=True)]


_PROJECT_NAME = r"[^，。；：:\s“”\"（）()、]{2,40}?"


def _projects(names: str) -> list[Subject]:
    names = re.sub(r"等\s*(?:\d+\s*个)?(?:一级|二级)?$", "", names)
    out = []
    for name in re.split(r"[、]", names):
        name = project_name(re.sub(r"^\d+[.、．]\s*", "", name))
        if len(name) >= 2 and not re.search("报告|绩效|评价|自评", name):
            out.append(Subject("project", None, project=name, project_kind="project", strong=False))
    return out


_NAME_CHARS = r"^，。；：:\s（）()"


@anchored(r"(?:专项预算|预算)?项目(?:绩效)?自评综述", _NAME_CHARS, 45, ("自评综述",))
def _project_summary(text: str) -> list[Subject]:
    return _projects(re.sub(r"(?:专项预算|预算)?项目(?:绩效)?自评综述$", "", text).strip("“”\""))


@anchored(r"(?:专项预算|预算)项目(?=绩效|自评|\d|20)", _NAME_CHARS, 45, ("预算项目",))
def _project_special(text: str) -> list[Subject]:
    return _projects(re.sub(r"(?:专项预算|预算)项目$", "", text))


@anchored(r"开展了?(?:部门)?重点(?:绩效)?评价", r"^对，。；：:\s（）()", 40, ("重点",))
def _project_key_evaluation(text: str) -> list[Subject]:
    """"对市级劳模专项补助资金开展了部门重点绩效评价，评价得分100"."""
    name = re.sub(r"开展了?(?:部门)?重点(?:绩效)?评价$", "", text)
    return _projects(re.sub(r"(?:等\s*\d+\s*个)?项目$", "", name))


@anchored(r"[”\"](?:专项预算|预算)?项目", r"^“\"，。；：:\s", 42, ("”", '"'))
def _project_quoted(text: str) -> list[Subject]:
    return _projects(re.sub(r"(?:专项预算|预算)?项目$", "", text).strip("“”\""))


@label(rf"[①②③④⑤⑥⑦⑧⑨⑩]{_PROJECT_NAME}(?:项目)?(?=\s*\d+(?:\.\d+)?\s*万元)")
def _project_enumerated(text: str) -> list[Subject]:
    return _projects(re.sub(r"项目$", "", text[1:]))


@label(rf"20\d\d\s*年初预算申报{_PROJECT_NAME}项目资金")
def _project_declared(text: str) -> list[Subject]:
    return [replace(s, implied_measure="budget_initial")
            for s in _projects(re.sub(r"^20\d\d\s*年初预算申报|项目资金$", "", text))]


@label(rf"20\d\d\s*年{_PROJECT_NAME}项目资金")
def _project_funds(text: str) -> list[Subject]:
    return _projects(re.sub(r"^20\d\d\s*年|项目资金$", "", text))


@label(r"该项目")
def _this_project(text: str) -> list[Subject]:
    return [Subject("project", None, project="", project_kind="project", strong=False)]  # resolved from context


@label(r"(?:^|(?<=[。；：:]))项目(?=年初预算|全年预算|资金总额|执行)")
def _report_project(text: str) -> list[Subject]:
    """'项目年初预算 215 万元' at the start of a clause in a project's own report."""
    return [Subject("project", None, project="", project_kind="project", strong=False)]


# ----------------------------------------------------- economic breakdowns
def economic_code(name: str, rows: list[tuple[str, str, str]]) -> str | None:
    """The 经济分类 code a bare item name denotes, given the seed's (code, name, parent) rows.

    A name printed at two levels (其他支出: 类 399 and 款 39999) means the broader one, the
    ancestor; a name under two 类 (办公设备购置: 30902 and 31002) means the one whose 类 is
    not a qualified variant (资本性支出, not 资本性支出（基本建设）).  None when still ambiguous
    or unknown — one name never yields two codes.
    """
    names = {code: n for code, n, _ in rows}
    parents = {code: p for code, _, p in rows}
    found = [code for code, n, _ in rows if n == name] or [code for code, n, _ in rows if n == name.removesuffix("支出")]
    if len(found) <= 1:
        return found[0] if found else None
    for code in found:
        if all(o == code or _ancestor(code, o, parents) for o in found):
            return code
    plain = [c for c in found if not re.search(r"[（(]", names.get(_top(c, parents), ""))]
    return plain[0] if len(plain) == 1 else None


def _ancestor(a: str, b: str, parents: dict[str, str]) -> bool:
    while parents.get(b):
        b = parents[b]
        if b == a:
            return True
    return False


def _top(code: str, parents: dict[str, str]) -> str:
    while parents.get(code):
        code = parents[code]
    return code


# 经济分类 items whose name is also a 功能分类 类 (其他支出: economic 399, function 229): the
# sentence decides which is meant (see the interpreter), never both.
_CLASS_BY_NAME = {f"{n}支出": n for n in vocab.FUNCTION_CLASS_NAMES}
ECONOMIC_CODES: dict[str, str] = {}  # those names → their economic code (filled with the economic labels)


def economic_labels(rows: list[tuple[str, str, str]]) -> None:
    """Register 经济分类 item names (from the reference seed: code, name, parent) as labels."""
    names = sorted({n for _, n, _ in rows if len(n) >= 3}, key=len, reverse=True)
    if not names:
        return
    codes = {n: economic_code(n, rows) for n in names}
    ECONOMIC_CODES.update({n: c for n, c in codes.items() if c and n in _CLASS_BY_NAME})
    pattern = "(?:" + "|".join(map(re.escape, names)) + rf")(?:支出)?(?![{CJK}])"

    def factory(text: str) -> list[Subject]:
        code = codes.get(text) or codes.get(text.removesuffix("支出"))
        return [Subject("expenditure_economic", None, subject_name=text, economic_code=code, strong=False,
                        adjacent=True, function_class=_CLASS_BY_NAME.get(text))]

    LABELS.append((pattern, factory))


def as_function_class(subject: Subject) -> Subject:
    """The 功能分类 类 reading of an item name that is also an economic item (其他支出 → 其他（类）)."""
    return Subject("expenditure", "total", subject.scope, subject_name=f"{subject.function_class}（类）",
                   function_code=CLASS_CODES.get(subject.function_class))


def with_scope(subject: Subject, scope: str | None) -> Subject:
    return replace(subject, scope=subject.scope or scope)
