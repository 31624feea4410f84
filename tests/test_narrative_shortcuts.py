"""The narrative reader's shortcuts give what the plain definitions give (issue 14, ingest speed).

Each is checked on every line and every sentence of the bundled reports, and on texts made to sit on the
shortcut's edge:

- a sentence holding none of the anchored patterns' words skips the anchored patterns (one search for all
  their words first) — the same anchored tokens as trying every pattern;
- a sentence without anchored tokens is scanned by a loop without block bookkeeping (tokens._scan_free) —
  the same tokens as the general loop with nothing blocked;
- a match's token made from a table of its group name, its number's digits read inline — the kinds,
  values, decimals and units of the plain definitions (numbers.to_decimal, decimals_of);
- the interpreter's unit-class table and its written-out _State.__init__ — unit_class and the declared
  defaults.
"""

from __future__ import annotations

import dataclasses
import re

from conftest import REPORTS

from ingest.narrative import interpreter as I
from ingest.narrative import tokens as T
from ingest.numbers import decimals_of, to_decimal
from ingest.paragraphs import _split

LINES = sorted({line.strip() for p in sorted(REPORTS.glob("*.txt"))
                for line in p.read_text(encoding="utf-8").splitlines() if line.strip()})
SENTENCES = sorted({s for line in LINES for _, s in _split(line)})
EDGES = [
    "一般公共服务支出（类）人大事务（款）行政运行（项）支出 12.50 万元。", "（类）", "(201)支出 3 万元",
    "变动原因：人员增加。", "决算数大于年初预算数的主要原因是：项目增加", "工人文化宫共有编制 12 人",
    "“职工帮扶”专项预算项目自评综述", "开展了部门重点绩效评价", "增长 12%%，执行率 99.5%", "购置 3 台（套）设备",
    "收入 1,234.50 万元，为零", "2023 年度收入 0.5 亿元、36,000 元", "无", "", "。", "12", "1.2.3",
]
TEXTS = SENTENCES + EDGES


def test_the_bundled_sentences_exercise_both_scans():
    scanner = T._scanner()
    anchored = [s for s in TEXTS if T._anchored_tokens(scanner, s)]
    assert len(TEXTS) > 1_000 and len(anchored) > 100


def test_anchored_tokens_behind_the_words_prefilter_equal_every_pattern_tried():
    scanner = T._scanner()
    unfiltered = dataclasses.replace(scanner, any_anchor_word=re.compile(""))  # (finds a word everywhere)
    for text in TEXTS + LINES:
        assert T._anchored_tokens(scanner, text) == T._anchored_tokens(unfiltered, text), text


def test_the_free_scan_equals_the_general_loop_with_nothing_blocked():
    scanner = T._scanner()
    tried = 0
    for text in TEXTS + LINES:
        if T._anchored_tokens(scanner, text):
            continue
        assert T._scan_free(scanner, text) == T._scan_blocked(scanner, text, []), text
        tried += 1
    assert tried > 1_000


def _kind_plain(group: str) -> str:
    """The token kind the scanner's group names stood for (the definition _kind_of_group tabulates)."""
    if group.startswith("L"):
        return "label"
    if group in ("N", "Z"):
        return "num"
    return group[2:]


def test_token_kinds_by_table_equal_the_group_names_read():
    scanner = T._scanner()
    assert {name: kind for name, (_, kind) in scanner.kinds.items()} == {
        name: _kind_plain(name) for name in scanner.kinds}
    assert scanner.kinds["K_year"] == (T._YEAR, "year") and scanner.kinds["Z"] == (T._ZERO, "num")
    assert len(scanner.kinds) == len(scanner.factories) + len(T.KEYWORDS) + len(T.KEYWORDS_AFTER_LABELS) + 4


def test_number_tokens_equal_the_plain_reading_of_their_match():
    number = re.compile(T.NUMBER)
    seen = set()
    for text in TEXTS:
        for tok in T._scan(text):
            if tok.kind != "num" or tok.text == "零":
                continue
            m = number.match(text, tok.start)
            digits, unit = m.group("num"), m.group("unit") or ""
            unit = unit.rstrip("%") + ("%" if unit.startswith("%") else "")
            assert (tok.value, tok.decimals, tok.unit) == (to_decimal(digits), decimals_of(digits), unit), text
            seen.add(tok.unit)
    assert {"万元", "%", "元", "人", "台（套）", ""} <= seen
    assert [(t.value, t.decimals, t.unit) for t in T._scan("增长 12%%，为零") if t.kind == "num"] == [
        (to_decimal("12"), 0, "%"), (0, 0, "万元")]


def test_unit_classes_equal_unit_class():
    for unit in (*T.MONEY_UNITS, *T.COUNT_UNITS, "%", "分", "", "‰", "亩", "万"):
        assert T.UNIT_CLASSES.get(unit, "bare") == T.unit_class(unit), unit


def test_state_init_sets_the_declared_defaults():
    st = I._State(2023, ["subject"], True)
    assert (st.year, st.subjects, st.fresh) == (2023, ["subject"], True)
    for f in dataclasses.fields(I._State):
        if f.name in ("year", "subjects", "fresh"):
            continue
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        assert getattr(st, f.name) == default, f.name
    assert I._State(None, [], False).parent is not I._State(None, [], False).parent  # (fresh lists)


def test_a_subject_with_an_item_is_the_replaced_subject_made_once():
    from ingest.narrative import labels as L

    s = L.Subject("expenditure_economic", "wages", economic_code="30101")
    made = I._with_item(s, "basic")
    assert made == dataclasses.replace(s, item="basic") and made.economic_code == "30101"
    assert I._with_item(s, "basic") is made and I._with_item(s, "project") == dataclasses.replace(s, item="project")
    other = L.Subject("expenditure_economic", "wages", economic_code="30102")  # equal fields but one: its own
    assert I._with_item(other, "basic").economic_code == "30102"
