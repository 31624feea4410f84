"""Tokenise prose into labels, keywords, years and numbers with units.

Semantics are those of one alternation scanned left to right: at any position
the first alternative (in list order) that matches wins, so multi-word phrases
(…的主要原因是, 与上年相比, 完成年初预算的) are listed before the words they
contain.  Two devices keep this fast enough for thousands of reports:

* first-character dispatch — every alternative's possible first characters
  are computed from its parse tree; the scanner jumps between candidate
  positions with one character class and tries only the alternatives that can
  start there;
* anchored patterns — phrases that begin with a free run of characters (a
  project's name before 项目自评综述, a name before （类）) are found by their
  fixed anchor and extended backwards, then take precedence over anything
  they overlap.
"""

from __future__ import annotations

import csv
import re
import re._constants as C
import re._parser as P
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ingest.narrative import labels as L

CJK = L.CJK

MONEY_UNITS = ("万余元", "余万元", "万元", "亿元", "千元", "元")
COUNT_UNITS = {
    "人次": "people", "万人次": "people", "万余人": "people", "人": "people", "名": "people", "户": "households",
    "个": "items", "辆": "vehicles", "台（套）": "sets", "台(套)": "sets", "台": "sets", "套": "sets",
    "家": "items", "批次": "batches", "次": "times", "项": "items", "场": "items", "期": "items",
}

KEYWORDS: list[tuple[str, str]] = [
    ("malformed", r"占\s*[a-zA-Z]{1,3}\s*%"),
    ("flat_prior", r"(?:与|较|比)\s*(?:上年|上一年|去年|上年度|20\d\d\s*年度?)(?:决算数?|数据|同期|度)?(?:相比|比较)?[，,]?\s*(?:无变化|持平|无变动|没有变化|基本持平|不变)"),
    ("flat_budget", r"(?:决算数)?与(?:年初|全年)?预算数?(?:相比)?(?:无差异|持平|一致)|决算数等于预算数"),
    ("cmp_prior", r"(?:与|较|比)\s*(?:上年|上一年|去年|上年度|20\d\d\s*年度?)(?:决算数?|数据|同期|度)?(?:相比|比较)?"),
    ("cmp_budget", r"与(?:年初|全年)?预算(?:数)?(?:相比|比较)|比(?:年初|全年)?预算(?:数)?"),
    ("completion", r"完成(?:了)?(?:年初|全年)?预算(?:数)?的?|预算完成率(?:为)?|(?<!资金)完成率(?:为)?"),
    ("exec_rate", r"(?:预算)?执行率(?:为)?|预算执行进度(?:为)?"),
]
KEYWORDS_AFTER_LABELS: list[tuple[str, str]] = [
    ("prior_year_end", r"截[止至]\s*上年(?:年)?底|截[止至]\s*上年末"),
    ("year", r"(20\d\d)\s*年(?:度)?"),
    # a fund's name (一般公共预算 …) standing alone says nothing of a measure: not 预算 the keyword
    ("fund", r"一般公共预算|政府性基金预算|国有资本经营预算"),
    ("budget_initial", r"年初预算(?:数)?(?:为)?|申报(?:数)?(?:为)?"),
    ("budget_full", r"全年预算(?:数)?(?:为)?|调整(?:后)?预算(?:数)?(?:为)?|财政批复(?:数)?(?:为)?"),
    ("budget", r"(?:经费)?预算(?:数|安排)?(?:为)?"),
    ("actual", r"(?:支出)?决算(?:数|金额)?(?:为)?|(?:全年)?执行数(?:为)?|实际(?:支出|发放|完成数?|执行|到账)(?:数)?(?:为)?"),
    ("share", r"占(?:全部|整个)?"),
    ("detail", r"其中[：:,，]?|主要用于以下方面[：:]?|主要包括[：:]?|具体包括[：:]?|包括[：:]?|具体(?:情况)?如下[：:]?|(?:主要)?内容如下[：:]?"),
    ("purpose", r"(?:主要)?用于[：:]?"),
    ("score", r"(?:自评|评价)?(?:得分|总分)(?:为|均为)?|评分(?:为)?"),
    ("up", r"增加了?|增长了?|上升了?|提高了?|增多"),
    ("down", r"减少了?|下降了?|降低了?"),
    ("none", r"无(?![论法需违此])"),
    ("amount_label", r"金额(?=\s*\d)"),
]
# Keywords found by an anchor and extended backwards (see module docstring).
# (name, anchor, backward char class, max back, words: as labels.anchored's)
ANCHORED_KEYWORDS: list[tuple[str, str, str, int, tuple[str, ...]]] = [
    # "决算数大于年初预算数的主要原因是：" — the words before 的 belong to the phrase
    ("explain", r"(?:主要|变动|增减|差异|变化)?原因(?:是|为|主要是|分析)?[：:]?", "", 0, ("原因",)),
    ("entity", r"(?:工人文化宫|文化宫|医院|机关)(?=共有|现有|实有|编制|行政编制|事业编制)", CJK, 10,
     ("文化宫", "医院", "机关")),
]
_UNIT = (
    r"万余元|余万元|万元|亿元|千元|元(?![/／])|%%?|‰|万人次|万余人|人次|批次|台[（(]套[）)]|"
    r"人(?![/／民])|名|户|个|辆|台|套|家|次|项|场|期|分(?!之)"
)
# A number never starts inside a bracketed document number (渝财预〔2023〕12号) or after 第;
# one followed by 年/月/日/号 is a date, a year or a document number, and "6.2026年" (a list
# item numbered 6 starting with a year) is no number at all: the fraction is never dropped
# to make the rest match.
NUMBER = (
    rf"(?<![\d.,〔［\[【第])(?P<num>(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)(?![\d])(?!\.\d)(?!\s*[年月日号])"
    rf"\s*(?P<unit>{_UNIT})?"
)


