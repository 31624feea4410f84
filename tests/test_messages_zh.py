"""Ingest's messages reach Chinese output in Chinese: a file's failure reason, a document's parse issues, the places
they name and dim_document.exclusion_reason are stored in English and translated at display time (juesuan.i18n
MESSAGES and PLACES, i18n.message / i18n.place) — in the run's failure lines, `juesuan report`, report.html, the site
and the xlsx export — while `--lang en` prints them as stored.

Each message is made the way ingest makes it: from a failing input (empty, binary, undecodable, broken PDF/DOCX/XLSX,
a zip bomb, a copy cut short, a text without figures or without its unit), and every message template in ingest/'s
source is checked to have a translation (test_every_message_template_in_ingest_has_a_translation).
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SEEDS
from warehouse import query, run

from ingest.limits import Limits
from ingest.parse import parse_bytes
from ingest.pipeline import _parse_one
from juesuan import i18n

INGEST = Path(__file__).resolve().parents[1] / "ingest"


@pytest.fixture
def zh():
    i18n.set_lang("zh")
    yield
    i18n.set_lang(None)


def _squash(text: str) -> str:
    """Text without whitespace: a console wraps long lines wherever, and a Chinese line has no spaces to keep."""
    return "".join(text.split())


def _pdf_without_text() -> bytes:
    import pypdfium2

    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(200, 200)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def _zip(member_bytes: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"0" * member_bytes)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------ a file fails
# (file name, bytes, environment) → the stored (message, place) and their Chinese
READ_FAILURES = [
    ("empty.txt", b"", {}, ("empty file (the file has no content)", "byte 0"), ("空文件（文件没有任何内容）", "第 0 字节")),
    ("blank.txt", b"  \n\t\n", {}, ("no text found (the file holds only whitespace)", "whole file"),
     ("没有文字（文件只有空白字符）", "整个文件")),
    ("nul.txt", b"abc\x00def", {}, ("binary file, not text (contains NUL bytes)", "byte 3"),
     ("二进制文件，不是文本（含 NUL 字节）", "第 3 字节")),
    ("scan.txt", b"\x89PNG\r\n\x1a\n" + bytes(50), {}, ("binary file, not text (looks like a PNG image)", "byte 0"),
     ("二进制文件，不是文本（看来是 PNG 图片）", "第 0 字节")),
    ("report.txt", b"%PDF-1.4 xx", {},
     ("binary file, not text (looks like a PDF document; give it the .pdf extension)", "byte 0"),
     ("二进制文件，不是文本（看来是 PDF 文档；请把扩展名改为 .pdf）", "第 0 字节")),
    ("legacy.txt", b"\xd0\xcf\x11\xe0" + bytes(50), {},
     ("binary file, not text (looks like a legacy Office document (.doc/.xls); save it as .docx/.xlsx)", "byte 0"),
     ("二进制文件，不是文本（看来是 Office 旧版文档（.doc/.xls）；请另存为 .docx/.xlsx）", "第 0 字节")),
    ("controls.txt", ("部门决算" + "\x01\x02x" * 200).encode(), {},
     ("binary file, not text (400 control characters)", "first 20000 characters"),
     ("二进制文件，不是文本（含 400 个控制字符）", "前 20000 个字符")),
    ("gbk.txt", "部门决算".encode() + b"\xff\xfe\xfa" * 30, {},
     ("cannot decode byte 0xff: neither UTF-8 nor GB18030 (re-save the file as UTF-8)", "byte 12 (line 1)"),
     ("无法解码字节 0xff：既不是 UTF-8 也不是 GB18030 编码（请把文件另存为 UTF-8）", "第 12 字节（第 1 行）")),
    ("bom.txt", b"\xef\xbb\xbfabc\xffdef", {}, ("invalid utf-8 byte sequence (re-save the file)", "byte 6"),
     ("utf-8 字节序列无效（请重新保存文件）", "第 6 字节")),
    ("utf16.txt", b"\xff\xfea\x00b", {}, ("invalid utf-16 byte sequence (re-save the file)", "byte 4"),
     ("utf-16 字节序列无效（请重新保存文件）", "第 4 字节")),
    ("broken.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4, {},
     ("not a readable PDF file: PdfminerException No /Root object! - Is this really a PDF?", "byte 0"),
     ("不是可读的 PDF 文件：PdfminerException No /Root object! - Is this really a PDF?", "第 0 字节")),
    ("locked.pdf", b"%PDF-1.4\n1 0 obj << /Encrypt 2 0 R >> endobj\n", {},
     ("encrypted PDF: it cannot be opened without its password (ask the publisher for an unprotected copy or decrypt "
      "it first)", "document"),
     ("加密的 PDF：没有密码无法打开（请向发布单位索取未加密的版本，或先解密）", "整个文档")),
    ("scan.pdf", None, {}, ("PDF has no text layer (run OCR before ingesting)", "all pages"),
     ("PDF 没有文字层（多为扫描件；请先做 OCR 文字识别再读取）", "所有页")),
    ("broken.docx", b"PK\x03\x04" + b"\x00garbage" * 50, {}, ("not a readable DOCX file: File is not a zip file", "byte 0"),
     ("不是可读的 DOCX 文件：File is not a zip file", "第 0 字节")),
    ("broken.xlsx", b"not a zip at all", {}, ("not a readable XLSX file: File is not a zip file", "byte 0"),
     ("不是可读的 XLSX 文件：File is not a zip file", "第 0 字节")),
    ("bomb.docx", _zip(5 * 1024 * 1024), {},
     ("archive member word/document.xml inflates 1,026× (5 KB → 5.0 MB), the limit is 200× (a zip bomb, or not a "
      "report; raise JUESUAN_MAX_ZIP_RATIO if genuine)", "member word/document.xml"),
     ("压缩包成员 word/document.xml 解压后膨胀 1,026 倍（5 KB → 5.0 MB），上限为 200 倍（可能是压缩炸弹，或不是报告；"
      "如确为报告，可调高 JUESUAN_MAX_ZIP_RATIO）", "压缩包成员 word/document.xml")),
    ("big.docx", _zip(2 * 1024 * 1024), {"JUESUAN_MAX_UNZIPPED_MB": "1"},
     ("archive inflates to more than 1.0 MB (at member word/document.xml) (a zip bomb, or not a report; raise "
      "JUESUAN_MAX_UNZIPPED_MB if genuine)", "member word/document.xml"),
     ("压缩包解压后超过 1.0 MB（在成员 word/document.xml 处）（可能是压缩炸弹，或不是报告；如确为报告，可调高 "
      "JUESUAN_MAX_UNZIPPED_MB）", "压缩包成员 word/document.xml")),
    ("missing.txt", False, {}, ("cannot read file: No such file or directory", None),
     ("无法读取文件：No such file or directory", None)),
]


@pytest.mark.parametrize("name, data, env, stored, chinese", READ_FAILURES, ids=[r[0] for r in READ_FAILURES])
def test_a_file_that_cannot_be_read_is_named_in_chinese(name, data, env, stored, chinese, tmp_path, monkeypatch, zh):
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    path = tmp_path / name
    if data is not False:
        path.write_bytes(_pdf_without_text() if data is None else data)
    kind, (message, place) = _parse_one(str(path))
    assert kind == "error" and (message, place) == stored
    assert (i18n.message(message), i18n.place(place)) == chinese
    i18n.set_lang("en")
    assert (i18n.message(message), i18n.place(place)) == stored


def test_a_file_over_the_size_limit_is_named_in_chinese(tmp_path, zh):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2048)
    kind, (message, place) = _parse_one(str(path), Limits(max_file_bytes=1024))
    assert (message, place) == ("file too large: 2 KB, the limit is 1 KB (raise JUESUAN_MAX_FILE_MB if this really "
                                "is one report)", "whole file")
    assert i18n.message(message) == "文件过大：2 KB，上限为 1 KB（如确为一份报告，可调高 JUESUAN_MAX_FILE_MB）"
    assert i18n.place(place) == "整个文件"


# ------------------------------------------------------------------------------------------------ a document's issues
def _doc(name: str, text: str):
    return parse_bytes(Path(name), text.encode("utf-8"))


def _errors(doc) -> list[tuple[str, str]]:
    return [(i.place, i.message) for i in doc.result.issues if i.severity == "error"]


def _zh(pairs):
    return [(i18n.place(p), i18n.message(m)) for p, m in pairs]


def _without_toc(key: str) -> list[str]:
    from ingest import toc

    lines = SEEDS[key].read_text(encoding="utf-8").split("\n")
    regions = toc.find(lines).lines
    return [line for i, line in enumerate(lines) if i not in regions]


def test_a_copy_cut_short_says_where_and_why_in_chinese(zh):
    lines = _without_toc("000")
    n = next(i for i, line in enumerate(lines, 1) if line.startswith("2012906\t工会事务"))
    assert _zh(_errors(_doc("cut_rows.txt", "\n".join(lines[:n])))) == [
        (f"L{n}", f"文档被截断：结尾在收入决算表（L{n - 7}–L{n}）之中，已读出的 1 个类级科目行合计 5,084.57，不到合计行的 "
                  f"5,334.09：表格没有印完（最后一行为第 {n} 行）")]
    # cut after 收入决算表's 合计 row, and right after its header: no 类 row, and no 合计 row either
    n = next(i for i, line in enumerate(lines, 1) if line.strip().startswith("合计") and i > lines.index("公开02表"))
    assert _zh(_errors(_doc("cut_total.txt", "\n".join(lines[:n])))) == [
        (f"L{n}", f"文档被截断：结尾在收入决算表（L{n - 3}–L{n}）之中，合计行（5,334.09）之后没有任何类级科目行：表格没有印完"
                  f"（最后一行为第 {n} 行）")]
    errors = _errors(_doc("cut_header.txt", "\n".join(lines[:n - 2])))
    assert _zh(errors) == [(f"第 {n - 3} 行", "公开02表没有合计行"),
                           (f"L{n - 2}", f"文档被截断：结尾在收入决算表（L{n - 3}–L{n - 2}）之中，模板中其后的 7 张标准表都不在"
                                         "文档中（支出决算表、财政拨款收入支出决算总表、一般公共预算财政拨款支出决算表…）"
                                         f"（最后一行为第 {n - 2} 行）")]
    # raw.documents.error joins a document's error issues with "; ", error_place their places
    assert i18n.message("; ".join(m for _, m in errors)) == "；".join(m for _, m in _zh(errors))
    assert i18n.place("; ".join(p for p, _ in errors)) == f"第 {n - 3} 行；L{n - 2}"
    n = next(i for i, line in enumerate(lines, 1) if line.strip() == "公开04表")
    assert _zh(_errors(_doc("cut_title.txt", "\n".join(lines[:n])))) == [
        (f"L{n}", f"文档被截断：结尾只有财政拨款收入支出决算总表的标题（L{n - 2}），没有表格本身（最后一行为第 {n} 行）")]
    n = next(i for i, line in enumerate(lines, 1) if line.startswith("注：本表反映部门本年度的总收支"))
    [(place, message)] = _zh(_errors(_doc("cut_between.txt", "\n".join(lines[:n]))))
    assert place == f"L{n}" and message.startswith("文档被截断：结尾在收入支出决算总表（")
    assert message.endswith("之中，模板中其后的 8 张标准表都不在文档中（收入决算表、支出决算表、财政拨款收入支出决算总表…）"
                            f"（最后一行为第 {n} 行）")

    lines = SEEDS["004"].read_text(encoding="utf-8").split("\n")
    n = next(i for i, line in enumerate(lines, 1) if line.strip() == "≥5户")
    assert _zh(_errors(_doc("cut_perf.txt", "\n".join(lines[:n])))) == [
        (f"L{n}", f"文档被截断：结尾在绩效自评表（L204–L{n}）之中，指标在满意度指标（绩效自评表的最后一个一级指标）之前中断，"
                  f"且没有总分行（最后一行为第 {n} 行）")]
    n = next(i for i, line in enumerate(lines, 1) if "满意度指标" in line) + 1
    assert _zh(_errors(_doc("cut_row.txt", "\n".join(lines[:n])))) == [
        (f"L{n}", f"文档被截断：结尾在绩效自评表（L204–L{n}）之中，最后一行只有 3 个单元格，而前面各行至少有 7 个：截断发生在"
                  f"一行之中（最后一行为第 {n} 行）")]


def test_a_copy_cut_inside_a_character_is_said_in_chinese(zh):
    data = SEEDS["000"].read_bytes()
    line = data.index("年度一般公共预算财政拨款支出年初预算".encode())
    end = data.index(b"\n", line)
    doc = parse_bytes(Path("cut.txt"), data[:end - 1])
    n = data.count(b"\n", 0, line) + 1
    assert [(p, m) for p, m in _zh(_errors(doc)) if m.startswith("文档被截断")] == [
        (f"L{n}", f"文档被截断：文件在第 {end - 3} 字节处断在一个字符中间，最后一行（第 {n} 行）不完整，未读取")]


def test_a_report_missing_what_its_toc_promises_is_said_in_chinese(parsed, zh):
    [(place, message)] = _zh(_errors(parsed["003"]))
    assert place == "目录第 37 行"
    assert message.startswith("目录所列的 11 项不在文档中，从其中第一项起全部缺失（文档最后一行为第 ")
    assert "）：收入支出决算总表 (L37)、收入决算表 (L39)、" in message
    lines = SEEDS["000"].read_text(encoding="utf-8").split("\n")
    cut = _zh(_errors(_doc("cut.txt", "\n".join(lines[:511]))))
    assert ("L511；目录第 45 行" == i18n.place("L511; 目录 line 45")) and [p for p, _ in cut] == ["L511", "目录第 45 行"]


def test_a_text_without_figures_or_without_its_unit_is_said_in_chinese(zh):
    doc = _doc("minutes.txt", "会议纪要\n\n各单位要认真做好部门决算公开工作，按时报送材料。\n")
    assert doc.status == "not_a_report"
    assert _zh(_errors(doc)) == [("整个文档", "未找到报告中的任何数据：不是部门决算报告")]
    text = SEEDS["004"].read_text(encoding="utf-8")
    doc = _doc("no_unit.txt", text.replace("攀枝花市西区总工会", "").replace("西区总工会", "").replace("区总工会", ""))
    assert doc.status == "unattributed"
    assert _zh(_errors(doc)) == [("整个文档", "文中未找到编报单位：数据无法归属")]
    i18n.set_lang("en")
    assert _zh(_errors(doc)) == [("whole document", "reporting unit not found in the text: figures not attributable")]


def test_several_issues_of_one_document_are_each_translated():
    i18n.set_lang("zh")
    try:
        joined = ("公开03表: row does not line up with the header (9 cells, header has 7); its figures were not loaded; "
                  "公开05表 has no 合计 row; something new")
        assert i18n.message(joined) == ("公开03表：此行与表头对不齐（9 个单元格，表头 7 列），其数据未载入；公开05表没有合计行；"
                                        "something new")
        assert i18n.message("something new; and more") == "something new; and more"   # nothing known: as stored
        rows = [f"公开03表: row does not line up with the header ({n} cells, header has 7); its figures were not loaded"
                for n in range(8, 308)]   # a table of 300 misaligned rows: each said, in a time that stays linear
        assert i18n.message("; ".join(rows)) == "；".join(i18n.message(r) for r in rows)
        assert i18n.message(rows[-1]) == "公开03表：此行与表头对不齐（307 个单元格，表头 7 列），其数据未载入"
        assert i18n.message(None) is None and i18n.place("p3 L12") == "p3 L12"
    finally:
        i18n.set_lang(None)


# ------------------------------------------------------------------------------------------------ every template
_SITES = {"ReadError": (1, 2), "IngestError": (1, 2), "ParseIssue": (2, 1), "Failure": (2, 3)}  # (message, place)


def _render(node, names: dict[str, list[ast.AST]]) -> list[str]:
    """The texts an expression can build, each interpolated value written as 7 (a line, a count, a library's
    text — captured and kept as printed); [] when it is built elsewhere (a parameter, another object's message)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        out = [""]
        for part in node.values:
            pieces = _render(part, names) if isinstance(part, ast.Constant) else ["7"]
            out = [a + b for a in out for b in pieces]
        return out
    if isinstance(node, ast.IfExp):
        return _render(node.body, names) + _render(node.orelse, names)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _render(node.left, names) for b in _render(node.right, names)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "strip":
        return _render(node.func.value, names)
    if isinstance(node, ast.Name):
        return [t for value in names.get(node.id, []) for t in _render(value, names)]
    return []


def _templates() -> list[tuple[str, str, str]]:
    """(file:line, message, place) for every message ingest/ writes: ReadError/IngestError (message + " (hint)"),
    ParseIssue, Failure, a worker's ("error", (message, place)) and a reader's issues.append((place, message))."""
    found = []
    for path in sorted(INGEST.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.Module))]:
            names: dict[str, list[ast.AST]] = {}
            for n in ast.walk(func):
                if isinstance(n, ast.Assign):
                    for target in n.targets:
                        if isinstance(target, ast.Name):
                            names.setdefault(target.id, []).append(n.value)
            for n in ast.walk(func):
                pairs = []   # (message node, place node, hint node)
                if isinstance(n, ast.Call):
                    callee = n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", None)
                    kw = {k.arg: k.value for k in n.keywords}
                    if callee in _SITES:
                        m, p = _SITES[callee]
                        pairs.append((n.args[m] if len(n.args) > m else kw.get("message"),
                                      n.args[p] if len(n.args) > p else kw.get("place"), kw.get("hint")))
                    elif callee == "append" and n.args and isinstance(n.args[0], ast.Tuple) \
                            and len(n.args[0].elts) == 2 and getattr(n.func.value, "id", None) == "issues":
                        pairs.append((n.args[0].elts[1], n.args[0].elts[0], None))
                elif isinstance(n, ast.Tuple) and len(n.elts) == 2 and isinstance(n.elts[1], ast.Tuple) \
                        and isinstance(n.elts[0], ast.Constant) and n.elts[0].value == "error":
                    pairs.append((n.elts[1].elts[0], n.elts[1].elts[1], None))
                for message, place, hint in pairs:
                    hints = _render(hint, names) if hint is not None else [""]
                    for text in _render(message, names) if message is not None else []:
                        for h in hints:
                            for where in (_render(place, names) if place is not None else []) or [""]:
                                found.append((f"{path.relative_to(INGEST.parent)}:{n.lineno}",
                                              text + (f" ({h})" if h else ""), where))
    # a message made of other messages only ("7 (7)": a ReadError's message and hint) is theirs
    return sorted({f for f in found if re.search(r"[^\W\d_]", f[1].replace("7", ""))})


