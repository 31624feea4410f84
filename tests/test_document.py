"""Document model: unit, year, kind and the section tree, found from the text."""

from __future__ import annotations

import pytest
from conftest import SEEDS

from ingest import metadata
from ingest.grids import find_grids
from ingest.readers import read_bytes
from ingest.sections import build_tree, heading_of


def _lines(key):
    return read_bytes(SEEDS[key], SEEDS[key].read_bytes()).lines


@pytest.mark.parametrize(
    "key, unit_raw, unit, scope, year",
    [
        ("000", "西安市总工会（汇总）", "西安市总工会", "consolidated", 2024),
        ("001", "广元市总工会", "广元市总工会", None, 2024),  # no title: found in 纳入…编制范围
        ("002", "榆林市横山区总工会", "榆林市横山区总工会", None, 2023),  # outvotes the typo 榆林横山区总工会
        ("003", "乌海市总工会（差额）", "乌海市总工会", "balance", 2024),
        ("004", "攀枝花市西区总工会", "攀枝花市西区总工会", None, 2024),  # not the short form 西区总工会
    ],
)
def test_unit_and_year_are_found_from_the_text(key, unit_raw, unit, scope, year):
    meta = metadata.extract(_lines(key))
    assert (meta.unit_name_raw, meta.unit_name, meta.scope, meta.fiscal_year) == (unit_raw, unit, scope, year)
    assert meta.report_kind == "部门决算"
    assert meta.sector == "总工会"


def test_metadata_does_not_depend_on_position():
    lines = _lines("004")
    shuffled = lines[14:] + lines[:14]  # the title is no longer first
    assert metadata.extract(shuffled).unit_name == "攀枝花市西区总工会"


def test_section_tree_skips_the_table_of_contents():
    lines = _lines("000")
    grids = find_grids(lines)
    tree = build_tree(lines, set().union(*(g.consumed for g in grids)))
    parts = [(s.title, s.line_no) for s in tree if s.level == 1]
    assert parts[0] == ("部门概况", 61)  # not the TOC entry on line 13
    assert ("2024年度部门决算情况说明", 96) in parts
    second = next(s for s in tree if s.line_no == 96)
    children = [tree[c].title for c in second.children]
    assert children[:3] == ["收入支出决算总体情况说明", "收入决算情况说明", "支出决算情况说明"]
    three = next(s for s in tree if s.title.startswith("财政拨款“三公”经费及会议费"))
    assert [tree[c].title for c in three.children][:3] == ["“三公”经费支出决算情况说明", "培训费支出情况说明", "会议费支出情况说明"]
    item = next(s for s in tree if s.line_no == 149)
    assert item.level == 4 and item.title.endswith("工会事务（项）")


def test_unnumbered_template_titles_are_headings():
    assert heading_of("收入支出决算总体情况说明") == (2, None, "收入支出决算总体情况说明")
    assert heading_of("（三）卫生健康支出（类）") == (3, "三", "卫生健康支出（类）")
    assert heading_of("1. 根据有关法律和《中国工会章程》，指导全市各级工会贯彻落实市委、市政府的工作部署，执行西安市工会代表大会及全委会议确定的工作任务和决议。2. 对全面深化改革") is None


def test_grids_in_both_layouts():
    tsv = find_grids(_lines("000"))
    summary = next(g for g in tsv if g.first_line == 432)
    assert summary.layout == "tsv"
    assert summary.row_texts(3)[:3] == ["一、一般公共预算财政拨款收入", "1", "4,671.91"]
    cells = find_grids(_lines("001"))
    first = cells[0]
    assert first.layout == "cells"
    assert first.row_texts(0)[4] == "预期指标值（包含数字及文字描述)"  # wrapped over a blank line
    assert first.row_texts(4) == ["", "成本指标", "经济成本指标", "困难职工生活救助标准", "2000元/人", "2000元/人"]
    assert first.rows[4][3].line_no == 220
    g004 = find_grids(_lines("004"))[0]
    assert g004.row_texts(5) == ["项目资金（万元）", "", "全年预算数", "实际完成数", "执行率（%）"]


def test_page_numbers_and_wrapped_lines_are_joined_in_pdf_text(parsed):
    from ingest.paragraphs import assemble

    paragraphs = assemble(_lines("002"), set())
    text = next(p for p in paragraphs if "财政拨款收入支出决算总体情况" not in p.text and "减少 20.7 万元" in p.text)
    assert "与上年相比收入总计、支出总计减少 20.7 万元" in text.text  # joined across lines 90/92
    assert text.line_at(text.text.index("相比")) == 92
    wrapped = next(p for p in paragraphs if p.text.startswith("务积极配合") or "办公室负责和财务积极配合" in p.text)
    assert "办公室负责和财务积极配合" in wrapped.text  # the page number "15" between them is dropped
