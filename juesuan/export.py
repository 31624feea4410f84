"""`juesuan export`: marts or a query to Excel, CSV or Parquet.

- xlsx (openpyxl): one sheet per mart (or one ``query`` sheet), Chinese column headers (COLUMN_LABELS,
  the code name when there is none) and enumeration codes shown by their Chinese labels (CODE_COLUMNS: seeds'
  enum_labels, i18n.WORDS) — with --lang en the code names and codes as stored —, ingest's messages (error, exclusion_reason) in the output language
  (i18n.message; stored in English), the header row frozen, money columns (``*_wan``, 万元) with the
  number format ``#,##0.00##`` — at least two decimals, up to the four stored — and the exact stored
  value in the cell.
- csv: UTF-8 (``bom=True`` adds EF BB BF so Excel on Chinese Windows reads it), code-name headers so
  the file loads back into SQL tools; Decimals written as stored.
- parquet: one folder per mart, partitioned by fiscal_year (``fiscal_year=2024/data_0.parquet``) by
  DuckDB ``COPY … (FORMAT parquet, PARTITION_BY (fiscal_year))`` on a connection that opens the warehouse
  read-only and may write nowhere but the target folder (``allowed_directories`` then external access off,
  configuration locked).
Every query runs read-only; errors (no such mart, SQL error) raise ExportError naming the fix.
"""
from __future__ import annotations

import csv
import os
from decimal import Decimal
from pathlib import Path

from juesuan.i18n import message, place, tr

MONEY_FORMAT = "#,##0.00##"

