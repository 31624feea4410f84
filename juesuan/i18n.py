"""Chinese-first output: the language of the CLI and the Chinese labels of the warehouse's codes.

Language: ``--lang zh|en``, else ``$JUESUAN_LANG``, else Chinese.  Messages are written as
``tr("中文", "English")`` where they are printed, so both versions stay side by side.

Labels: a code (``basic``, ``general_budget``, ``consolidated``) becomes the label the report template
prints (基本支出, 一般公共预算财政拨款, 汇总).  The labels of the four contract enumerations come from
``reference.enum_labels`` (seed ``seeds/enum_labels.csv``), read from the warehouse when it has them and
from the seed file otherwise; the few CLI-only words (fact kinds, measures, unit scopes) are below.

Messages: what ingest stores in English (a file's failure reason, a document's parse issues, the places they
name, dim_document.exclusion_reason) is shown in the output language by ``message(text)`` and ``place(text)``
(tables MESSAGES and PLACES); the warehouse keeps the English.
"""
from __future__ import annotations

import csv
import os
import re
from pathlib import Path

LANGS = ("zh", "en")
_lang: str | None = None

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# enumeration whose codes name the item of a fact of this kind (contract: Enumerations; the kinds beyond the
# contract have label-only enumerations of their own in seeds/enum_labels.csv)
ITEM_ENUM = {"revenue": "revenue_source", "expenditure": "expenditure_type", "three_public": "three_public_item",
             "staff": "staff_item", "assets": "assets_item", "procurement": "procurement_item",
             "project": "project_funding_item", "performance": "performance_item"}

# What the number of a measure is, for the finding's sentence: money in 万元, a percentage, points of a
# self-evaluation, or a count (no unit).  A check without a measure in its subject (an indicator) is
# in points; every other measure is money.
MEASURE_UNIT = {
    "share_pct": "pct", "yoy_change_pct": "pct", "vs_budget_change_pct": "pct", "completion_pct": "pct",
    "execution_rate": "pct", "score": "points", "max_score": "points", "weight": "points", "weights": "points",
    "funding_weight": "points", "funding_score": "points", "count": "count", "value": "count",
    "target_value": "count", "actual_value": "count",
}
# checks whose two sides are not in the unit of their subject's measure: a rate of 100% compares the amounts
# it is a rate of (models/intermediate/checks/int_check_full_rates.sql)
CHECK_UNIT = {"full_rate_amounts_equal": "wan"}
UNITS = {  # unit → (after a figure in Chinese, in English; after a difference in Chinese, in English)
    "wan": (" 万元", " 万元", " 万元", " 万元"),
    "pct": ("%", "%", " 个百分点", " percentage points"),
    "points": (" 分", " points", " 分", " points"),
    "count": ("", "", "", ""),
}

# Words the check models write into a finding's places beside the source_refs (models/intermediate/checks):
# phrase → Chinese, replaced before the code words (``budget-execution`` is not 预算数 + execution).
REF_PHRASES = [
    (re.compile(r"\+ budget-execution score"), "+ 预算执行率得分"),
    (re.compile(r"\bstandard (\d+) points\b"), r"标准满分 \1 分"),
    (re.compile(r"\breport year (\d{4})\b"), r"报告年度 \1"),
    (re.compile(r"\bno carry-over, 结余分配 or 上缴上级 stated\b"), "未说明结转结余、结余分配或上缴上级"),
    (re.compile(r"\bindicators (?=[Lp]\d)"), "各指标 "),
    (re.compile(r"\btasks (?=[Lp]\d)"), "各部门任务 "),
    (re.compile(r" − change\)"), " − 增减额)"),
]

