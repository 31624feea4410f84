"""Work the parser's stages no longer repeat gives what they gave (issue 14, thirteenth round).

- the truncation check takes the grids' standard tables from the parse instead of identifying them again;
- a 目录 is looked for only on the lines that hold 目; a table entry is compared only with lines naming 表;
- a 编制单位：… label vote is looked for only on lines naming 部门 or 单位.
"""

from __future__ import annotations

from conftest import REPORTS

from ingest import metadata, toc, truncation
from ingest.grids import find_grids
from ingest.parse import parse_bytes
from ingest.tables import standard


def test_the_truncation_check_with_the_parses_tables_is_the_check_that_identifies_them():
    path = REPORTS / "000_f1e20d8804268cb6.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    grids = find_grids(lines)
    cut = "\n".join(lines[: grids[2].first_line + 6])  # the copy stops inside its third table
    doc = parse_bytes(path, cut.encode("utf-8"))
    cut_lines = cut.splitlines()
    cut_grids = find_grids(cut_lines)
    tdefs = [standard.identify(g) for g in cut_grids]
    plain = truncation.cut_short(cut_lines, cut_grids, doc.result.observations)
    shared = truncation.cut_short(cut_lines, cut_grids, doc.result.observations, None, tdefs)
    assert plain is not None and shared == plain
    assert plain.message.startswith("the document is cut short: it ends inside ")
    assert any(i.message == plain.message for i in doc.result.issues)  # what parse_bytes reports


def test_a_toc_is_read_from_its_heading_and_a_second_one_after_it():
    lines = ["某单位2023年度部门决算", "", "目录", "一、部门概况………1", "二、收入支出决算总表………3", "",
             "一、部门概况", "正文。", "目 次", "1.收入决算表 5", "2.支出决算表 6", "",
             "收入支出决算总表", "收入决算表", "支出决算", "说明目录"]
    found = toc.find(lines)
    assert [(e.seq, e.line_no, e.title, e.kind, e.found_line) for e in found.entries] == [
        (1, 4, "部门概况", "section", 7),
        (2, 5, "收入支出决算总表", "table", None),  # line 13 is read as the second 目录's last entry
        (3, 10, "收入决算表", "table", 14),
        (4, 11, "支出决算表", "table", None),  # 支出决算 (line 15) names no table
    ]
    assert sorted(found.lines) == [2, 3, 4, 8, 9, 10, 11, 12]  # the heading 目 次 and its entries; 说明目录 is none


def test_every_label_of_a_labelled_unit_votes():
    for label in ("预算主管部门", "主管部门", "编制部门", "编制单位", "预算单位", "单位名称", "部门名称", "部门（单位）名称"):
        votes = metadata._line_votes(f"{label}：上海市普陀区司法局")
        assert ("上海市普陀区司法局", 3.0) in votes, label
    assert metadata._line_votes("部门：中共江苏省委办公厅 单位：万元") == (("中共江苏省委办公厅", 3.0),)
    assert metadata._line_votes("负责人：上海市普陀区司法局") == ()  # no label