# column code → Chinese header; a `_wan` column not listed gets its stem's label + （万元）
COLUMN_LABELS = {
    "unit_id": "单位编号", "unit_name": "单位名称", "unit_name_as_printed": "单位名称（原文）", "fiscal_year": "年度",
    "doc_id": "文档编号", "source_file": "文件", "source_path": "文件路径", "source_ref": "出处", "source_refs": "出处",
    "source_kind": "来源类型", "snippet": "原文", "value_text": "原文数字", "line_no": "行号", "table_code": "表号",
    "province": "省", "city": "市", "county": "县（区）", "adcode": "行政区划代码", "admin_level": "行政级别",
    "sector": "行业", "scope": "口径", "unit_scope": "口径", "report_scope": "报告口径", "status": "状态",
    "revenue_source": "收入来源", "expenditure_type": "支出类型", "funding_scope": "资金范围",
    "function_code": "功能分类科目编码", "subject_name": "科目名称", "economic_code": "经济分类科目编码",
    "economic_name": "经济分类科目名称", "personnel_or_public": "人员经费/公用经费", "item": "项目", "kind": "类别",
    "measure": "度量", "name": "名称", "level": "级次", "parent_code": "上级编码",
    "amount_wan": "决算数（万元）", "budget_initial_wan": "年初预算数（万元）", "budget_full_year_wan": "全年预算数（万元）",
    "budget_wan": "预算数（万元）", "executed_wan": "执行数（万元）", "actual_wan": "实际数（万元）",
    "value_wan": "金额（万元）", "change_wan": "增减额（万元）", "prior_value_wan": "上年数（万元）",
    "share_pct_stated": "占比（%，原文）", "yoy_change_pct_stated": "比上年增减（%，原文）",
    "yoy_change_wan_stated": "比上年增减额（万元，原文）", "completion_pct_stated": "完成预算（%，原文）",
    "change_pct": "增减（%）", "execution_rate": "执行率（%）",
    "project": "项目名称", "project_kind": "项目类型", "project_key": "项目键", "indicator": "绩效指标",
    "indicator_no": "指标序号", "level1": "一级指标", "level2": "二级指标", "target_text": "年度指标值",
    "actual_text": "实际完成值", "weight": "分值", "score": "得分", "max_score": "满分",
    "funding_weight": "资金权重", "funding_score": "资金得分", "deviation_reason": "偏差原因",
    "check_id": "检查编号", "check_family": "检查类别", "check_name": "检查名称", "identity": "勾稽关系",
    "description": "说明", "what_a_failure_means": "不符的含义", "subject": "对象", "comparison": "比较",
    "lhs": "左边", "rhs": "右边", "diff": "差额", "tolerance": "舍入容差", "passed": "成立",
    "lhs_refs": "左边出处", "rhs_refs": "右边出处", "refs": "出处",
    "lhs_ocr": "左边经 OCR 识读", "rhs_ocr": "右边经 OCR 识读", "lhs_ocr_refs": "左边 OCR 识读之处", "rhs_ocr_refs": "右边 OCR 识读之处",
    "revenue_total_wan": "本年收入合计（万元）", "revenue_grand_total_wan": "收入总计（万元）",
    "expenditure_total_wan": "本年支出合计（万元）", "expenditure_grand_total_wan": "支出总计（万元）",
    "basic_expenditure_wan": "基本支出（万元）", "project_expenditure_wan": "项目支出（万元）",
    "personnel_wan": "人员经费（万元）", "public_funds_wan": "公用经费（万元）",
    "fiscal_revenue_wan": "财政拨款收入（万元）", "fiscal_expenditure_wan": "财政拨款支出（万元）",
    "general_budget_revenue_wan": "一般公共预算财政拨款收入（万元）",
    "general_budget_expenditure_wan": "一般公共预算财政拨款支出（万元）",
    "three_public_total_wan": "“三公”经费合计（万元）", "three_public_budget_wan": "“三公”经费预算（万元）",
    "agency_operation_wan": "机关运行经费（万元）", "procurement_total_wan": "政府采购支出总额（万元）",
    "staff_authorized": "编制人数", "staff_actual": "实有人数", "staff_retired": "离退休人数", "vehicles": "车辆数",
    "fact_count": "数据条数", "reject_count": "未归属条数", "identity_checks": "勾稽检查数",
    "inconsistencies": "不符数", "counted_in_facts": "计入事实表", "ingested_at": "读取时间",
    "error": "错误", "error_place": "错误位置", "exclusion": "未计入类别", "exclusion_reason": "未计入原因",
    "reason": "原因",
    "format": "格式", "encoding": "编码", "size_bytes": "文件大小（字节）", "report_kind": "报告类型", "basis": "口径（决算/预算）",
    "shadowed_by": "计入的版本", "cut_short_of": "截断自（完整版本的文档编号）", "version_rank": "版本排序", "standard_tables": "标准表数", "toc_promised": "目录所列条数",
    "toc_missing": "目录所列而缺少的条数", "toc_found": "目录所列而找到的条数", "observation_count": "读数条数",
    "indicator_count": "绩效指标数", "parser_version": "解析器版本", "parse_ms": "解析用时（毫秒）",
    "in_classification": "属于分类标准", "aliases": "别名", "first_year": "最早年度", "last_year": "最晚年度",
    "document_count": "文档数", "counted_document_count": "计入事实的文档数", "budget_doc_id": "预算文档编号",
    "final_doc_id": "决算文档编号", "prior_doc_id": "上年文档编号", "budget_source_ref": "预算数出处",
    "actual_source_ref": "决算数出处", "three_public_source_ref": "“三公”经费出处",
    "agency_operation_source_ref": "机关运行经费出处", "function_level": "功能分类级次", "function_name": "功能分类科目名称",
    "unit_state": "单位状态（构建用）", "document_state": "文档状态（构建用）", "reading_count": "读数次数",
    "stated_as_none": "报告称无此项", "units": "单位数", "basic_share_pct": "基本支出占比（%）",
    "fiscal_dependence_pct": "财政拨款依存度（%）", "expenditure_per_staff_wan": "人均支出（万元）",
    "rank_in_province": "省内排名", "indicator_id": "指标编号", "direction": "指标方向", "nature": "指标性质",
    "unit_text": "计量单位", "completion_text": "完成情况", "layout": "表式", "indicator_weight_sum": "指标分值合计",
    "indicator_score_sum": "指标得分合计", "metric": "指标", "label": "指标名称", "prior_source": "上年数来源",
    "stated_change_wan": "报告所述增减额（万元）", "stated_change_pct": "报告所述增减（%）",
    "stated_prior_wan": "报告所述上年数（万元）", "observation_id": "读数编号", "value": "数值", "correction": "更正",
    "versions": "版本数", "figures_complete": "数字完整", "counted_file": "计入的文件", "reject_id": "未归属读数编号",
    "general_budget_initial_wan": "一般公共预算年初预算数（万元）",
}