# words of the CLI that are no contract enumeration: fact kinds, measures, unit scopes, reading kinds
WORDS = {
    "revenue": "收入", "expenditure": "支出", "expenditure_economic": "支出经济分类", "three_public": "“三公”经费",
    "agency_operation": "机关运行经费", "procurement": "政府采购", "assets": "资产", "staff": "人员",
    "project": "项目", "indicator": "绩效指标", "performance": "绩效", "other": "其他",
    "amount": "决算数", "budget": "预算数", "budget_initial": "年初预算数", "budget_full_year": "全年预算数",
    "executed": "执行数", "execution_rate": "执行率", "share_pct": "占比", "yoy_change": "比上年增减",
    "yoy_change_pct": "比上年增减率", "vs_budget_change": "比预算增减", "vs_budget_change_pct": "比预算增减率",
    "completion_pct": "预算完成率", "weight": "权重", "score": "得分", "max_score": "分值",
    "funding_weight": "资金权重", "funding_score": "资金得分", "target_value": "指标值", "actual_value": "实际完成值",
    "actual": "实际数", "count": "数量", "value": "数值", "weights": "指标分值合计",
    "consolidated": "汇总", "own": "本级", "balance": "差额", "total": "合计",
    "narrative": "文字说明", "table": "表格", "fiscal": "财政拨款",
    # dim_document.format
    "text": "文本", "pdf": "PDF", "docx": "Word 文档", "xlsx": "Excel 表格",
    "xls": "Excel 97-2003 表格", "html": "网页", "doc": "Word 97-2003 文档", "ofd": "OFD 版式文档", "archive": "压缩包",
    # dim_document.status and .exclusion
    "ok": "正常", "partial": "部分", "failed": "失败",
    "not_a_report": "非报告", "unattributed": "无法归属（缺单位或年度）", "shadowed": "另一版本计入",
}


def set_lang(lang: str | None) -> str:
    """Fix the language for this process: ``lang`` if given, else $JUESUAN_LANG, else zh.  Returns it."""
    global _lang
    chosen = (lang or os.environ.get("JUESUAN_LANG") or "zh").strip().lower()[:2]
    _lang = chosen if chosen in LANGS else "zh"
    return _lang


def lang() -> str:
    return _lang or set_lang(None)


def tr(zh: str, en: str) -> str:
    """The Chinese or the English text, by the current language."""
    return zh if lang() == "zh" else en


def _warehouse_or_seeds(con, sql: str, seeds: list[tuple[str, tuple[str, ...]]]) -> list[tuple]:
    """The rows of ``sql`` on the warehouse ``con``; without a connection, or before the build made the table
    (duckdb.CatalogException), or when it is empty: the named columns of the seed files in seeds/."""
    rows: list[tuple] = []
    if con is not None:
        try:
            rows = con.execute(sql).fetchall()
        except Exception:   # a warehouse without that table yet
            rows = []
    for name, columns in seeds if not rows else ():
        if (SEEDS / name).exists():
            with open(SEEDS / name, encoding="utf-8", newline="") as fh:
                rows += [tuple(r[c] for c in columns) for r in csv.DictReader(fh)]
    return rows