@dataclass(slots=True)  # (one per token: smaller, attribute access without a __dict__)
class Token:
    kind: str  # label | num | keyword name | group | clause
    start: int
    end: int
    text: str
    # a label's subjects (a shared list, see _subjects); other tokens have none: one shared empty tuple, not a
    # new list each (≈ 13,000 of the 45,000 objects 50 reports leave in a worker's caches, walked by every
    # garbage collection until frozen)
    subjects: Sequence[L.Subject] = ()
    value: Decimal | None = None
    decimals: int = 0
    unit: str = ""
    year: int | None = None


def _seed_rows(filename: str, *columns: str) -> list[tuple[str, ...]]:
    path = Path(__file__).resolve().parents[2] / "seeds" / filename
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [tuple(row.get(c) or "" for c in columns) for row in csv.DictReader(f) if row.get(columns[1])]


# ---------------------------------------------------------------- dispatch
_ANY = None  # "can start with any character"


def _first_chars(pattern: str) -> set[str] | None:
    """Characters a match of ``pattern`` can start with (None: too many to list)."""

    def seq(items) -> tuple[set[str] | None, bool]:
        out: set[str] = set()
        for op, av in items:
            first, nullable = item(op, av)
            if first is _ANY:
                return _ANY, False
            out |= first
            if not nullable:
                return out, False
        return out, True

    def item(op, av) -> tuple[set[str] | None, bool]:
        if op is C.LITERAL:
            return {chr(av)}, False
        if op is C.IN:
            chars: set[str] = set()
            for iop, iav in av:
                if iop is C.LITERAL:
                    chars.add(chr(iav))
                elif iop is C.RANGE and iav[1] - iav[0] < 400:
                    chars |= {chr(c) for c in range(iav[0], iav[1] + 1)}
                elif iop is C.CATEGORY and iav is C.CATEGORY_DIGIT:
                    chars |= set("0123456789")
                else:
                    return _ANY, False
            return chars, False
        if op is C.SUBPATTERN:
            return seq(av[-1])
        if op is C.BRANCH:
            out: set[str] = set()
            nullable = False
            for branch in av[1]:
                first, n = seq(branch)
                if first is _ANY:
                    return _ANY, False
                out |= first
                nullable |= n
            return out, nullable
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            low, _high, sub = av
            first, n = seq(sub)
            return first, (low == 0 or n)
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return set(), True  # zero width
        return _ANY, False

    first, _ = seq(P.parse(pattern))
    return first


