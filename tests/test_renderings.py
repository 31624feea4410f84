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
from ingest.normalize import squash
from ingest.parse import ParsedDocument, parse_bytes
from renderers import cells_per_line, full_width, gb18030_crlf, hard_wrapped


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