_ENGLISH = re.compile(r"(?<![\w.])[a-z]{3,}(?![\w-])")   # a lowercase English word (not JUESUAN_…, .pdf, utf-8, PDF)


def test_every_message_template_in_ingest_has_a_translation(zh):
    templates = _templates()
    assert len({t[1] for t in templates}) >= 35, "the scan of ingest/ found too few messages: has ingest changed?"
    untranslated = [(where, text, i18n.message(text)) for where, text, _ in templates
                    if i18n.message(text) == text or _ENGLISH.search(i18n.message(text))]
    assert not untranslated, "add these to juesuan/i18n.py MESSAGES:\n" + "\n".join(map(repr, untranslated))
    places = [(where, p, i18n.place(p)) for where, _, p in templates if _ENGLISH.search(i18n.place(p))]
    assert not places, "add these to juesuan/i18n.py PLACES:\n" + "\n".join(map(repr, places))


def test_every_exclusion_reason_of_the_models_has_a_translation(zh):
    """The reasons models/intermediate/int_document_versions.sql writes (its literal parts, joined as it joins them)."""
    sql = (Path(__file__).resolve().parents[1] / "models" / "intermediate" / "int_document_versions.sql").read_text()
    assert "'another version of this unit-year counts — '" in sql and "'not attributable: '" in sql
    cases = {
        "could not be read: empty file (the file has no content)": "无法读取：空文件（文件没有任何内容）",
        "not a report: no figures of a report found: not a 决算 report": "不是报告：未找到报告中的任何数据：不是部门决算报告",
        "not a report: no figures of a report found": "不是报告：未找到报告中的任何数据",
        "not attributable: no fiscal year and no reporting unit found in the text": "无法归属：文中未找到年度和编报单位",
        "not attributable: no fiscal year found in the text": "无法归属：文中未找到年度",
        "another version of this unit-year counts — scope: the consolidated report counts before the own one":
            "本单位本年度计入的是另一版本 — 口径：汇总报告优先于本级报告",
        "another version of this unit-year counts — scope: the own report counts before the unmarked one":
            "本单位本年度计入的是另一版本 — 口径：本级报告优先于未标明口径报告",
        "another version of this unit-year counts — incomplete: 23 parts, sections and tables of a 目录 present "
        "against 32": "本单位本年度计入的是另一版本 — 不完整：目录所列的部分、章节和表格在文中有 23 项，计入的版本有 32 项",
        "another version of this unit-year counts — incomplete: 3 figures read against 221":
            "本单位本年度计入的是另一版本 — 不完整：读出 3 个数据，计入的版本 221 个",
        "another version of this unit-year counts — incomplete: 2 standard tables read against 9":
            "本单位本年度计入的是另一版本 — 不完整：读出 2 张标准表，计入的版本 9 张",
        "another version of this unit-year counts — older: equally complete, ingested 2026-01-02 03:04:05 against "
        "2026-02-03 04:05:06": "本单位本年度计入的是另一版本 — 较旧：同样完整，读入于 2026-01-02 03:04:05，计入的版本读入于 "
                                "2026-02-03 04:05:06",
        "another version of this unit-year counts — equal: the same completeness and time, the smaller doc_id counts":
            "本单位本年度计入的是另一版本 — 相同：完整程度与读入时间都相同，计入 doc_id 较小的一份",
    }
    assert {k: i18n.message(k) for k in cases} == cases


