"""Drill-down for pages: where each finding's sides and each fact were read, set-based.

A *place* is one source_ref of a document with what was read there: the figure's text as printed, the
section, the sentence or table row as printed (``raw.observations.snippet``) and, for PDF sources, a
cropped image of the page region (juesuan.pdfcrop).  Places are looked up for many documents at once —
one query per batch, never one per figure — so the HTML report and the site scale to thousands of
documents.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

# source_ref formats of the contract, longest first so `p10 T1 R5 C3` is not read as `T1 R5 C3`
SOURCE_REF = re.compile(r"p\d+ T\d+ R\d+ C\d+|p\d+ L\d+|T\d+ R\d+ C\d+|L\d+(?::C\d+)?|\bP\d+\b|[^\s!\"';]+![A-Z]{1,3}\d+")

CITED = re.compile(rf'(?P<ref>{SOURCE_REF.pattern})(?:\s+\S+\s+"(?P<text>[^"]*)")?')


def cited(text: str | None) -> list[tuple[str, str | None]]:
    """The (source_ref, text as printed) pairs a finding's refs name, in order, without repeats; the text is
    None where the refs give none (``tasks L450–L558``).

    >>> cited('L137 narrative "92.67 万元" 2010601; p3 T1 R5 C3 公开02表 "5"; tasks L450–L558')
    [('L137', '92.67 万元'), ('p3 T1 R5 C3', '5'), ('L450', None), ('L558', None)]
    """
    seen: list[tuple[str, str | None]] = []
    for m in CITED.finditer(text or ""):
        pair = (m.group("ref"), m.group("text"))
        if pair not in seen:
            seen.append(pair)
    return seen


@dataclass
class Place:
    """One place a figure was read: ``ref`` (contract source_ref), ``printed`` (the figure as printed, None if
    unknown), ``section`` and ``snippet`` (the sentence or table row as printed), ``image`` (the crop's URL
    — a relative path or a data: URI — for PDF sources, else None) and ``image_how`` (Region.how)."""

    ref: str
    printed: str | None = None
    section: str | None = None
    snippet: str | None = None
    image: str | None = None
    image_how: str | None = None


# every reading a place can show, as (doc_id, source_ref, seq, value_text, kind, item, measure, section,
# snippet): raw.observations, and the 分值 and 得分 of each self-evaluation indicator (raw.indicators, which the
# performance checks cite) with its row's cells as the snippet and its project as the section
PLACE_READINGS = r"""(
    select doc_id, source_ref, seq, value_text, kind, item, measure, section, snippet from raw.observations
    union all
    select i.doc_id, i.source_ref, 1000000000 + i.indicator_no * 2 + m.k, m.value_text, 'indicator', i.indicator, m.measure,
           i.project, concat_ws(' | ', i.level1, i.level2, i.indicator, i.target_text, i.actual_text, i.weight_text,
                                i.score_text)
    from (select *, regexp_replace(weight::varchar, '\.?0+$', '') as weight_text,
                 regexp_replace(score::varchar, '\.?0+$', '') as score_text from raw.indicators) i, lateral (
        select 0 as k, 'weight' as measure, i.weight_text as value_text where i.weight is not null
        union all
        select 1, 'score', i.score_text where i.score is not null) m
    where i.source_ref is not null)"""


def finding_places(refs: str | None) -> list[Place]:
    """The places a finding's ``lhs_refs``/``rhs_refs`` text names, in order (snippets not yet filled)."""
    return [Place(ref, text) for ref, text in cited(refs)]


def fill_readings(con, places: dict[str, list[Place]]) -> None:
    """Fill section and snippet (and the printed text where missing) of every place, for all documents of
    ``places`` (doc_id → places) in one query over the readings (PLACE_READINGS)."""
    pairs = {(doc, p.ref) for doc, ps in places.items() for p in ps}
    if not pairs:
        return
    docs, refs = zip(*sorted(pairs))
    rows = con.execute(f"""
        with wanted as (select unnest(?::varchar[]) as doc_id, unnest(?::varchar[]) as source_ref)
        select o.doc_id, o.source_ref, o.value_text, o.section, o.snippet
        from {PLACE_READINGS} o join wanted w using (doc_id, source_ref)
        order by o.doc_id, o.source_ref, o.seq""", [list(docs), list(refs)]).fetchall()
    found: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for doc, ref, text, section, snippet in rows:
        found[(doc, ref)].append((text, section, snippet))
    for doc, ps in places.items():
        for p in ps:
            readings = found.get((doc, p.ref), [])
            match = [r for r in readings if p.printed is None or r[0] == p.printed] or readings
            if match:
                text, p.section, p.snippet = match[0]
                p.printed = p.printed or text


def attach_crops(places: dict[str, list[Place]], pdfs: dict[str, Path],
                 store: Callable[[str, Place, bytes], str], *, on_error: Callable[[str, Exception], None] | None = None
                 ) -> int:
    """Crop every place of a PDF document (``pdfs``: doc_id → the PDF file) and set ``place.image`` to what
    ``store(doc_id, place, png)`` returns (a URL).  Each PDF is opened once; a document whose file is missing
    or unreadable gets no crops and ``on_error(doc_id, exc)`` is called — the other documents go on.
    Returns the number of images made."""
    from juesuan.pdfcrop import PdfCropper, page_of

    made = 0
    for doc, ps in places.items():
        path = pdfs.get(doc)
        todo = [p for p in ps if p.image is None and page_of(p.ref) is not None]
        if path is None or not todo:
            continue
        try:
            with PdfCropper(path) as cropper:
                done: dict[tuple[str, str | None], tuple[str, str] | None] = {}
                for p in todo:
                    key = (p.ref, p.printed)
                    if key not in done:
                        region = cropper.region(p.ref, p.printed)
                        done[key] = (store(doc, p, cropper.png(region)), region.how) if region else None
                        made += region is not None
                    if done[key]:
                        p.image, p.image_how = done[key]
        except Exception as exc:  # noqa: BLE001 - one bad or missing PDF never stops the pages of the others
            if on_error is not None:
                on_error(doc, exc)
    return made


def pdf_sources(con, doc_ids: Iterable[str]) -> dict[str, Path]:
    """doc_id → the PDF file it was read from, for the given documents whose source is a PDF still on disk."""
    ids = list(doc_ids)
    if not ids:
        return {}
    rows = con.execute("select doc_id, source_path from marts.dim_document "
                       "where format = 'pdf' and doc_id in (select unnest(?::varchar[]))", [ids]).fetchall()
    return {doc: Path(path) for doc, path in rows if path and Path(path).is_file()}
