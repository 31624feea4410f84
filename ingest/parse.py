"""Parse one report file into rows: the whole per-document pipeline, no I/O besides reading.

read → metadata → grids (standard / performance / other tables) → flattened
performance tables → section tree → paragraphs → narrative figures.
Runs in a worker process; returns plain data that the loader turns into Arrow.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ingest import PARSER_VERSION, metadata, toc, truncation
from ingest.errors import IngestError
from ingest.grids import Grid, find_grids
from ingest.lines import ending_with
from ingest.model import Observation, ParseIssue, ParseResult, Reject, SectionRow, TableCell
from ingest.narrative.interpreter import DocContext, Interpreter
from ingest.normalize import display_width, squash
from ingest.numbers import money_to_wan, parse_plain, parse_value_with_unit, quantize
from ingest.paragraphs import assemble, wrap_width
from ingest.performance import DEPARTMENT_PROJECT, flattened, project_key, project_name, reconcile_keys
from ingest.performance.grid import PerformanceParser, is_performance_grid
from ingest.readers import read_bytes
from ingest.sections import SectionIndex, build_tree
from ingest.tables import standard

DOC_ID_LENGTH = 20


def content_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:DOC_ID_LENGTH]


@dataclass
class ParsedDocument:
    doc_id: str
    source_path: str
    source_file: str
    format: str
    encoding: str | None
    size_bytes: int
    unit_name: str | None
    unit_name_raw: str | None
    unit_scope: str | None
    fiscal_year: int | None
    report_kind: str
    sector: str | None
    status: str  # ok | partial | not_a_report | unattributed (see _status)
    parse_ms: float
    parser_version: str = PARSER_VERSION
    result: ParseResult = field(default_factory=ParseResult)
    locators: list[str] | None = None
    contents: list[toc.TocEntry] = field(default_factory=list)  # what the report's 目录 promises
    standard_tables: int = 0  # distinct 公开01–09 tables read


# ---------------------------------------------------------------- project titles
_DEPARTMENT_TITLES = [
    re.compile(r"^.*?(?:部门整体支出|整体支出|部门整体)\s*(?:20\d\d\s*年度?)?\s*绩效(?:自评|评价)报告$"),
    re.compile(r"^20\d\d\s*年度?.*?部门(?:整体|预算)?绩效(?:自评|评价)报告$"),
]
_PROJECT_TITLES = [
    re.compile(r"^(?P<name>[^，。；：:]{2,40}?)(?:专项预算项目|预算项目)$"),
    re.compile(r"^(?:20\d\d\s*年度?)?(?P<name>[^，。；：:]{2,40}?)(?:预算支出)?\s*绩效评价\s*[（(]自评[）)]\s*报告$"),
    re.compile(r"^(?P<name>[^，。；：:]{2,40}?)(?:项目)?绩效(?:评价|自评)表$"),
    re.compile(r"^20\d\d\s*年(?P<name>[^，。；：:]{2,40}?)(?:预算)?项目绩效(?:自评|评价)报告$"),
]


# every pattern above ends with one of these: a text whose last printed character is none of them is no title
_TITLE_ENDINGS = tuple("告目表")


def _may_be_title(text: str) -> bool:
    """Cheap test before _title_of: the text's last non-blank character can end a title."""
    return text.rstrip().endswith(_TITLE_ENDINGS)


def _title_of(text: str) -> str | None:
    """The project a title line names (DEPARTMENT_PROJECT for the department's own report), else None."""
    if not _may_be_title(text):
        return None
    text = squash(text)
    if not text or len(text) > 50:
        return None
    if any(p.match(text) for p in _DEPARTMENT_TITLES):
        return DEPARTMENT_PROJECT
    for pattern in _PROJECT_TITLES:
        m = pattern.match(text)
        if m and not re.search("部门整体|整体支出", m.group("name")):
            return project_name(m.group("name"))
    return None


def _printed_lines(lines: list[str], skip: set[int], only_titles: bool = False) -> list[list[int]]:
    """The prose's lines as the author wrote them: the lines of each assembled paragraph, rejoined where
    a hard wrap cut one (a line that reaches the document's wrap width and does not end a sentence goes
    on in the next), as lists of 0-based line indices.  A title cut at the margin ("…绩效评价（自评）报" /
    "告") is one printed line again."""
    width: int | None = None  # computed when first needed
    groups: list[list[int]] = []
    for para in assemble(lines, skip):
        if only_titles and not any(_may_be_title(lines[n - 1]) for n in para.line_nos):
            continue  # no printed line of this paragraph can end a title (see _project_titles)
        group: list[int] = []
        for line_no in para.line_nos:
            i = line_no - 1
            if group:
                prev = lines[group[-1]].strip()
                if width is None:
                    width = wrap_width(lines, skip)
                if display_width(prev) < width - 4 or prev[-1:] in "。！？!?：:；;":
                    groups.append(group)
                    group = []
            group.append(i)
        groups.append(group)
    return groups