# columns whose cells are codes (an enumeration of the contract, seeds/enum_labels.csv, or a word of i18n.WORDS): in
# a Chinese xlsx shown by their Chinese label; the enumeration to look the code up in (None: any) per column
CODE_COLUMNS = {
    "revenue_source": "revenue_source", "expenditure_type": "expenditure_type", "funding_scope": "funding_scope",
    "item": None, "source_kind": None, "scope": None, "unit_scope": None, "report_scope": None, "status": None,
    "exclusion": None, "format": None, "kind": None, "measure": None, "admin_level": None, "basis": None,
    "prior_source": None,
}
# codes of those columns that are no enumeration of the seeds nor an i18n word
_COLUMN_CODES = {
    "admin_level": {"province": "省级", "prefecture": "地级", "county": "县级"},
    "basis": {"final": "决算", "budget": "预算"},
    "prior_source": {"prior_document": "上年报告", "stated_in_text": "报告所述"},
}


# columns holding a message ingest stored in English (dim_document, qa_document_versions, raw.documents): in
# the xlsx — the sheet for reading, Chinese headers — shown in the output language; csv and parquet keep them
# as stored, to load back into SQL tools
_MESSAGE_COLUMNS = {"error": message, "exclusion_reason": message, "reason": message, "error_place": place}


class ExportError(ValueError):
    """Nothing to export, or a mart/query that does not exist (exit 2)."""


def column_label(name: str) -> str:
    """Chinese header of a mart column (the code name when none is known): COLUMN_LABELS, a ``_wan`` column by
    its stem's label + （万元）, a ``budget_`` column of fct_unit_year as 预算 + the label of the rest."""
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    if name.endswith("_wan") and name[:-4] in COLUMN_LABELS:
        return COLUMN_LABELS[name[:-4]] + "（万元）"
    if name.startswith("budget_") and column_label(name[7:]) != name[7:]:
        return "预算" + column_label(name[7:])
    return name


def _code_labels(sheet: str, cols: list[str], labels) -> list:
    """Per column, None or the function that shows a code cell of it by its Chinese label (CODE_COLUMNS): the
    item of a 三公 mart in three_public_item; a code without a label stays as it is."""
    shown = []
    for c in cols:
        if c not in CODE_COLUMNS:
            shown.append(None)
            continue
        enum = "three_public_item" if c == "item" and "three_public" in sheet else CODE_COLUMNS[c]
        own = _COLUMN_CODES.get(c, {})
        shown.append(lambda v, enum=enum, own=own: own.get(v) or labels.code(v, enum))
    return shown


def list_marts(con) -> list[str]:
    return [r[0] for r in con.execute("select table_name from information_schema.tables "
                                      "where table_schema = 'marts' order by 1").fetchall()]


def _sources(con, marts: list[str], all_marts: bool, query: str | None) -> list[tuple[str, str]]:
    """(name, SQL) pairs to export."""
    if query:
        if marts or all_marts:
            raise ExportError(tr("--query 与表名不能同时使用 — 二选一", "--query and mart names exclude each other — give one"))
        return [("query", query)]
    known = list_marts(con)
    if all_marts:
        marts = known
    if not marts:
        raise ExportError(tr(f"没有给出要导出的表 — 给出表名（{', '.join(known[:4])}…）、--all 或 --query SQL",
                             f"nothing to export — name marts ({', '.join(known[:4])}…), --all, or --query SQL"))
    names = []
    for m in marts:
        name = m.split(".", 1)[1] if m.startswith("marts.") else m
        if name not in known:
            raise ExportError(tr(f"没有这个表 marts.{name} — 可导出：{', '.join(known)}",
                                 f"no mart marts.{name} — choose from {', '.join(known)}"))
        names.append(name)
    return [(n, f'select * from marts."{n}"') for n in names]


