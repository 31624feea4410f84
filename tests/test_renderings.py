"""Each bundled report rendered the way other converters write it gives exactly its figures (issue 13).

Renderings (tests/renderers.py): prose hard-wrapped at a fixed width as PDF text extraction
does, tables one cell per line with long cells wrapped, full-width digits, GB18030 with CRLF.  Every observation of the original — value, kind,
item, scope, measure, codes, names, year — must come back, nothing may be added, and no figure
may be rejected that the original did not reject.  Renderings that keep the lines keep the
line of every figure too.
"""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import SEEDS
from renderers import cells_per_line, full_width, gb18030_crlf, hard_wrapped

from ingest.normalize import squash
from ingest.parse import ParsedDocument, parse_bytes


def _facts(doc: ParsedDocument, with_lines: bool) -> Counter:
    return Counter(
        (o.source_kind, o.kind, o.item, o.scope, o.measure, o.value, o.unit, o.function_code, o.economic_code,
         squash(o.subject_name or ""), o.project, o.project_kind, o.fiscal_year, o.ref_key)
        + ((o.line_no,) if with_lines else ())
        for o in doc.result.observations
    )


def _rejected(doc: ParsedDocument) -> Counter:
    return Counter(squash(r.value_text) for r in doc.result.rejects)


def _same(original: ParsedDocument, rendered: ParsedDocument, with_lines: bool) -> None:
    # (status is not compared: it also judges the tables, whose identification may lean on the
    # prose around them — the table tests own that)
    assert (rendered.unit_name, rendered.fiscal_year) == (original.unit_name, original.fiscal_year)
    want, got = _facts(original, with_lines), _facts(rendered, with_lines)
    lost, added = want - got, got - want
    assert not lost and not added, f"lost {sorted(lost, key=str)[:6]} added {sorted(added, key=str)[:6]}"
    new_rejects = _rejected(rendered) - _rejected(original)
    assert not new_rejects, f"newly rejected: {new_rejects}"


@pytest.mark.parametrize("columns", [52, 56, 60, 64, 68, 72, 80])
@pytest.mark.parametrize("key", sorted(SEEDS))
def test_hard_wrapped_prose_gives_the_same_figures(parsed, key, columns):
    path = SEEDS[key]
    data = hard_wrapped(path.read_text(encoding="utf-8"), columns)
    assert max(len(line) for line in data.decode("utf-8").split("\n") if "\t" not in line) < 120  # it did wrap
    _same(parsed[key], parse_bytes(path, data), with_lines=False)


# Narrow columns (36 to 56 characters: a two-column page, a text box): headings, table titles and
# 功能分类 names then fill whole lines and are cut mid-name ("…会议费、培训费支出决" / "算表": the title is
# read joined, ingest/tables/standard.identify).
NARROW = [36, 40, 44, 48, 52, 56]


@pytest.mark.parametrize("key, columns", [(k, c) for k in sorted(SEEDS) for c in NARROW])
def test_narrowly_wrapped_prose_gives_the_same_figures(parsed, key, columns):
    path = SEEDS[key]
    data = hard_wrapped(path.read_text(encoding="utf-8"), columns)
    _same(parsed[key], parse_bytes(path, data), with_lines=False)


def test_a_finished_heading_at_a_narrow_width_takes_nothing_after_it():
    """"五、一般公共预算财政拨款支出决算情况说明" fills a 44-column line; the paragraph after it
    is not its continuation, and the sentence cut after it ("占本年支" / "出合计的 100%") joins up."""
    from ingest.paragraphs import assemble

    lines = ["五、一般公共预算财政拨款支出决算情况说明", "", "2023年度一般公共预算财政拨款支出年初预算360.44万", "",
             "元，支出决算 360.44 万元，完成年初预算的 100%，", "占本年支", "", "出合计的 100%。与上年相比，财政拨款支出减少 20.7",
             " 万元，"] + ["填充的一行说明文字，宽度正好等于折行宽度啊"] * 30
    paragraphs = assemble(lines, set())
    assert [p.line_nos[:5] for p in paragraphs[:2]] == [[1], [3, 5, 6, 8, 9]]
    assert paragraphs[1].text.startswith("2023年度一般公共预算财政拨款支出年初预算360.44万元，支出决算 360.44 万元，"
                                         "完成年初预算的 100%，占本年支出合计的 100%。")


