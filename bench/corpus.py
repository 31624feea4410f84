"""Synthetic 部门决算 corpus: realistic text reports with known figures, and known injected errors.

    python bench/corpus.py --size 50 --out /tmp/corpus [--errors 20] [--seed 7] [--format pdf]

writes /tmp/corpus/reports/*.txt (or *.pdf) and, with --errors, /tmp/corpus/manifest.csv.

Each report is one unit-year of a real place (seeds/admin_divisions.csv: a prefecture or a county
and its prefecture) and one of 19 sectors, no (place, sector) twice, so no unit-year repeats up to 175,104
reports; units get several consecutive years, so a stated YoY change can be checked against the unit's
previous report. The text is templated on the bundled corpus
(data/reports/*.txt): the title block, 目录, 第一部分 部门概况 (with a work summary), 第二部分 情况说明 with the sentence
forms of the bundled reports (收支总计 and YoY, shares of sources and of basic/project, 年初预算
completion per 项, 人员经费/公用经费, 三公 with budget, completion and shares, 政府采购,
project self-evaluation summaries), the national glossary, and the 公开01–06/09表 and 项目支出绩效自评表 tables.

Layouts (chosen per report, round-robin; what the bundled file shows):
  grid       tables as one tab-separated row per line (000/003)
  cells      every table one cell per line, a tab before each cell, a blank line between rows (001/004
             print their self-evaluation tables so); in a 公开 table a header cell merged over labelled
             sub-columns printed once and figure rows without their empty leading label cells (the 合计
             row's code cell), as Word/WPS text exports print them
  wrapped    prose wrapped at ~32 characters with blank lines between, PDF-extraction style (002);
             tables as in `grid`
  narrative  no 公开 tables: the figures are in the prose and the self-evaluation tables only (003)

`--format pdf` writes each report as a PDF instead (bench/pdf_render.py: landscape A4, tables — in a smaller
font when wider than the page — ruled in one pair of reports, drawn without lines in the next, prose wrapped at
the page width, never inside a number, page numbers in the footer), rendered from the `grid` and `narrative`
layouts (the other two are text-export artefacts).

Money is generated in integer hundredths of 万元, so every identity the project checks holds
exactly: 收入总计 = 支出总计, 本年收入合计 = Σ sources, 总计 = 本年合计 + 结转结余, 合计 = Σ类,
类 = Σ款 = Σ项 (in every function-coded table and in the prose), 基本 = 人员 + 公用 (= 经济分类
groups), 三公 = 出国 + 公务用车 (购置 + 运行维护) + 接待, 政府采购 = 货物 + 工程 + 服务, every prose
restatement equals the table, stated shares/completion/execution/YoY percentages are the rounded
ratios of the printed figures, indicator scores (plus the funding score) sum to the total score.

`--errors K` changes K lines of K distinct reports (one error per report, kinds round-robin) and
writes manifest.csv: file, kind, line, original, injected, expected_checks (the identities that
should fire, `|`-separated), …, and for a PDF the page the changed line is printed on (`line` is then the
line of the text the PDF was rendered from). Everything is deterministic for a given --seed.

Importable: `generate_corpus(out, size, errors=0, seed=0, fmt="txt") -> list[dict]` (the manifest rows),
`build_reports(folder, size, seed)` (the reports in memory, with their figures) and `unit_year(rng, ...)`.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

LAYOUTS = ("grid", "cells", "wrapped", "narrative")
GENERATOR_VERSION = 8  # bump when the output changes (bench_e2e.py keys its corpus cache on it)
ERROR_KINDS = ("table_cell", "narrative_number", "share", "yoy", "unit_slip")

MANIFEST_FIELDS = ["file", "kind", "line", "original", "injected", "expected_checks", "layout", "unit", "fiscal_year",
                   "page"]
FORMATS = ("txt", "pdf")
PDF_LAYOUTS = ("grid", "narrative")  # the layouts a PDF is rendered from: tables as tables, prose as paragraphs
PDF_STYLES = ("ruled", "unruled")    # tables drawn with ruling lines, or without (WPS/Word exports)

# ------------------------------------------------------------------ reference data (the seeds)


def _read_csv(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


_FUNC = {r["function_code"]: r for r in _read_csv("function_subjects.csv")}
_ECON = {r["economic_code"]: r for r in _read_csv("economic_subjects.csv")}

# The 26 expenditure classes of 公开01/04表 in template order (code → printed name).
CLASSES_01 = [
    ("201", "一般公共服务支出"), ("202", "外交支出"), ("203", "国防支出"), ("204", "公共安全支出"),
    ("205", "教育支出"), ("206", "科学技术支出"), ("207", "文化旅游体育与传媒支出"), ("208", "社会保障和就业支出"),
    ("210", "卫生健康支出"), ("211", "节能环保支出"), ("212", "城乡社区支出"), ("213", "农林水支出"),
    ("214", "交通运输支出"), ("215", "资源勘探工业信息等支出"), ("216", "商业服务业等支出"), ("217", "金融支出"),
    ("219", "援助其他地区支出"), ("220", "自然资源海洋气象等支出"), ("221", "住房保障支出"), ("222", "粮油物资储备支出"),
    ("223", "国有资本经营预算支出"), ("224", "灾害防治及应急管理支出"), ("229", "其他支出"), ("231", "债务还本支出"),
    ("232", "债务付息支出"), ("234", "抗疫特别国债安排的支出"),
]
CN_NUM = "一二三四五六七八九十"


def cn(n: int) -> str:
    """1 → 一, 12 → 十二, 26 → 二十六 (ordinal headings of the template)."""
    if n <= 10:
        return CN_NUM[n - 1]
    if n < 20:
        return "十" + CN_NUM[n - 11]
    tens, ones = divmod(n, 10)
    return CN_NUM[tens - 1] + "十" + (CN_NUM[ones - 1] if ones else "")


# Sector → (the 项 it spends on as its main business; its project names).
SECTORS = {
    "总工会": (["2012901", "2012902", "2012906"], ["困难职工帮扶", "送温暖", "劳动竞赛经费", "提高劳模待遇", "职工技能培训"]),
    "财政局": (["2010601", "2010602"], ["预算绩效管理", "财政信息化建设", "会计人员培训", "非税收入征管"]),
    "人力资源和社会保障局": (["2080101"], ["就业创业服务", "劳动保障监察", "职业技能鉴定", "人才引进服务"]),
    "机关事务管理局": (["2010301", "2010302"], ["公务用车平台运维", "办公用房维修", "机关食堂运行"]),
    "统计局": (["2010501", "2010502"], ["统计调查", "经济普查", "统计信息化建设"]),
    "审计局": (["2010801", "2010804"], ["审计项目经费", "审计信息化建设", "聘请中介机构"]),
    "市场监督管理局": (["2013801", "2013816"], ["食品安全抽检", "特种设备安全监察", "计量检定"]),
    "司法局": (["2040601", "2040604"], ["人民调解", "法律援助", "社区矫正"]),
    "教育局": (["2050101", "2050102"], ["教师培训", "学生资助管理", "教育督导"]),
    "文化和旅游局": (["2070101", "2070102"], ["文化惠民演出", "旅游宣传推广", "非遗保护"]),
    "民政局": (["2080201", "2080202"], ["社会组织管理", "婚姻登记", "养老服务监管"]),
    "卫生健康局": (["2100101", "2100102"], ["卫生监督", "健康教育", "基本公共卫生服务管理"]),
    "生态环境局": (["2110101", "2110102"], ["环境监测", "污染防治", "环保督察整改"]),
    "住房和城乡建设局": (["2120101", "2120102"], ["城市建设管理", "建筑市场监管", "物业管理指导"]),
    "农业农村局": (["2130101", "2130102"], ["农业技术推广", "高标准农田建设", "动物防疫"]),
    "水利局": (["2130301", "2130302"], ["河湖长制", "水土保持", "防汛抗旱"]),
    "交通运输局": (["2140101", "2140102"], ["农村公路养护", "道路运输管理", "交通安全监管"]),
    "自然资源局": (["2200101", "2200102"], ["国土空间规划", "不动产登记", "耕地保护"]),
    "应急管理局": (["2240101", "2240102"], ["安全生产监管", "应急救援演练", "防灾减灾宣传"]),
}
COMMON_ITEMS = ["2080501", "2080505", "2080506", "2101101", "2210201"]  # pensions, medical, housing fund
PERSONNEL = ["30101", "30102", "30103", "30107", "30108", "30109", "30110", "30112", "30113", "30302", "30305"]
PUBLIC = ["30201", "30202", "30205", "30206", "30207", "30211", "30213", "30215", "30216", "30228", "30229", "30299"]
# 三公 spent from basic expenditure: the 经济分类 items carry the 三公 actuals (a report is coherent)
THREE_PUBLIC_ECON = {"outbound": "30212", "reception": "30217", "vehicle_operation": "30231"}


def _places() -> list[tuple[str, str, str]]:
    """(province, prefecture, county or '') for real prefectures and counties (直辖市 districts skipped)."""
    rows = _read_csv("admin_divisions.csv")
    out = []
    for r in rows:
        city = r["city"]
        if not city or city in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}:
            continue
        if r["level"] == "prefecture":
            out.append((r["province"], city, ""))
        elif r["level"] == "county" and r["name"] not in {"市辖区"}:
            out.append((r["province"], city, r["name"]))
    return out


GLOSSARY = (  # 名词解释: the national template's glossary, as the bundled reports print it
    '一、财政拨款收入：从同级财政部门取得的各类财政拨款，包括一般公共预算财政拨款、政府性基金预算财政拨款、国有资本经营预算财政拨款。',
    '二、上级补助收入：指事业单位从主管部门和上级单位取得的非财政补助收入。',
    '三、财政专户管理教育收费：指缴入财政专户、实行专项管理的高中以上学费、住宿费、高校委托培养费、函大、电大、夜大及短训班培训费等教育收费。',
    '四、事业收入：指事业单位开展专业业务活动及其辅助活动取得的收入。',
    '五、经营收入：指事业单位在专业业务活动及其辅助活动之外开展非独立核算经营活动取得的收入。',
    '六、附属单位上缴收入：指事业单位取得附属独立核算单位按照有关规定上缴的收入。',
    '七、其他收入：取得的除上述财政拨款收入、上级补助收入、事业收入、经营收入、附属单位上缴收入等以外的各项收入。',
    '八、使用非财政拨款结余（含专用结余）：指事业单位按照预算管理要求使用非财政拨款结余弥补收支差额的金额，以及使用专用结余安排支出的金额。',
    '九、年初结转和结余：指单位上年结转本年使用的基本支出结转、项目支出结转和结余、经营结余。',
    '十、结余分配：指单位按规定缴纳企业所得税以及从非财政拨款结余或经营结余中提取各类结余的情况。',
    '十一、年末结转和结余资金：指单位结转下年的基本支出结转、项目支出结转和结余、经营结余。',
    '十二、基本支出：指为保障机构正常运转、完成日常工作任务所发生的支出，包括人员经费和公用经费。',
    '十三、项目支出：指在为完成特定的行政工作任务或事业发展目标所发生的支出。',
    '十四、上缴上级支出：指事业单位按照财政部门和主管部门的规定上缴上级单位的支出。',
    '十五、经营支出：指事业单位在专业业务活动及其辅助活动之外开展非独立核算经营活动发生的支出。',
    '十六、对附属单位补助支出：指事业单位用财政拨款收入之外的收入对附属单位补助发生的支出。',
    '十七、“三公”经费：指部门（单位）用财政拨款安排的因公出国（境）费、公务用车购置及运行维护费和公务接待费。其中，因公出国（境）费反映部门（单位）公务出国（境）的国际旅费、国外城市间交通费、住宿费、伙食费、培训费、公杂费等支出；公务用车购置及运行维护费反映部门（单位）公务用车购置支出（含车辆购置税、牌照费）以及按规定保留的公务用车燃料费、维修费、过路过桥费、保险费、安全奖励费用等支出；公务接待费反映部门（单位）按规定开支的各类公务接待（含外宾接待）费用。',
    '十八、机关运行经费：指行政单位和参照公务员法管理事业单位财政拨款基本支出中的公用经费支出，包括办公及印刷费、邮电费、差旅费、会议费、福利费、日常维修费、专用材料及一般设备购置费、办公用房水电费、办公用房取暖费、办公用房物业管理费、公务用车运行维护费及其他费用等。',
)
# 主要工作完成情况: sentence forms of the bundled reports, with counts (not money) drawn per report
WORK_SENTENCES = (
    "扎实开展理论学习，全年组织集中学习 {a} 次，开展专题宣讲 {b} 场，覆盖干部职工 {c} 余人次。",
    "围绕中心工作，组织开展各类培训 {a} 期，参训人员 {c} 人次，推动重点任务落地见效。",
    "深入基层开展调查研究 {a} 次，形成调研报告 {b} 篇，提出意见建议 {d} 条，均已按程序报送。",
    "持续优化服务，全年受理各类事项 {c} 件，按时办结率达到 {e}%，服务对象满意度进一步提升。",
    "加强制度建设，新制定和修订内部管理制度 {b} 项，开展内部审计和专项检查 {a} 次。",
    "推进信息化建设，完成业务系统升级改造 {b} 项，线上办理事项占比提高到 {e}%。",
)


# ------------------------------------------------------------------ money


def fmt(c: int, sep: bool = False) -> str:
    """Hundredths of 万元 → printed 万元 with two decimals ("1,234.56" with sep)."""
    s = f"{c / 100:,.2f}" if sep else f"{c / 100:.2f}"
    return s


def _settle_full_rates(items: list[Item]) -> None:
    """Make every 完成年初预算的 X% of a clean report true to issue 13's rule full_rate_amounts_equal.

    A rate printed as 100.00% states that its two amounts are one amount, so a 年初预算 whose 决算 is within
    0.005 % of it (which would print 100.00% over two different amounts) is set to the 决算 — per 项, then for
    the unit's total, whose difference goes to a 项 whose own rate stays off 100.00%.  Amounts in 0.01 万元.
    """
    for it in items:
        if it.budget0 != it.gb and pct(it.gb, it.budget0) == "100.00":
            it.budget0 = it.gb
    diff = sum(i.gb for i in items) - sum(i.budget0 for i in items)
    if diff and pct(sum(i.gb for i in items), sum(i.budget0 for i in items)) == "100.00":
        it = next((i for i in items if i.budget0 + diff == i.gb or pct(i.gb, i.budget0 + diff) != "100.00"), None)
        if it is not None:
            it.budget0 += diff


def pct(num: int, den: int) -> str:
    """Stated percentage num/den with two decimals, rounded half up ("0.00" when den is 0)."""
    if den == 0:
        return "0.00"
    q = (abs(num) * 20000 + den) // (2 * den)  # round half up of num/den*10000
    return f"{q // 100}.{q % 100:02d}"


def split(rng: random.Random, total: int, n: int, min_share: float = 0.05) -> list[int]:
    """Split an amount (hundredths) into n positive parts that sum exactly to it."""
    if n == 1:
        return [total]
    weights = [rng.uniform(min_share, 1) for _ in range(n)]
    s = sum(weights)
    parts = [int(total * w / s) for w in weights]
    parts[-1] += total - sum(parts)
    return parts


# ------------------------------------------------------------------ one unit-year


@dataclass
class Item:
    code: str
    basic: int
    project: int
    nonfiscal: int = 0      # part of project spending paid from 事业/其他收入 (not general budget)
    budget0: int = 0        # 年初预算 (general budget)

    @property
    def total(self) -> int:
        return self.basic + self.project

    @property
    def gb(self) -> int:
        return self.total - self.nonfiscal


@dataclass
class Project:
    name: str
    budget0: int
    budget: int
    executed: int
    indicators: list[tuple[str, str, str, int, int]]  # level1, level2, name, weight, score

    @property
    def funding_score(self) -> str:
        return pct(self.executed, self.budget * 10) if self.budget else "10.00"  # 10 points × execution rate


@dataclass
class UnitYear:
    unit: str
    province: str
    city: str
    county: str
    sector: str
    year: int
    items: list[Item]
    business: int
    other: int
    carry_begin: int
    carry_end: int
    economic: dict[str, int]
    three_budget: dict[str, int]
    three_actual: dict[str, int]
    procurement: dict[str, int]
    projects: list[Project]
    staff: int
    prior: UnitYear | None = None

    # headline figures
    @property
    def exp_current(self) -> int:
        return sum(i.total for i in self.items)

    @property
    def gb_revenue(self) -> int:
        return sum(i.gb for i in self.items)

    @property
    def rev_current(self) -> int:
        return self.gb_revenue + self.business + self.other

    @property
    def grand_total(self) -> int:
        return self.rev_current + self.carry_begin

    @property
    def basic(self) -> int:
        return sum(i.basic for i in self.items)

    @property
    def project(self) -> int:
        return sum(i.project for i in self.items)

    @property
    def gb_project(self) -> int:
        return sum(i.project - i.nonfiscal for i in self.items)

    @property
    def personnel(self) -> int:
        return sum(v for k, v in self.economic.items() if k[:3] in {"301", "303"})

    @property
    def public(self) -> int:
        return sum(v for k, v in self.economic.items() if k[:3] == "302")

    @property
    def budget0(self) -> int:
        return sum(i.budget0 for i in self.items)


def unit_year(rng: random.Random, place: tuple[str, str, str], sector: str, year: int,
              scale: float, prior: UnitYear | None = None) -> UnitYear:
    """One unit-year's figures (all identities exact). `scale` ~ the unit's size in 万元."""
    province, city, county = place
    unit = f"{city}{county}{sector}"
    main, project_names = SECTORS[sector]
    codes = sorted(set(main) | set(rng.sample(COMMON_ITEMS, rng.randint(2, len(COMMON_ITEMS)))))
    if prior is not None:  # same structure as last year, amounts move by -15%..+20%
        codes = [i.code for i in prior.items]
        scale = prior.exp_current / 100 * rng.uniform(0.85, 1.2)
    total = max(int(scale * 100), 10000)
    parts = split(rng, total, len(codes), 0.1)
    items = []
    for code, amount in zip(codes, parts):
        if code in main:
            basic = int(amount * rng.uniform(0.3, 0.7)) if code.endswith("01") else 0
            project = amount - basic
        else:
            basic, project = amount, 0
        items.append(Item(code, basic, project))
    business = other = nonfiscal = 0
    if rng.random() < 0.4:  # some 事业收入/其他收入 spent on a project
        proj_items = [i for i in items if i.project > 0]
        if proj_items:
            it = rng.choice(proj_items)
            nonfiscal = int(it.project * rng.uniform(0.1, 0.4))
            business = int(nonfiscal * rng.uniform(0.3, 0.8))
            other = nonfiscal - business
    carry_begin = carry_end = 0
    if nonfiscal and rng.random() < 0.5:
        carry_begin = int(nonfiscal * rng.uniform(0.05, 0.3))
        business -= carry_begin  # spent from last year's balance
        if business < 0:
            business, carry_begin = 0, nonfiscal - other
    if nonfiscal:
        next(i for i in items if i.project >= nonfiscal and i.project > 0 and i.code in main).nonfiscal = nonfiscal
    for it in items:
        it.budget0 = max(0, int(it.gb * rng.uniform(0.85, 1.1)))
    _settle_full_rates(items)
    basic = sum(i.basic for i in items)
    # 三公 (small, paid from public funds)
    tb = {"outbound": 0, "vehicle_purchase": 0, "vehicle_operation": 0, "reception": 0}
    ta = dict(tb)
    if rng.random() < 0.6:
        ta["vehicle_operation"] = rng.randint(50, 600)
        ta["reception"] = rng.randint(0, 300)
        if rng.random() < 0.2:
            ta["outbound"] = rng.randint(100, 800)
        for k, v in ta.items():
            tb[k] = v + (rng.randint(0, 200) if v else 0)
    three_in_basic = ta["outbound"] + ta["vehicle_operation"] + ta["reception"]
    # 基本支出 by 经济分类: personnel ~80 %, public the rest (at least the 三公 paid from it)
    pers_codes = sorted(rng.sample(PERSONNEL, rng.randint(4, 8)))
    pub_codes = sorted(rng.sample(PUBLIC, rng.randint(3, 7)))
    pub_total = max(basic - int(basic * rng.uniform(0.7, 0.92)), three_in_basic + 300)
    pers_total = basic - pub_total
    if pers_total <= 1000:
        raise ValueError("unit too small for a 基本支出 split")  # not reached: items are >= 50 万元
    economic = dict(zip(pers_codes, split(rng, pers_total, len(pers_codes))))
    economic.update(zip(pub_codes, split(rng, pub_total - three_in_basic, len(pub_codes))))
    for item, code in THREE_PUBLIC_ECON.items():
        if ta[item]:
            economic[code] = ta[item]
    economic = dict(sorted(economic.items()))
    for d in (tb, ta):
        d["vehicle_total"] = d["vehicle_purchase"] + d["vehicle_operation"]
        d["total"] = d["outbound"] + d["vehicle_total"] + d["reception"]
    goods, works, services = (rng.randint(0, 3000) for _ in range(3))
    procurement = {"goods": goods, "works": works if rng.random() < 0.3 else 0, "services": services}
    procurement["total"] = sum(procurement.values())
    # projects with self-evaluation
    projects = []
    proj_total = sum(i.project for i in items)
    names = rng.sample(project_names, min(len(project_names), rng.randint(1, 3)))
    for name, budget in zip(names, split(rng, max(proj_total, 300), len(names))):
        executed = budget if rng.random() < 0.7 else int(budget * rng.uniform(0.5, 0.99))
        projects.append(Project(name, int(budget * rng.uniform(0.8, 1.0)), budget, executed,
                                _indicators(rng, name)))
    return UnitYear(unit, province, city, county, sector, year, items, business, other, carry_begin, carry_end,
                    economic, tb, ta, procurement, projects, rng.randint(8, 60), prior)


def _indicators(rng: random.Random, name: str) -> list[tuple[str, str, str, int, int]]:
    """Indicators whose weights sum to 90 (the other 10 points are the funding execution)."""
    spec = [("产出指标", "数量指标", f"{name}覆盖人数", 20), ("产出指标", "质量指标", f"{name}资金足额发放率", 15),
            ("产出指标", "时效指标", f"{name}完成及时率", 10), ("产出指标", "成本指标", f"{name}成本控制", 5),
            ("效益指标", "社会效益", f"{name}社会效益", 15), ("效益指标", "可持续影响", f"{name}长效机制", 15),
            ("满意度指标", "服务对象满意度", "服务对象满意度", 10)]
    out = []
    for l1, l2, ind, w in spec:
        score = w if rng.random() < 0.8 else rng.randint(w // 2, w - 1)
        out.append((l1, l2, ind, w, score))
    return out


# ------------------------------------------------------------------ rendering


class Doc:
    """Lines of a report being rendered; tables go through the layout's table writer."""

    def __init__(self, layout: str, spaced: bool):
        self.layout = layout
        self.spaced = spaced  # "199.32 万元" (003) or "199.32万元"
        self.lines: list[str] = []

    def w(self, n: str) -> str:
        """A money figure in prose."""
        return f"{n} 万元" if self.spaced else f"{n}万元"

    def para(self, text: str) -> None:
        if self.layout == "wrapped" and len(text) > 34:
            for piece in wrap(text, 32):
                self.lines += [piece, ""]
        else:
            self.lines += [text, ""]

    def table(self, rows: list[list[str]], cells: bool = False) -> None:
        """Rows of cells: tab-separated lines, or (`cells` layout) one cell per line.  cells=False marks a
        公开 table: one cell per line, its merged header cells printed once (a blank with a label to its
        left and labels under it is the merged cell's span), its rows with figures without their empty
        leading label cells."""
        if self.layout == "cells":
            header = [] if cells else rows[:next((k for k, r in enumerate(rows) if "栏次" in r
                                                 or any(_FIGURE.fullmatch(c) for c in r[2:])), len(rows))]
            for n, row in enumerate(rows):
                if n < len(header):  # a header cell merged over labelled sub-columns: printed once
                    row = [c for j, c in enumerate(row)
                           if c or not any(row[:j]) or not any(lower[j] for lower in header[n + 1:])]
                elif not cells and any(_FIGURE.fullmatch(c) for c in row[2:]):
                    row = row[next((k for k, c in enumerate(row) if c), 0):]
                self.lines += ["\t" + c for c in row] + [""]
        else:
            self.lines += ["\t".join(r) for r in rows] + [""]