class Labels:
    """Code → Chinese label.  ``Labels.load(con)`` reads reference.enum_labels when the warehouse has it."""

    def __init__(self, enum_labels: dict[tuple[str, str], str], subject_names: dict[str, str] | None = None):
        self.enum = enum_labels
        self.subject_names = subject_names or {}   # 科目 code → name: 功能分类 2xx…, 经济分类 3xx… (disjoint)
        self.any = {**WORDS}
        for (_, code), label in enum_labels.items():   # codes shared by enums: the first one read wins
            self.any.setdefault(code, label)

    @classmethod
    def load(cls, con=None) -> Labels:
        """The labels of the warehouse ``con`` (a DuckDB connection) or, without it or its tables, of the seeds.

        Enumerations from reference.enum_labels (seed enum_labels.csv); 科目 names from marts.dim_function_subject
        and marts.dim_economic_subject, which add the codes the reports print beyond the classification seeds
        (seeds function_subjects.csv and economic_subjects.csv otherwise).
        """
        rows = _warehouse_or_seeds(con, "select enum, code, label from reference.enum_labels",
                                   [("enum_labels.csv", ("enum", "code", "label"))])
        names = _warehouse_or_seeds(con, "select function_code, name from marts.dim_function_subject union all "
                                         "select economic_code, name from marts.dim_economic_subject",
                                    [("function_subjects.csv", ("function_code", "name")),
                                     ("economic_subjects.csv", ("economic_code", "name"))])
        return cls({(e, c): label for e, c, label in rows}, dict(names))

    def code(self, code: str | None, enum: str | None = None) -> str:
        """The label of ``code`` (in ``enum`` if given) in Chinese mode; the code itself in English."""
        if code is None or lang() == "en":
            return code or ""
        return self.enum.get((enum, code)) if enum and (enum, code) in self.enum else self.any.get(code, code)

    def subject(self, text: str) -> str:
        """A check's subject ``expenditure basic [general_budget] amount`` → ``基本支出 [一般公共预算财政拨款] 决算数``.

        The subject is built by macros/labels.sql fact_label: kind, item, [scope], measure, then names
        as printed; only lower-case code words are replaced, everything printed stays as it is.  The kind
        is left out where the item's label already says it (收入 收入总计 → 收入总计), and the scope of a
        revenue figure where it is ``all`` (a revenue source names its own funds; ``all`` only says which
        side of the 收入支出决算总表 it was read from).
        """
        if lang() == "en" or not text:
            return text
        tokens = text.split(" ")
        kind = tokens[0]
        item_enum = ITEM_ENUM.get(kind)
        out = []
        for i, tok in enumerate(tokens):
            scoped = re.fullmatch(r"\[([a-z_]+)\]", tok)
            if scoped:
                if not (kind == "revenue" and scoped.group(1) == "all"):
                    out.append(f"[{self.code(scoped.group(1), 'funding_scope')}]")
            elif i == 1 and item_enum and re.fullmatch(r"[a-z_]+", tok):
                out.append(self.code(tok, item_enum))
            elif re.fullmatch(r"[a-z_]+", tok):
                out.append(self.code(tok))
            elif re.fullmatch(r"\((\d{4})\)", tok):   # a figure of another year than the report's
                out.append(f"（{tok[1:-1]} 年）")
            elif i > 1 and tok in self.subject_names:   # a 科目 code: with its name (2210201 住房公积金)
                out.append(f"{tok} {self.subject_names[tok]}")
            else:
                out.append(tok)
        if len(out) > 1 and re.fullmatch(r"[a-z_]+", tokens[1]) and out[0] and out[0] in out[1]:
            out = out[1:]
        return " ".join(out).replace(" （", "（")

    def refs(self, text: str) -> str:
        """Where the figures were read (``L54 narrative "129.77万元" personnel``): code words → labels."""
        if lang() == "en" or not text:
            return text
        quoted = re.split(r'("[^"]*")', text)   # printed text stays as printed
        for pattern, zh in REF_PHRASES:
            quoted = [part if part.startswith('"') else pattern.sub(zh, part) for part in quoted]
        text = "".join(quoted)
        return re.sub(r'"[^"]*"|\b[a-z][a-z_]*\b', lambda m: m.group(0) if m.group(0).startswith('"')
                      else self.code(m.group(0)), text)