# ------------------------------------------------------------------------------------------------ where they are shown
@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> dict:
    """A folder with one good report and bad inputs, run in Chinese: the warehouse and what the run printed."""
    folder = tmp_path_factory.mktemp("msgzh")
    inbox = folder / "inbox"
    inbox.mkdir()
    shutil.copy(SEEDS["001"], inbox / SEEDS["001"].name)
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "empty_again.txt").write_bytes(b"")
    (inbox / "binary.txt").write_bytes(b"\x00\x01garbage" * 40)
    (inbox / "broken.docx").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    (inbox / "minutes.txt").write_text("会议纪要\n\n各单位要认真做好部门决算公开工作，按时报送材料。\n", encoding="utf-8")
    text_001 = SEEDS["001"].read_text(encoding="utf-8").split("\n")
    cut = max(i for i, line in enumerate(text_001, 1) if "数量指标" in line)
    (inbox / "zz_001_cut.txt").write_text("\n".join(text_001[:cut]), encoding="utf-8")
    db = folder / "juesuan.duckdb"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = run("--lang", "zh", "run", "--db", db, "--no-docs", inbox)
    i18n.set_lang(None)
    assert code == 4
    return {"db": db, "inbox": inbox, "out": printed.getvalue(), "cut": cut}


def _captured(*argv) -> str:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert run(*argv) == 0
    i18n.set_lang(None)
    return printed.getvalue()


