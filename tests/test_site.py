"""`juesuan site`: the static site of the warehouse, and the PDF page crops of the drill-down.

On the bundled corpus: one page per document, the index of units and years in Chinese, findings with the
sentence or table row as printed, charts 红涨绿跌 titled with year and scope, pages written with a fixed
number of queries, and every page loading offline in headless Chromium (where installed).  On the real
决算 PDF of ../shared/real (skipped when absent): crops of the right page region, shown in the site and
embedded in the HTML report.
"""
from __future__ import annotations

import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from chromium import assert_offline_clean

from juesuan.paths import report_html
from tests.warehouse import query, run

pytestmark = pytest.mark.pipeline

SHARED = Path(os.environ.get("JUESUAN_SHARED", Path(__file__).resolve().parents[2] / "shared"))
SWU = SHARED / "real" / "西南大学2023年度部门决算.pdf"


@pytest.fixture(scope="module")
def site(warehouse_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    assert run("site", "--db", warehouse_db, "--out", out) == 0
    return out


def _doc_id(db: Path, prefix: str) -> str:
    return query(db, "select doc_id from marts.dim_document where source_file like ? || '%'", [prefix])[0][0]


def test_one_page_per_document_and_an_index_of_units_and_years(site, warehouse_db):
    docs = query(warehouse_db, "select doc_id, source_file from marts.dim_document order by 1")
    assert sorted(p.stem for p in (site / "doc").glob("*.html")) == [d for d, _ in docs]
    index = (site / "index.html").read_text(encoding="utf-8")
    for doc_id, _ in docs:
        assert f'href="doc/{doc_id}.html"' in index
    # units, the years as columns, each document by its kind and its scope's Chinese label
    assert "<th>2023 年</th><th>2024 年</th>" in index
    xian = index[index.index("<td>西安市总工会</td>"):]
    xian = xian[:xian.index("</tr>")]
    assert f'<a href="doc/{_doc_id(warehouse_db, "000")}.html" title="000_f1e20d8804268cb6.txt">部门决算（汇总）</a>' in xian
    assert "不符 3" in xian
    assert "consolidated" not in index and "balance" not in index


def test_document_page_shows_findings_with_the_row_and_sentence_as_printed(site, warehouse_db):
    page = (site / "doc" / f"{_doc_id(warehouse_db, '000')}.html").read_text(encoding="utf-8")
    assert "<h1>西安市总工会（汇总） 2024 年 部门决算</h1>" in page
    finding = page[page.index('id="cb5a9b466791bd4a5"'):]
    finding = finding[:finding.index('<div class="finding"')]
    assert "表格数 = 文字说明中的同一数" in finding
    assert ('<div class="says">基本支出 [全部资金] 决算数：149.52 万元 ≠ 175.91 万元（相差 -26.39 万元，舍入允许 ±0.01 万元）'
            "</div>") in finding
    assert "<code>L507:C4</code> “149.52”" in finding and "原文：合计 | 5,334.09 | 149.52 | 5,184.57" in finding
    assert "<code>L867</code> “175.91万元”" in finding
    assert "原文：其中：基本支出175.91万元；项目支出5158.18万元。" in finding
    # the figures, each with its source: 本年支出合计 as printed in the 收入支出决算总表 (L461:C6)
    amount, ref = query(warehouse_db, "select amount_wan, source_ref from marts.fct_expenditure where doc_id = ? "
                                      "and funding_scope = 'all' and function_code is null and expenditure_type = 'total'",
                        [_doc_id(warehouse_db, "000")])[0]
    assert (amount, ref) == (Decimal("5334.0900"), "L461:C6")
    row = re.search(r"<tr><td>全部资金</td>\s*<td>单位合计</td>\s*<td>本年支出合计</td><td class=\"n\">([^<]+)</td>"
                    r".*?<summary><code>([^<]+)</code></summary>\s*“([^”]+)”.*?<div>原文：([^<]+)</div>", page, re.S)
    assert row.groups() == ("5334.09", "L461:C6", "5,334.09", "本年收入合计 | 27 | 5,334.09 | 本年支出合计 | 57 | 5,334.09")
    assert "[general_budget]" not in page and 'narrative "' not in page


def test_yoy_chart_is_red_for_increases_green_for_decreases_and_names_the_years(site, warehouse_db):
    rows = query(warehouse_db, "select doc_id, fiscal_year, label, change_pct from marts.fct_yoy "
                               "where change_pct is not null and change_pct <> 0")
    assert any(r[3] > 0 for r in rows) and any(r[3] < 0 for r in rows)   # the corpus has both
    for doc_id, year, label, change in rows:
        page = (site / "doc" / f"{doc_id}.html").read_text(encoding="utf-8")
        assert f"{year} 年 比 {year - 1} 年 增减（%；红涨绿跌" in page
        bar = re.search(rf"<title>{re.escape(label)}：[^<]*</title>.*?<rect [^>]*fill=\"(#[0-9a-f]+)\"", page, re.S)
        assert bar.group(1) == ("#d62728" if change > 0 else "#2ca02c"), (doc_id, label, change)


def test_cross_city_chart_per_year_with_every_city(site, warehouse_db):
    index = (site / "index.html").read_text(encoding="utf-8")
    for city, year, total in query(warehouse_db, "select city, fiscal_year, expenditure_total_wan from marts.fct_city_year"):
        assert f"{year} 年 各市本年支出合计（万元" in index
        assert re.search(rf"<title>{city}（\d+ 个单位）：{float(total):.2f} 万元</title>".replace(".", r"\."), index), city


def test_pages_are_written_with_a_fixed_number_of_queries(warehouse_db, tmp_path, monkeypatch):
    """Set-based: the queries do not grow with documents or figures (one per mart and batch)."""
    import juesuan.findings
    from juesuan.site import build_site

    calls = []
    real = juesuan.findings.connect_ro

    class Counting:
        def __init__(self, con):
            self._con = con

        def execute(self, *args):
            calls.append(args[0])
            return self._con.execute(*args)

        def __getattr__(self, name):
            return getattr(self._con, name)

    monkeypatch.setattr(juesuan.findings, "connect_ro", lambda db: Counting(real(db)))
    build_site(warehouse_db, tmp_path / "one_batch")
    one_batch = len(calls)
    calls.clear()
    build_site(warehouse_db, tmp_path / "five_batches", batch=1)
    per_batch = (len(calls) - one_batch) / 4
    figures = sum(p.read_text(encoding="utf-8").count("<summary><code>") for p in (tmp_path / "one_batch" / "doc").iterdir())
    assert figures > 200
    assert per_batch <= 10 and one_batch <= 20, (one_batch, per_batch)
    # and both ways give the same pages
    for page in (tmp_path / "one_batch" / "doc").iterdir():
        strip = lambda s: re.sub(r"生成于 [^<]+", "", s)  # noqa: E731
        assert strip(page.read_text(encoding="utf-8")) == strip(
            (tmp_path / "five_batches" / "doc" / page.name).read_text(encoding="utf-8"))


def test_english_pages_use_the_codes(warehouse_db, tmp_path):
    assert run("--lang", "en", "site", "--db", warehouse_db, "--out", tmp_path) == 0
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Units and years" in index and "部门决算 (consolidated)" in index


# -- in a real browser, offline ---------------------------------------------------------------------


def test_every_page_loads_offline_in_chromium(browser, site, warehouse_db, tmp_path):
    load = browser.load(site / "index.html", screenshot=tmp_path / "site_index.png")
    assert_offline_clean(load)
    assert "单位与年度" in load.text and "西安市总工会" in load.text and "部门决算（差额）" in load.text
    assert (tmp_path / "site_index.png").stat().st_size > 20_000
    for page in sorted((site / "doc").glob("*.html")):
        load = browser.load(page, settle=0.2)
        assert_offline_clean(load)
        unit = query(warehouse_db, "select u.unit_name from marts.dim_document d join marts.dim_unit u using (unit_id) "
                                   "where d.doc_id = ?", [page.stem])[0][0]
        assert unit in load.title and "不符之处" in load.text


# -- PDF sources: crops of the page region ----------------------------------------------------------

@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    if not SWU.is_file():
        pytest.skip("../shared/real is not present")
    folder = tmp_path_factory.mktemp("swu")
    shutil.copy(SWU, folder / SWU.name)
    db = tmp_path_factory.mktemp("swu_wh") / "swu.duckdb"
    assert run("run", folder, "--db", db, "--no-docs") == 0
    return db


@pytest.mark.parametrize("ref, printed", [
    ("p9 T1 R12 C4", "457,676.75"),     # 本年支出合计, 收入支出决算总表
    ("p13 T1 R14 C4", "359,781.59"),    # 基本支出, 支出决算表 合计 row
    ("p14 T1 R9 C5", "186,663.39"),     # 2050205 高等教育, 财政拨款
])
def test_a_table_cell_crop_is_its_row_with_the_figure_marked(ref, printed):
    if not SWU.is_file():
        pytest.skip("../shared/real is not present")
    import pdfplumber

    from juesuan.pdfcrop import PdfCropper

    with PdfCropper(SWU) as cropper:
        region = cropper.region(ref, printed)
        png = cropper.png(region)
    assert region.how == "ref" and region.page == int(ref[1:ref.index(" ")])
    assert png.startswith(b"\x89PNG")
    with pdfplumber.open(SWU) as pdf:
        page = pdf.pages[region.page - 1]
        assert page.crop(region.mark).extract_text().replace(" ", "") == printed
        assert printed in page.crop(region.bbox).extract_text().replace(" ", "")


@pytest.mark.parametrize("ruled", [True, False])
def test_every_figure_of_a_generated_pdf_is_cropped_where_the_reader_read_it(tmp_path, ruled):
    """The crop follows the reader's own numbering (read_pdf geometry), ruled or unruled tables alike: every
    figure the reader took from a table or a line of a generated report is found by its ref, and the mark is
    that figure as printed."""
    pytest.importorskip("reportlab")
    import sys

    import pdfplumber

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from corpus import PDF_LAYOUTS, build_reports
    from pdf_render import blocks_of_text, render

    from ingest.load import document_rows
    from ingest.parse import parse_file
    from juesuan.pdfcrop import PdfCropper

    report = build_reports(tmp_path, 1, seed=7, layouts=PDF_LAYOUTS)[0][0]
    pdf_path = tmp_path / "report.pdf"
    pdf_path.write_bytes(render(blocks_of_text(report.lines), ruled=ruled))
    rows = [r for r in document_rows(parse_file(pdf_path))["observations"] if r["value_text"]]
    assert len({r["source_ref"] for r in rows if " T" in r["source_ref"]}) > 100
    with PdfCropper(pdf_path) as cropper, pdfplumber.open(pdf_path) as pdf:
        for r in rows:
            region = cropper.region(r["source_ref"], r["value_text"])
            assert region is not None and region.how == "ref", (r["source_ref"], r["value_text"])
            x0, top, x1, bottom = region.mark
            marked = pdf.pages[region.page - 1].within_bbox((x0 - 0.5, top - 0.5, x1 + 0.5, bottom + 0.5))
            assert marked.extract_text().replace(" ", "") == r["value_text"].replace(" ", ""), r["source_ref"]


def test_a_prose_line_crop_holds_its_sentence():
    if not SWU.is_file():
        pytest.skip("../shared/real is not present")
    import pdfplumber

    from juesuan.pdfcrop import PdfCropper

    with PdfCropper(SWU) as cropper:
        region = cropper.region("p17 L7", "0.56%")
        assert cropper.region("p17 L7", "no such text") is None
        assert cropper.region("p99 L1", "0.56%") is None and cropper.region("L12", "0.56%") is None
    with pdfplumber.open(SWU) as pdf:
        assert pdf.pages[16].crop(region.mark).extract_text() == "0.56%"


def test_site_and_report_show_the_crops_of_a_pdf(real_db, tmp_path, browser):
    doc_id = query(real_db, "select doc_id from marts.dim_document")[0][0]
    assert run("site", "--db", real_db, "--out", tmp_path / "site") == 0
    page = tmp_path / "site" / "doc" / f"{doc_id}.html"
    html = page.read_text(encoding="utf-8")
    # the 本年支出合计 of the 支出决算表 (p9 T1 R12 C4) has its crop, and the file is there
    src = re.search(r'<summary><code>p9 T1 R12 C4</code></summary>\s*“457,676.75”.*?<img src="([^"]+)"', html, re.S).group(1)
    assert src.startswith(f"../img/{doc_id}/p9_T1_R12_C4_") and (page.parent / src).resolve().is_file()
    load = browser.load(page, screenshot=tmp_path / "swu.png")
    assert_offline_clean(load)
    assert any(u.endswith(".png") for u in load.requests)   # crops load lazily: those in view
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) >= 40 and all((page.parent / src).resolve().is_file() for src in images)
    # the single-page report embeds its crops
    report = report_html(real_db)
    text = report.read_text(encoding="utf-8")
    assert text.count('src="data:image/png;base64,') >= query(
        real_db, "select count(*) from marts.fct_identity_check where not passed")[0][0]
    assert_offline_clean(browser.load(report))