# ------------------------------------------------------------------------------------------------ messages
# What ingest writes into the warehouse in English — a file's failure reason (raw.documents.error), a document's
# parse issues (raw.parse_issues, joined by "; " into raw.documents.error) and the reasons dim_document gives for
# an exclusion (models/intermediate/int_document_versions.sql) — and their Chinese, shown at display time (the
# warehouse keeps the English).  One entry per message template: a regex matching the whole English message,
# and the Chinese with the captured parts in {name}.  A group named ``msg…`` holds a message of its own and is
# translated in turn; a group named ``w_…`` is a code word or phrase (WORDS, MESSAGE_WORDS); any other group is
# copied as printed (titles, figures, file names, and library text such as pdfminer's "No /Root object!").
# Sources: ingest/readers (__init__, text, office, pdf), ingest/limits.py, ingest/pipeline.py, ingest/parse.py,
# ingest/truncation.py, ingest/tables/standard.py, ingest/performance/grid.py; tests/test_messages_zh.py builds
# each of them from a failing input.
_HINT_ZIP = r" \(a zip bomb, or not a report; raise (?P<var>JUESUAN_\w+) if genuine\)"
_ZIP_ZH = "（可能是压缩炸弹，或不是报告；如确为报告，可调高 {var}）"
MESSAGES = [
    # readers: the bytes cannot become text
    (r"empty file \(the file has no content\)", "空文件（文件没有任何内容）"),
    (r"no text found \(the file holds only whitespace\)", "没有文字（文件只有空白字符）"),
    (r"binary file, not text \(contains NUL bytes\)", "二进制文件，不是文本（含 NUL 字节）"),
    (r"binary file, not text \((?P<n>\d+) control characters\)", "二进制文件，不是文本（含 {n} 个控制字符）"),
    (r"binary file, not text \(looks like (?P<msg>.+)\)", "二进制文件，不是文本（看来是 {msg}）"),
    (r"a PDF document; give it the \.pdf extension", "PDF 文档；请把扩展名改为 .pdf"),
    (r"a ZIP container \(DOCX/XLSX\); give it its \.docx or \.xlsx extension",
     "ZIP 压缩包（DOCX/XLSX）；请把扩展名改为 .docx 或 .xlsx"),
    (r"a legacy Office document \(\.doc/\.xls\); save it as \.docx/\.xlsx", "Office 旧版文档（.doc/.xls）；请另存为 .docx/.xlsx"),
    (r"an? (?P<fmt>\w+) image", "{fmt} 图片"),
    (r"cannot decode byte (?P<byte>0x[0-9a-fA-F]+): neither UTF-8 nor GB18030 \(re-save the file as UTF-8\)",
     "无法解码字节 {byte}：既不是 UTF-8 也不是 GB18030 编码（请把文件另存为 UTF-8）"),
    (r"invalid (?P<enc>\S+) byte sequence \(re-save the file\)", "{enc} 字节序列无效（请重新保存文件）"),
    (r"not a readable MHTML file: it has no HTML part", "不是可读的 MHTML 文件：其中没有 HTML 部分"),
    (r"not a readable XLS file: neither an Excel workbook, HTML nor text",
     "不是可读的 XLS 文件：既不是 Excel 工作簿，也不是 HTML 或文本"),
    (r"not a readable (?P<fmt>DOCX|XLSX|PDF|XLS|HTML|ZIP) file: (?P<detail>.*)", "不是可读的 {fmt} 文件：{detail}"),
    (r"not a readable (?P<fmt>DOCX|XLSX|PDF|XLS|HTML|ZIP) file", "不是可读的 {fmt} 文件"),
    # readers: formats that are not read (ingest/readers/legacy.py)
    (r"legacy Word \((?P<ext>[^\s()]+)\) format: save it as \.docx or PDF \(no reader of the Word 97 binary format is "
     r"available\)", "旧版 Word ({ext}) 格式：请另存为 .docx 或 PDF（无法读取 Word 97 二进制格式）"),
    (r"an RTF document under (?P<ext>[^\s()]+): save it as \.docx or PDF", "扩展名为 {ext} 的 RTF 文档：请另存为 .docx 或 PDF"),
    (r"not a readable Word \((?P<ext>[^\s()]+)\) file: neither a Word binary, a DOCX nor HTML",
     "不是可读的 Word（{ext}）文件：既不是 Word 二进制文件，也不是 DOCX 或 HTML"),
    # readers: Word 97–2003 binaries (ingest/readers/worddoc.py)
    (r"encrypted Word document: it cannot be opened without its password \(ask the publisher for an unprotected "
     r"copy or save it without the password\)",
     "加密的 Word 文档：没有密码无法打开（请向发布单位索取未加密的版本，或去掉密码后另存）"),
    (r"Word 6/95 format \((?P<ext>[^\s()]+)\): save it as \.docx or PDF \(only Word 97–2003 binaries are read\)",
     "Word 6/95 格式（{ext}）：请另存为 .docx 或 PDF（只读取 Word 97–2003 二进制格式）"),
    (r"not a readable Word \((?P<ext>[^\s()]+)\) file: the compound file holds no Word document",
     "不是可读的 Word（{ext}）文件：复合文档中没有 Word 文档"),
    (r"not a readable Word \((?P<ext>[^\s()]+)\) file: its (?P<w_part>.+?) is damaged",
     "不是可读的 Word（{ext}）文件：其{w_part}已损坏"),
    (r"not a readable Word \((?P<ext>[^\s()]+)\) file: (?P<detail>.*)", "不是可读的 Word（{ext}）文件：{detail}"),
    (r"a Word/Excel 97–2003 file's sector table reaches byte (?P<end>\d+), this one stops at byte (?P<n>\d+)",
     "Word/Excel 97–2003 文件的扇区表延伸到第 {end} 字节，此文件到第 {n} 字节就结束了"),
    (r"OFD document: save it as PDF \(OFD is not read\)", "OFD 版式文档：请另存为 PDF（暂不读取 OFD）"),
    (r"a bundle of (?P<n>\d+) files \((?P<names>.*)\): unpack it and run on its folder \(archives are not expanded\)",
     "压缩包，内含 {n} 个文件（{names}）：请解压后对解压出的文件夹运行（压缩包不展开读取）"),
    (r"an? (?P<kind>[A-Z0-9]+) bundle: unpack it and run on its folder \(archives are not expanded\)",
     "{kind} 压缩包：请解压后对解压出的文件夹运行（压缩包不展开读取）"),
    (r"the file is cut short: (?P<msg>.+) \(the copy or download stopped before the end; fetch the file again\)",
     "文件不完整（被截断）：{msg}（复制或下载未完成；请重新获取文件）"),
    (r"a PDF ends with %%EOF, this one stops at byte (?P<n>\d+) without it",
     "PDF 文件应以 %%EOF 结尾，此文件到第 {n} 字节就结束了"),
    (r"a DOCX/XLSX \(ZIP\) file ends with its central directory, this one stops at byte (?P<n>\d+) without it",
     "DOCX/XLSX（ZIP）文件应以中央目录结尾，此文件到第 {n} 字节就结束了"),
    (r"encrypted PDF: it cannot be opened without its password \(ask the publisher for an unprotected copy or "
     r"decrypt it first\)", "加密的 PDF：没有密码无法打开（请向发布单位索取未加密的版本，或先解密）"),
    (r"encrypted PDF: its text cannot be decrypted", "加密的 PDF：其文字无法解密"),
    (r"unreadable page: (?P<detail>.*)", "无法读取的页面：{detail}"),
    (r"PDF has no text layer \(run OCR before ingesting\)", "PDF 没有文字层（多为扫描件；请先做 OCR 文字识别再读取）"),
    (r"PDF has no text layer: scanned images on page (?P<pages>[\d, –]+) \(run OCR before ingesting\)",
     "PDF 没有文字层：第 {pages} 页为扫描图像（请先做 OCR 文字识别再读取）"),
    (r"page (?P<pages>[\d, –]+): no text layer \(scanned image\), OCR needed; the other pages were read",
     "第 {pages} 页：没有文字层（扫描图像），需要 OCR 文字识别；其他页已读取"),
    (r"page (?P<pages>[\d, –]+): no text layer \(scanned image\), OCR not done: the OCR engine does not start "
     r"here \((?P<why>.*)\); the other pages were read",
     "第 {pages} 页：没有文字层（扫描图像），未做 OCR：本机无法启动 OCR 引擎（{why}）；其他页已读取"),
    (r"page (?P<pages>[\d, –]+): no text layer \(scanned image\), OCR not done: the document's OCR time "
     r"\((?P<s>\d+) s, (?P<pct>\d+)% of JUESUAN_DOC_TIMEOUT\) was used up; the other pages were read",
     "第 {pages} 页：没有文字层（扫描图像），未做 OCR：本文档的 OCR 时间（{s} 秒，JUESUAN_DOC_TIMEOUT 的 {pct}%）"
     "已用完；其他页已读取"),
    (r"page (?P<pages>[\d, –]+): scanned image read by OCR \((?P<n>\d+) text boxes, (?P<s>[\d.]+) s CPU\); its "
     r"figures are marked ocr: check them against the identity checks",
     "第 {pages} 页：扫描图像，已用 OCR 识别（{n} 个文字框，CPU {s} 秒）；其数字标为 ocr，请对照勾稽核对结果检查"),
    (r"page (?P<pages>[\d, –]+): (?P<n>\d+) characters without a Unicode mapping \(a font without ToUnicode, or "
     r"private-use glyphs\): that text cannot be read",
     "第 {pages} 页：{n} 个字符没有 Unicode 映射（字体缺少 ToUnicode 映射，或为私用区字形）：这些文字无法读取"),
    (r"page (?P<page>\d+): table (?P<table>\d+) prints figures without row labels at the top of the page, and its "
     r"rows do not line up with those of the table ending page (?P<head>\d+): it may continue that table by columns; "
     r"read as a table of its own",
     "第 {page} 页：第 {table} 个表格位于页首，只有数字、没有行标签，其各行与第 {head} 页末尾表格的行对不齐："
     "它可能是该表格按列续印的部分；已作为单独的表格读取"),
    # limits: a file or an archive larger than a report can be
    (r"file too large: (?P<size>.+?), the limit is (?P<limit>.+?) \(raise (?P<var>JUESUAN_\w+) if this really is "
     r"one report\)", "文件过大：{size}，上限为 {limit}（如确为一份报告，可调高 {var}）"),
    (r"archive inflates to more than (?P<limit>.+?) \(at member (?P<member>.+?)\)" + _HINT_ZIP,
     "压缩包解压后超过 {limit}（在成员 {member} 处）" + _ZIP_ZH),
    (r"archive member (?P<member>.+?) inflates (?P<ratio>\S+)× \((?P<packed>.+?) → (?P<size>.+?)\), "
     r"the limit is (?P<limit>\S+)×" + _HINT_ZIP,
     "压缩包成员 {member} 解压后膨胀 {ratio} 倍（{packed} → {size}），上限为 {limit} 倍" + _ZIP_ZH),
    # pipeline: the parse of one file failed
    (r"cannot read file: (?P<detail>.*)", "无法读取文件：{detail}"),
    (r"unreadable \(the reader gave no reason\)", "无法读取（读取程序未给出原因）"),
    (r"over the memory budget of (?P<mb>\d+) MB per document \((?P<var>JUESUAN_\w+)\)",
     "超出每份文档 {mb} MB 的内存上限（{var}）"),
    (r"over the time budget of (?P<s>[\d.e+]+)s per document \((?P<var>JUESUAN_\w+)\); its parser was stopped",
     "超出每份文档 {s} 秒的时间上限（{var}），解析已中止"),
    (r"the parsing process ended abruptly \(exit code (?P<code>-?\d+|None)\), e\.g\. over the memory budget of "
     r"(?P<mb>\d+) MB", "解析进程意外退出（退出码 {code}），可能超出了 {mb} MB 的内存上限"),
    (r"parser error (?P<detail>.*)", "解析程序出错：{detail}"),
    (r"load error: (?P<detail>.*)", "写入数据仓库时出错：{detail}"),
    (r"(?P<msg>.+) \(the same bytes as (?P<path>.+)\)", "{msg}（与 {path} 内容完全相同）"),
    (r"(?P<msg>.+) — a bad copy over a loaded report: the version loaded earlier from this path "
     r"\(doc_id (?P<doc>\w+)\) stays until the file is fixed",
     "{msg} — 这是已读入报告的损坏副本：此路径先前读入的版本（doc_id {doc}）保留，直到文件修复"),
    # parse: what makes a document partial, not a report, or unattributable
    (r"the document is cut short: the file ends inside a character at byte (?P<byte>\d+); its last line, "
     r"(?P<line>\d+), is incomplete and was not read",
     "文档被截断：文件在第 {byte} 字节处断在一个字符中间，最后一行（第 {line} 行）不完整，未读取"),
    (r"the document is cut short: it ends with the title of (?P<title>.+?) \((?P<ref>L\d+)\) but not its table "
     r"\(its last line is (?P<last>\d+)\)", "文档被截断：结尾只有{title}的标题（{ref}），没有表格本身（最后一行为第 {last} 行）"),
    (r"the document is cut short: it ends inside (?P<w_name>.+?) \((?P<span>L\d+–L\d+)\) and (?P<msg>.+) "
     r"\(its last line is (?P<last>\d+)\)", "文档被截断：结尾在{w_name}（{span}）之中，{msg}（最后一行为第 {last} 行）"),
    (r"the document is cut short: its (?P<n>\d+) figures are the beginning of (?P<file>.+?) \(doc_id (?P<doc>\w+)\), "
     r"printed at the same places up to (?P<ref>.+?), and that version goes on with (?P<m>\d+) more from (?P<ref2>.+)",
     "文档被截断：其 {n} 个数据是 {file}（doc_id {doc}）的开头部分，到 {ref} 为止位置与印出的文字都相同，"
     "而那个版本在 {ref2} 起还有 {m} 个数据"),
    (r"its 合计 row \((?P<total>.+?)\) is followed by no 类 row: the rows stop before the table completes",
     "合计行（{total}）之后没有任何类级科目行：表格没有印完"),
    (r"its 类 rows \((?P<n>\d+)\) add up to (?P<sum>\S+) of the 合计 (?P<total>\S+): the rows stop before the table "
     r"completes", "已读出的 {n} 个类级科目行合计 {sum}，不到合计行的 {total}：表格没有印完"),
    (r"its last row has (?P<n>\d+) cells where the rows before it have (?P<m>\d+) or more: the cut fell inside a row",
     "最后一行只有 {n} 个单元格，而前面各行至少有 {m} 个：截断发生在一行之中"),
    (r"its indicators stop before 满意度指标, the last 一级指标 of a 绩效自评表, and it has no 总分 row",
     "指标在满意度指标（绩效自评表的最后一个一级指标）之前中断，且没有总分行"),
    (r"none of the (?P<n>\d+) standard tables that follow it in the template is in the document \((?P<names>.+)\)",
     "模板中其后的 {n} 张标准表都不在文档中（{names}）"),
    (r"(?P<n>\d+) entries its 目录 promises are not in the document, from the first of them on "
     r"\(its last line is (?P<last>\d+)\): (?P<listed>.*)",
     "目录所列的 {n} 项不在文档中，从其中第一项起全部缺失（文档最后一行为第 {last} 行）：{listed}"),
    (r"(?P<n>\d+) tables its 目录 promises are not in the document: (?P<listed>.*)", "目录所列的 {n} 张表不在文档中：{listed}"),
    (r"the report names (?P<n>\d+) standard table\(s\) \(first: (?P<first>.*?)\) but no table was read from the "
     r"(?P<w_fmt>\w+) file: its figures were read from the text only",
     "报告提到 {n} 张标准表（第一张：{first}），但未能从该{w_fmt}文件读出表格：其数据仅从文字中读取"),
    (r"no figures of a report found: not a 决算 report", "未找到报告中的任何数据：不是部门决算报告"),
    (r"no figures of a report found", "未找到报告中的任何数据"),
    (r"(?P<w_what>.+?) not found in the text: figures not attributable", "文中未找到{w_what}：数据无法归属"),
    (r"公开(?P<code>\w+)表: row does not line up with the header \((?P<n>\d+) cells, header has (?P<m>\d+)\); "
     r"its figures were not loaded", "公开{code}表：此行与表头对不齐（{n} 个单元格，表头 {m} 列），其数据未载入"),
    (r"公开(?P<code>\w+)表 has no 合计 row", "公开{code}表没有合计行"),
    (r"公开(?P<code>\w+)表 ends without its (?P<w_kind>\w+) 总计 row \(truncated\?\)", "公开{code}表结尾没有{w_kind}总计行（是否被截断？）"),
    (r"self-evaluation table without a project name", "绩效自评表没有项目名称"),
    (r"indicator row without a score pair: (?P<snippet>.*)", "指标行没有分值和得分：{snippet}"),
    # dim_document.exclusion_reason (models/intermediate/int_document_versions.sql)
    (r"could not be read: (?P<msg>.*)", "无法读取：{msg}"),
    (r"could not be read", "无法读取"),
    (r"not a report: (?P<msg>.*)", "不是报告：{msg}"),
    (r"not attributable: no fiscal year and no reporting unit found in the text", "无法归属：文中未找到年度和编报单位"),
    (r"not attributable: no (?P<w_what>fiscal year|reporting unit) found in the text", "无法归属：文中未找到{w_what}"),
    (r"another version of this unit-year counts — (?P<msg>.+)", "本单位本年度计入的是另一版本 — {msg}"),
    (r"scope: the (?P<w_a>\w+) report counts before the (?P<w_b>\w+) one", "口径：{w_a}报告优先于{w_b}报告"),
    (r"incomplete: a copy cut short of doc_id (?P<doc>\w+)", "不完整：是 doc_id {doc} 的截断副本"),
    (r"incomplete: (?P<n>\d+) parts, sections and tables of a 目录 present against (?P<m>\d+)",
     "不完整：目录所列的部分、章节和表格在文中有 {n} 项，计入的版本有 {m} 项"),
    (r"incomplete: (?P<n>\d+) figures read against (?P<m>\d+)", "不完整：读出 {n} 个数据，计入的版本 {m} 个"),
    (r"incomplete: (?P<w_status>\w+) \((?P<msg>.*)\) against ok", "不完整：{w_status}（{msg}），计入的版本正常"),
    (r"incomplete: (?P<n>\d+) standard tables read against (?P<m>\d+)", "不完整：读出 {n} 张标准表，计入的版本 {m} 张"),
    (r"older: equally complete, ingested (?P<a>.+?) against (?P<b>.+)", "较旧：同样完整，读入于 {a}，计入的版本读入于 {b}"),
    (r"equal: the same completeness and time, the smaller doc_id counts", "相同：完整程度与读入时间都相同，计入 doc_id 较小的一份"),
]
# the places ingest names beside a message (raw.documents.error_place, ParseIssue.place); a source_ref
# (L12, p3 L12, Sheet1!A3, T2 R5 C3) and a parser's file:line stay as they are
PLACES = [
    (r"byte (?P<n>\d+)", "第 {n} 字节"),
    (r"byte (?P<n>\d+) \(line (?P<line>\d+)\)", "第 {n} 字节（第 {line} 行）"),
    (r"whole file", "整个文件"),
    (r"whole document|document", "整个文档"),
    (r"all pages", "所有页"),
    (r"page (?P<n>\d+)", "第 {n} 页"),
    (r"first (?P<n>\d+) characters", "前 {n} 个字符"),
    (r"member (?P<member>.+)", "压缩包成员 {member}"),
    (r"line (?P<n>\d+)", "第 {n} 行"),
    (r"目录 line (?P<n>\d+)", "目录第 {n} 行"),
    (r"(?P<stream>\w+) stream byte (?P<n>\d+)", "{stream} 流第 {n} 字节"),
    (r"(?P<stream>\w+) stream", "{stream} 流"),
]
# words inside messages (w_… groups) that are no code of WORDS
MESSAGE_WORDS = {
    "fiscal year": "年度", "reporting unit": "编报单位", "fiscal year and reporting unit": "年度和编报单位", "a 绩效自评表": "绩效自评表", "a table": "一张表格",
    "unmarked": "未标明口径",
    "file information block": "文件信息块（FIB）", "piece table": "文本片段表", "character data": "文字数据",
    "paragraph formatting": "段落格式", "character formatting": "字符格式",
}
_MESSAGES = [(re.compile(p), zh) for p, zh in MESSAGES]
_PLACES = [(re.compile(p), zh) for p, zh in PLACES]
# the most "; "-joined parts one message spans: its own "; " and those of a message inside it (a document of
# hundreds of misaligned rows would otherwise cost seconds)
_SPAN = 1 + 2 * max(p.count("; ") for p, _ in MESSAGES + PLACES)