def test_the_run_names_each_failed_file_in_chinese(messy):
    out, inbox = _squash(messy["out"]), messy["inbox"]
    for line in (f"✗ {inbox}/empty.txt（第 0 字节）：空文件（文件没有任何内容）",
                 f"✗ {inbox}/empty_again.txt（第 0 字节）：空文件（文件没有任何内容）（与 {inbox}/empty.txt 内容完全相同）",
                 f"✗ {inbox}/binary.txt（第 0 字节）：二进制文件，不是文本（含 NUL 字节）",
                 f"✗ {inbox}/broken.docx（第 0 字节）：不是可读的 DOCX 文件：File is not a zip file",
                 # the document list of the run, as `juesuan report` prints it
                 "✗ empty.txt 无法读取（第 0 字节）：空文件（文件没有任何内容）"):
        assert _squash(line) in out, line
    assert "empty file" not in out and "byte 0" not in out


def test_report_prints_the_stored_english_with_lang_en_and_chinese_by_default(messy):
    db = messy["db"]
    zh = _squash(_captured("report", "--db", db, "broken"))
    assert _squash("✗ broken.docx 无法读取（第 0 字节）：不是可读的 DOCX 文件：File is not a zip file") in zh
    en = " ".join(_captured("--lang", "en", "report", "--db", db, "broken").split())
    assert "✗ broken.docx could not be read at byte 0: not a readable DOCX file: File is not a zip file" in en
    assert query(db, "select error, error_place from marts.dim_document where source_file = 'broken.docx'") == \
        [("not a readable DOCX file: File is not a zip file", "byte 0")]   # the warehouse keeps the English