# -- dbt docs, static and offline -------------------------------------------------------------------

def test_the_rewrites_match_dbts_own_page():
    """The two self-requests dbt_docs.offline removes are in the page dbt ships (else the rewrite is stale)."""
    import dbt.task.docs

    from juesuan import dbt_docs

    shipped = (Path(dbt.task.docs.__file__).parent / "index.html").read_text(encoding="utf-8")
    assert len(dbt_docs._ICON.findall(shipped)) >= 2 and len(dbt_docs._FAVICON.findall(shipped)) == 1
    cleaned = dbt_docs.offline(shipped)
    assert not dbt_docs._FAVICON.search(cleaned) and '<use xlink:href="{{' not in cleaned
    assert cleaned.count('<use ng-attr-xlink:href="{{') == len(dbt_docs._ICON.findall(shipped))


def test_dbt_docs_open_offline_and_the_site_links_them(warehouse_db, browser, tmp_path):
    from juesuan.dbt_docs import generate, static_index

    assert generate(warehouse_db).success
    page = static_index(warehouse_db)
    load = browser.load(page, screenshot=tmp_path / "dbt_docs.png", settle=2.0)
    assert_offline_clean(load)
    assert load.title.startswith("dbt Docs") and "juesuan" in load.text
    assert run("site", "--db", warehouse_db, "--out", tmp_path / "site") == 0
    href = re.search(r'<a href="([^"]+)">模型文档（dbt docs）</a>', (tmp_path / "site" / "index.html").read_text(encoding="utf-8"))
    assert (tmp_path / "site" / href.group(1)).resolve() == page.resolve()