@dataclass
class _Scanner:
    candidates: re.Pattern[str]
    dispatch: dict[str, re.Pattern[str]]
    factories: dict[str, L.Factory]
    # (name, a pattern of the words one of which every match holds, anchor, the run of characters it extends back over (ending
    # where the anchor starts) or None, the run's longest, factory)
    anchored: list[tuple[str, re.Pattern[str], re.Pattern[str], re.Pattern[str] | None, int, L.Factory | None]]
    anchored_factories: dict[str, L.Factory]
    # any anchored pattern's words: a sentence holding none (most) skips the anchored patterns at once
    any_anchor_word: re.Pattern[str]
    # a match's group name → (what makes its token, the token's kind): one lookup instead of string tests
    # and a slice per token
    kinds: dict[str, tuple[int, str]]


@lru_cache(maxsize=1)
def _scanner() -> _Scanner:
    L.function_class_codes(_seed_rows("function_subjects.csv", "function_code", "name", "level"))
    L.economic_labels(_seed_rows("economic_subjects.csv", "economic_code", "name", "parent_code"))
    alternatives: list[tuple[str, str]] = []
    factories: dict[str, L.Factory] = {}
    for name, pattern in KEYWORDS:
        alternatives.append((f"K_{name}", pattern))
    for i, (pattern, factory) in enumerate(L.LABELS):
        alternatives.append((f"L{i}", pattern))
        factories[f"L{i}"] = factory
    for name, pattern in KEYWORDS_AFTER_LABELS:
        alternatives.append((f"K_{name}", pattern))
    alternatives.append(("N", NUMBER))
    alternatives.append(("Z", r"(?<=为)零"))
    alternatives.append(("S_group", r"[、和及与]"))
    alternatives.append(("S_clause", r"[，,；;]"))

    by_char: dict[str, list[int]] = {}
    for index, (name, pattern) in enumerate(alternatives):
        first = _first_chars(pattern)
        if first is _ANY:
            raise ValueError(f"pattern {name} can start anywhere; register it as anchored: {pattern}")
        for ch in first:
            by_char.setdefault(ch, []).append(index)
    compiled: dict[tuple[int, ...], re.Pattern[str]] = {}
    dispatch: dict[str, re.Pattern[str]] = {}
    for ch, indices in by_char.items():
        key = tuple(indices)
        if key not in compiled:
            compiled[key] = re.compile("|".join(f"(?P<{alternatives[i][0]}>{alternatives[i][1]})" for i in key))
        dispatch[ch] = compiled[key]
    candidates = re.compile("[" + "".join(re.escape(ch) for ch in sorted(by_char)) + "]")

    anchored = []
    for name, anchor, back, max_back, words in ANCHORED_KEYWORDS:
        anchored.append((f"K_{name}", _any_word(words), re.compile(anchor), _back_run(back, max_back) if back else None,
                         max_back, None))
    for i, (anchor, back, max_back, factory, words) in enumerate(L.ANCHORED):
        anchored.append((f"A{i}", _any_word(words), re.compile(anchor), _back_run(back, max_back), max_back, factory))
    anchored_factories = {f"A{i}": factory for i, (_, _, _, factory, _) in enumerate(L.ANCHORED)}
    any_anchor_word = _any_word(tuple(w for *_, words in ANCHORED_KEYWORDS for w in words)
                                + tuple(w for *_, words in L.ANCHORED for w in words))
    kinds = {name: _kind_of_group(name) for name, _ in alternatives}
    return _Scanner(candidates, dispatch, factories, anchored, anchored_factories, any_anchor_word, kinds)


_LABEL, _NUMBER, _ZERO, _KEYWORD, _YEAR, _SEPARATOR = range(6)


def _kind_of_group(name: str) -> tuple[int, str]:
    """What a scanner alternative's group name makes (see _token): L<i> a label, N a number, Z a stated zero,
    K_<kind> a keyword (K_year carries its year), S_<kind> a separator."""
    if name.startswith("L"):
        return _LABEL, "label"
    if name == "N":
        return _NUMBER, "num"
    if name == "Z":
        return _ZERO, "num"
    if name == "K_year":
        return _YEAR, "year"
    # (interned: the interpreter compares kinds with its literals, which are, so equal kinds are the same object)
    if name.startswith("K_"):
        return _KEYWORD, sys.intern(name[2:])
    return _SEPARATOR, sys.intern(name[2:])


