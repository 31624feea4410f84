"""`juesuan site`: a static HTML site of the warehouse that works from file:// without network.

Layout of ``OUT`` (default ``warehouse/site/``)::

    index.html                 units × years (Chinese labels), cross-city and year-over-year charts, links to
                               the findings report, Great Expectations Data Docs and the dbt docs when present
    doc/<doc_id>.html          one page per document: headline figures, revenue, expenditure, 三公, projects,
                               findings — each figure with its drill-down (source_ref, the figure as printed,
                               the sentence or table row as printed, and a cropped page image for PDFs)
    img/<doc_id>/<ref>.png     the crops (PDF sources only)

Pages are written set-based: documents are taken in batches (``BATCH``) and each batch costs one query per
mart, whatever the number of documents or figures.  Charts are inline SVG (juesuan.charts, 红涨绿跌); the
only files a page loads are the site's own crops.  A document whose PDF cannot be cropped still gets its page
(without images) and is named in the returned summary.
"""
from __future__ import annotations

import os
import re
import shutil
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from juesuan import i18n
from juesuan.charts import Bar, bar_chart
from juesuan.drill import Place, attach_crops, fill_readings, finding_places, pdf_sources
from juesuan.findings import Finding, distinct_names
from juesuan.i18n import Labels, lang, tr
from juesuan.paths import data_docs_dir, dbt_target_dir, report_html
from juesuan.report import fmt

BATCH = 500


@dataclass
class SiteSummary:
    """What ``build_site`` wrote: the index, the number of document pages and crops, and the documents whose
    PDF could not be cropped (doc_id, reason)."""

    index: Path
    pages: int = 0
    images: int = 0
    crop_errors: list[tuple[str, str]] = field(default_factory=list)