# -- the README shows what the product prints --------------------------------------------------------

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_drill_down_is_what_show_prints(warehouse_db, capsys):
    from juesuan.cli import main

    text = README.read_text(encoding="utf-8")
    block = text[text.index("$ juesuan show b5a9b466\n"):]
    block = block[len("$ juesuan show b5a9b466\n"):block.index("```")].rstrip("\n").splitlines()
    assert main(["show", "--db", str(warehouse_db), "b5a9b466"]) == 0
    printed = capsys.readouterr().out.rstrip("\n").splitlines()
    # the first line ends with the file's path, which differs by checkout
    assert printed[0].startswith(block[0].split("…")[0]) and printed[0].endswith(block[0].split("…")[1])
    assert printed[1:] == block[1:]


def test_readme_screenshots_are_committed_pngs():
    text = README.read_text(encoding="utf-8")
    shots = re.findall(r"!\[[^\]]*\]\((docs/[^)]+\.png)\)", text)
    assert len(shots) >= 2
    for shot in shots:
        data = (README.parent / shot).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 20_000, shot


def test_a_pdf_that_cannot_be_opened_gets_no_crops_and_the_others_go_on(tmp_path):
    from juesuan.drill import Place, attach_crops

    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 truncated")
    places = {"bad": [Place("p1 L1", "1.00")], "gone": [Place("p1 L1", "1.00")]}
    errors = []
    made = attach_crops(places, {"bad": bad, "gone": tmp_path / "missing.pdf"}, lambda *a: "x.png",
                        on_error=lambda doc, exc: errors.append(doc))
    assert made == 0 and sorted(errors) == ["bad", "gone"]
    assert all(p.image is None for ps in places.values() for p in ps)


