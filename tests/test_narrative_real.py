"""Prose forms of real published reports (issue 9): exact values, codes, scopes and lines.

Two kinds of test per form:

* on the verbatim excerpts of ``../shared/real/repro/`` (skipped when ``../shared`` is absent;
  ``JUESUAN_SHARED`` overrides the place);
* on the few verbatim sentences each mechanism needs, copied below, so that the mechanism
  is tested without ``../shared``.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.narrative.interpreter import DocContext, Interpreter
from ingest.normalize import normalise_line
from ingest.paragraphs import assemble
from ingest.parse import parse_bytes, parse_file
from ingest.sections import SectionIndex, build_tree

SHARED = Path(os.environ.get("JUESUAN_SHARED") or Path(__file__).resolve().parents[2] / "shared")
REPRO = SHARED / "real" / "repro"
needs_shared = pytest.mark.skipif(not REPRO.is_dir(), reason="../shared/real/repro is absent")


def repro(folder: str, name: str) -> Path:
    matches = sorted(REPRO.glob(f"{folder}*/{name}"))
    if not matches:
        pytest.skip(f"{folder}/{name} is absent")
    return matches[0]


def prose(text: str, fiscal_year: int | None, report_kind: str | None = None) -> Interpreter:
    """Run the narrative interpreter alone over ``text`` (sections and paragraphs as in parse)."""
    lines = [normalise_line(line) for line in text.split("\n")]
    index = SectionIndex(build_tree(lines), len(lines))
    interpreter = Interpreter(DocContext(fiscal_year, index.titles, lambda _line: None, report_kind))
    for para in assemble(lines, set()):
        interpreter.paragraph(para)
    return interpreter


def narrative(observations, **criteria) -> list:
    out = []
    for o in observations:
        if o.source_kind != "narrative":
            continue
        if all((getattr(o, k) == Decimal(v) if k == "value" else getattr(o, k) == v) for k, v in criteria.items()):
            out.append(o)
    return out


def the(observations, **criteria):
    found = narrative(observations, **criteria)
    assert len(found) == 1, f"{criteria}: {len(found)} observations {[(o.line_no, o.kind, o.item, o.value) for o in found]}"
    return found[0]


# ------------------------------------------------------------------ verbatim sentences
# 上海市普陀区司法局2026年部门预算 p.8 (repro r06)
SFJ_2026 = """\
上海市普陀区2026年区级部门预算
预算主管部门：上海市普陀区司法局
2026年部门预算编制说明
2026年，上海市普陀区司法局收入预算9628.22万元，其中：财政拨款收入9628.22万元，比2026年预算增加793.14万元；事业收入0万
财政拨款支出主要内容如下：
1、公共安全支出（204类）司法（06款）行政运行（01项）1672.67万元。主要用于：行政单位的基本支出。2025年当年预算执行数为
1690.69万元，2026年预算安排1672.67万元，比2025年预算执行数减少1.07%。主要原因是：部分人员退休。
2、公共安全支出（204类）司法（06款）基层司法业务（04项）2170.39万元。主要用于：人民调解、医患纠纷、社区矫正和安置帮教等
工作支出。2025年当年预算执行数为2149.45万元，2026年预算安排2170.39万元，比2025年预算执行数增加0.97%。主要原因是：业务量增
加。
"""

# 西南大学2023年度部门决算 p.17 (repro r14), with the page number that falls inside item 5
SWU_FISCAL = """\
西南大学 2023 年度部门决算
学校 2023 年度财政拨款支出总计为 237,100.00 万元，
其中基本支出 199,015.13 万元，占总支出的 83.94%；项目支
出 38,084.87 万元，占总支出的 16.06%。具体包括：
1.小学教育（2050202），2023 年度决算数为 7,970.38
万元，比 2022 年度决算数增长 0.39%。
2.高中教育（2050204），2023 年度决算数为 16,769.73
万元，比 2022 年度决算数增长 17.14%。
3.高等教育（2050205），2023 年度决算数为 186,663.39
万元，比 2022 年度决算数增长 0.29%。
4.来华留学教育（2050602），2023 年度决算数为 570.14
万元，比 2022 年度决算数增长 28.30%。
"""

# 西南大学2023年度部门决算 pp.16-17 (repros r02, r03)
SWU_TOTALS = """\
西南大学 2023 年度部门决算
学校 2023 年度收入总计 430,725.03 万元，与 2022 年度相比，减少 23,616.80 万元，降低 5.20%。
学校 2023 年度支出总计 457,676.75 万元，与 2022 年度相比，增加 54,492.83 万元，增长 13.52%。
学校 2023 年度各项支出总计 457,676.75 万元，其中基本支出 359,781.59 万元，占支出总额 78.61%；项目支出 97,895.15 万元，占支出总额 21.39%。
按照支出功能科目划分，教育支出 425,287.27 万元，占总支出的 92.92%；科学技术支出 2,536.65 万元，占总支出的 0.56%；社会保障和就业支出 13,465.06 万元，占总支出的 2.94%；住房保障支出 16,278.27 万元，占总支出的 3.56%；其他支出 109.50 万元，占总支出的 0.02%。
"""


# ------------------------------------------------------------ 204类/06款/01项 (r06)
def _check_sfj(observations, budget_measure: str, first_line: int, stated_budget: str | None = None) -> None:
    """``budget_measure``: an amount with no measure word for the report year; ``stated_budget``:
    one introduced by 预算安排 (both budget_initial in a 预算 report)."""
    L = first_line  # line of "1、公共安全支出（204类）…"
    stated_budget = stated_budget or budget_measure
    o = the(observations, line_no=L, function_code="2040601", measure=budget_measure, fiscal_year=2026)
    assert (o.value, o.kind, o.item, o.scope, o.value_text) == (Decimal("1672.67"), "expenditure", "total", "fiscal", "1672.67万元")
    assert o.subject_name == "公共安全支出（类）司法（款）行政运行（项）"
    the(observations, line_no=L + 1, function_code="2040601", measure="amount", fiscal_year=2025, value="1690.69")
    the(observations, line_no=L + 1, function_code="2040601", measure=stated_budget, fiscal_year=2026, value="1672.67")
    the(observations, line_no=L + 2, function_code="2040604", measure=budget_measure, fiscal_year=2026, value="2170.39")
    the(observations, line_no=L + 3, function_code="2040604", measure=stated_budget, fiscal_year=2026, value="2170.39")
    the(observations, line_no=L + 3, function_code="2040604", measure="amount", fiscal_year=2025, value="2149.45")
    # never on the class, never on the 基本支出 named after 主要用于
    assert not narrative(observations, function_code="204")
    assert not narrative(observations, item="basic")
    assert all(o.scope == "fiscal" for o in narrative(observations, kind="expenditure"))


def test_codes_written_with_their_level_budget_report():
    interpreter = prose(SFJ_2026, 2026, "部门预算")
    _check_sfj(interpreter.observations, "budget_initial", 6)
    o = the(interpreter.observations, kind="revenue", item="current_total")
    assert (o.line_no, o.measure, o.value) == (4, "budget_initial", Decimal("9628.22"))  # 收入预算9628.22万元


@needs_shared
def test_r06_codes_written_with_their_level():
    doc = parse_file(repro("r06", "sfj2026_excerpt.txt"))
    # the 预算 report kind is read by the metadata (issue 9): in a budget the amounts are budgets
    if doc.report_kind.endswith("预算"):
        _check_sfj(doc.result.observations, "budget_initial", 6)
    else:
        _check_sfj(doc.result.observations, "amount", 6, "budget")


# --------------------------------------------------- code in parentheses (r14)
def _check_swu_fiscal(observations) -> None:
    for line, code, value in [(5, "2050202", "7970.38"), (7, "2050204", "16769.73"), (9, "2050205", "186663.39"),
                              (11, "2050602", "570.14")]:
        o = the(observations, function_code=code, measure="amount")
        assert (o.line_no, o.value, o.scope, o.fiscal_year, o.kind, o.item) == (line, Decimal(value), "fiscal", 2023,
                                                                               "expenditure", "total")
        change = the(observations, function_code=code, measure="yoy_change_pct")
        assert change.line_no == line + 1 and change.value > 0
    basic = the(observations, item="basic", measure="amount")
    assert (basic.line_no, basic.value, basic.scope) == (3, Decimal("199015.13"), "fiscal")
    project = the(observations, item="project", measure="amount")
    assert (project.line_no, project.value, project.scope) == (4, Decimal("38084.87"), "fiscal")
    total = the(observations, kind="expenditure", item="grand_total", measure="amount")
    assert (total.line_no, total.value, total.scope) == (2, Decimal("237100.00"), "fiscal")


def test_code_in_parentheses_and_fiscal_scope_of_the_enumeration():
    interpreter = prose(SWU_FISCAL, 2023)
    _check_swu_fiscal(interpreter.observations)
    assert not [r for r in interpreter.rejects if r.reason == "no_subject"]


def test_a_page_number_inside_a_sentence_is_not_part_of_the_figure():
    text = SWU_FISCAL.replace("决算数为 7,970.38\n万元", "决算数为\n15\n7,970.38 万元")
    o = the(prose(text, 2023).observations, function_code="2050202", measure="amount")
    assert (o.value, o.line_no) == (Decimal("7970.38"), 7)


@needs_shared
def test_r14_code_in_parentheses():
    doc = parse_file(repro("r14", "swu2023_excerpt.txt"))
    obs = doc.result.observations
    # the excerpt has a section title line (（四）…说明) before the sentences: one line later
    for line, code, value in [(6, "2050202", "7970.38"), (8, "2050204", "16769.73"), (10, "2050205", "186663.39"),
                              (12, "2050602", "570.14")]:
        o = the(obs, function_code=code, measure="amount")
        assert (o.line_no, o.value, o.scope, o.fiscal_year) == (line, Decimal(value), "fiscal", 2023)
    assert the(obs, item="basic", measure="amount").scope == "fiscal"
    assert the(obs, item="project", measure="amount").value == Decimal("38084.87")
    assert not [r for r in doc.result.rejects if r.reason == "no_subject"]


# --------------------------------------------------------- 其他支出 (r03) and totals (r02)
def _check_swu_totals(observations, first: int, basic_line: int) -> None:
    o = the(observations, kind="revenue", item="grand_total", measure="amount")
    assert (o.line_no, o.value, o.scope) == (first, Decimal("430725.03"), "all")
    assert the(observations, kind="revenue", item="grand_total", measure="yoy_change").value == Decimal("-23616.80")
    for item, value in [("basic", "359781.59"), ("project", "97895.15")]:
        o = the(observations, item=item, measure="amount")
        assert (o.line_no, o.value, o.scope) == (basic_line, Decimal(value), "all")
    assert {o.value for o in narrative(observations, kind="expenditure", item="grand_total", measure="amount")} == {
        Decimal("457676.75")}


def _check_qita(observations, line: int) -> None:
    rows = narrative(observations, value="109.50")
    assert len(rows) == 1
    o = rows[0]
    assert (o.kind, o.function_code, o.measure, o.line_no, o.economic_code) == ("expenditure", "229", "amount", line, None)
    share = the(observations, function_code="229", measure="share_pct")
    assert share.value == Decimal("0.02")
    assert not narrative(observations, kind="expenditure_economic")
    codes = {o.function_code for o in narrative(observations, line_no=line, measure="amount")}
    assert codes == {"205", "206", "208", "221", "229"}


def test_other_expenditure_in_a_list_of_classes_is_class_229():
    interpreter = prose(SWU_TOTALS, 2023)
    _check_swu_totals(interpreter.observations, 2, 4)
    _check_qita(interpreter.observations, 5)


def test_other_expenditure_among_economic_items_is_one_economic_code():
    text = "2023年度基本支出中，按经济分类：工资福利支出100.00万元，商品和服务支出20.00万元，其他支出5.00万元。"
    rows = narrative(prose(text, 2023).observations, value="5.00")
    assert [(o.kind, o.economic_code, o.function_code) for o in rows] == [("expenditure_economic", "399", None)]


@needs_shared
def test_r02_r03_university_totals_and_other_expenditure():
    doc = parse_file(repro("r03", "swu2023_excerpt_qita.txt"))
    _check_swu_totals(doc.result.observations, 4, 7)
    _check_qita(doc.result.observations, 8)
    doc = parse_file(repro("r02", "swu2023_excerpt.txt"))
    _check_swu_totals(doc.result.observations, 4, 7)


# ------------------------------------------------------------------ units of prose figures
@pytest.mark.parametrize("printed, value, decimals", [
    ("96,282,213.44元", "9628.2213", 4),
    ("626,700 元", "62.6700", 4),
    ("1.5亿元", "15000.0", -3),
    ("123.4千元", "12.34", 2),
])
def test_prose_money_in_yuan_qianyuan_yiyuan_is_converted_to_wan(printed, value, decimals):
    o = the(prose(f"2023年度本年支出合计{printed}。", 2023).observations, item="total")
    assert (o.value, o.decimals, o.value_text, o.printed_unit, o.unit) == (
        Decimal(value), decimals, printed, printed.lstrip("0123456789,. "), "万元")


def test_a_yuan_figure_beside_its_wan_siblings_is_a_unit_slip():
    # 002 L97-99 of the bundled corpus, verbatim: read in 元 it would be a ten-thousandth of its total
    text = "2023 年度本年收入合计 360.4 万元，其中：财政拨款收入 360.44 元，占 100%；事业收入 0 万元，占 0%。"
    o = the(prose(text, 2023).observations, item="fiscal_total", measure="amount")
    assert (o.value, o.flags) == (Decimal("360.44"), "unit_typo_yuan")


# ------------------------------------------------------------------ never figures
@pytest.mark.parametrize("text", [
    "目录\n6.2026年部门政府性基金预算支出功能分类预算表\n7.2026年部门国有资本经营预算支出功能分类预算表\n9.2026年部门一般公共预算基本支出部门预算经济分类预算表",
    "根据《关于做好2023年度部门决算公开工作的通知》（渝财预〔2023〕12号）要求，一般公共预算支出决算数为2023.12。",
    "截至2023年12月31日，一般公共预算支出决算数为12.31。",
])
def test_list_numbers_dates_and_document_numbers_are_not_figures(text):
    interpreter = prose(text, 2023)
    assert not [o for o in interpreter.observations if o.value in (Decimal("6.2026"), Decimal("7.2026"),
                                                                    Decimal("9.2026"), Decimal("12"), Decimal("2023"))]
    assert not [o for o in interpreter.observations if o.flags and "unit_missing" in o.flags
                and o.value_text.startswith(("6.", "7.", "9."))]


def test_document_number_and_date_leave_the_real_figure():
    text = "根据渝财预〔2023〕12号文件，2023年12月31日止，一般公共预算支出决算数为2,023.12万元。"
    o = the(prose(text, 2023).observations, kind="expenditure", measure="amount")
    assert (o.value, o.scope) == (Decimal("2023.12"), "general_budget")
    assert len(prose(text, 2023).observations) == 1


@needs_shared
def test_r05_table_of_contents_has_no_figures():
    doc = parse_file(repro("r05", "sfj2026_cover_toc.pdf"))
    assert not [o for o in doc.result.observations if o.source_kind == "narrative"]


def test_the_whole_pipeline_reads_the_fixture_like_the_interpreter():
    doc = parse_bytes(Path("swu_fiscal.txt"), SWU_FISCAL.encode("utf-8"))
    _check_swu_fiscal(doc.result.observations)


# 西南大学2023年度部门决算 p.16, as the PDF's text layer wraps it
SWU_CHANGES = """\
学校 2023 年度收入总计 430,725.03 万元，与 2022 年度
相比，减少 23,616.80 万元，降低 5.20%。其中：财政拨款收
入增加 14,458.07 万元，事业收入增加 974.61 万元，其他收
入减少 39,049.48 万元。学校其他收入与上年比较发生较大
差异的原因是债务收入减少。
学校 2023 年度支出总计 457,676.75 万元，与 2022 年度
相比，增加 54,492.83 万元，增长 13.52%。其中：教育支出
增加 52,499.75 万元，科学技术支出增加 965.07 万元，社会
保障和就业支出减少 196.69 万元，农林水支出减少 16.84 万
元，住房保障支出增加 1,209.04 万元，其他支出增加 32.50
万元。学校教育支出与上年比较发生较大差异的原因，一是
"""


def test_an_enumeration_breaks_down_the_change_of_its_sentence():
    obs = prose(SWU_CHANGES, 2023).observations
    got = {(o.line_no, o.kind, o.item, o.function_code, o.value) for o in narrative(obs, measure="yoy_change")}
    assert got == {
        (2, "revenue", "grand_total", None, Decimal("-23616.80")),
        (3, "revenue", "fiscal_total", None, Decimal("14458.07")),
        (3, "revenue", "business", None, Decimal("974.61")),
        (4, "revenue", "other", None, Decimal("-39049.48")),
        (7, "expenditure", "grand_total", None, Decimal("54492.83")),
        (8, "expenditure", "total", "205", Decimal("52499.75")),
        (8, "expenditure", "total", "206", Decimal("965.07")),
        (9, "expenditure", "total", "208", Decimal("-196.69")),
        (9, "expenditure", "total", "213", Decimal("-16.84")),
        (10, "expenditure", "total", "221", Decimal("1209.04")),
        (10, "expenditure", "total", "229", Decimal("32.50")),
    }


def test_full_width_numbers_with_full_width_thousands_separators():
    text = "学校２０２３年度收入总计４３０，７２５．０３万元，与２０２２年度相比，减少２３，６１６．８０万元，降低５．２０％。"
    obs = prose(text, 2023).observations
    assert the(obs, measure="amount").value == Decimal("430725.03")
    assert the(obs, measure="yoy_change").value == Decimal("-23616.80")
    assert the(obs, measure="yoy_change_pct").value == Decimal("-5.20")


# rows of 收支总表 flattened into prose by text extraction (r04 in 元, r13 two-sided), verbatim
FLATTENED_ROWS = """\
编制部门：上海市普陀区司法局 单位：元
一、财政拨款收入 96,282,213.44 一、公共安全支出 87,267,272.44
1. 一般公共预算 96,282,213.44 二、社会保障和就业支出 3,343,704.00
2. 政府性基金预算 0.00 三、卫生健康支出 1,149,678.00
部门： 江苏省人民检察院 单位：万元
一、财政拨款 24,169.74 一、一般公共服务支出 一、基本支出 15,844.04
1.一般公共预算 24,169.74 二、外交支出 二、项目支出 4,335.30
"""


def test_flattened_table_rows_are_not_read_as_prose_figures():
    # a fund's name is not the keyword 预算: no figure without a unit is taken as a budget in 万元
    obs = prose(FLATTENED_ROWS, 2019).observations
    assert not [o for o in obs if o.flags and "unit_missing" in o.flags]
    assert not [o for o in obs if o.value in (Decimal("96282213.44"), Decimal("24169.74"))]


@needs_shared
@pytest.mark.parametrize("folder, name", [("r04", "sfj2026_cover_p10.pdf"), ("r13", "jcy2019_cover_p14.pdf")])
def test_r04_r13_flattened_rows_never_become_prose_figures(folder, name):
    doc = parse_file(repro(folder, name))
    wrong = [o for o in doc.result.observations if o.source_kind == "narrative"
             and (o.value >= 10000 and o.flags and "unit_missing" in o.flags or o.item == "basic" and o.value == Decimal("24169.74"))]
    assert not wrong
