"""One document never breaks the build; two versions of a unit-year are both kept and the more complete counts.

A folder as users really have it — the bundled reports, the real reports of ../shared/real (when present), stray
files, a copy cut short, a 5-row spreadsheet for a unit-year already loaded, unreadable and unattributable files —
runs to exit 0 or 4, every bundled report's mart rows are those of a run without the others, every bad input is named
with its reason, and the version choice is visible in marts.qa_document_versions.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import SEEDS
from warehouse import CONTRACT_MARTS, VOLATILE, query, run

from ingest import toc
from ingest.parse import parse_file
from ingest.readers import read_bytes

SHARED = Path(os.environ.get("JUESUAN_SHARED", Path(__file__).resolve().parents[2] / "shared"))
REAL = SHARED / "real"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is absent")


# ---------------------------------------------------------------- 目录
def test_toc_of_a_text_report_lists_its_parts_sections_and_tables():
    lines = SEEDS["000"].read_text(encoding="utf-8").split("\n")
    contents = toc.find(lines)
    assert min(contents.lines) == 10  # 0-based: L11 "目 录"
    titles = [e.title for e in contents.entries]
    assert titles[:3] == ["部门概况", "部门主要职责及内设机构", "部门决算单位构成"]
    assert "财政拨款“三公”经费及会议费、培训费支出决算表" in titles
    assert len(contents.entries) == 32 and contents.missing == []
    # the second 目录 (L411, an index table 表1<TAB>收入支出决算总表<TAB>否) adds no new title but is excluded too
    assert {410, 412, 421} <= contents.lines
    kinds = {e.title: e.kind for e in contents.entries}
    assert kinds["收入支出决算总表"] == "table" and kinds["部门概况"] == "section"


def test_a_report_whose_tables_are_not_in_it_is_partial_with_the_place(parsed):
    # 003's 目录 lists its eleven tables; the document only says 见附件 (L489)
    doc = parsed["003"]
    assert doc.status == "partial"
    issue = [i for i in doc.result.issues if i.severity == "error"]
    assert [i.place for i in issue] == ["目录 line 37"]
    assert issue[0].message.startswith("11 entries its 目录 promises are not in the document")
    assert "收入支出决算总表 (L37)" in issue[0].message
    assert [e.line_no for e in doc.contents if e.found_line is None] == list(range(37, 58, 2))


def test_a_copy_cut_mid_table_is_partial_and_names_the_cut():
    lines = SEEDS["000"].read_text(encoding="utf-8").split("\n")
    assert lines[510].startswith("2012906\t工会事务")  # inside 公开03表
    doc = parse_file_bytes("cut.txt", "\n".join(lines[:511]))
    assert doc.status == "partial"
    places = {i.place: i.message for i in doc.result.issues if i.severity == "error"}
    assert "目录 line 45" in places  # 四、财政拨款收入支出决算总表, the first promised table after the cut
    assert "(its last line is 511)" in places["目录 line 45"]


# ---------------------------------------------------------------- cut short, without a 目录
def _without_toc(key: str) -> list[str]:
    """A bundled report with its 目录 regions taken out: only the document's own structure can tell a cut."""
    lines = SEEDS[key].read_text(encoding="utf-8").split("\n")
    regions = toc.find(lines).lines
    return [line for i, line in enumerate(lines) if i not in regions]


def _errors(doc) -> list[tuple[str, str]]:
    return [(i.place, i.message) for i in doc.result.issues if i.severity == "error"]