def test_the_one_page_report_embeds_at_most_its_crop_budget(real_db):
    from juesuan.findings import document_summaries
    from juesuan.report import render_html

    docs = document_summaries(real_db)
    assert render_html(docs, db=real_db, crops=2).count('src="data:image/png;base64,') == 2
    assert render_html(docs, db=real_db, crops=0).count('src="data:image/png;base64,') == 0


def test_a_failed_document_gets_its_page_with_the_error_and_the_others_go_on(tmp_path, browser):
    folder = tmp_path / "in"
    folder.mkdir()
    good = sorted((Path(__file__).resolve().parents[1] / "data" / "reports").glob("001_*.txt"))[0]
    shutil.copy(good, folder / good.name)
    (folder / "坏文件.pdf").write_bytes(b"%PDF-1.4 broken")
    db = tmp_path / "w.duckdb"
    assert run("run", folder, "--db", db, "--no-docs") == 4          # some documents could not be read
    assert run("site", "--db", db, "--out", tmp_path / "site") == 0
    bad, error, place = query(db, "select doc_id, error, error_place from marts.dim_document where status = 'failed'")[0]
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert f'<a href="doc/{bad}.html">坏文件.pdf</a>' in index and "失败" in index
    page = (tmp_path / "site" / "doc" / f"{bad}.html").read_text(encoding="utf-8")
    assert (place, error) == ("byte 0", "not a readable PDF file: PdfminerException No /Root object! - Is this really a PDF?")
    assert "<h1>坏文件.pdf" in page and "无法读取（第 0 字节）：不是可读的 PDF 文件：PdfminerException No /Root object! - " \
        "Is this really a PDF?" in page and "不符之处" not in page
    assert (tmp_path / "site" / "doc" / f"{_doc_id(db, '001')}.html").is_file()
    assert_offline_clean(browser.load(tmp_path / "site" / "doc" / f"{bad}.html", settle=0.2))
