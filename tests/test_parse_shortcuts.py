"""The parse's shortcuts give what the full tests give (issue 14, ingest speed).

Each shortcut is a cheap test that rejects a line before an expensive one, or an index or cache in
front of a pure function; each is compared here with the plain definition on every line of the
bundled reports (and on texts made to sit on the shortcut's edge):

- a project title ends in 告/目/表 (parse._may_be_title) — every line, and every paragraph's
  lines joined, is classified the same with and without it;
- the standard-table aliases tried by last character (standard._by_alias) — the same table as
  trying every alias, longest first;
- heading_of, clean_label, toc's heading form and metadata's per-line unit votes, cached per
  text — the same result as the uncached function, asked twice.
"""

from __future__ import annotations

import re

from conftest import REPORTS

from ingest import metadata, parse, toc, vocab
from ingest.performance import DEPARTMENT_PROJECT, _key_of, project_key, project_name
from ingest.sections import _heading, heading_of
from ingest.tables import standard

LINES = sorted({line for p in sorted(REPORTS.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()})
EDGES = [
    "2023年度部门整体支出绩效自评报告", "2023年度部门整体支出绩效自评报告  ", "劳动者驿站运行专项预算项目\u3000",
    "职工书屋建设项目绩效自评表", "2023年困难职工帮扶项目绩效自评报告。", "收入支出决算总表", "部门收入支出决算总表 ",
    "政府采购支出预算表", "“三公”经费支出决算表", "一、收入支出决算总体情况说明", "", "   ", "表", "告",
]


def _title_unfiltered(text: str) -> str | None:
    """parse._title_of without the last-character test: the patterns alone."""
    text = "".join(text.split())
    if not text or len(text) > 50:
        return None
    if any(p.match(text) for p in parse._DEPARTMENT_TITLES):
        return DEPARTMENT_PROJECT
    for pattern in parse._PROJECT_TITLES:
        m = pattern.match(text)
        if m and not re.search("部门整体|整体支出", m.group("name")):
            return project_name(m.group("name"))
    return None


def test_the_bundled_reports_have_titles_to_find():
    found = {parse._title_of(line) for line in LINES} - {None}
    assert DEPARTMENT_PROJECT in found and len(found) >= 5


def test_title_prefilter_keeps_every_title():
    for text in LINES + EDGES:
        assert parse._title_of(text) == _title_unfiltered(text), text


def test_wrapped_titles_are_found_as_without_the_prefilter():
    for path in sorted(REPORTS.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        skip = {i for i, line in enumerate(lines) if "\t" in line}
        every = parse._printed_lines(lines, skip)
        kept = parse._printed_lines(lines, skip, only_titles=True)
        titled = [g for g in every if _title_unfiltered("".join(lines[i].strip() for i in g))]
        assert [g for g in titled if g not in kept] == [], path.name


def _alias_unindexed(t: str):
    for candidate in (t, standard._TITLE_NOISE.sub("", t).replace("、", "")):
        for alias, tdef in standard._ALIASES:
            if candidate == alias or (candidate.endswith(alias) and len(candidate) - len(alias) <= 8
                                      and not standard._OTHER_TABLE.search(candidate[:len(candidate) - len(alias)])):
                return tdef
    return None


def test_standard_titles_by_last_character_equal_every_alias_tried():
    texts = [vocab.clean_label(t) for t in LINES + EDGES] + [a for a, _ in standard._ALIASES]
    named = 0
    for t in texts * 2:  # second round: from the cache
        assert standard._by_alias(t) is _alias_unindexed(t), t
        named += standard._by_alias(t) is not None
    assert named >= 2 * len(standard._ALIASES)


def test_cached_line_functions_equal_their_definitions():
    for text in (LINES + EDGES + ["x" * 450, "一、" + "收入" * 210]) * 2:
        assert heading_of(text) == _heading(text)
        assert vocab.clean_label(text) == vocab._clean(text)
        assert toc._heading_like(text) == toc._heading_form(text)
        if len(text) <= 400:
            assert metadata._cached_line_votes(text) == metadata._line_votes(text)
        assert project_key(text) == (_key_of(text) if text else None)
        assert vocab.revenue_item(text) == vocab._revenue_item.__wrapped__(text)
        assert vocab.expenditure_item(text) == vocab._expenditure_item.__wrapped__(text)
        assert vocab.level1_of(text) == vocab._level1.__wrapped__(text)
        assert vocab.level2_of(text) == vocab._level2.__wrapped__(text)
    assert vocab.expenditure_item("（一）本年 基本支出") == "basic" and vocab.revenue_item("其他收入") == "other"
    assert vocab.level1_of("产出指标（50分）") == "产出指标" and vocab.level2_of("社会效 益") == "社会效益指标"
    assert heading_of("一、收入支出决算总体情况说明") == (2, "一", "收入支出决算总体情况说明")
    assert vocab.clean_label("（二）“三公”经费") == "三公经费"


def _matches_plain(entry: str, heading: str, kind: str) -> bool:
    """toc._matches as first written: difflib's ratio() asked whenever the containment tests fail."""
    from difflib import SequenceMatcher
    if kind == "table" and "表" not in heading:
        return False
    core = toc._OWNER.sub("", entry)
    if len(core) >= 4 and core in heading and len(heading) - len(core) <= 20:
        return True
    if entry == heading or (len(entry) >= 4 and entry in heading and len(heading) - len(entry) <= 16):
        return True
    if kind == "section" and len(heading) >= 4 and heading in entry and len(entry) - len(heading) <= 6:
        return True
    return len(entry) >= 6 and SequenceMatcher(None, entry, heading).ratio() >= 0.85


def test_toc_matching_with_ratio_bounds_equals_ratio():
    headings = sorted({h for h in map(toc._heading_like, LINES + EDGES) if h})
    entries = {(e.key, e.kind) for p in sorted(REPORTS.glob("*.txt"))
               for e in toc.find(p.read_text(encoding="utf-8").splitlines()).entries}
    assert len(entries) >= 20
    near = 0
    for key, kind in sorted(entries):
        for h in headings + [key[:-1] + "X", "本部门" + key, key[1:]]:
            assert toc._matches(key, h, kind) == _matches_plain(key, h, kind), (key, h)
            near += toc._matches(key, h, kind)
    assert near >= len(entries)


def test_lines_ending_with_equals_the_test_of_every_line():
    """lines.ending_with (one regex pass) = the lines whose rstrip() ends with one of the characters, on the
    bundled reports and on edges: trailing blanks of every kind, the character mid-line, twice on a line,
    alone, on the first and last line, a line holding a line break (tested one by one), no lines."""
    from ingest.lines import ending_with

    docs = [p.read_text(encoding="utf-8").split("\n") for p in sorted(REPORTS.glob("*.txt"))]
    docs += [["表", "收入支出决算总表 ", "表格说明", "绩效自评表\t", "表表", "报告\u3000\x0b", "目录 \r", "", "  ", "告"],
             ["a\n表", "b表"], [], ["表"]]
    hits = 0
    for lines in docs:
        for chars in ("表", "告目表"):
            expected = [i for i, line in enumerate(lines) if line.rstrip().endswith(tuple(chars))]
            assert ending_with(lines, chars) == expected
            hits += len(expected)
    assert hits > 50


def test_lines_without_a_mapped_character_are_normalised_as_with_the_full_map():
    """normalise_line skips str.translate on a line holding no character of the map: the same result as
    translating every line, on the bundled reports and on each mapped character alone and inside text."""
    from ingest import normalize

    def plain(line: str) -> str:
        line = line.translate(normalize._TRANSLATE)
        if "，" in line:
            line = normalize._WIDE_THOUSANDS.sub(",", line)
        if "\\" in line:
            line = normalize._LATEX.sub(lambda m: normalize._LATEX_MAP[m.group(1)], line)
        return line.rstrip(" \r\n")

    mapped = [chr(cp) for cp in normalize._TRANSLATE]
    texts = LINES + mapped + [f"支出{c}１２，３４５．６{c}万元 " for c in mapped] + ["收入，支出（类）：", "a\\leq b\u3000"]
    for text in texts:
        assert normalize._normalise(text) == plain(text), repr(text)
    assert normalize._normalise("１２，３４５．６％\u3000") == "12,345.6%"


def test_unit_votes_gated_by_each_patterns_words_equal_every_pattern_tried():
    """metadata._line_votes searches a line only with the patterns whose words it holds: the votes equal
    those of every pattern tried on every line, on the bundled reports and lines made to hold one
    pattern's words inside another's context."""
    from ingest.normalize import squash

    def plain(text: str) -> list[tuple[str, float]]:
        text = text.strip()
        return [(squash(m.group(1)), w) for p, w, _ in metadata._UNIT_PATTERNS for m in p.finditer(text)]

    texts = LINES + ["编制单位：宜丰县财政局", "纳入宜丰县财政局2023年度决算编制范围的单位", "宜丰县财政局部门整体支出绩效自评报告",
                     "2023年度宜丰县财政局决算", "宜丰县财政局下属单位", "本单位作为宜丰县财政局一级预算单位",
                     "部门（单位）名称：宜丰县总工会", "2023年宜丰县财政局绩效评价报告"]
    votes = 0
    for text in texts:
        if not text.strip() or len(text.strip()) > 400:
            continue
        expected = plain(text)
        # (the votes of the patterns come first, those of a labelled unit after them)
        assert list(metadata._line_votes(text)[:len(expected)]) == expected, text
        votes += len(expected)
    assert votes > 20


def _back_plain(sentence: str, start: int, chars: str, max_back: int) -> int:
    """Where an anchored token's backward extension stops, one character at a time (the definition)."""
    k = start
    while k > 0 and start - k < max_back and re.match(f"[{chars}]", sentence[k - 1]):
        k -= 1
    return k


def test_anchored_back_run_equals_stepping_back_a_character_at_a_time():
    from ingest.narrative import labels as L
    from ingest.narrative.tokens import ANCHORED_KEYWORDS, _back_run

    rules = [(back, n) for _, _, back, n, _ in ANCHORED_KEYWORDS if back] + [(back, n) for _, back, n, _, _ in L.ANCHORED]
    texts = LINES + ["（类）", "a（项）", "“" + "中" * 60 + "项目自评综述", "对" + "名" * 50 + "开展重点评价", "\n（款）"]
    tried = 0
    for chars, max_back in rules:
        run = _back_run(chars, max_back)
        for text in texts:
            for start in range(0, len(text) + 1, 3):
                assert run.search(text, max(0, start - max_back), start).start() == \
                    _back_plain(text, start, chars, max_back), (chars, text, start)
                tried += 1
    assert tried > 10_000



def test_anchored_words_are_in_every_match_of_their_anchor():
    """The tokenizer skips an anchor in a sentence holding none of its words: equal only if every match
    holds one — checked on every bundled line (and made-up edges) for every anchor."""
    from ingest.narrative import labels as L
    from ingest.narrative.tokens import ANCHORED_KEYWORDS

    rules = [(anchor, words) for _, anchor, _, _, words in ANCHORED_KEYWORDS] + \
        [(anchor, words) for anchor, _, _, _, words in L.ANCHORED]
    edges = ["差异原因：", "变化原因分析", "工人文化宫共有", "医院编制", "机关现有", "（类）", "(201)", "（20101）",
             "（2010101）", "（201 款）", "专项预算项目自评综述", "项目绩效自评综述", "预算项目绩效", "专项预算项目2023",
             "开展了部门重点绩效评价", "开展重点评价", "“劳模”项目", '"劳模"预算项目', "”专项预算项目"]
    found = 0
    for anchor, words in rules:
        assert words
        pattern = re.compile(anchor)
        for text in LINES + edges:
            for m in pattern.finditer(text):
                assert any(w in m.group(0) for w in words), (anchor, text)
                found += 1
    assert found > 200