def _one(text: str, table) -> str | None:
    """The Chinese of one whole message (the first entry of ``table`` matching all of it), else None."""
    for pattern, zh in table:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        parts = {}
        for name, value in m.groupdict(default="").items():
            if name.startswith("msg"):
                value = _translate(value, table)
            elif name.startswith("w_"):
                value = MESSAGE_WORDS.get(value) or WORDS.get(value, value)
            parts[name] = value
        return zh.format(**parts)
    return None


def _translate(text: str, table) -> str:
    """``text`` in Chinese by ``table``: the whole of it, else each of its "; "-joined messages (the error
    issues of one document) — the longest run of parts (at most _SPAN) that is one message first, as a message
    may itself hold "; " — joined by "；".  Parts no entry matches stay as they are; nothing matched: ``text`` itself."""
    whole = _one(text, table)
    if whole is not None or "; " not in text:
        return text if whole is None else whole
    parts, out, i, found = text.split("; "), [], 0, False
    while i < len(parts):
        for j in range(min(len(parts), i + _SPAN), i, -1):
            zh = _one("; ".join(parts[i:j]), table)
            if zh is not None:
                out.append(zh)
                found, i = True, j
                break
        else:
            out.append(parts[i])
            i += 1
    return "；".join(out) if found else text


def message(text: str | None) -> str | None:
    """A message ingest stored in English (raw.documents.error, raw.parse_issues.message, a run's failure,
    dim_document.exclusion_reason) in the output language: Chinese by MESSAGES when lang() is zh, else (or
    when no entry matches) the text unchanged.  None stays None."""
    if not text or lang() != "zh":
        return text
    return _translate(text, _MESSAGES)


def place(text: str | None) -> str | None:
    """Where ingest says a message applies (raw.documents.error_place, ``byte 0``, ``目录 line 37``, several
    joined by "; ") in the output language, by PLACES: ``第 0 字节``, ``目录第 37 行``; a source_ref stays."""
    if not text or lang() != "zh":
        return text
    return _translate(text, _PLACES)


def failure(path: str, where: str | None, text: str) -> str:
    """A file that could not be read, as the ingest lines print it (plain text, no markup):
    ``PATH（第 0 字节）：空文件（…）`` in Chinese, ``PATH, byte 0: empty file (…)`` in English."""
    at = tr(f"（{place(where)}）", f", {where}") if where else ""
    return f"{path}{at}{tr('：', ': ')}{message(text)}"