_UNBREAKABLE = re.compile(r"[\d.,%]")
_FIGURE = re.compile(r"\d[\d,]*\.\d\d")


def wrap(text: str, width: int) -> list[str]:
    """Cut prose into lines of about `width` characters, as a PDF text extraction does, never
    inside a number (a printed figure stays on one line)."""
    out, start = [], 0
    while len(text) - start > width:
        cut = start + width
        while cut > start + 1 and _UNBREAKABLE.match(text[cut - 1]) and _UNBREAKABLE.match(text[cut]):
            cut -= 1
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out


def yoy_phrase(cur: int, prior: int | None, d: Doc) -> str:
    """"与上年决算相比，增加 X 万元，增长 P%" (or 减少/下降) — stated against the prior year's figure."""
    if prior is None:
        return ""
    diff = cur - prior
    if diff >= 0:
        return f"与上年决算相比，增加 {d.w(fmt(diff))}，增长 {pct(diff, prior)}%"
    return f"与上年决算相比，减少 {d.w(fmt(-diff))}，下降 {pct(-diff, prior)}%"


def render(u: UnitYear, layout: str, rng: random.Random) -> str:
    """The report text of one unit-year in one layout."""
    d = Doc(layout, spaced=rng.random() < 0.5)
    y = u.year
    p = u.prior
    d.lines += ["", f"{y}年度{u.unit}部门决算", ""]
    d.para("目 录")
    for h in ("第一部分 部门概况", "第二部分 部门决算情况说明", "第三部分 名词解释", "第四部分 部门决算表"):
        d.para(h)
    d.para("第一部分 部门概况")
    d.para("一、主要职能、职责")
    d.para(f"{u.unit}贯彻落实党中央和上级部门的决策部署，依法履行本部门职责，统筹做好本{('县' if u.county else '市')}"
           f"相关领域工作，承办上级交办的其他事项。")
    d.para("二、部门机构设置及决算单位构成情况")
    d.para(f"纳入{u.unit}{y}年度部门决算编制范围的预算单位共计 1 家，具体包括：{u.unit}本级。"
           f"截至{y}年12月，在职实有人数 {u.staff} 人。")
    d.para(f"三、{y}年度部门主要工作完成情况")
    for k, sentence in enumerate(rng.sample(WORK_SENTENCES, 4), 1):
        d.para(f"（{cn(k)}）" + sentence.format(a=rng.randint(3, 60), b=rng.randint(2, 30), c=rng.randint(100, 20000),
                                                 d=rng.randint(5, 80), e=rng.randint(90, 100)))
    d.para("第二部分 部门决算情况说明")
    # 一、收入支出决算总体情况
    d.para("一、收入支出决算总体情况说明")
    yo = yoy_phrase(u.grand_total, p.grand_total if p else None, d)
    d.para(f"{u.unit}{y}年度收入、支出决算总计均为 {d.w(fmt(u.grand_total))}。" + (f"{yo[:8]}收、支总计各{yo[8:]}。" if yo else ""))
    d.para(f"（一）收入决算总计 {d.w(fmt(u.grand_total))}。包括：")
    yo = yoy_phrase(u.rev_current, p.rev_current if p else None, d)
    d.para(f"1. 本年收入决算合计 {d.w(fmt(u.rev_current))}。" + (yo + "。" if yo else ""))
    d.para(f"2. 使用非财政拨款结余（含专用结余）{d.w('0.00')}。")
    d.para(f"3. 年初结转和结余 {d.w(fmt(u.carry_begin))}。")
    d.para(f"（二）支出决算总计 {d.w(fmt(u.grand_total))}。包括：")
    yo = yoy_phrase(u.exp_current, p.exp_current if p else None, d)
    d.para(f"1. 本年支出决算合计 {d.w(fmt(u.exp_current))}。" + (yo + "。" if yo else ""))
    d.para(f"2. 结余分配 {d.w('0.00')}。")
    d.para(f"3. 年末结转和结余 {d.w(fmt(u.carry_end))}。")
    # 二、收入
    d.para("二、收入决算情况说明")
    d.para(f"{u.unit}{y}年度本年收入决算合计 {d.w(fmt(u.rev_current))}，其中：")
    for label, v in (("本年一般公共预算财政拨款收入", u.gb_revenue), ("本年政府性基金预算财政拨款收入", 0),
                     ("本年事业收入", u.business), ("本年其他收入", u.other)):
        d.para(f"{label} {d.w(fmt(v))}，占 {pct(v, u.rev_current)}%；")
    # 三、支出
    d.para("三、支出决算情况说明")
    d.para(f"{u.unit}{y}年度本年支出决算合计 {d.w(fmt(u.exp_current))}，其中：")
    d.para(f"本年基本支出 {d.w(fmt(u.basic))}，占 {pct(u.basic, u.exp_current)}%；")
    d.para(f"本年项目支出 {d.w(fmt(u.project))}，占 {pct(u.project, u.exp_current)}%。")
    # 四、财政拨款总体
    d.para("四、财政拨款收入支出决算总体情况说明")
    yo = yoy_phrase(u.gb_revenue, p.gb_revenue if p else None, d)
    d.para(f"{u.unit}{y}年度财政拨款收入、支出决算总计均为 {d.w(fmt(u.gb_revenue))}。" + (yo + "。" if yo else ""))
    # 五、一般公共预算支出 by 类/款/项
    d.para("五、一般公共预算财政拨款支出决算情况说明")
    d.para(f"{u.unit}{y}年度一般公共预算财政拨款支出决算 {d.w(fmt(u.gb_revenue))}。与年初预算 {d.w(fmt(u.budget0))}"
           f"相比，完成年初预算的 {pct(u.gb_revenue, u.budget0)}%。其中：")
    for ci, (cls, members) in enumerate(_by_class(u.items), 1):
        cname = _FUNC[cls]["name"]
        ctot = sum(i.gb for i in members)
        d.para(f"（{cn(ci)}）{cname}（类）")
        d.para(f"{cname}（类）决算数为 {d.w(fmt(ctot))}。其中：")
        for k, it in enumerate(members, 1):
            kuan = _FUNC[it.code[:5]]["name"]
            xiang = _FUNC[it.code]["name"]
            d.para(f"{k}. {kuan}（款）{xiang}（项）。年初预算 {d.w(fmt(it.budget0))}，支出决算 {d.w(fmt(it.gb))}，"
                   f"完成年初预算的 {pct(it.gb, it.budget0)}%。")
    # 六、基本支出
    d.para("六、一般公共预算财政拨款基本支出决算情况说明")
    d.para(f"{u.unit}{y}年度一般公共预算财政拨款基本支出决算 {d.w(fmt(u.basic))}，其中：")
    pers = "、".join(f"{_ECON[k]['name']} {d.w(fmt(v))}" for k, v in u.economic.items() if k[:3] in {"301", "303"})
    pub = "、".join(f"{_ECON[k]['name']} {d.w(fmt(v))}" for k, v in u.economic.items() if k[:3] == "302")
    d.para(f"（一）人员经费 {d.w(fmt(u.personnel))}。主要包括：{pers}。")
    d.para(f"（二）公用经费 {d.w(fmt(u.public))}。主要包括：{pub}。")
    # 七、三公
    d.para("七、财政拨款“三公”经费支出决算情况说明")
    tb, ta = u.three_budget, u.three_actual
    d.para(f"{u.unit}{y}年度财政拨款“三公”经费全年预算 {d.w(fmt(tb['total']))}，支出决算 {d.w(fmt(ta['total']))}，"
           f"完成预算的 {pct(ta['total'], tb['total'])}%。其中：因公出国（境）费全年预算 {d.w(fmt(tb['outbound']))}，"
           f"支出决算 {d.w(fmt(ta['outbound']))}；公务用车购置及运行维护费全年预算 {d.w(fmt(tb['vehicle_total']))}，"
           f"支出决算 {d.w(fmt(ta['vehicle_total']))}；公务接待费全年预算 {d.w(fmt(tb['reception']))}，"
           f"支出决算 {d.w(fmt(ta['reception']))}。")
    d.para(f"{u.unit}{y}年度财政拨款“三公”经费支出 {d.w(fmt(ta['total']))}。因公出国（境）费支出 "
           f"{d.w(fmt(ta['outbound']))}，占 {pct(ta['outbound'], ta['total'])}%；公务用车购置及运行维护费支出 "
           f"{d.w(fmt(ta['vehicle_total']))}，占 {pct(ta['vehicle_total'], ta['total'])}%；公务接待费支出 "
           f"{d.w(fmt(ta['reception']))}，占 {pct(ta['reception'], ta['total'])}%。其中：")
    d.para(f"1. 公务用车购置支出 {d.w(fmt(ta['vehicle_purchase']))}；公务用车运行维护费支出 "
           f"{d.w(fmt(ta['vehicle_operation']))}。")
    d.para(f"2. 公务接待费支出 {d.w(fmt(ta['reception']))}。")
    # 八、政府采购
    d.para("八、政府采购支出决算情况说明")
    pr = u.procurement
    d.para(f"{u.unit}{y}年度政府采购支出总额 {d.w(fmt(pr['total']))}，其中：政府采购货物支出 {d.w(fmt(pr['goods']))}、"
           f"政府采购工程支出 {d.w(fmt(pr['works']))}、政府采购服务支出 {d.w(fmt(pr['services']))}。")
    # 九、绩效
    d.para("九、预算绩效情况说明")
    d.para(f"{u.unit}{y}年度在决算中反映 {len(u.projects)} 个一般公共预算项目的绩效自评结果。")
    for k, pj in enumerate(u.projects, 1):
        d.para(f"{k}. {pj.name}项目自评综述：根据年初设定的绩效目标，项目自评得分 {_score(pj)} 分。全年预算数为 "
               f"{d.w(fmt(pj.budget))}，执行数为 {d.w(fmt(pj.executed))}，完成预算的 {pct(pj.executed, pj.budget)}%。")
    for pj in u.projects:
        _perf_table(d, u, pj)
    d.para("第三部分 名词解释")
    for term in GLOSSARY:
        d.para(term)
    d.para("第四部分 部门决算表")
    if layout != "narrative":
        _tables(d, u)
    return "\n".join(d.lines) + "\n"