def test_report_html_and_the_site_show_the_messages_in_chinese(messy, tmp_path):
    from juesuan.findings import document_summaries
    from juesuan.report import render_html

    db = messy["db"]
    i18n.set_lang("zh")
    try:
        page = render_html(document_summaries(db), db=db, crops=0)
    finally:
        i18n.set_lang(None)
    assert "无法读取（第 0 字节）：二进制文件，不是文本（含 NUL 字节）" in page and "NUL bytes" not in page
    assert run("--lang", "zh", "site", "--db", db, "--out", tmp_path / "site") == 0
    [(bad,)] = query(db, "select doc_id from marts.dim_document where source_file = 'empty.txt'")
    doc_page = (tmp_path / "site" / "doc" / f"{bad}.html").read_text(encoding="utf-8")
    assert "无法读取（第 0 字节）：空文件（文件没有任何内容）" in doc_page
    # a partial copy's page says what was found while reading it and why it is not counted
    [(cut, error)] = query(db, "select doc_id, error from marts.dim_document where source_file = 'zz_001_cut.txt'")
    assert error.startswith("the document is cut short: it ends inside a 绩效自评表 (L")
    cut_page = (tmp_path / "site" / "doc" / f"{cut}.html").read_text(encoding="utf-8")
    found = re.search(r'<p class="warn">读取时发现的问题（L(\d+); L1256）：(文档被截断：结尾在绩效自评表（L\d+–L\d+）之中，[^<]*)</p>',
                      cut_page)
    assert found and found.group(1) == str(messy["cut"])
    # its two cuts: where it stops inside the table, and that its figures are the beginning of the whole 001's
    [(full,)] = query(db, "select doc_id from marts.dim_document where source_file = ?", [SEEDS["001"].name])
    assert found.group(2).endswith(f"（最后一行为第 {messy['cut']} 行）；文档被截断：其 257 个数据是 {SEEDS['001'].name}"
                                   f"（doc_id {full[:16]}）的开头部分，到 L1256 为止位置与印出的文字都相同，"
                                   "而那个版本在 L1278:C5 起还有 12 个数据")
    assert f'<p class="meta">未计入事实表的原因：本单位本年度计入的是另一版本 — 不完整：是 doc_id {full[:16]} 的截断副本</p>' \
        in cut_page
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<td>未找到报告中的任何数据：不是部门决算报告（整个文档）</td>" in index
    assert "<td>不是可读的 DOCX 文件：File is not a zip file（第 0 字节）</td>" in index
    assert run("--lang", "en", "site", "--db", db, "--out", tmp_path / "site_en") == 0
    index = (tmp_path / "site_en" / "index.html").read_text(encoding="utf-8")
    assert "<td>no figures of a report found: not a 决算 report (whole document)</td>" in index
    cut_page = (tmp_path / "site_en" / "doc" / f"{cut}.html").read_text(encoding="utf-8")
    assert f'<p class="warn">Found while reading (L{messy["cut"]}; L1256): {error}</p>' in cut_page
    i18n.set_lang(None)