def _any_word(words: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern finding any of ``words`` (one search: cheaper than a test of each word)."""
    return re.compile("|".join(map(re.escape, words)))


def _back_run(chars: str, max_back: int) -> re.Pattern[str]:
    """A run (≤ ``max_back`` long) of ``chars`` (a character-class body) that ends at a search's ``endpos``:
    searched from ``endpos - max_back``, the leftmost match is the longest such run."""
    return re.compile(f"[{chars}]{{0,{max_back}}}\\Z")


_EXPLAIN_LEAD = re.compile(rf"[{CJK}]{{0,10}}的$")


def _anchored_tokens(scanner: _Scanner, sentence: str) -> list[Token]:
    tokens: list[Token] = []
    if scanner.any_anchor_word.search(sentence) is None:
        return tokens  # (most sentences: no anchored pattern's word, so no anchored match)
    for name, words, anchor, back, back_max, factory in scanner.anchored:
        if words.search(sentence) is None:
            continue  # (no match can be there: the anchor's words are not)
        for m in anchor.finditer(sentence):
            start = m.start()
            if name == "K_explain":
                lead = _EXPLAIN_LEAD.search(sentence, max(0, start - 11), start)
                if lead:
                    start = lead.start()
            elif back is not None:
                k = back.search(sentence, max(0, start - back_max), start).start()
                if start - k < (1 if name.startswith("A") else 2):
                    if name.startswith("A") and factory is not None and m.group(0).startswith(("（", "(")):
                        pass  # a bare "（项）" still belongs to a chain
                    else:
                        continue
                if k > 0 and sentence[k - 1] in "“\"":
                    k -= 1
                start = k
            text = sentence[start:m.end()]
            if factory is None:
                tokens.append(Token(name[2:], start, m.end(), text))
            else:
                tokens.append(Token(name, start, m.end(), text))
    if not tokens:
        return tokens  # (most sentences: no anchor)
    # 类/款/项 segments that touch form one chain
    tokens.sort(key=lambda t: (t.start, -t.end))
    merged: list[Token] = []
    for t in tokens:
        if merged and t.kind == merged[-1].kind and t.kind.startswith("A") and t.start == merged[-1].end:
            prev = merged[-1]
            merged[-1] = Token(prev.kind, prev.start, t.end, sentence[prev.start:t.end])
        else:
            merged.append(t)
    out: list[Token] = []
    for t in merged:
        if t.kind.startswith("A"):
            subjects = _anchored_subjects(t.kind, t.text)
            if subjects:
                out.append(Token("label", t.start, t.end, t.text, subjects))
        else:
            out.append(t)
    # overlapping anchored tokens: the one that starts first (then the longer) wins
    result: list[Token] = []
    for t in sorted(out, key=lambda t: (t.start, -t.end)):
        if result and t.start < result[-1].end:
            continue
        result.append(t)
    return result


def tokenize(sentence: str) -> list[Token]:
    """The tokens of one sentence, in order (see the module docstring for how they are found).

    A pure function of the text.  Not cached here: its one caller in the parse, the interpreter, caches what
    it reads of a sentence (``interpreter._read``: these tokens, disambiguated, and facts about them) per
    distinct sentence, so the same sentence (boilerplate, the national glossary, a heading repeated in every
    report of a province) is scanned once per process; a second cache of the same tokens by the same key only
    doubled the objects a worker keeps (and its garbage collections walk).  Tokens may be shared (a label's
    subjects are) and must not be changed (``dataclasses.replace`` makes a changed copy).
    """
    return list(_scan(sentence))


def _scan(sentence: str) -> tuple[Token, ...]:
    scanner = _scanner()
    anchored = _anchored_tokens(scanner, sentence)
    if not anchored:
        return _scan_free(scanner, sentence)
    return _scan_blocked(scanner, sentence, anchored)


def _scan_blocked(scanner: _Scanner, sentence: str, anchored: list[Token]) -> tuple[Token, ...]:
    """The tokens of ``sentence`` around its ``anchored`` tokens (sorted, not overlapping): no match runs
    into an anchored token's stretch."""
    tokens: list[Token] = []
    blocks = [(t.start, t.end) for t in anchored]
    block_i = 0
    pos = 0
    n = len(sentence)
    while pos < n:
        while block_i < len(blocks) and blocks[block_i][1] <= pos:
            block_i += 1
        limit = blocks[block_i][0] if block_i < len(blocks) else n
        if pos >= limit:  # inside an anchored token
            pos = blocks[block_i][1]
            continue
        m = scanner.candidates.search(sentence, pos, limit)
        if m is None:
            pos = blocks[block_i][1] if block_i < len(blocks) else n
            continue
        i = m.start()
        mm = scanner.dispatch[sentence[i]].match(sentence, i)
        if mm is None or mm.end() > limit:
            pos = i + 1
            continue
        token = _token(mm, scanner)
        if token is not None:
            tokens.append(token)
        pos = mm.end() if mm.end() > i else i + 1
    if anchored:
        tokens = sorted(tokens + anchored, key=lambda t: t.start)
    return tuple(tokens)


def _scan_free(scanner: _Scanner, sentence: str) -> tuple[Token, ...]:
    """_scan's loop for a sentence without anchored tokens (most): nothing blocks any stretch, so every
    match may run to the sentence's end — the same tokens without the loop's block bookkeeping."""
    search = scanner.candidates.search
    dispatch = scanner.dispatch
    tokens: list[Token] = []
    pos = 0
    while (m := search(sentence, pos)) is not None:
        i = m.start()
        mm = dispatch[sentence[i]].match(sentence, i)
        if mm is None:
            pos = i + 1
            continue
        token = _token(mm, scanner)
        if token is not None:
            tokens.append(token)
        end = mm.end()
        pos = end if end > i else i + 1
    return tuple(tokens)


@lru_cache(maxsize=1 << 13)
def _subjects(group: str, text: str) -> list[L.Subject]:
    """What a label's text names (its factory is a pure function of the text): the same label is met
    in many sentences.  The list is shared and must not be changed."""
    return _scanner().factories[group](text)


@lru_cache(maxsize=1 << 12)
def _anchored_subjects(name: str, text: str) -> list[L.Subject]:
    """What an anchored label's text names (as _subjects, for the anchored factories).  Shared: not to be
    changed."""
    return _scanner().anchored_factories[name](text)


def _token(m: re.Match[str], scanner: _Scanner) -> Token | None:
    group = m.lastgroup
    code, kind = scanner.kinds[group]
    start, end = m.span()
    text = m.group()
    # (Tokens positional, in the order of Token's fields — subjects, value, decimals, unit, year: cheaper than
    # by keyword)
    if code == _LABEL:
        subjects = _subjects(group, text)
        return Token(kind, start, end, text, subjects) if subjects else None
    if code == _NUMBER:
        digits, unit = m.group("num", "unit")
        if not unit:
            unit = ""
        elif unit[0] == "%":
            unit = "%"  # (%% is %)
        # (numbers.to_decimal and decimals_of inlined: the pattern admits only well-formed digits, with at most
        # one point)
        point = digits.find(".")
        return Token(kind, start, end, text, (), Decimal(digits.replace(",", "")),
                     len(digits) - point - 1 if point >= 0 else 0, unit)
    if code == _ZERO:
        return Token(kind, start, end, text, (), Decimal(0), 0, "万元")
    if code == _YEAR:
        return Token(kind, start, end, text, (), None, 0, "", int(text[:4]))
    return Token(kind, start, end, text)


def unit_class(unit: str) -> str:
    """What a number's unit measures: money | pct | score | count | bare (no unit, or one not listed)."""
    if unit in MONEY_UNITS:
        return "money"
    if unit == "%":
        return "pct"
    if unit == "分":
        return "score"
    if unit in COUNT_UNITS:
        return "count"
    return "bare"


# unit_class of every unit it names, as one table (the interpreter's lookup per number)
UNIT_CLASSES = {unit: unit_class(unit) for unit in (*MONEY_UNITS, "%", "分", *COUNT_UNITS)}
