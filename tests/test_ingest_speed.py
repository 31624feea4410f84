"""The fast paths of ingest give exactly what the plain ones give (issue 14).

- workers send Arrow tables (ingest.load.pack / document_tables) built column by column from the
  schema read off SCHEMA_SQL: the same rows as document_rows, the same columns as the database;
- loading is chunked and overlapped with parsing: any chunk size loads the same rows;
- the per-line caches (squash, display_width, tokenize) return what the uncached functions do;
- a place name containing an organisation suffix (中站区, 站前区) is not cut there.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import REPORTS

from ingest import metadata
from ingest.load import connect, document_rows, document_tables, pack, raw_schema
from ingest.narrative.tokens import tokenize
from ingest.normalize import _WIDE, display_width, squash
from ingest.parse import parse_bytes, parse_file

SHARED = Path(os.environ.get("JUESUAN_SHARED", Path(__file__).resolve().parents[2] / "shared"))
RAW_TABLES = ("documents", "toc_entries", "document_paths", "observations", "rejects", "indicators", "table_cells",
              "sections", "parse_issues", "coverage", "ingest_runs")


def test_arrow_schema_read_from_the_sql_is_the_databases():
    con = connect(":memory:")
    duck = {"VARCHAR": "string", "INTEGER": "int32", "BIGINT": "int64", "DOUBLE": "double", "BOOLEAN": "bool",
            "TIMESTAMP": "timestamp[us]", "DECIMAL(18,4)": "decimal128(18, 4)"}
    for table in RAW_TABLES:
        cols = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'raw' "
                           "AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()
        assert [(n, duck[t]) for n, t in cols] == [(f.name, str(f.type)) for f in raw_schema(table)], table
    with pytest.raises(KeyError):
        raw_schema("no_such_table")


def _same_rows(doc) -> None:
    rows, tables = document_rows(doc), document_tables(doc)
    assert {t for t, r in rows.items() if r} == set(tables)
    for table, arrow in tables.items():
        expected = [{f.name: row.get(f.name) for f in raw_schema(table)} for row in rows[table]]
        assert arrow.to_pylist() == expected, table


@pytest.mark.parametrize("name", sorted(p.name for p in REPORTS.glob("*.txt")))
def test_arrow_tables_carry_the_rows_of_document_rows(name):
    doc = parse_file(REPORTS / name)
    _same_rows(doc)
    packed = pack(doc)
    assert packed.outcome["figures"] == len(doc.result.observations) == packed.tables["observations"].num_rows
    assert packed.fields["observation_count"] == len(doc.result.observations)
    assert packed.fields["doc_id"] == doc.doc_id and "run_id" not in packed.fields


def test_arrow_tables_carry_the_rows_of_document_rows_at_the_edges():
    """The text refs computed on Arrow columns and the one-pass struct conversion against the row-by-row
    rows, on the cases the bundled reports may not hold: an empty or a given ref, a row without a column or a
    line, a value the fast conversion does not take (a str for a DECIMAL: converted as the column way does),
    objects of two classes."""
    from dataclasses import dataclass

    from ingest.load import ARROW_REFS_FROM
    from ingest.model import Indicator, TableCell

    doc = _edited_doc()
    cells, obs = doc.result.cells, doc.result.observations
    assert doc.format == "text" and min(len(cells), len(obs)) >= ARROW_REFS_FROM   # their refs made on Arrow
    _same_rows(doc)
    tables = document_tables(doc)
    assert tables["table_cells"].column("source_ref").to_pylist()[:5] == [
        f"L{cells[0].line_no}:C{cells[0].col_no + 1}", "T9 R9 C9", f"L{cells[2].line_no}", "", ""]
    assert tables["observations"].column("source_ref").to_pylist()[:3] == [
        f"L{obs[0].line_no}:C{obs[0].col_no + 1}" if obs[0].col_no is not None else f"L{obs[0].line_no}",
        f"L{obs[1].line_no}", "p1 L2"]

    @dataclass
    class OtherCell(TableCell):
        extra: str = "?"

    doc.result.cells = cells[:2] + [OtherCell(1, None, None, 1, 1, 7, "x", None, "text")]
    _same_rows(doc)

    doc.result.indicators = [Indicator(1, "p", "project", None, None, "x", weight="12.5", line_no=3)]
    assert document_tables(doc)["indicators"].to_pylist()[0] | {"doc_id": None} == {
        f.name: None for f in raw_schema("indicators")} | dict(
        indicator_no=1, project="p", project_kind="project", indicator="x", weight=Decimal("12.5"), line_no=3,
        source_ref="L3", layout="")


def test_arrow_tables_of_a_real_pdf_keep_page_table_cell_refs():
    pdf = SHARED / "real" / "西南大学2023年度部门决算.pdf"
    if not pdf.is_file():
        pytest.skip("../shared/real is not present")
    doc = parse_file(pdf)
    _same_rows(doc)
    refs = document_tables(doc)["observations"].column("source_ref").to_pylist()
    assert all(re.fullmatch(r"p\d+ (?:T\d+ R\d+ C\d+|L\d+)", r) for r in refs)


def _rows(db: str) -> dict[str, list[tuple]]:
    con = duckdb.connect(db, read_only=True)
    try:
        out = {}
        for table in ("observations", "table_cells", "rejects", "indicators", "coverage", "sections"):
            out[table] = con.execute(f"SELECT * FROM raw.{table} ORDER BY ALL").fetchall()
        out["documents"] = con.execute("SELECT doc_id, source_path, unit_name, fiscal_year, status, observation_count, "
                                       "province, city FROM raw.documents ORDER BY ALL").fetchall()
        return out
    finally:
        con.close()


def test_chunked_overlapped_loading_gives_the_same_rows(tmp_path, monkeypatch):
    from ingest import pipeline

    whole = str(tmp_path / "whole.duckdb")
    summary = pipeline.ingest_paths([REPORTS], whole, workers=2)
    assert (summary.parsed, summary.failed) == (5, 0)
    monkeypatch.setattr(pipeline, "CHUNK", 2)   # three chunks: parse of one overlaps the load of the last
    monkeypatch.setattr(pipeline, "BATCH", 1)
    chunked = str(tmp_path / "chunked.duckdb")
    summary = pipeline.ingest_paths([REPORTS], chunked, workers=2)
    assert (summary.parsed, summary.failed) == (5, 0)
    assert [d["path"] for d in summary.documents] == sorted(str(p) for p in REPORTS.glob("*.txt"))
    a, b = _rows(whole), _rows(chunked)
    assert a == b
    assert len(a["observations"]) > 1000 and a["documents"][0][4] in ("ok", "partial")


def test_cached_helpers_equal_their_definitions():
    texts = ["年度 总体\t目标", "\u3000一、收入\xa0支出", "abc def", "", "x" * 500 + " y", "中" * 450 + "\t1"]
    for t in texts * 2:  # second round: from the cache
        assert squash(t) == re.sub(r"\s+", "", t)
        assert display_width(t) == len(t) + len(_WIDE.findall(t))
    assert display_width("本年收入 1,234.56 万元") == 4 * 2 + 1 + 8 + 1 + 2 * 2


@pytest.mark.parametrize("name", sorted(p.name for p in REPORTS.glob("*.txt")))
def test_display_width_counts_every_wide_character(name):
    """display_width counts the wide characters by their runs: the same as one per character, on every line of
    the bundled reports (CJK, full-width punctuation, ASCII, tabs) and on lines too long for the cache."""
    lines = (REPORTS / name).read_text(encoding="utf-8").splitlines()
    assert len(lines) > 100
    for line in [*lines, "".join(lines[:40])]:
        assert display_width(line) == len(line) + sum(1 for ch in line if _WIDE.fullmatch(ch)), line


def test_tokenize_returns_a_new_list_each_time():
    sentence = "本年收入合计 653.91 万元，比上年增加 12.30 万元，增长 1.9%。"
    first = tokenize(sentence)
    first.clear()
    again = tokenize(sentence)
    assert [(t.kind, t.text) for t in again if t.kind == "num"] == [
        ("num", "653.91 万元"), ("num", "12.30 万元"), ("num", "1.9%")]
    assert next(t for t in again if t.kind == "num").value == Decimal("653.91")


@pytest.mark.parametrize("city, county", [("焦作市", "中站区"), ("营口市", "站前区")])
def test_a_place_name_with_an_organisation_suffix_is_not_cut(city, county):
    """站 ends many organisation names (…监测站) but is also inside place names: 中站区, 站前区."""
    place = city + county
    unit = f"{place}总工会"
    lines = [f"2024年度{unit}部门决算", "", f"编制单位：{unit}", f"纳入{unit}2024年度决算编制范围的单位共1个。",
             f"{unit}下属单位包括：本级。", f"{unit}部门整体支出绩效自评报告"]
    meta = metadata.extract(lines)
    assert (meta.unit_name, meta.sector, meta.fiscal_year) == (unit, "总工会", 2024)
    for text in lines[2:]:
        assert metadata.find_unit([text]) == unit, text
    # a whole report: the bundled 004 (攀枝花市西区总工会, also printed 西区总工会) with its place replaced
    src = (REPORTS / "004_2979b81a862d526d.txt").read_text(encoding="utf-8")
    doc = parse_bytes(Path("x.txt"), src.replace("攀枝花市", city).replace("西区", county).encode())
    assert (doc.unit_name, doc.sector, doc.fiscal_year) == (unit, "总工会", 2024)


def test_slotted_rows_convert_as_column_by_column():
    """The model's row classes have slots (no ``__dict__``) and ``objects_to_arrow`` reads them one tuple per
    object: the same table as ``columns_to_arrow`` (column by column), whichever columns ``extra`` gives — one
    own field left (a one-field struct), none left, a column of the objects replaced."""
    from ingest.load import columns_to_arrow, objects_to_arrow
    from ingest.model import Indicator, Observation, ParseIssue, Reject, SectionRow, TableCell

    for cls in (Observation, Reject, Indicator, TableCell, SectionRow, ParseIssue):
        assert "__dict__" not in dir(cls) and cls.__slots__, cls
    doc = parse_file(REPORTS / "000_f1e20d8804268cb6.txt")
    cells, observations = doc.result.cells, doc.result.observations
    issues = [ParseIssue("warning", f"line {n}", f"message {n}") for n in range(3)]
    assert len(cells) > 100 and len(observations) > 100
    cases = [("table_cells", cells, {"doc_id": doc.doc_id}),
             ("table_cells", cells, {"doc_id": doc.doc_id, "text": ["x"] * len(cells)}),
             ("observations", observations, {"doc_id": doc.doc_id, "source_ref": None}),
             ("parse_issues", issues, {"doc_id": doc.doc_id, "severity": "error", "place": "p"}),   # one own field
             ("parse_issues", issues, {"doc_id": doc.doc_id, "severity": "e", "place": "p", "message": "m"})]
    for table, objects, extra in cases:
        expected = columns_to_arrow(table, objects, extra)
        assert objects_to_arrow(table, objects, extra).equals(expected), (table, sorted(extra))
        assert expected.num_rows == len(objects)


def test_cached_sentences_split_as_the_definition():
    """paragraphs.sentences (cached by text) gives the pieces up to and including each run of 。！？!?, with
    their offsets, for every paragraph of a bundled report, asked twice (the second time from the cache) —
    and for a paragraph too long for the cache."""
    from ingest.paragraphs import Paragraph, assemble, sentences

    lines = (REPORTS / "001_72f22ccfca140d7b.txt").read_text(encoding="utf-8").splitlines()
    paragraphs = assemble(lines, set())
    long = Paragraph(text="".join(p.text for p in paragraphs[:80]), starts=[0], line_nos=[1])
    assert len(paragraphs) > 50 and len(long.text) > 1000
    for para in [*paragraphs, *paragraphs, long]:
        pieces = re.findall(r".*?[。！？!?]+|.+$", para.text, re.S)
        offsets = [sum(map(len, pieces[:k])) for k in range(len(pieces))]
        assert list(sentences(para)) == [(o, s) for o, s in zip(offsets, pieces) if s], para.text[:40]


def _edited_doc():
    """The first bundled report with the source_ref edge cases: an empty or a given ref, a row without a column
    or a line."""
    doc = parse_file(REPORTS / sorted(p.name for p in REPORTS.glob("*.txt"))[0])
    cells, obs = doc.result.cells, doc.result.observations
    cells[0].source_ref, cells[1].source_ref, cells[2].col_no = "", "T9 R9 C9", None
    cells[3].line_no, cells[4].line_no, cells[4].col_no = None, None, None
    obs[0].source_ref, obs[1].col_no, obs[2].source_ref = "", None, "p1 L2"
    return doc


def test_packed_text_refs_are_completed_by_the_insert_as_document_tables_makes_them():
    """pack leaves a text file's line refs to insert_arrow (LINE_REF_SQL): the rows in the database equal
    document_tables' rows, refs and all; a complete ref (another format's) passes the INSERT unchanged."""
    from ingest.load import insert_arrow

    doc = _edited_doc()
    expected, packed = document_tables(doc), pack(doc)
    refs = packed.tables["table_cells"].column("source_ref").to_pylist()
    assert refs[:5] == ["", "T9 R9 C9", None, None, None] and refs[5] is None   # left to the INSERT
    con = connect(":memory:")
    for table in ("observations", "table_cells"):
        insert_arrow(con, table, packed.tables[table])
        names = ", ".join(f.name for f in raw_schema(table))
        got = Counter(con.execute(f"SELECT {names} FROM raw.{table}").fetchall())
        con.execute(f"DELETE FROM raw.{table}")
        insert_arrow(con, table, expected[table])   # complete refs: the same rows again
        again = Counter(con.execute(f"SELECT {names} FROM raw.{table}").fetchall())
        want = Counter(tuple(row.values()) for row in expected[table].to_pylist())
        assert got == again == want and sum(got.values()) > 200, table
        con.execute(f"DELETE FROM raw.{table}")
    assert expected["table_cells"].column("source_ref").to_pylist()[:5] == [
        f"L{doc.result.cells[0].line_no}:C{doc.result.cells[0].col_no + 1}", "T9 R9 C9",
        f"L{doc.result.cells[2].line_no}", "", ""]


# ---------------------------------------------------------------- twelfth round (parse9): the same rows, cheaper
def _raw_lines(path: Path) -> list[str]:
    """A text report's lines as its reader splits them, before normalisation."""
    from ingest.readers.text import read_text

    return read_text(path, path.read_bytes()).lines


