"""公开01–09表: values, keys and source lines, in every layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEEDS, D, find, one

from ingest.parse import parse_bytes
from ingest.tables.standard import TABLE_DEFS

SOURCE = SEEDS["000"].read_text(encoding="utf-8").split("\n")


@pytest.mark.parametrize(
    "table, line, kind, scope, item, code, subject, value",
    [
        ("01", 435, "revenue", "all", "general_budget", None, None, "4671.91"),
        ("01", 439, "revenue", "all", "business", None, None, "662.18"),
        ("01", 461, "revenue", "all", "current_total", None, None, "5334.09"),
        ("01", 464, "revenue", "all", "grand_total", None, None, "5334.09"),
        ("01", 442, "expenditure", "all", "total", "208", "社会保障和就业支出", "148.41"),
        ("01", 464, "expenditure", "all", "grand_total", None, None, "5334.09"),
        ("02", 479, "revenue", "all", "fiscal_total", None, None, "4671.91"),
        ("02", 483, "revenue", "all", "business", "2012906", "工会事务", "662.18"),
        ("02", 489, "revenue", "all", "current_total", "21002", "公立医院", "100.00"),
        ("03", 507, "expenditure", "all", "project", None, None, "5184.57"),
        ("03", 516, "expenditure", "all", "basic", "210", "卫生健康支出", "1.11"),
        ("03", 511, "expenditure", "all", "total", "2012906", "工会事务", "5015.32"),
        ("04", 535, "revenue", "all", "general_budget", None, None, "4671.91"),
        ("04", 561, "revenue", "all", "fiscal_total", None, None, "4671.91"),  # 04's 本年收入合计
        ("04", 535, "expenditure", "general_budget", "total", "201", "一般公共服务支出", "4422.39"),
        ("04", 566, "expenditure", "fiscal", "grand_total", None, None, "4671.91"),
        ("05", 581, "expenditure", "general_budget", "project", None, None, "4522.39"),
        ("05", 588, "expenditure", "general_budget", "basic", "2080501", "行政单位离退休", "67.87"),
        ("06", 642, "expenditure", "general_budget", "personnel", None, "人员经费合计", "149.52"),
    ],
)
def test_standard_table_figures(parsed, table, line, kind, scope, item, code, subject, value):
    o = one(parsed["000"], table_code=table, line_no=line, kind=kind, item=item, function_code=code, scope=scope)
    assert o.value == D(value)
    assert o.subject_name == subject
    assert o.source_kind == "table" and o.unit == "万元" and o.decimals == 2


def test_thousands_separators_and_printed_text_kept(parsed):
    o = one(parsed["000"], table_code="01", line_no=461, kind="revenue", item="current_total")
    assert o.value_text == "5,334.09" and o.value == D("5334.09")


def test_basic_expenditure_table_reads_three_column_groups(parsed):
    got = {(o.economic_code, o.subject_name, o.value, o.line_no) for o in find(parsed["000"], kind="expenditure_economic", table_code="06")}
    assert got == {
        ("301", "工资福利支出", D("1.11"), 607), ("30110", "职工基本医疗保险缴费", D("1.11"), 615),
        ("303", "对个人和家庭的补助", D("148.41"), 621), ("30301", "离休费", D("86.25"), 622),
        ("30302", "退休费", D("62.16"), 623),
    }


def test_empty_tables_give_no_figures_and_blank_cells_are_not_zero(parsed):
    doc = parsed["000"]
    assert not find(doc, table_code="07") and not find(doc, table_code="08") and not find(doc, table_code="09")
    # 上级补助收入 is blank in 公开01表: not a figure
    assert not find(doc, table_code="01", item="superior_subsidy")
    roles = {(c.table_code, c.role) for c in doc.result.cells}
    assert ("09", "blank") in roles and ("01", "value") in roles


def test_tables_are_recognised_by_title_not_order():
    """Reversing the order of the tables (and dropping 公开NN表 lines) changes nothing."""
    blocks, current = [], []
    for line in SOURCE[423:692]:
        if line in ("收入支出决算总表", "收入决算表", "支出决算表", "财政拨款收入支出决算总表", "一般公共预算财政拨款支出决算表",
                    "一般公共预算财政拨款基本支出决算明细表", "政府性基金预算财政拨款收入支出决算表",
                    "国有资本经营预算财政拨款支出决算表", "财政拨款“三公”经费及会议费、培训费支出决算表") and current:
            blocks.append(current)
            current = []
        current.append(line)
    blocks.append(current)
    text = "\n".join(line for block in reversed(blocks) for line in block if not line.startswith("公开0"))
    doc = parse_bytes(Path("reordered.txt"), text.encode())
    original = parse_bytes(Path("tables.txt"), "\n".join(SOURCE[423:692]).encode())
    key = lambda o: tuple(str(x) for x in (o.table_code, o.kind, o.scope, o.item, o.function_code, o.economic_code, o.value))  # noqa: E731
    assert sorted(map(key, doc.result.observations)) == sorted(map(key, original.result.observations))
    assert {t.code for t in TABLE_DEFS} >= {o.table_code for o in doc.result.observations}


def _as_cells(lines: list[str]) -> list[str]:
    """Render tab-separated rows one cell per line (the 001/004 layout)."""
    out = []
    for line in lines:
        if "\t" in line:
            out += ["\t" + cell for cell in line.split("\t")] + [""]
        else:
            out += [line, ""]
    return out


def test_one_cell_per_line_layout_reads_the_same_figures(parsed):
    section = SOURCE[467:595]  # 公开02表 … 公开05表
    doc = parse_bytes(Path("cells.txt"), "\n".join(_as_cells(section)).encode())
    key = lambda o: tuple(str(x) for x in (o.table_code, o.kind, o.scope, o.item, o.function_code, o.value))  # noqa: E731
    want = sorted(key(o) for o in parsed["000"].result.observations if o.table_code in ("02", "03", "04", "05"))
    got = sorted(key(o) for o in doc.result.observations if o.table_code)
    assert got == want and len(got) == 105


def test_function_codes_split_over_lei_kuan_xiang_columns(parsed):
    """03表 printed with 类/款/项 columns (codes not joined), as many provinces do."""
    rows = SOURCE[503:520]
    split = []
    for line in rows:
        cells = line.split("\t")
        code = cells[0]
        if code == "科目代码":
            head = ["类", "款", "项"]
        elif code.isdigit():
            head = [code[:3] if len(code) == 3 else "", code[3:5] if len(code) == 5 else "", code[5:] if len(code) == 7 else ""]
        elif code == "项目":
            head = ["科目编码", "", ""]
        else:
            head = [code, "", ""]
        split.append("\t".join(head + cells[1:]))
    doc = parse_bytes(Path("split.txt"), "\n".join(SOURCE[495:503] + split).encode())
    got = {(o.item, o.function_code, o.value) for o in find(doc, table_code="03")}
    want = {(o.item, o.function_code, o.value) for o in find(parsed["000"], table_code="03")}
    assert got == want


def test_table_in_yuan_is_converted_to_wan_with_the_printed_text_kept():
    lines = SOURCE[495:520]
    lines = [line.replace("单位：万元", "单位：元") for line in lines]
    lines = [line.replace("5,334.09", "53,340,900.00") for line in lines]
    doc = parse_bytes(Path("yuan.txt"), "\n".join(lines).encode())
    o = one(doc, table_code="03", line_no=507 - 495, item="total")
    assert o.value == D("5334.09") and o.value_text == "53,340,900.00元" and o.decimals == 6


def test_truncated_table_marks_the_document_partial_and_names_the_place():
    doc = parse_bytes(Path("cut.txt"), "\n".join(SOURCE[:550]).encode())
    assert doc.status == "partial"
    messages = [(i.place, i.message) for i in doc.result.issues if i.severity == "error"]
    assert ("line 550", "公开04表 ends without its revenue 总计 row (truncated?)") in messages
    # what was read before the cut is kept
    assert one(doc, table_code="01", line_no=464, item="grand_total", kind="revenue").value == D("5334.09")


def test_a_row_that_does_not_line_up_is_rejected_and_named():
    # 公开03表 L511: 2012906 工会事务 with one cell split in two by a converter, so its figures slide
    # right and the last one lands beyond the header's last column
    lines = list(SOURCE)
    assert lines[510].startswith("2012906\t工会事务\t5,015.32\t\t5,015.32")
    lines[510] = "2012906\t工会\t事务\t5,015.32\t\t5,015.32\t\t\t\t12.00"
    doc = parse_bytes(Path("slid.txt"), "\n".join(lines).encode())
    assert doc.status == "partial"
    assert any(i.place == "line 511" and "does not line up" in i.message for i in doc.result.issues)
    assert find(doc, table_code="03", line_no=511) == []  # no figure attributed to a wrong column
    assert {r.reason for r in doc.result.rejects if r.line_no == 511} == {"row_misaligned"}
    # the rest of the table, and the document, still load
    assert one(doc, table_code="03", line_no=510, function_code="2012902").value == D("69.25")
    assert one(doc, table_code="01", line_no=464, item="grand_total", kind="revenue").value == D("5334.09")


# 公开09表 as a Word/WPS text export prints it one cell per line: a merged header cell printed once
# (财政拨款“三公”经费 over six columns, 公务用车购置及运行维护费 over three), a vertically merged one's
# continuation printed empty; the same table tab-separated, for comparison.
_T09_TITLE = ["财政拨款“三公”经费及会议费、培训费支出决算表", "", "公开09表", "", "单位：万元", ""]
_T09_WORD_ROWS = [
    ["项目", "财政拨款“三公”经费", "会议费", "培训费"],
    ["", "合计", "因公出国（境）费", "公务用车购置及运行维护费", "公务接待费", "", ""],
    ["", "", "", "小计", "公务用车购置费", "公务用车运行维护费", "", "", ""],
    ["栏次", "1", "2", "3", "4", "5", "6", "7", "8"],
    ["预算数", "12.00", "3.00", "8.00", "", "8.00", "1.00", "2.50", "4.00"],
    ["决算数", "10.50", "2.00", "7.50", "", "7.50", "1.00", "2.00", "3.80"],
]
_T09_TSV = _T09_TITLE + [
    "项目\t财政拨款“三公”经费\t\t\t\t\t\t会议费\t培训费",
    "\t合计\t因公出国（境）费\t公务用车购置及运行维护费\t\t\t公务接待费\t\t",
    "\t\t\t小计\t公务用车购置费\t公务用车运行维护费\t\t\t",
] + ["\t".join(row) for row in _T09_WORD_ROWS[3:]]


def _one_cell_per_line(rows: list[list[str]]) -> list[str]:
    return [line for row in rows for line in ["\t" + c for c in row] + [""]]


def test_one_cell_per_line_table_with_merged_header_cells_printed_once():
    lines = _T09_TITLE + _one_cell_per_line(_T09_WORD_ROWS)
    doc = parse_bytes(Path("t09_cells.txt"), "\n".join(lines).encode())
    tsv = parse_bytes(Path("t09_tsv.txt"), "\n".join(_T09_TSV).encode())
    key = lambda o: (o.kind, o.item, o.measure, o.value)  # noqa: E731
    got = sorted(map(key, find(doc, table_code="09")))
    assert got == sorted(map(key, find(tsv, table_code="09"))) and len(got) >= 10
    # each figure comes from its own cell line: 决算数 row, 公务用车运行维护费 column (the 6th cell)
    o = one(doc, table_code="09", item="vehicle_operation", measure="actual")
    assert o.value == D("7.50") and lines[o.line_no - 1] == "\t7.50"
    assert o.line_no == len(_T09_TITLE) + sum(len(r) + 1 for r in _T09_WORD_ROWS[:5]) + 6
    assert one(doc, table_code="09", item="total", measure="budget").value == D("12.00")
    assert not doc.result.rejects and not [i for i in doc.result.issues if "公开09表" in i.message]


def test_one_cell_per_line_rows_without_their_empty_leading_label_cells(parsed):
    # 公开03表 of 000 one cell per line, its 合计 row without the empty code cell: right-aligned under
    # the header again, 5,334.09 is the 本年支出合计 of the 合计 row, not a subject's
    section = SOURCE[495:520]
    rows = [line.split("\t") for line in section if "\t" in line]
    assert rows[3][:3] == ["", "合计", "5,334.09"]
    rows[3] = rows[3][1:]
    # …and rows that start with their code without their trailing blank cells (some exports drop them)
    for row in rows[4:]:
        while row and not row[-1]:
            row.pop()
    lines = [line for line in section if "\t" not in line] + _one_cell_per_line(rows)
    doc = parse_bytes(Path("t03_cells.txt"), "\n".join(lines).encode())
    got = {(o.item, o.function_code, o.value) for o in find(doc, table_code="03")}
    want = {(o.item, o.function_code, o.value) for o in find(parsed["000"], table_code="03")}
    assert got == want
    assert one(doc, table_code="03", item="total", function_code=None).value == D("5334.09")


def test_one_cell_per_line_row_with_a_cell_too_many_is_rejected():
    section = SOURCE[495:520]
    rows = [line.split("\t") for line in section if "\t" in line]
    k = next(n for n, r in enumerate(rows) if r[0] == "2012906")
    rows[k] = ["2012906", "工会", "事务"] + rows[k][2:]  # a converter split a cell in two
    lines = [line for line in section if "\t" not in line] + _one_cell_per_line(rows)
    doc = parse_bytes(Path("t03_slid.txt"), "\n".join(lines).encode())
    assert find(doc, table_code="03", function_code="2012906") == []
    assert [i.place for i in doc.result.issues if "does not line up" in i.message] == [f"line {lines.index(chr(9) + '2012906') + 1}"]
    assert {r.reason for r in doc.result.rejects} == {"row_misaligned"}


def test_merged_header_rows_are_placed_over_the_rows_below():
    from ingest.tables.header import placed_rows

    assert placed_rows([r for r in _T09_WORD_ROWS[:3]], 9) == [
        ["项目", "财政拨款“三公”经费", "", "", "", "", "", "会议费", "培训费"],
        ["", "合计", "因公出国（境）费", "公务用车购置及运行维护费", "", "", "公务接待费", "", ""],
        ["", "", "", "小计", "公务用车购置费", "公务用车运行维护费", "", "", ""],
    ]
    # 公开04表: 收入 | 支出 over two sides of unequal width; the boundary is where 项目 repeats
    assert placed_rows([["收入", "支出"], ["项目", "行次", "金额", "项目", "行次", "合计", "一般公共预算", "政府性基金", "国有资本"]], 9)[0] \
        == ["收入", "", "", "支出", "", "", "", "", ""]
    # 公开02表: 项目 over 科目代码 | 科目名称, the vertically merged columns' continuations printed empty
    assert placed_rows([["项目", "本年收入合计", "财政拨款收入"], ["科目代码", "科目名称", "", ""]], 4)[0] \
        == ["项目", "", "本年收入合计", "财政拨款收入"]



@pytest.mark.parametrize("footer", [["", "- 8 -", ""], ["8", ""], ["", "第 8 页", "", ""]])
def test_one_cell_per_line_page_number_between_rows_is_not_a_cell(parsed, footer):
    # 公开03表 one cell per line, a page break before the 2012906 row; the row before ends in empty
    # cells, which a page number must not fill (an empty cell has no text to wrap)
    section = SOURCE[495:520]
    rows = [line.split("\t") for line in section if "\t" in line]
    lines = [line for line in section if "\t" not in line] + _one_cell_per_line(rows)
    k = lines.index("\t2012906")
    assert lines[k - 2:k] == ["\t", ""]
    lines[k:k] = footer
    doc = parse_bytes(Path("t03_footer.txt"), "\n".join(lines).encode())
    got = {(o.item, o.function_code, o.value) for o in find(doc, table_code="03")}
    assert got == {(o.item, o.function_code, o.value) for o in find(parsed["000"], table_code="03")}
    assert one(doc, table_code="03", function_code="2012906", item="total").line_no == k + len(footer) + 3