def environment() -> Environment:
    """The Jinja2 environment of the templates in juesuan/templates (filters ``fmt``, ``pct``, ``msg`` = i18n.message,
    ``place`` = i18n.place; ``t`` = tr)."""
    env = Environment(loader=PackageLoader("juesuan", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = fmt
    env.filters["pct"] = lambda v: "—" if v is None else f"{float(v):.2f}%"
    env.filters["msg"] = i18n.message     # a message ingest stored in English, in the output language
    env.filters["place"] = i18n.place
    env.globals["t"] = tr
    return env


def _rows(con, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _by_doc(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["doc_id"]].append(r)
    return out


def _slug(ref: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", ref).strip("_")


def _rel(target: Path, start: Path) -> str | None:
    """``target`` as a relative URL from the folder ``start`` (None when it does not exist)."""
    if not target.exists():
        return None
    return Path(os.path.relpath(target, start)).as_posix()


# ------------------------------------------------------------------------------------------------ queries
# each takes the batch's doc_ids ($docs).  A fact's drill-down is the reading at its source_ref — of the
# several figures one sentence or row may hold, the one whose value is the fact's (then the first read).
def _with_source(table: str, columns: str, measure: str, where: str, order: str) -> str:
    return f"""
        with f as (select *, row_number() over () as rid from marts.{table}
                   where doc_id in (select unnest($docs::varchar[])) and ({where}))
        select {columns}, f.source_ref, f.source_kind, o.value_text as printed, o.section, o.snippet
        from f left join raw.observations o on o.doc_id = f.doc_id and o.source_ref = f.source_ref
        qualify row_number() over (partition by f.rid order by (o.value = {measure}) desc nulls last, o.seq) = 1
        order by {order}"""


QUERIES = {
    "unit_year": "select * from marts.fct_unit_year where doc_id in (select unnest($docs::varchar[]))",
    "revenue": _with_source(
        "fct_revenue", "f.doc_id, f.revenue_source as item, f.function_code, f.amount_wan, f.budget_initial_wan",
        "f.amount_wan", "function_code is null", "f.doc_id, f.source_ref, f.revenue_source"),
    "expenditure": _with_source(
        "fct_expenditure", "f.doc_id, f.funding_scope, f.expenditure_type as item, f.function_code, "
        "(select s.name from marts.dim_function_subject s where s.function_code = f.function_code) as function_name, "
        "f.amount_wan, f.budget_initial_wan", "f.amount_wan",
        "function_code is null or length(function_code) = 3",
        "f.doc_id, f.funding_scope, f.function_code nulls first, f.expenditure_type"),
    "three_public": _with_source(
        "fct_three_public", "f.doc_id, f.item, f.budget_wan, f.actual_wan, f.stated_as_none",
        "coalesce(f.actual_wan, f.budget_wan)", "true",
        "f.doc_id, case f.item when 'total' then 0 else 1 end, f.item"),
    "projects": _with_source(
        "fct_project_performance", "f.doc_id, f.project, f.budget_full_year_wan, f.executed_wan, f.execution_rate, "
        "f.score, f.max_score", "f.score", "true", "f.doc_id, f.score nulls last, f.project, f.source_ref"),
    "yoy": """select y.doc_id, y.fiscal_year, y.metric, y.label, y.value_wan, y.prior_value_wan, y.change_wan,
                     y.change_pct, y.prior_source, y.source_ref
              from marts.fct_yoy y where y.doc_id in (select unnest($docs::varchar[]))
              order by y.doc_id, y.metric, y.prior_source, y.source_ref""",
}


def _findings(con, docs: list[str]) -> list[dict]:
    from juesuan.findings import finding_columns_sql

    zh, ocr = finding_columns_sql(con)
    return _rows(con, f"""
        select c.doc_id, c.check_id, c.check_name, c.check_family as family,
               coalesce(c.identity, c.description) as identity, {zh} as identity_zh,
               c.subject, c.comparison, c.lhs, c.rhs, c.diff, c.tolerance, c.lhs_refs, c.rhs_refs, {ocr}
        from marts.fct_identity_check c
        where not c.passed and c.doc_id in (select unnest($docs::varchar[]))
        order by c.doc_id, c.check_family, c.check_name, c.lhs_refs, c.rhs_refs, c.check_id""", {"docs": docs})


def _documents(con) -> list[dict]:
    return _rows(con, """
        select d.doc_id, d.source_file, d.source_path, d.format, d.fiscal_year, d.report_kind, d.status,
               d.counted_in_facts as counted, d.exclusion, d.exclusion_reason, d.error, d.error_place,
               d.fact_count, d.unit_scope,
               u.unit_id, u.unit_name, u.province, u.city, u.county,
               (select count(*) from marts.fct_identity_check c where c.doc_id = d.doc_id) as checks,
               (select count(*) from marts.fct_identity_check c where c.doc_id = d.doc_id and not c.passed) as findings
        from marts.dim_document d left join marts.dim_unit u using (unit_id)
        order by u.province nulls last, u.city nulls last, u.unit_name nulls last, d.fiscal_year, d.source_file""")


# ------------------------------------------------------------------------------------------------ charts
def _unit_label(d: dict, labels: Labels) -> str:
    scope = labels.code(d.get("unit_scope") or d.get("scope"))
    return (d.get("unit_name") or "?") + (tr(f"（{scope}）", f" ({scope})") if scope else "")


def city_charts(con) -> list:
    """Per fiscal year, expenditure by city (fct_city_year: the counted 决算 of each city's units)."""
    rows = _rows(con, "select * from marts.fct_city_year order by fiscal_year desc, expenditure_total_wan desc nulls last")
    charts = []
    for year in sorted({r["fiscal_year"] for r in rows}, reverse=True):
        bars = [Bar(f"{r['city'] or r['province'] or '?'}" + tr(f"（{r['units']} 个单位）", f" ({r['units']} units)"),
                    r["expenditure_total_wan"], fmt(r["expenditure_total_wan"]) + tr(" 万元", " 10k yuan"))
                for r in rows if r["fiscal_year"] == year]
        title = tr(f"{year} 年 各市本年支出合计（万元；每个单位计入一份决算，汇总优先）",
                   f"{year}: expenditure by city (10k yuan; one counted final account per unit, consolidated first)")
        charts.append((title, bar_chart(bars, title=title)))
    return charts


def yoy_overview(con, labels: Labels) -> list:
    """Per fiscal year, the change of 本年支出合计 on the prior year, by unit (红涨绿跌)."""
    rows = _rows(con, """
        select y.fiscal_year, y.change_pct, y.value_wan, y.prior_value_wan, y.prior_source, u.unit_name,
               d.unit_scope, y.label
        from marts.fct_yoy y join marts.dim_document d using (doc_id) left join marts.dim_unit u on u.unit_id = y.unit_id
        where y.metric = 'expenditure_total' and y.change_pct is not null
        order by y.fiscal_year desc, y.change_pct desc""")
    charts = []
    for year in sorted({r["fiscal_year"] for r in rows}, reverse=True):
        bars = [Bar(_unit_label(r, labels), r["change_pct"], f"{float(r['change_pct']):+.2f}%",
                    tip=_tip(_unit_label(r, labels), year, r["value_wan"], r["prior_value_wan"]))
                for r in rows if r["fiscal_year"] == year]
        title = tr(f"{year} 年 比 {year - 1} 年 本年支出合计增减（%；红涨绿跌；各单位本身口径）",
                   f"{year} vs {year - 1}: change of total expenditure (%; red up, green down; each unit's own scope)")
        charts.append((title, bar_chart(bars, title=title, signed=True)))
    return charts


def _tip(label: str, year: int, value, prior, source: str | None = None) -> str:
    """A bar's tooltip: ``本年支出合计：2024 年 1309.54 万元，2023 年 1276.83 万元（上年报告）``."""
    note = tr(f"（{source}）", f" ({source})") if source else ""
    return tr(f"{label}：{year} 年 {fmt(value)} 万元，{year - 1} 年 {fmt(prior)} 万元{note}",
              f"{label}: {year} {fmt(value)} vs {year - 1} {fmt(prior)} 10k yuan{note}")


def doc_yoy_chart(rows: list[dict], year: int | None):
    """One document's fct_yoy metrics as a 红涨绿跌 chart of their change in %."""
    rows = [r for r in rows if r["change_pct"] is not None]
    if not rows or year is None:
        return None
    source = {"prior_document": tr("上年报告", "prior report"), "stated_in_text": tr("文字说明所述", "stated in the text")}
    bars = [Bar(r["label"] or r["metric"], r["change_pct"], f"{float(r['change_pct']):+.2f}%",
                tip=_tip(r["label"] or r["metric"], year, r["value_wan"], r["prior_value_wan"],
                         source.get(r["prior_source"], r["prior_source"]))) for r in rows]
    title = tr(f"{year} 年 比 {year - 1} 年 增减（%；红涨绿跌；上年数来自上年报告或本报告文字说明）",
               f"{year} vs {year - 1} (%; red up, green down; prior figure from the prior report or this report's text)")
    return title, bar_chart(bars, title=title, signed=True)


# ------------------------------------------------------------------------------------------------ pages
def build_site(db: Path, out: Path, *, crops: bool = True, batch: int = BATCH) -> SiteSummary:
    """Write the site for warehouse ``db`` into ``out`` (replacing the doc/ and img/ folders of an earlier site).

    Returns a SiteSummary.  Raises FileNotFoundError when there is no warehouse.
    """
    from juesuan.findings import connect_ro

    con = connect_ro(db)
    try:
        labels = Labels.load(con)
        env = environment()
        env.globals.update(L=labels, lang=lang())
        out.mkdir(parents=True, exist_ok=True)
        for sub in ("doc", "img"):
            shutil.rmtree(out / sub, ignore_errors=True)
            (out / sub).mkdir()
        summary = SiteSummary(index=out / "index.html")
        docs = _documents(con)
        for d, name in zip(docs, distinct_names([(d["source_file"], d["source_path"]) for d in docs])):
            d["name"] = name
        generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        page = env.get_template("site_doc.html.j2")
        for start in range(0, len(docs), batch):
            chunk = docs[start:start + batch]
            _write_batch(con, chunk, out, page, labels, summary, crops=crops, generated=generated)
        links = {"report": _rel(report_html(db), out),
                 "data_docs": _rel(data_docs_dir(db) / "index.html", out),
                 "dbt_docs": _rel(dbt_target_dir(db) / "static_index.html", out)}
        years = sorted({d["fiscal_year"] for d in docs if d["fiscal_year"]})
        units: dict = {}
        for d in docs:
            if d["unit_id"] is None:
                continue
            key = d["unit_id"]
            units.setdefault(key, {"unit": d, "years": defaultdict(list)})["years"][d["fiscal_year"]].append(d)
        unplaced = [d for d in docs if d["unit_id"] is None]
        (out / "index.html").write_text(env.get_template("site_index.html.j2").render(
            units=list(units.values()), years=years, unplaced=unplaced, docs=docs, links=links, db=str(db),
            generated=generated, city_charts=city_charts(con), yoy_charts=yoy_overview(con, labels),
            unit_label=lambda d: _unit_label(d, labels)), encoding="utf-8")
        return summary
    finally:
        con.close()


def _write_batch(con, docs: list[dict], out: Path, page, labels: Labels, summary: SiteSummary, *,
                 crops: bool, generated: str) -> None:
    ids = [d["doc_id"] for d in docs]
    data = {name: _by_doc(_rows(con, sql, {"docs": ids})) for name, sql in QUERIES.items()}
    findings = _by_doc(_findings(con, ids))
    places: dict[str, list[Place]] = defaultdict(list)
    for doc, fs in findings.items():
        for f in fs:
            finding = Finding.from_row(f)
            f["statement"], f["ocr_note"] = finding.statement(labels), finding.ocr_note()
            f["lhs_places"], f["rhs_places"] = finding_places(f["lhs_refs"]), finding_places(f["rhs_refs"])
            places[doc] += f["lhs_places"] + f["rhs_places"]
    fill_readings(con, places)
    for name in ("revenue", "expenditure", "three_public", "projects"):
        for doc, rows in data[name].items():
            for r in rows:
                if r["source_ref"]:
                    r["place"] = Place(r["source_ref"], r["printed"], r["section"], r["snippet"])
                    places[doc].append(r["place"])
    if crops:
        def store(doc: str, place: Place, png: bytes) -> str:
            name = f"{_slug(place.ref)}_{zlib.crc32((place.printed or '').encode()) % 10_000:04d}.png"
            folder = out / "img" / doc
            folder.mkdir(exist_ok=True)
            (folder / name).write_bytes(png)
            return f"../img/{doc}/{name}"

        summary.images += attach_crops(places, pdf_sources(con, ids), store,
                                       on_error=lambda doc, exc: summary.crop_errors.append((doc, f"{type(exc).__name__}: {exc}")))
    for d in docs:
        doc = d["doc_id"]
        year = d["fiscal_year"]
        (out / "doc" / f"{doc}.html").write_text(page.render(
            d=d, unit=_unit_label(d, labels) if d["unit_name"] else d["source_file"], generated=generated,
            unit_year=(data["unit_year"].get(doc) or [None])[0],
            revenue=data["revenue"].get(doc, []), expenditure=data["expenditure"].get(doc, []),
            three_public=data["three_public"].get(doc, []), projects=data["projects"].get(doc, []),
            yoy=data["yoy"].get(doc, []), yoy_chart=doc_yoy_chart(data["yoy"].get(doc, []), year),
            findings=findings.get(doc, []), HEADLINE=HEADLINE), encoding="utf-8")
        summary.pages += 1


# fct_unit_year columns shown as the headline of a document page, with their labels
HEADLINE = (
    ("revenue_grand_total_wan", "收入总计", "revenue grand total"),
    ("revenue_total_wan", "本年收入合计", "revenue of the year"),
    ("fiscal_revenue_wan", "财政拨款收入", "fiscal appropriation revenue"),
    ("expenditure_grand_total_wan", "支出总计", "expenditure grand total"),
    ("expenditure_total_wan", "本年支出合计", "expenditure of the year"),
    ("basic_expenditure_wan", "基本支出", "basic expenditure"),
    ("project_expenditure_wan", "项目支出", "project expenditure"),
    ("personnel_wan", "人员经费", "personnel"),
    ("public_funds_wan", "公用经费", "public funds"),
    ("three_public_total_wan", "“三公”经费", "three public expenses"),
    ("agency_operation_wan", "机关运行经费", "agency operation"),
    ("procurement_total_wan", "政府采购", "procurement"),
)