def test_a_documents_lines_normalised_as_one_text_are_its_lines_normalised_one_by_one():
    """normalise_lines (one translate search, one separator substitution, one split) gives normalise_line of each
    line: on every bundled report and on the cases where a whole text could differ (a separator at a line's end
    or start, a LaTeX macro before a line break, a carriage return or a line break inside a line)."""
    from ingest.normalize import normalise_line, normalise_lines

    documents = [_raw_lines(p) for p in sorted(REPORTS.glob("*.txt"))]
    assert sum(map(len, documents)) > 3000
    cases = [["支出１，２３４，５６７．８９万元\u3000 ", "，123", "1，1234", "１，", "２３４"], ["a\\leq", "b"],
             ["a＼le", " b"], ["x\r", "y"], ["a\nb", "c"], [], [""], ["\u200b收入 \u00a0"]]
    for lines in documents + cases:
        assert normalise_lines(lines) == [normalise_line(line) for line in lines]
    assert normalise_lines(cases[0]) == ["支出1,234,567.89万元", "，123", "1，1234", "1，", "234"]
    assert normalise_lines(cases[1]) == ["a≤", "b"]
    assert normalise_lines(cases[-1]) == ["收入"]


def test_the_wide_thousands_separator_found_by_its_comma_is_the_lookbehind_patterns():
    from ingest.normalize import _WIDE_THOUSANDS, _wide_thousands

    texts = ["1，234", "1，234，567", "，234", "a，234", "1，2345", "1，23", "1，234元，共5，000项", "١，٢٣٤", "1，，234",
             "12，345\n6，789", "支出，123"] + [line for p in sorted(REPORTS.glob("*.txt")) for line in _raw_lines(p)]
    for text in texts:
        assert _wide_thousands(text) == _WIDE_THOUSANDS.sub(",", text), text
    assert _wide_thousands("1，234元，共5，000项") == "1,234元，共5,000项"