def test_a_function_name_cut_across_lines_is_joined():
    """"3.社会保障和就业支出（类）行政事业单位养老支" / "出" / "（款）…（项）" — one chain."""
    from ingest.paragraphs import assemble

    lines = ["3.社会保障和就业支出（类）行政事业单位养老支", "出", "", "（款）机关事业单位基本养老保险缴费支出（项）", "。", "",
             " 7.卫生健康支出（类）行政事业单位医疗（款）行政", "单位", "", "医疗（项）。"]
    texts = [p.text for p in assemble(lines, set())]
    assert texts == ["3.社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位基本养老保险缴费支出（项）。",
                     "7.卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）。"]


@pytest.mark.parametrize("render", [full_width, gb18030_crlf], ids=["full_width", "gb18030_crlf"])
@pytest.mark.parametrize("key", sorted(SEEDS))
def test_full_width_and_gb18030_give_the_same_figures_on_the_same_lines(parsed, key, render):
    path = SEEDS[key]
    data = render(path.read_text(encoding="utf-8"))
    assert data != path.read_bytes()
    rendered = parse_bytes(path, data)
    _same(parsed[key], rendered, with_lines=True)
    if render is gb18030_crlf:
        assert rendered.encoding == "gb18030"


@pytest.mark.parametrize("key", sorted(SEEDS))
def test_tables_one_cell_per_line_give_the_same_figures(parsed, key):
    path = SEEDS[key]
    text = path.read_text(encoding="utf-8")
    data = cells_per_line(text)
    rendered_text = data.decode("utf-8")
    tsv_rows = sum(1 for line in text.split("\n") if "\t" in line.lstrip("\t"))
    assert sum(1 for line in rendered_text.split("\n") if "\t" in line.lstrip("\t")) == 0  # no tab row is left
    if tsv_rows:
        assert data != path.read_bytes()
        # it did wrap long cells onto lines without a tab, and did leave out leading empty label cells
        assert any(line and not line.startswith("\t") and prev.startswith("\t")
                   for prev, line in zip(rendered_text.split("\n"), rendered_text.split("\n")[1:]))
    _same(parsed[key], parse_bytes(path, data), with_lines=False)


def test_one_cell_per_line_prints_merged_header_cells_once_leaves_out_leading_empty_cells_and_wraps():
    text = "收入决算表\n\n单位：万元\n\n项目\t\t合计\n科目代码\t科目名称\t\n\t合计\t1,234.50\n" \
           "208\t社会保障和就业支出支出支出支出支出\t1,234.50\n"
    lines = cells_per_line(text, columns=12).decode("utf-8").split("\n")
    assert lines[4:7] == ["\t项目", "\t合计", ""]  # 项目 merged over two columns: printed once
    assert lines[7:11] == ["\t科目代码", "\t科目名称", "\t", ""]  # under 合计 (merged down): printed empty
    assert lines[11:14] == ["\t合计", "\t1,234.50", ""]  # the 合计 row without its empty code cell
    assert lines[14:18] == ["\t208", "\t社会保障和就", "业支出支出支", "出支出支出"]


def test_the_wrap_never_cuts_a_number():
    from renderers import wrap_line

    line = "学校 2023 年度收入总计 430,725.03 万元，与 2022 年度相比，减少 23,616.80 万元，降低 5.20%。" * 2
    pieces = wrap_line(line, 34)
    assert "".join(pieces) == line and len(pieces) > 3
    for a, b in zip(pieces, pieces[1:]):
        assert not (a[-1:].isdigit() and b[:1] in "0123456789,.")