def export(db: Path, *, marts: list[str], all_marts: bool = False, query: str | None = None, fmt: str,
           output: Path, bom: bool = False) -> list[tuple[Path, int]]:
    """Write the marts (or the query's result) to ``output``; returns (path written, rows) per source.

    Raises ExportError for a bad selection, duckdb.Error for a failing query."""
    from juesuan.sql import connect_sql

    con = connect_sql(db)
    try:
        sources = _sources(con, marts, all_marts, query)
        if fmt == "parquet":
            con.close()
            return _parquet(db, sources, output)
        results = []
        for name, sql in sources:
            cur = con.execute(sql)
            cols = [d[0] for d in cur.description] if cur.description else []
            results.append((name, cols, cur.fetchall()))
    finally:
        con.close()
    if fmt == "xlsx":
        from juesuan.i18n import Labels

        con = connect_sql(db)
        try:
            labels = Labels.load(con)
        finally:
            con.close()
        return _xlsx(results, output, labels)
    return _csv(results, output, bom=bom)


def _xlsx(results, output: Path, labels) -> list[tuple[Path, int]]:
    """The workbook: in Chinese (the default) Chinese headers and code cells by their labels (CODE_COLUMNS,
    ``labels``: i18n.Labels); with --lang en the code names and the codes as stored."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from juesuan.i18n import lang

    zh = lang() == "zh"
    wb = Workbook()
    wb.remove(wb.active)
    for name, cols, rows in results:
        def header(c: str, name=name) -> str:
            if not zh:
                return c
            # a budget mart's amount is the published budget, not a 决算数
            return "预算数（万元）" if c == "amount_wan" and name.startswith("fct_budget_") else column_label(c)

        ws = wb.create_sheet(title=name[:31])   # Excel's limit on sheet names
        ws.append([header(c) for c in cols])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        codes = _code_labels(name, cols, labels) if zh else [None] * len(cols)
        shown = [m or _MESSAGE_COLUMNS.get(c) for m, c in zip(codes, cols)]
        for row in rows:
            ws.append([_cell(f(v) if f and isinstance(v, str) else v) for f, v in zip(shown, row)])
        for i, c in enumerate(cols, start=1):
            if c.endswith("_wan"):
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = MONEY_FORMAT
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(40, 2 * len(header(c)) + 2))
        ws.freeze_panes = "A2"
    output.parent.mkdir(parents=True, exist_ok=True)
    wb.save(output)
    return [(output, sum(len(rows) for _, _, rows in results))]


def _cell(v):
    """Values openpyxl stores exactly: Decimal as number (its text, no float rounding), lists as text."""
    if isinstance(v, (list, dict, tuple)):
        return str(v)
    if hasattr(v, "tzinfo") and getattr(v, "tzinfo", None) is not None:
        return v.replace(tzinfo=None)   # Excel has no time zones
    return v


def _csv(results, output: Path, *, bom: bool) -> list[tuple[Path, int]]:
    encoding = "utf-8-sig" if bom else "utf-8"
    written = []
    one_file = len(results) == 1 and output.suffix.lower() == ".csv"
    if not one_file:
        output.mkdir(parents=True, exist_ok=True)
    for name, cols, rows in results:
        path = output if one_file else output / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding=encoding, newline="") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            w.writerows([[format(v, "f") if isinstance(v, Decimal) else v for v in r] for r in rows])
        written.append((path, len(rows)))
    return written


def _parquet(db: Path, sources, output: Path) -> list[tuple[Path, int]]:
    import duckdb

    output.mkdir(parents=True, exist_ok=True)
    target = output.resolve()
    con = duckdb.connect(str(db), read_only=True)
    try:
        # from here on this connection reads the warehouse and writes only below `target`
        con.execute("set allowed_directories = ?", [[str(target) + os.sep]])
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
        written = []
        for name, sql in sources:
            cols = [d[0] for d in con.execute(f"select * from ({sql}) limit 0").description]
            rows = con.execute(f"select count(*) from ({sql})").fetchone()[0]
            if "fiscal_year" in cols:
                dest = target / name
                options = "format parquet, partition_by (fiscal_year), overwrite_or_ignore"
            else:
                dest = target / f"{name}.parquet"
                options = "format parquet"
            quoted = str(dest).replace("'", "''")
            con.execute(f"copy ({sql}) to '{quoted}' ({options})")
            written.append((dest, rows))
        return written
    finally:
        con.close()