def _score(pj: Project) -> str:
    total = int(round(float(pj.funding_score) * 100)) + sum(s for *_, s in pj.indicators) * 100
    return f"{total / 100:g}" if total % 100 else str(total // 100)


def _by_class(items: list[Item]) -> list[tuple[str, list[Item]]]:
    out: dict[str, list[Item]] = {}
    for it in sorted(items, key=lambda i: i.code):
        out.setdefault(it.code[:3], []).append(it)
    return list(out.items())


def _hierarchy(items: list[Item], value) -> list[tuple[str, str, list[int]]]:
    """(code, name, values) rows for 类, 款, 项 in table order; values summed bottom-up."""
    rows = []
    for cls, members in _by_class(items):
        rows.append((cls, _FUNC[cls]["name"], [sum(v) for v in zip(*(value(i) for i in members))]))
        kuans: dict[str, list[Item]] = {}
        for it in members:
            kuans.setdefault(it.code[:5], []).append(it)
        for kuan, ks in kuans.items():
            rows.append((kuan, _FUNC[kuan]["name"], [sum(v) for v in zip(*(value(i) for i in ks))]))
            for it in ks:
                rows.append((it.code, _FUNC[it.code]["name"], list(value(it))))
    return rows


def _cell(c: int) -> str:
    return fmt(c, sep=True) if c else ""


def _tables(d: Doc, u: UnitYear) -> None:
    unit_line = [f"编制部门：{u.unit}", "", "单位：万元"]

    def head(title: str, no: str) -> None:
        d.lines += [title, "", f"公开{no}表", ""]
        d.lines += [unit_line[0], "", unit_line[2], ""]

    class_tot = {c: sum(i.total for i in u.items if i.code[:3] == c) for c, _ in CLASSES_01}
    class_gb = {c: sum(i.gb for i in u.items if i.code[:3] == c) for c, _ in CLASSES_01}
    # 公开01表
    head("收入支出决算总表", "01")
    rev = [("一、一般公共预算财政拨款收入", u.gb_revenue), ("二、政府性基金预算财政拨款收入", 0),
           ("三、国有资本经营预算财政拨款收入", 0), ("四、上级补助收入", 0), ("五、事业收入", u.business),
           ("六、经营收入", 0), ("七、附属单位上缴收入", 0), ("八、其他收入", u.other)]
    rows = [["收入", "", "", "支出", "", ""], ["项目", "行次", "决算数", "项目", "行次", "决算数"],
            ["栏次", "", "1", "栏次", "", "2"]]
    for k, (code, name) in enumerate(CLASSES_01):
        left = rev[k] if k < len(rev) else ("", 0)
        rows.append([left[0], str(k + 1), _cell(left[1]), f"{cn(k + 1)}、{name}", str(31 + k), _cell(class_tot[code])])
    rows += [["本年收入合计", "27", _cell(u.rev_current), "本年支出合计", "57", _cell(u.exp_current)],
             ["使用非财政拨款结余（含专用结余）", "28", "", "结余分配", "58", ""],
             ["年初结转和结余", "29", _cell(u.carry_begin), "年末结转和结余", "59", _cell(u.carry_end)],
             ["总计", "30", _cell(u.grand_total), "总计", "60", _cell(u.grand_total)]]
    d.table(rows)
    # 公开02表
    head("收入决算表", "02")
    rows = [["项目", "", "本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"],
            ["科目代码", "科目名称", "", "", "", "", "", "", ""],
            ["", "栏次", "1", "2", "3", "4", "5", "6", "7"]]

    def rev_of(it: Item) -> tuple[int, ...]:
        bus = u.business if it.nonfiscal else 0
        oth = u.other if it.nonfiscal else 0
        return (it.gb + bus + oth, it.gb, bus, oth)

    tot = [u.rev_current, u.gb_revenue, u.business, u.other]
    rows.append(["", "合计", _cell(tot[0]), _cell(tot[1]), "", _cell(tot[2]), "", "", _cell(tot[3])])
    for code, name, v in _hierarchy(u.items, rev_of):
        rows.append([code, name, _cell(v[0]), _cell(v[1]), "", _cell(v[2]), "", "", _cell(v[3])])
    d.table(rows)
    # 公开03表
    head("支出决算表", "03")
    rows = [["项目", "", "本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"],
            ["科目代码", "科目名称", "", "", "", "", "", ""],
            ["", "栏次", "1", "2", "3", "4", "5", "6"],
            ["", "合计", _cell(u.exp_current), _cell(u.basic), _cell(u.project), "", "", ""]]
    for code, name, v in _hierarchy(u.items, lambda i: (i.total, i.basic, i.project)):
        rows.append([code, name, _cell(v[0]), _cell(v[1]), _cell(v[2]), "", "", ""])
    d.table(rows)
    # 公开04表
    head("财政拨款收入支出决算总表", "04")
    rows = [["收入", "", "", "支出", "", "", "", "", ""],
            ["项目", "行次", "金额", "项目", "行次", "合计", "一般公共预算财政拨款", "政府性基金预算财政拨款",
             "国有资本经营预算财政拨款"],
            ["栏次", "", "1", "栏次", "", "2", "3", "4", "5"]]
    rev4 = [("一、一般公共预算财政拨款收入", u.gb_revenue), ("二、政府性基金预算财政拨款收入", 0),
            ("三、国有资本经营预算财政拨款收入", 0)]
    for k, (code, name) in enumerate(CLASSES_01):
        left = rev4[k] if k < len(rev4) else ("", 0)
        v = _cell(class_gb[code])
        rows.append([left[0], str(k + 1), _cell(left[1]), f"{cn(k + 1)}、{name}", str(33 + k), v, v, "", ""])
    g = _cell(u.gb_revenue)
    rows += [["本年收入合计", "27", g, "本年支出合计", "59", g, g, "", ""],
             ["年初财政拨款结转和结余", "28", "", "年末财政拨款结转和结余", "60", "", "", "", ""],
             ["合计", "32", g, "合计", "64", g, g, "", ""]]
    d.table(rows)
    # 公开05表
    head("一般公共预算财政拨款支出决算表", "05")
    rows = [["项目", "", "本年支出", "", ""], ["科目代码", "科目名称", "小计", "基本支出", "项目支出"],
            ["", "栏次", "1", "2", "3"],
            ["", "合计", _cell(u.gb_revenue), _cell(u.basic), _cell(u.gb_project)]]
    for code, name, v in _hierarchy(u.items, lambda i: (i.gb, i.basic, i.project - i.nonfiscal)):
        rows.append([code, name, _cell(v[0]), _cell(v[1]), _cell(v[2])])
    d.table(rows)
    # 公开06表 (three code/name/amount column groups, like the bundled 06表)
    head("一般公共预算财政拨款基本支出决算明细表", "06")
    pers = []
    for group in ("301", "303"):
        members = [(k, v) for k, v in u.economic.items() if k[:3] == group]
        if members:
            pers += [(group, sum(v for _, v in members))] + members
    pub = [("302", u.public)] + [(k, v) for k, v in u.economic.items() if k[:3] == "302"]
    rows = [["人员经费", "", "", "公用经费", "", ""], ["科目代码", "科目名称", "决算数", "科目代码", "科目名称", "决算数"]]
    for k in range(max(len(pers), len(pub))):
        left = [pers[k][0], _ECON[pers[k][0]]["name"], fmt(pers[k][1], True)] if k < len(pers) else ["", "", ""]
        right = [pub[k][0], _ECON[pub[k][0]]["name"], fmt(pub[k][1], True)] if k < len(pub) else ["", "", ""]
        rows.append(left + right)
    rows.append(["人员经费合计", "", fmt(u.personnel, True), "公用经费合计", "", fmt(u.public, True)])
    d.table(rows)
    # 公开09表
    head("财政拨款“三公”经费及会议费、培训费支出决算表", "09")
    tb, ta = u.three_budget, u.three_actual
    keys = ["total", "outbound", "vehicle_total", "vehicle_purchase", "vehicle_operation", "reception"]
    rows = [["项目", "财政拨款“三公”经费", "", "", "", "", "", "会议费", "培训费"],
            ["", "合计", "因公出国（境）费", "公务用车购置及运行维护费", "", "", "公务接待费", "", ""],
            ["", "", "", "小计", "公务用车购置费", "公务用车运行维护费", "", "", ""],
            ["栏次", "1", "2", "3", "4", "5", "6", "7", "8"],
            ["预算数"] + [fmt(tb[k], True) for k in keys] + ["", ""],
            ["决算数"] + [fmt(ta[k], True) for k in keys] + ["", ""]]
    d.table(rows)


def _perf_table(d: Doc, u: UnitYear, pj: Project) -> None:
    rate = pct(pj.executed, pj.budget)
    rows = [[f"项目支出绩效自评表 ({u.year}年度)"] + [""] * 10,
            ["项目名称", "", pj.name] + [""] * 8,
            ["主管部门", "", u.unit, "", "", "", "", "实施单位", u.unit, "", ""],
            ["项目资金 （万元）", "", "", "年初预算数", "全年预算数", "全年执行数", "", "分值", "执行率（%）", "得分", ""],
            ["", "", "年度资金总额", fmt(pj.budget0), fmt(pj.budget), fmt(pj.executed), "", "10", rate, pj.funding_score, ""],
            ["", "", "其中：财政拨款", fmt(pj.budget0), fmt(pj.budget), fmt(pj.executed), "", "——", rate, "——", ""],
            ["", "", "上年结转资金", "0", "0", "0", "", "——", "0", "——", ""],
            ["", "", "其他资金", "0", "0", "0", "", "——", "0", "——", ""],
            ["绩效指标", "一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "年度指标值", "实际完成值", "计量单位",
             "分值", "得分"]]
    for l1, l2, name, w, s in pj.indicators:
        rows.append(["绩效指标", l1, l2, name, "正向", "大于等于", "95", str(95 if s == w else 90), "%", str(w), str(s)])
    rows.append(["总分"] + [""] * 8 + ["100", _score(pj)])
    d.table(rows, cells=True)


# ------------------------------------------------------------------ corpus and errors


@dataclass
class Report:
    path: Path
    layout: str
    unit: UnitYear
    lines: list[str] = field(default_factory=list)


def build_reports(folder: Path | str, size: int, seed: int = 0,
                  years: tuple[int, ...] = (2022, 2023, 2024),
                  layouts: tuple[str, ...] = LAYOUTS) -> tuple[list[Report], random.Random]:
    """Render `size` reports (in memory; paths under `folder`) and return them with the random
    generator in the state that follows (injection continues from it, so a corpus with errors is
    the clean corpus with some lines changed). Distinct unit-years: units of real places × sectors,
    `len(years)` consecutive years each (the last unit may get fewer).
    Raises ValueError when `size` needs more units than places × sectors."""
    rng = random.Random(seed)
    folder = Path(folder)
    places = _places()
    rng.shuffle(places)
    sectors = list(SECTORS)
    reports: list[Report] = []
    n_units = -(-size // len(years))
    if n_units > len(places) * len(sectors):
        raise ValueError(f"--size {size}: at most {len(places) * len(sectors) * len(years):,} distinct unit-years "
                         f"({len(places):,} places × {len(sectors)} sectors × {len(years)} years)")
    # unit k is place k mod P with that place's sectors in turn from a random first one: no two units share a
    # (place, sector), so no unit-year repeats (a repeat is a second version of a report, superseding the first).
    # The first one is drawn among the four sectors of generator version 6, as it drew them: a corpus of up to
    # 3 × P reports is the one version 6 wrote (the tests' generated reports are)
    first: list[int] = []
    for k in range(n_units):
        place = places[k % len(places)]
        if k < len(places):
            first.append(rng.choice(range(4)))   # version 6's rng.choice of its four sectors, as an index
        sector = sectors[(first[k % len(places)] + k // len(places)) % len(sectors)]
        scale = rng.lognormvariate(6, 1)  # median ~400 万元
        prior = unit_year(rng, place, sector, years[0] - 1, scale)  # not published: the base of the first YoY
        for year in years:
            if len(reports) >= size:
                break
            u = unit_year(rng, place, sector, year, scale, prior)
            layout = layouts[len(reports) % len(layouts)]
            name = f"{len(reports):06d}_{year}_{place[2] or place[1]}{sector}.txt"
            text = render(u, layout, rng)
            reports.append(Report(folder / name, layout, u, text.split("\n")))
            prior = u
    return reports, rng


def generate_corpus(out: Path | str, size: int, errors: int = 0, seed: int = 0,
                    years: tuple[int, ...] = (2022, 2023, 2024), fmt: str = "txt") -> list[dict[str, str]]:
    """Write `size` reports (`fmt` "txt" or "pdf") into `out`/reports and, with errors > 0, inject errors and
    write `out`/manifest.csv (beside the reports folder: the product reads .csv files in a folder it is given).

    Returns the manifest rows (empty when errors == 0): file, kind, line (1-based line of the text),
    original and injected line text, expected_checks, …, page (PDF: where the changed line is printed).
    Raises ValueError when errors > size (one error per report) or on an unknown `fmt`.
    """
    if errors > size:
        raise ValueError(f"--errors {errors} exceeds --size {size}: at most one injected error per report")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; formats: {FORMATS}")
    out = Path(out)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    reports, rng = build_reports(out / "reports", size, seed, years, PDF_LAYOUTS if fmt == "pdf" else LAYOUTS)
    manifest = []
    if errors:
        chosen = rng.sample(range(len(reports)), errors)
        for n, idx in enumerate(sorted(chosen)):
            kind = ERROR_KINDS[n % len(ERROR_KINDS)]
            r = reports[idx]
            if kind == "table_cell" and r.layout == "narrative":
                kind = "narrative_number"  # no 公开 table to change
            row = inject(r, kind, rng)
            manifest.append(row)
    pages = {}
    for r in reports:
        if fmt == "pdf":
            pages[r.path.name] = _write_pdf(r)
        else:
            r.path.write_text("\n".join(r.lines), encoding="utf-8")
    for m in manifest:
        m["page"] = ""
        if fmt == "pdf":
            m["page"] = str(pages[m["file"]][int(m["line"]) - 1])
            m["layout"] = f"{m['layout']}/{pdf_style(m['file'])}"
            m["file"] = str(Path(m["file"]).with_suffix(".pdf"))
    if errors:
        with (out / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
            wr = csv.DictWriter(fh, MANIFEST_FIELDS)
            wr.writeheader()
            wr.writerows(manifest)
    return manifest



def pdf_style(name: str) -> str:
    """"ruled" or "unruled": how the PDF of report `name` (its number first) draws its tables — in turn, per
    pair of layouts, so both layouts come in both styles."""
    return PDF_STYLES[(int(name.split("_", 1)[0]) // len(PDF_LAYOUTS)) % len(PDF_STYLES)]


def _write_pdf(r: Report) -> list[int | None]:
    """Write the report as `<name>.pdf` (bench/pdf_render.py), its tables ruled or not (pdf_style); returns
    the page each text line is printed on (None for a blank line)."""
    from pdf_render import blocks_of_text, render

    placed: list[int] = []
    ruled = pdf_style(r.path.name) == "ruled"
    r.path.with_suffix(".pdf").write_bytes(render(blocks_of_text(r.lines), ruled=ruled, placed=placed))
    printed = iter(placed)  # one entry per prose block and per table row: the non-blank lines, in order
    return [next(printed) if "\t" in line or line.strip() else None for line in r.lines]


# kind → (line pattern, what to change, identities that should fire)
_FIRST_WAN = re.compile(r"(?<![\d.,])(\d[\d,]*\.\d\d) ?万元")
# narrative figures an error may change: (line start, the figure on it, identities that should fire)
_NARRATIVE_TARGETS = [
    (re.compile(r"^1\. 本年支出决算合计 "), _FIRST_WAN, "narrative_vs_table|narrative_vs_narrative|expenditure_grand_total"),
    (re.compile(r"^本年基本支出 "), _FIRST_WAN, "narrative_vs_table|share_of_total|expenditure_current_total"),
    (re.compile(r"^（一）人员经费 "), _FIRST_WAN, "narrative_vs_table|basic_personnel_public"),
    (re.compile(r"^\d+\. .*（款）.*（项）。年初预算"), re.compile(r"支出决算 ?(\d[\d,]*\.\d\d) ?万元"),
     "narrative_vs_table|completion_of_budget|class_equals_sum_of_subclasses"),
]


def inject(r: Report, kind: str, rng: random.Random) -> dict[str, str]:
    """Change one line of a rendered report; returns the manifest row. The change is made on the
    first matching line (1-based line numbers as the product reports them)."""
    lines = r.lines

    def find(pred, start: int = 0) -> int:
        for i in range(start, len(lines)):
            if pred(lines[i]):
                return i
        raise LookupError(f"{r.path.name}: no line for error kind {kind}")

    def find_value(pred, value: re.Pattern[str]) -> tuple[int, re.Match[str]]:
        """The first line at or after the one `pred` picks (a wrapped paragraph goes on) with `value`."""
        i = find(pred)
        for j in range(i, min(i + 8, len(lines))):
            m = value.search(lines[j])
            if m:
                return j, m
        raise LookupError(f"{r.path.name}: no figure for error kind {kind} after line {i + 1}")

    def bump(s: str) -> str:
        v = int(s.replace(",", "").replace(".", ""))
        delta = max(rng.randint(100, 5000), v // 10)  # at least 1 万元 off: clear of rounding
        new = v + delta
        return fmt(new, sep="," in s)

    if kind == "table_cell":
        # a 项 row of 公开03表 (7-digit code): its 本年支出合计 cell
        start = find(lambda s: s.strip() == "公开03表")
        i = next(j for j in range(start, len(lines)) if re.match(r"\t?\d{7}(?:\t|$)", lines[j]))
        if r.layout == "cells":  # one cell per line: code, name, 本年支出合计
            i += 2
            old = lines[i]
            new = "\t" + bump(old[1:])
        else:
            cells = lines[i].split("\t")
            old = lines[i]
            cells[2] = bump(cells[2])
            new = "\t".join(cells)
        expected = "subclass_equals_sum_of_items|table_vs_table|narrative_vs_table"
    elif kind == "narrative_number":
        pattern, value, expected = _NARRATIVE_TARGETS[rng.randrange(len(_NARRATIVE_TARGETS))]
        i, m = find_value(lambda s: bool(pattern.search(s)), value)
        old = lines[i]
        new = old[:m.start(1)] + bump(m.group(1)) + old[m.end(1):]
    elif kind == "share":
        i, m = find_value(lambda s: s.startswith("本年项目支出 "), re.compile(r"占 (\d+\.\d\d)%"))
        old = lines[i]
        v = float(m.group(1))
        wrong = f"{v + 7.5:.2f}" if v < 90 else f"{v - 7.5:.2f}"
        new = old[:m.start(1)] + wrong + old[m.end(1):]
        expected = "share_of_total"
    elif kind == "yoy":
        i = find(lambda s: bool(re.search(r"(?:增长|下降) \d+\.\d\d%", s)))
        old = lines[i]
        m = re.search(r"(?:增长|下降) (\d+\.\d\d)%", old)
        v = float(m.group(1))
        new = old[:m.start(1)] + f"{v + 5.0:.2f}" + old[m.end(1):]
        expected = "yoy_pct_matches_change"
    elif kind == "unit_slip":
        i, m = find_value(lambda s: s.startswith("（二）公用经费 "), re.compile(r"(\d[\d,]*\.\d\d)( ?)万元"))
        old = lines[i]
        new = old[:m.start()] + m.group(1) + m.group(2) + "元" + old[m.end():]  # 万元 printed as 元
        expected = "narrative_vs_table|basic_personnel_public"
    else:
        raise ValueError(f"unknown error kind {kind!r}; kinds: {ERROR_KINDS}")
    lines[i] = new
    return {"file": r.path.name, "kind": kind, "line": str(i + 1), "original": old, "injected": new,
            "expected_checks": expected, "layout": r.layout, "unit": r.unit.unit, "fiscal_year": str(r.unit.year)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, required=True, help="number of reports (distinct unit-years)")
    ap.add_argument("--out", type=Path, required=True, help="output folder (created)")
    ap.add_argument("--errors", type=int, default=0, help="inject this many known errors (one per report)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", choices=FORMATS, default="txt", help="write text reports or PDFs")
    args = ap.parse_args(argv)
    try:
        manifest = generate_corpus(args.out, args.size, args.errors, args.seed, fmt=args.format)
    except ValueError as exc:
        ap.error(str(exc))
    print(f"{args.size} reports in {args.out / 'reports'}" + (f", {len(manifest)} injected errors in manifest.csv" if manifest else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