def test_observation_and_token_fields_keep_the_order_the_positional_calls_rely_on():
    """The parsers' hot paths build Observations (narrative, standard tables, self-evaluation grids) and Tokens
    positionally: a field added, removed or moved must be made there too (and here)."""
    from dataclasses import fields

    from ingest.model import Observation
    from ingest.narrative.tokens import Token

    assert tuple(f.name for f in fields(Observation)) == (
        "kind", "measure", "value", "unit", "value_text", "source_kind", "line_no", "item", "scope", "fiscal_year",
        "function_code", "subject_name", "economic_code", "project", "project_kind", "project_key", "indicator_no",
        "ref_key", "decimals", "printed_unit", "table_code", "table_no", "col_no", "section", "snippet", "flags",
        "source_ref")
    assert tuple(f.name for f in fields(Token)) == (
        "kind", "start", "end", "text", "subjects", "value", "decimals", "unit", "year")


def test_the_cheap_tests_before_patterns_answer_as_the_patterns():
    """Page marks (a 页 or a /), extra-table titles (a 表 at the end) and column measures (a 预算 in the path)
    are tested cheaply first: the same answers as the patterns alone, on every line of the bundled reports."""
    from ingest import paragraphs
    from ingest.tables import standard

    lines = [line for p in sorted(REPORTS.glob("*.txt")) for line in _raw_lines(p)]
    lines += ["第 3 页", "3/21", "第3页，共21页", "15", "- 15 -", "项目支出决算表", "政府采购情况表（单位：万元）",
              "国有资产占用情况表\n", "机关运行经费支出表、"]

    def plain_pages(lines):
        found, blank_run = set(), 0
        for i, line in enumerate(lines):
            if not line.strip():
                blank_run += 1
                continue
            if paragraphs._PAGE_MARK.match(line) or (blank_run >= 2 and paragraphs._PAGE_NUMBER.match(line)):
                found.add(i)
            blank_run = 0
        return found

    assert paragraphs.page_number_lines(lines) == plain_pages(lines)
    assert {0, 1, 2} <= paragraphs.page_number_lines(lines[-9:])

    def plain_extra(t):
        if len(t) > 60:
            return None
        t = standard._TITLE_NOISE.sub("", t).replace("、", "")
        return next((tdef for pattern, tdef in standard.EXTRA_TABLE_DEFS if pattern.search(t)), None)

    for line in lines:
        assert standard._extra_of(line) == plain_extra(line), line
    assert [standard._extra_of(t).code for t in lines[-4:]] == ["X1", "X3", "X4", "X2"]

    def plain_measure(path, default):
        joined = standard._FUND_WORDS.sub("", "".join(path))
        if "年初预算" in joined:
            return "budget_initial"
        return "budget" if "预算" in joined and "决算" not in joined else default

    paths = [["本年决算数"], ["年初预算数"], ["一般公共预算", "决算数"], ["年初", "一般公共预算", "预算"], ["全年预算数"],
             ["预算数", "决算数"], ["合计"]] + [[line] for line in lines if len(line) < 40]
    for path in paths:
        for default in ("amount", "budget"):
            assert standard._measure(path, default) == plain_measure(path, default), path
    assert standard._measure(["年初", "一般公共预算", "预算"], "amount") == "budget_initial"
