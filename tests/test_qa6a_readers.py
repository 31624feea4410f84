"""Readers: UTF-16 text without a BOM is read, told by its zero bytes."""

from __future__ import annotations

import pytest
from conftest import SEEDS

from ingest.parse import parse_file
from ingest.pipeline import _parse_one


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_reads_as_the_utf8_original(tmp_path, encoding):
    original = parse_file(SEEDS["002"])
    path = tmp_path / "002.txt"
    path.write_bytes(SEEDS["002"].read_text(encoding="utf-8").encode(encoding))   # no BOM
    doc = parse_file(path)
    assert (doc.encoding, doc.status) == (encoding, "ok")
    assert [(o.source_ref, o.value_text, o.kind, o.item, o.value) for o in doc.result.observations] == \
        [(o.source_ref, o.value_text, o.kind, o.item, o.value) for o in original.result.observations]
    assert len(doc.result.observations) == 205


def test_nul_bytes_anywhere_are_still_a_binary_file(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(b"\x00\x01garbage" * 40)
    assert _parse_one(str(path)) == ("error", ("binary file, not text (contains NUL bytes)", "byte 0"))