def _project_titles(lines: list[str], skip: set[int]) -> list[tuple[int, str]]:
    """(1-based line, project) of every self-evaluation report title (see _PROJECT_TITLES, _DEPARTMENT_TITLES)
    among the prose lines: a title on one line, or one a hard wrap cut over several (see _printed_lines)."""
    found: dict[int, str] = {}
    for i in ending_with(lines, "".join(_TITLE_ENDINGS)):  # the lines _may_be_title lets through
        line = lines[i]
        if i in skip or "\t" in line:
            continue
        name = _title_of(line)
        if name is not None:
            found[i + 1] = name
    for group in _printed_lines(lines, skip, only_titles=True):
        if len(group) > 1 and group[0] + 1 not in found and not any("\t" in lines[i] for i in group):
            name = _title_of("".join(lines[i].strip() for i in group))
            if name is not None:
                found[group[0] + 1] = name
    return sorted(found.items())


def _other_table(grid: Grid, table_no: int, fiscal_year: int | None) -> tuple[list[Observation], list[TableCell]]:
    """A grid that is neither a standard nor a self-evaluation table: keep every
    figure with its row label and column header, so nothing printed is lost."""
    observations: list[Observation] = []
    cells: list[TableCell] = []
    header = grid.row_texts(0)
    stated = standard.table_unit(grid)
    table_unit = stated if stated != "万元" else ""  # 单位：元 / 千元 / 亿元 in the title block or header
    for r, row in enumerate(grid.rows):
        label = next((c.text for c in row if c.text.strip() and parse_plain(c.text) is None
                      and parse_value_with_unit(c.text) is None), None)
        for cell in row:
            role = "header" if r == 0 else "label"
            value = None
            if r > 0:
                v = parse_value_with_unit(cell.text)
                column = squash(header[cell.col]) if cell.col < len(header) else ""
                if v is not None and cell.col > 0 and not re.fullmatch(r"序号|编号|行次", column):
                    unit = v.unit or (re.search(r"[（(](万元|元)[）)]", column).group(1)
                                      if re.search(r"[（(](万元|元)[）)]", column) else table_unit)
                    value = v.value
                    out_unit, decimals = unit, v.decimals
                    if unit in ("元", "万元", "万", "亿元", "千元"):
                        value = quantize(money_to_wan(v.value, unit))
                        out_unit = "万元"
                        decimals = standard.wan_decimals(v.decimals, unit)
                    role = "value"
                    observations.append(Observation(
                        kind="other", measure="value", value=value, unit=out_unit, value_text=cell.text,
                        source_kind="table", line_no=cell.line_no, item=column or None, fiscal_year=fiscal_year,
                        subject_name=label, decimals=decimals, printed_unit=unit or None, table_no=table_no,
                        col_no=cell.col, section=grid.context[-1][1][:60] if grid.context else None,
                        snippet=" | ".join(c.text for c in row if c.text)[:240], source_ref=cell.ref))
            cells.append(TableCell(table_no, None, None, r, cell.col, cell.line_no, cell.text, value, role, cell.ref))
    return observations, cells


def _canonical(o: Observation) -> Observation:
    """One name per fact: 04表's 本年收入合计 is the 财政拨款收入 of 01表/02表."""
    if o.kind == "revenue" and o.scope == "fiscal":
        if o.item == "current_total":
            o.item, o.scope = "fiscal_total", "all"
        elif o.item in ("fiscal_total", "general_budget", "gov_fund", "state_capital"):
            o.scope = "all"  # these sources are fiscal by definition
    return o