def test_without_a_toc_the_whole_report_is_ok_and_each_kind_of_cut_is_partial_with_its_last_line():
    lines = _without_toc("000")
    assert parse_file_bytes("whole.txt", "\n".join(lines)).status == "ok"
    # cut inside 收入决算表 (its 合计 row comes first): the 类 rows read add up to less than the 合计
    n = next(i for i, line in enumerate(lines, 1) if line.startswith("2012906\t工会事务"))
    doc = parse_file_bytes("cut_rows.txt", "\n".join(lines[:n]))
    assert doc.status == "partial"
    assert _errors(doc) == [(f"L{n}", f"the document is cut short: it ends inside 收入决算表 (L{n - 7}–L{n}) and its "
                                      "类 rows (1) add up to 5,084.57 of the 合计 5,334.09: the rows stop before the table "
                                      f"completes (its last line is {n})")]
    # cut between two tables, after a title block: the title of a table that never comes
    n = next(i for i, line in enumerate(lines, 1) if line.strip() == "公开04表")
    doc = parse_file_bytes("cut_title.txt", "\n".join(lines[:n]))
    assert _errors(doc) == [(f"L{n}", f"the document is cut short: it ends with the title of 财政拨款收入支出决算总表 "
                                      f"(L{n - 2}) but not its table (its last line is {n})")]
    # cut right after a complete table and its note: none of the template's later tables follows
    n = next(i for i, line in enumerate(lines, 1) if line.startswith("注：本表反映部门本年度的总收支"))
    doc = parse_file_bytes("cut_between.txt", "\n".join(lines[:n]))
    [(place, message)] = _errors(doc)
    assert place == f"L{n}" and message.startswith("the document is cut short: it ends inside 收入支出决算总表 ")
    assert "none of the 8 standard tables that follow it in the template is in the document (收入决算表、支出决算表、" \
           "财政拨款收入支出决算总表…)" in message


def test_a_report_cut_inside_its_performance_table_is_partial():
    """004 has no 目录 and no standard table; its 绩效自评表 is printed one cell per line."""
    lines = SEEDS["004"].read_text(encoding="utf-8").split("\n")
    n = next(i for i, line in enumerate(lines, 1) if line.strip() == "≥5户")   # inside the 产出指标 rows
    doc = parse_file_bytes("cut_perf.txt", "\n".join(lines[:n]))
    assert doc.status == "partial"
    assert _errors(doc) == [(f"L{n}", f"the document is cut short: it ends inside a 绩效自评表 (L204–L{n}) and its "
                                      "indicators stop before 满意度指标, the last 一级指标 of a 绩效自评表, and it has no "
                                      f"总分 row (its last line is {n})")]
    n = next(i for i, line in enumerate(lines, 1) if "满意度指标" in line) + 1   # inside the last row
    doc = parse_file_bytes("cut_row.txt", "\n".join(lines[:n]))
    assert _errors(doc) == [(f"L{n}", f"the document is cut short: it ends inside a 绩效自评表 (L204–L{n}) and its last "
                                      "row has 3 cells where the rows before it have 7 or more: the cut fell inside a "
                                      f"row (its last line is {n})")]


def test_no_whole_report_is_cut_short(parsed):
    for key, doc in parsed.items():
        assert not [m for _, m in _errors(doc) if "cut short" in m], key
    assert parsed["004"].status == "ok" and parsed["000"].status == "ok"


@needs_real
@pytest.mark.parametrize("name", ["西南大学2023年度部门决算.pdf", "上海市普陀区司法局2026年部门预算.pdf",
                                  "江苏省人民检察院2019年度部门预算.pdf", "中共江苏省委办公厅2019年度部门预算公开表格.pdf"])
def test_no_real_report_is_cut_short(name):
    doc = parse_file(REAL / name)
    assert doc.status == "ok", _errors(doc)


def parse_file_bytes(name: str, text: str):
    from ingest.parse import parse_bytes

    return parse_bytes(Path(name), text.encode("utf-8"))


@needs_real
def test_a_toc_page_carries_no_figures():
    pdf = REAL / "repro" / "r05_toc_numbers_read_as_figures" / "sfj2026_cover_toc.pdf"
    raw = read_bytes(pdf, pdf.read_bytes())
    contents = toc.find(raw.lines, raw.locators)
    assert "2026年部门政府性基金预算支出功能分类预算表" in [e.title for e in contents.entries]
    assert len(contents.entries) == 16
    doc = parse_file(pdf)
    assert doc.result.observations == []  # 6.2026年… is a numbered title, never 6.2026 万元
    assert doc.status == "not_a_report"


