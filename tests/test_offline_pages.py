"""The pages a run writes — Great Expectations Data Docs and the findings report — work offline.

Static checks everywhere: no page loads a script, stylesheet, font or image over
http(s). Where headless Chromium is installed (Debian package ``chromium``), the
pages are also opened from file:// with networking cut off: no request may fail,
no console error may appear, the JavaScript-built tables must be filled in, and a
screenshot is left in the test's tmp dir.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from chromium import assert_offline_clean

from expectations import identities, integrity, offline_docs
from juesuan.paths import data_docs_dir, report_html

pytestmark = pytest.mark.pipeline

GE_TEMPLATES = Path(__import__("great_expectations").__file__).parent / "render" / "view" / "templates"

# where a page pulls in another resource (anchors are navigation, not assets)
ASSET_REFS = (
    re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I),
    re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)""", re.I),
    re.compile(r"""<(?:img|source|iframe|embed|video|audio)\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I),
    re.compile(r"""url\(\s*["']?([^"')]+)""", re.I),
    re.compile(r"""@import\s+["']([^"']+)""", re.I),
)


def external_assets(text: str) -> list[str]:
    """Every http(s) or protocol-relative URL the page would fetch as a resource."""
    return [url for pattern in ASSET_REFS for url in pattern.findall(text)
            if re.match(r"(https?:)?//", url, re.I)]


@pytest.fixture(scope="module")
def data_docs(warehouse_db) -> Path:
    site = data_docs_dir(warehouse_db)
    assert (site / "index.html").is_file()
    return site


def site_files(site: Path) -> list[Path]:
    vendor = site / "static" / "vendor"
    return [p for p in sorted([*site.rglob("*.html"), *site.rglob("*.css")]) if vendor not in p.parents]


def validation_page(site: Path, suite: str) -> Path:
    pages = sorted(site.glob(f"validations/**/warehouse-{suite}.html"))
    assert pages, f"no validation page for {suite} under {site}"
    return pages[-1]


# -- the vendored copies are the files GE asks for ------------------------------------------------

def test_every_cdn_asset_in_ges_templates_has_a_vendored_copy():
    referenced = set()
    for template in GE_TEMPLATES.glob("*.j2"):
        referenced |= {u for u in external_assets(template.read_text(encoding="utf-8"))}
    unvendored = {u for u in referenced
                  if u not in offline_docs.ASSETS and not offline_docs.GE_IMAGES.match(u)
                  and not offline_docs.VEGA.fullmatch(u)}
    assert not unvendored, f"GE templates load assets with no copy in expectations/static/vendor: {unvendored}"
    # and nothing is vendored that GE does not reference (the map is not stale)
    assert set(offline_docs.ASSETS) <= referenced
    for rel in offline_docs.ASSETS.values():
        path = offline_docs.VENDOR / rel
        assert path.is_file() and path.stat().st_size > 0, rel
        parts = rel.split("/")
        package = offline_docs.VENDOR.joinpath(*parts[:2 if rel.startswith("@") else 1])  # @scope/name@ver
        # each package keeps its licence file (popper.js ships none: its MIT notice heads the script)
        assert list(package.glob("LICENSE*")) or b"MIT License" in path.read_bytes()[:300], package.name


def test_vendored_scripts_match_the_integrity_hashes_ge_pins():
    pinned = {}
    for template in GE_TEMPLATES.glob("*.j2"):
        for url, digest in re.findall(r"""src="(https://[^"]+)"\s+integrity="sha384-([^"]+)\"""",
                                      template.read_text(encoding="utf-8")):
            pinned[url] = digest
    assert len(pinned) >= 2  # popper and bootstrap js
    for url, digest in pinned.items():
        data = (offline_docs.VENDOR / offline_docs.ASSETS[url]).read_bytes()
        assert base64.b64encode(hashlib.sha384(data).digest()).decode() == digest, url


def test_localize_rewrites_relative_to_each_page_and_drops_unused_vega(tmp_path):
    page = ('<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>\n'
            '<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>\n'
            '<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js" '
            'integrity="sha384-x" crossorigin="anonymous"></script>\n'
            '<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1"/>\n'
            '<script src="https://example.org/new.js"></script>\n<a href="https://greatexpectations.io">GX</a>\n')
    site = tmp_path
    html, left = offline_docs.localize_html(page, site / "validations" / "a", site)
    assert html == ('<link rel="stylesheet" href="../../static/vendor/bootstrap@4.3.1/dist/css/bootstrap.min.css"/>\n'
                    '<script src="../../static/vendor/bootstrap@4.3.1/dist/js/bootstrap.min.js"></script>\n'
                    '<img src="../../static/images/logo-long.png"/>\n'
                    '<script src="https://example.org/new.js"></script>\n<a href="https://greatexpectations.io">GX</a>\n')
    assert left == ["https://example.org/new.js"]  # unknown assets are reported, not silently kept
    # a page that draws a Vega chart keeps (and reports) its Vega scripts
    html, left = offline_docs.localize_html('<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>'
                                            '<script>vegaEmbed("#c", spec)</script>', site, site)
    assert left == ["https://cdn.jsdelivr.net/npm/vega@5"]
    # a local link GE sent one level too high (depth counted from the dots of the suite name) is re-rooted
    (site / "static" / "images").mkdir(parents=True)
    (site / "static" / "images" / "favicon.ico").write_bytes(b"\0")
    page_dir = site / "validations" / "accounting_identities" / "__none__" / "20240101T000000Z"
    page_dir.mkdir(parents=True)
    html, left = offline_docs.localize_html('<link rel="shortcut icon" href="../../../static/images/favicon.ico"/>'
                                            '<link rel="x" href="../../../../static/images/favicon.ico"/>',
                                            page_dir, site)
    assert html == ('<link rel="shortcut icon" href="../../../../static/images/favicon.ico"/>'
                    '<link rel="x" href="../../../../static/images/favicon.ico"/>')
    assert left == []


# -- the pages a run writes -------------------------------------------------------------------------

def test_data_docs_load_nothing_from_the_network(data_docs):
    files = site_files(data_docs)
    pages = [p for p in files if p.suffix == ".html"]
    # index + one expectation page and one validation page per suite: every integrity mart and the identities
    suites = len(integrity.MARTS) + 1
    assert len(list(data_docs.glob("expectations/**/*.html"))) == suites
    assert len(pages) >= 1 + 2 * suites  # other tests may run the checks again: more validation pages
    offenders = {str(p.relative_to(data_docs)): urls for p in files
                 if (urls := external_assets(p.read_text(encoding="utf-8")))}
    assert offenders == {}
    # every local reference resolves to a file in the site
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for pattern in ASSET_REFS[:3]:
            for ref in pattern.findall(text):
                if not ref.startswith(("data:", "#")):
                    assert (page.parent / ref.split("?")[0]).resolve().is_file(), f"{page.name}: {ref}"


def test_findings_report_has_no_external_asset_and_a_cjk_font_chain(warehouse_db):
    text = report_html(warehouse_db).read_text(encoding="utf-8")
    assert external_assets(text) == []
    families = re.search(r"body\s*\{[^}]*font(?:-family)?\s*:[^;]*?((?:[\"'][^\"']+[\"']\s*,\s*|[\w-]+\s*,\s*)+sans-serif)",
                         text).group(1)
    for font in ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei"):
        assert f'"{font}"' in families, font
    assert families.rstrip().endswith("sans-serif")


# -- in a real browser, offline ---------------------------------------------------------------------


def test_network_is_really_cut_off(browser, tmp_path):
    """Control: a page that does use a CDN fails in this browser, so a clean load means something."""
    page = tmp_path / "cdn.html"
    page.write_text('<!doctype html><script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
                    '<script>jQuery</script>', encoding="utf-8")
    load = browser.load(page)
    assert [f.split(": ")[0] for f in load.failed] == ["https://code.jquery.com/jquery-3.7.1.min.js"]
    assert any("jQuery is not defined" in e for e in load.console_errors)


def test_data_docs_index_renders_offline(browser, data_docs, tmp_path):
    load = browser.load(data_docs / "index.html", screenshot=tmp_path / "data_docs_index.png")
    assert_offline_clean(load)
    # the validation table is built by bootstrap-table from a JS array: filled in only if the scripts ran
    for suite in ("integrity.dim_unit", identities.SUITE_NAME):
        assert suite in load.text, suite
    assert (tmp_path / "data_docs_index.png").stat().st_size > 20_000


def test_a_validation_page_with_findings_renders_offline(browser, data_docs, tmp_path):
    page = validation_page(data_docs, identities.SUITE_NAME)
    load = browser.load(page, screenshot=tmp_path / "data_docs_validation.png")
    assert_offline_clean(load)
    assert "Validation Results" in load.text or "Overview" in load.text
    assert any(r.endswith("bootstrap.min.js") for r in load.requests)


def test_findings_report_renders_offline(browser, warehouse_db, tmp_path):
    load = browser.load(report_html(warehouse_db), screenshot=tmp_path / "report.png")
    assert_offline_clean(load)