def parse_bytes(path: Path, data: bytes) -> ParsedDocument:
    """Parse one report's bytes (``path`` names it and chooses the reader) → ParsedDocument: rows for the
    loader, status and issues.  Raises IngestError (ReadError) for input that cannot be read."""
    started = time.perf_counter()
    raw = read_bytes(path, data)
    lines = raw.lines
    grids = raw.tables if raw.tables is not None else find_grids(lines)
    meta = metadata.extract(lines, grids)
    contents = toc.find(lines, raw.locators)
    result = ParseResult()
    year = meta.fiscal_year

    grid_lines: set[int] = set()
    for g in grids:
        grid_lines |= g.consumed
    regions = flattened.find_regions(lines, grid_lines)
    flat_lines = {k for start, end, _, _ in regions for k in range(start, end + 1)}
    skip = grid_lines | flat_lines | contents.lines

    tree = build_tree(lines, grid_lines)
    index = SectionIndex(tree, len(lines))
    result.sections = [SectionRow(s.seq, s.level, s.number, s.title, s.line_no, s.end_line, s.parent) for s in tree]
    titles = _project_titles(lines, skip)

    def project_at(line_no: int) -> str | None:
        best = None
        for ln, name in titles:
            if ln <= line_no and line_no - ln <= 600:
                best = name
        return best

    perf = PerformanceParser(year)
    standard_tables = 0
    tdefs = []  # each grid's standard table (or None), asked again by the truncation check
    for table_no, grid in enumerate(grids, start=1):
        tdef = standard.identify(grid)
        tdefs.append(tdef)
        if tdef is not None:
            standard_tables += 1
            obs, cells, rejects, issues = standard.parse(grid, tdef, table_no, year)
            result.observations += obs
            result.cells += cells
            result.rejects += rejects
            result.issues += issues
        elif is_performance_grid(grid):
            perf.parse_grid(grid, table_no, project_at(grid.first_line))
            for r, row in enumerate(grid.rows):
                for cell in row:
                    result.cells.append(TableCell(table_no, "perf", None, r, cell.col, cell.line_no, cell.text, None,
                                                  "text" if cell.text else "blank", cell.ref))
        else:
            obs, cells = _other_table(grid, table_no, year)
            result.observations += obs
            result.cells += cells
    flat = flattened.FlattenedParser(year, perf.indicator_no)
    for start, end, project, kind in regions:
        flat.parse(lines, start, end, project, kind)
    result.observations += perf.observations + flat.observations
    result.indicators += perf.indicators + flat.indicators
    result.rejects += perf.rejects + flat.rejects
    result.issues += perf.issues

    paragraphs = assemble(lines, skip)
    ctx = DocContext(fiscal_year=year, section_titles=index.titles, project_at=project_at, report_kind=meta.report_kind)
    interpreter = Interpreter(ctx)
    for para in paragraphs:
        interpreter.paragraph(para)
    result.observations += interpreter.observations
    result.rejects += interpreter.rejects

    for o in result.observations:
        if o.kind == "revenue":  # (_canonical renames revenue figures only: the others are not asked)
            _canonical(o)
        project = o.project
        o.project_key = project_key(project) if project else None  # (project_key of no project is None)
    for i in result.indicators:
        i.project_key = project_key(i.project)
    table_keys = {i.project_key for i in result.indicators if i.project_key} | {
        o.project_key for o in result.observations if o.project_key and o.source_kind == "table"}
    other_keys = {o.project_key for o in result.observations if o.project_key}
    remap = reconcile_keys(table_keys, other_keys)
    for o in result.observations:
        if o.project_key in remap:
            o.project_key = remap[o.project_key]
    if result.observations and not standard_tables:
        named = [(i + 1, line.strip()) for i, line in enumerate(lines)
                 if i not in grid_lines and standard.title_of(line) is not None]
        if named:
            result.issues.append(ParseIssue(
                "error", f"line {named[0][0]}",
                f"the report names {len(named)} standard table(s) (first: {named[0][1][:40]}) but no table was read "
                f"from the {raw.format} file: its figures were read from the text only"))
    result.issues += [ParseIssue("error", place, message) for place, message in raw.issues]   # the reader's
    result.issues += [ParseIssue("warning", place, message) for place, message in raw.notes]
    if raw.ocr_pages or raw.doubtful:
        _mark_ocr(result, raw)
    # a cut the reader saw (a file ending inside a character) is not looked for again; needs no 目录 (toc: with one)
    cut = None if raw.issues else truncation.cut_short(lines, grids, result.observations, raw.locators, tdefs)
    if cut is not None:
        result.issues.append(cut)
    status = _status(result, contents, lines, year, meta.unit_name)
    return ParsedDocument(
        doc_id=content_id(data), source_path=str(path), source_file=path.name, format=raw.format,
        encoding=raw.encoding, size_bytes=len(data), unit_name=meta.unit_name, unit_name_raw=meta.unit_name_raw,
        unit_scope=meta.scope, fiscal_year=year, report_kind=meta.report_kind, sector=meta.sector, status=status,
        parse_ms=(time.perf_counter() - started) * 1000, result=result, locators=raw.locators,
        contents=contents.entries,
        standard_tables=len({o.table_code for o in result.observations} & {t.code for t in standard.TABLE_DEFS}),
    )