# ---------------------------------------------------------------- the whole job on a messy folder
def _spreadsheet(path: Path) -> None:
    """Five rows for 攀枝花市西区总工会 2024, the unit-year of bundled report 004."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["2024年度攀枝花市西区总工会部门决算"], ["支出决算表"],
                ["编制部门：攀枝花市西区总工会", None, None, "单位：万元"],
                ["科目名称", "本年支出合计", "基本支出", "项目支出"], ["合计", 273.52, 129.77, 143.75]):
        ws.append(row)
    wb.save(path)


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory) -> dict:
    """The messy folder run once: {"db": the warehouse, "out": what the run printed (stdout)}."""
    import contextlib
    import io

    folder = tmp_path_factory.mktemp("messy")
    inbox = folder / "inbox"
    inbox.mkdir()
    for path in SEEDS.values():
        shutil.copy(path, inbox / path.name)
    if REAL.is_dir():
        shutil.copytree(REAL, inbox / "real")
    (inbox / "README.md").write_text("# Reports\n\nThe 2024 reports of the unions, collected on 2025-03-01.\n",
                                     encoding="utf-8")
    (inbox / "manifest.csv").write_text("file,unit,year,pages\n000.txt,西安市总工会,2024,35\n", encoding="utf-8")
    (inbox / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    text_000 = SEEDS["000"].read_text(encoding="utf-8").split("\n")
    (inbox / "zz_000_cut.txt").write_text("\n".join(text_000[:511]), encoding="utf-8")  # cut inside 公开03表
    _spreadsheet(inbox / "zz_004_five_rows.xlsx")
    text_004 = SEEDS["004"].read_text(encoding="utf-8")
    (inbox / "no_unit.txt").write_text(text_004.replace("攀枝花市西区总工会", "").replace("西区总工会", "")
                                       .replace("区总工会", ""), encoding="utf-8")
    (inbox / "minutes.txt").write_text("会议纪要\n\n各单位要认真做好部门决算公开工作，按时报送材料。\n", encoding="utf-8")
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "binary.txt").write_bytes(b"\x00\x01garbage" * 40)
    # more stray files: documentation by name whatever the extension, a file without one, a hidden folder
    (inbox / "notes").mkdir()
    (inbox / "notes" / "readme_zh.txt").write_text("说明：2024年部门决算，收入合计5,334.09万元。\n", encoding="utf-8")
    (inbox / "LICENSE").write_text("public disclosures\n", encoding="utf-8")
    (inbox / ".cache").mkdir()
    (inbox / ".cache" / "000.txt").write_text(SEEDS["000"].read_text(encoding="utf-8"), encoding="utf-8")
    # a report without a 目录, cut inside its last 绩效自评表: partial, so the whole 001 keeps counting
    text_001 = SEEDS["001"].read_text(encoding="utf-8").split("\n")
    cut = max(i for i, line in enumerate(text_001, 1) if "数量指标" in line)
    (inbox / "zz_001_cut.txt").write_text("\n".join(text_001[:cut]), encoding="utf-8")
    # more bad inputs: a PDF and a DOCX that are not what they say, undecodable text, markup in a file name
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    (inbox / "broken.docx").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    (inbox / "gbk_broken.txt").write_bytes("部门决算".encode() + b"\xff\xfe\xfa" * 30)
    (inbox / "zz_[bold]x[red].txt").write_bytes(b"")
    db = folder / "juesuan.duckdb"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = run("--lang", "en", "run", "--db", db, inbox)
    assert code in (0, 4)  # 4: some files could not be read; never 1
    return {"db": db, "out": " ".join(printed.getvalue().split()), "cut_001": cut}


@pytest.fixture(scope="module")
def messy(messy_run) -> Path:
    return messy_run["db"]


def _rows(db: Path, sql: str) -> list[str]:
    return sorted(map(repr, query(db, sql)))


def _columns(db: Path, mart: str) -> str:
    cols = [r[0] for r in query(db, "select column_name from information_schema.columns where table_schema = 'marts' "
                                    "and table_name = ? order by ordinal_position", [mart])]
    return ", ".join(f'"{c}"' for c in cols if c not in (*VOLATILE, "source_path"))  # the folders differ


def test_every_bundled_report_has_the_marts_of_a_run_without_the_others(messy, warehouse_db):
    bundled = [r[0] for r in query(warehouse_db, "select doc_id from marts.dim_document")]
    assert len(bundled) == 5
    ids = ", ".join(f"'{d}'" for d in bundled)
    counted = query(messy, f"select source_file, counted_in_facts from marts.dim_document where doc_id in ({ids})")
    assert sorted(counted) == [(p.name, True) for p in SEEDS.values()]
    for mart in CONTRACT_MARTS:
        if mart in ("dim_function_subject", "dim_economic_subject"):
            continue  # classifications: other reports may add codes they print
        cols = _columns(warehouse_db, mart)
        where = f"doc_id in ({ids})" if mart != "dim_unit" else \
            f"unit_id in (select unit_id from marts.dim_document where doc_id in ({ids}))"
        alone = _rows(warehouse_db, f"select {cols} from marts.{mart} where {where}")
        assert alone, mart
        assert _rows(messy, f"select {cols} from marts.{mart} where {where}") == alone, mart
    cities = "select * from marts.fct_city_year where city in ('西安市', '广元市', '榆林市', '乌海市', '攀枝花市')"
    assert _rows(messy, cities) == _rows(warehouse_db, cities)


def test_every_bad_input_is_named_with_its_reason(messy, messy_run):
    docs = {r[0]: r[1:] for r in query(messy, "select source_file, status, exclusion, exclusion_reason, error_place "
                                              "from marts.dim_document where source_path not like '%/real/%'")}
    # documentation and packaging files are skipped before reading, each named with the reason — and never a
    # document, so no README (of ../shared/real/repro either) can be taken for a budget or a report
    out = messy_run["out"]
    assert query(messy, "select count(*) from raw.documents where lower(source_file) like 'readme%' "
                        "or source_file in ('manifest.csv', 'LICENSE')") == [(0,)]
    for name in ("README.md", "manifest.csv", "notes/readme_zh.txt"):
        assert f"/inbox/{name}: not a report: a documentation or packaging file by its name" in out, name
    assert "1 × not a report format (.png)" in out and "1 × not a report format (no extension)" in out
    assert ".cache" not in out and not [d for d in docs if ".cache" in d]   # hidden folders are not walked
    readmes = len(list(REAL.rglob("README.md"))) if REAL.is_dir() else 0   # ../shared/real's own and repro/'s
    assert query(messy, "select skipped from raw.ingest_runs") == [(5 + readmes,)]
    assert docs["minutes.txt"][2] == "not a report: no figures of a report found: not a 决算 report"
    assert docs["no_unit.txt"][:3] == ("unattributed", "unattributed",
                                       "not attributable: no reporting unit found in the text")
    assert docs["empty.txt"] == ("failed", "failed", "could not be read: empty file (the file has no content)",
                                 "byte 0")
    # a second empty file has the same bytes: one document, and both paths named as failed in the run
    assert f"✗ {messy.parent}/inbox/zz_[bold]x[red].txt, byte 0: empty file (the file has no content) (the same bytes " \
           f"as {messy.parent}/inbox/empty.txt)" in out
    assert docs["binary.txt"][:3] == ("failed", "failed",
                                      "could not be read: binary file, not text (contains NUL bytes)")
    assert "scan.png" not in docs  # not a report format: never picked up
    for name in ("broken.pdf", "broken.docx", "gbk_broken.txt"):
        status, exclusion, reason, place = docs[name]
        assert (status, exclusion) == ("failed", "failed") and reason.startswith("could not be read: "), name
        assert f"✗ {messy.parent}/inbox/{name}" in out and reason.removeprefix("could not be read: ")[:30] in out, name
    # nothing of theirs reaches a fact
    stray = query(messy, "select count(*) from marts.fct_expenditure e join marts.dim_document d using (doc_id) "
                         "where d.exclusion is not null")
    assert stray == [(0,)]


def test_the_more_complete_version_counts_and_the_choice_is_visible(messy, messy_run):
    rows = {r[0]: r[1:] for r in query(messy, """
        select source_file, unit_name, fiscal_year, versions, version_rank, counted_in_facts, counted_file, reason
        from marts.qa_document_versions where source_path not like '%/real/%'""")}
    cut, five = rows["zz_000_cut.txt"], rows["zz_004_five_rows.xlsx"]
    ids = dict(query(messy, "select source_file, doc_id from marts.dim_document"))
    assert cut[:6] == ("西安市总工会", 2024, 2, 2, False, "000_f1e20d8804268cb6.txt")
    # its figures are the beginning of 000's (ingest.truncation.cut_copies): a cut copy never counts before it
    assert cut[6] == "another version of this unit-year counts — incomplete: a copy cut short of doc_id " \
                     f"{ids['000_f1e20d8804268cb6.txt'][:16]}"
    assert five[:6] == ("攀枝花市西区总工会", 2024, 2, 2, False, "004_2979b81a862d526d.txt")
    assert five[6] == "another version of this unit-year counts — incomplete: 3 figures read against 221"
    assert rows["000_f1e20d8804268cb6.txt"][2:7] == (2, 1, True, None, None)
    # the cut copy is partial with the places where it stops: its last line, the first promised entry missing, and
    # its last figure (where 000 goes on)
    assert query(messy, "select status, error_place, cut_short_of from marts.dim_document "
                        "where source_file = 'zz_000_cut.txt'") == \
        [("partial", "L511; 目录 line 45; L511:C5", ids["000_f1e20d8804268cb6.txt"])]
    # a copy without a 目录 cut inside its 绩效自评表 is partial too: the whole report keeps counting
    cut = rows["zz_001_cut.txt"]
    assert cut[:6] == ("广元市总工会", 2024, 2, 2, False, "001_72f22ccfca140d7b.txt")
    assert cut[6] == "another version of this unit-year counts — incomplete: a copy cut short of doc_id " \
                     f"{ids['001_72f22ccfca140d7b.txt'][:16]}"
    # its last line, and its last figure (the rows after it hold none)
    assert query(messy, "select status, error_place from marts.dim_document where source_file = 'zz_001_cut.txt'") == \
        [("partial", f"L{messy_run['cut_001']}; L1256")]


@needs_real
def test_real_reports_never_fail_the_build(messy):
    # 西南大学 has no place in its name: province unknown, still a unit
    assert query(messy, "select province, city from marts.dim_unit where unit_name = '西南大学'") == [(None, None)]
    # the whole report beats the excerpts of repro/ cut from it: its 目录's parts and tables are present
    assert query(messy, "select counted_in_facts, version_rank from marts.dim_document "
                        "where source_file = '西南大学2023年度部门决算.pdf'") == [(True, 1)]
    # r03: "其他支出 109.50 万元，占总支出的 0.02%" in a list of function classes is class 229 — one row,
    # never the economic items 399 and 39999 (which once doubled the observation and failed the build)
    assert query(messy, "select o.kind, o.function_code, o.economic_code, o.measure from raw.observations o "
                        "join raw.documents d using (doc_id) where d.source_file = 'swu2023_excerpt_qita.txt' "
                        "and o.value_text like '109.50%'") == [("expenditure", "229", None, "amount")]
    # budget documents count in their own basis (report_kind comes from the document's metadata), never in the 决算
    assert query(messy, "select count(*) from marts.dim_document where (report_kind like '%预算%') <> (basis = 'budget')") \
        == [(0,)]
    assert query(messy, "select count(*) from marts.fct_expenditure e join marts.dim_document d using (doc_id) "
                        "where d.basis = 'budget'") == [(0,)]


def test_a_version_that_counts_again_is_rebuilt_into_the_facts(tmp_path):
    """P holds 004 whole, Q a copy cut at line 200: P counts.  P is then replaced by its first 100 lines with a
    figure changed (a re-issue, no cut copy of P, so P is superseded): Q is now the most complete version, and
    its facts — removed when P counted — come back in the incremental build exactly as a full rebuild has them."""
    from warehouse import snapshot

    lines = SEEDS["004"].read_text(encoding="utf-8").split("\n")
    folder = tmp_path / "in"
    folder.mkdir()
    p, q = folder / "p.txt", folder / "q.txt"
    p.write_text("\n".join(lines), encoding="utf-8")
    q.write_text("\n".join(lines[:200]), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    assert run("run", folder, "--db", db, "--no-docs") == 0
    assert query(db, "select source_file from marts.dim_document where counted_in_facts") == [("p.txt",)]
    assert "收、支总计各增加27.26万元" in lines[16]
    p.write_text("\n".join(lines[:100]).replace("收、支总计各增加27.26万元", "收、支总计各增加27.36万元", 1),
                 encoding="utf-8")
    assert run("run", folder, "--db", db, "--no-docs") == 0
    versions = query(db, "select source_file, version_rank, reason from marts.qa_document_versions order by 2")
    assert versions == [("q.txt", 1, None),
                        ("p.txt", 2,
                         "another version of this unit-year counts — incomplete: 139 figures read against 195")]
    facts = query(db, "select count(*) from marts.fct_expenditure e join marts.dim_document d using (doc_id) "
                      "where d.source_file = 'q.txt'")[0][0]
    assert facts > 0
    incremental = snapshot(db, exclude=VOLATILE)
    assert run("build", "--db", db, "--full-refresh") == 0
    assert snapshot(db, exclude=VOLATILE) == incremental


def test_a_budget_counts_only_in_the_budget_marts(tmp_path, warehouse_db):
    """A 部门预算 (report_kind from the document's metadata) counts in its own basis: it leaves the 决算 marts —
    also in an incremental build of a warehouse that held it as a 决算 — and feeds the fct_budget_* marts;
    the other reports keep their rows."""
    import duckdb

    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse_db, db)
    con = duckdb.connect(str(db))
    con.execute("update raw.documents set report_kind = '部门预算' where source_file like '002%'")
    con.close()
    assert run("build", "--db", db) == 0
    doc = query(db, "select doc_id, status, basis, counted_in_facts, exclusion from marts.dim_document "
                    "where source_file like '002%'")
    doc_id = doc[0][0]
    assert doc[0][1:] == ("ok", "budget", True, None)
    for mart in ("fct_revenue", "fct_expenditure", "fct_three_public", "fct_unit_year"):
        assert query(db, f"select count(*) from marts.{mart} where doc_id = ?", [doc_id]) == [(0,)], mart
        assert query(db, f"select count(distinct doc_id) from marts.{mart}") == [(4,)], mart
    # its own 预算 figures (measure budget) are what the budget marts hold; its tables' identities are still checked
    assert query(db, "select count(distinct doc_id) from marts.fct_budget_expenditure") == [(1,)]
    assert query(db, "select count(*) > 0 from marts.fct_identity_check where doc_id = ?", [doc_id]) == [(True,)]
    # the unit stays a unit, counted with its one (budget) report
    assert query(db, "select document_count, first_year from marts.dim_unit where unit_name = '榆林市横山区总工会'") == \
        [(1, 2023)]