def test_a_bad_copy_over_a_loaded_report_is_said_in_chinese(tmp_path, zh):
    from ingest.pipeline import ingest_paths

    folder, db = tmp_path / "in", tmp_path / "w.duckdb"
    folder.mkdir()
    report = folder / "a.txt"
    shutil.copy(SEEDS["004"], report)
    assert ingest_paths([folder], str(db), workers=1).failed == 0
    [(loaded,)] = query(db, "select doc_id from raw.documents")
    report.write_bytes(b"\x00\x01garbage" * 40)
    assert ingest_paths([folder], str(db), workers=1).failed == 1
    [(error,)] = query(db, "select error from raw.documents where status = 'failed'")
    assert error == ("binary file, not text (contains NUL bytes) — a bad copy over a loaded report: the version loaded "
                     f"earlier from this path (doc_id {loaded[:16]}) stays until the file is fixed")
    assert i18n.message(error) == ("二进制文件，不是文本（含 NUL 字节） — 这是已读入报告的损坏副本：此路径先前读入的版本"
                                   f"（doc_id {loaded[:16]}）保留，直到文件修复")


def _sheet(book: Path) -> dict[str, dict[str, str]]:
    ws = openpyxl.load_workbook(book, read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    file = "文件" if "文件" in rows[0] else "source_file"   # --lang en: the code names (juesuan.export)
    return {r[rows[0].index(file)]: dict(zip(rows[0], r)) for r in rows[1:]}


def test_the_xlsx_export_gives_the_exclusion_reasons_in_chinese(messy, tmp_path):
    db, cut = messy["db"], messy["cut"]
    assert run("--lang", "zh", "export", "--db", db, "dim_document", "-o", tmp_path / "zh.xlsx") == 0
    assert run("--lang", "en", "export", "--db", db, "dim_document", "-o", tmp_path / "en.xlsx") == 0
    i18n.set_lang(None)
    zh, en = _sheet(tmp_path / "zh.xlsx"), _sheet(tmp_path / "en.xlsx")
    assert zh["empty.txt"]["未计入原因"] == "无法读取：空文件（文件没有任何内容）"
    assert zh["empty.txt"]["错误位置"] == "第 0 字节"
    assert zh["minutes.txt"]["未计入原因"] == "不是报告：未找到报告中的任何数据：不是部门决算报告"
    [(full,)] = query(db, "select doc_id from marts.dim_document where source_file = ?", [SEEDS["001"].name])
    assert zh["zz_001_cut.txt"]["未计入原因"] == f"本单位本年度计入的是另一版本 — 不完整：是 doc_id {full[:16]} 的截断副本"
    assert zh["zz_001_cut.txt"]["错误位置"] == f"L{cut}; L1256"
    assert en["empty.txt"]["exclusion_reason"] == "could not be read: empty file (the file has no content)"
    assert en["empty.txt"]["error_place"] == "byte 0"
    assert en["zz_001_cut.txt"]["exclusion_reason"] == query(
        db, "select exclusion_reason from marts.dim_document where source_file = 'zz_001_cut.txt'")[0][0]