def _mark_ocr(result: ParseResult, raw) -> None:
    """Figures of pages read by OCR (``raw.ocr_pages``) get the flag ``ocr``; a figure at a place the reader
    names as doubtful (``raw.doubtful``: a cell ref, or a line's locator and the figure's text) becomes a
    reject ``ocr_low_confidence`` instead (the table cell keeps the text as read)."""
    locators = raw.locators or []

    def where(o) -> str:
        return o.source_ref or (locators[o.line_no - 1] if 0 < o.line_no <= len(locators) else "")

    pages = {f"p{n} " for n in raw.ocr_pages}
    doubtful = {}
    for ref, text in raw.doubtful:
        doubtful.setdefault(ref, set()).add(text)
    kept = []
    for o in result.observations:
        ref = where(o)
        texts = doubtful.get(ref)
        if texts and (" C" in ref or any(t in (o.value_text or "") for t in texts)):
            result.rejects.append(Reject(o.line_no, o.value_text, "ocr_low_confidence", o.snippet or "",
                                         o.source_kind, o.source_ref))
            continue
        if ref.split(" ", 1)[0] + " " in pages:
            o.flags = f"{o.flags},ocr" if o.flags else "ocr"
        kept.append(o)
    result.observations = kept
    taken = {r.source_ref for r in result.rejects}
    for ref, text in raw.doubtful:
        if ref not in taken and " C" in ref and re.search(r"[.,]", text):  # a money cell no figure came from
            line = next((k + 1 for k, loc in enumerate(locators) if ref.startswith(f"{loc} ")), 0)
            result.rejects.append(Reject(line, text, "ocr_low_confidence", "", "table", ref))


def _status(result: ParseResult, contents: toc.Toc, lines: list[str], year: int | None,
             unit_name: str | None) -> str:
    """The document's status, with the reason added to ``result.issues`` (severity error).

    - figures printed inside the 目录 are dropped (a numbered entry is a title, never money);
    - ``not_a_report``: no figure of a report was read (a README, a manifest, a text without
      figures — other-table figures do not count);
    - ``unattributed``: figures, but no fiscal year or no reporting unit — nothing to key them by;
    - ``partial``: an error issue (a table cut short, a misaligned row …), or the document
      stops before entries its own 目录 promises (the entries after the last one found are
      missing), or two or more promised tables are missing;
    - ``ok`` otherwise.  Only ok and partial documents can feed the facts (stg_documents).
    """
    in_toc = {i + 1 for i in contents.lines}
    if in_toc:
        result.observations = [o for o in result.observations if o.line_no not in in_toc]
        result.rejects = [x for x in result.rejects if x.line_no not in in_toc]
    missing = contents.missing
    if missing:
        found = [e.seq for e in contents.entries if e.found_line is not None]
        tail = [e for e in missing if e.seq > max(found, default=0)]
        tables = [e for e in missing if e.kind == "table"]
        if tail or len(tables) >= 2:
            shown = tail or tables
            last = max((n for n, line in enumerate(lines, start=1) if line.strip()), default=0)
            listed = "、".join(f"{e.title} (L{e.line_no})" for e in shown[:4]) + ("…" if len(shown) > 4 else "")
            message = (f"{len(tail)} entries its 目录 promises are not in the document, from the first of them on "
                       f"(its last line is {last}): {listed}"
                       if tail else f"{len(tables)} tables its 目录 promises are not in the document: {listed}")
            result.issues.append(ParseIssue("error", f"目录 line {shown[0].line_no}", message))
    if not any(o.kind != "other" for o in result.observations):
        result.issues.append(ParseIssue("error", "whole document", "no figures of a report found: not a 决算 report"))
        return "not_a_report"
    if year is None or unit_name is None:
        what = " and ".join(w for w, v in (("fiscal year", year), ("reporting unit", unit_name)) if v is None)
        result.issues.append(ParseIssue("error", "whole document",
                                        f"{what} not found in the text: figures not attributable"))
        return "unattributed"
    return "partial" if any(i.severity == "error" for i in result.issues) else "ok"


def parse_file(path: str | Path) -> ParsedDocument:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    return parse_bytes(path, data)
