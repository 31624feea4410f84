"""Make Great Expectations Data Docs work from ``file://`` with no network.

GE 1.x's page templates load Bootstrap, jQuery, bootstrap-table, a datepicker,
Font Awesome and Vega from public CDNs and its logo from S3, and offers no
setting to point them elsewhere (only custom *styles* and whole-template
overrides). So after the site is built, :func:`localize` rewrites each page:
every CDN asset GE references is replaced by a relative link to the copy
vendored under ``expectations/static/vendor/`` (the exact package and version
the URL names, fetched with ``npm pack``; see the README there), which is copied
into the site's ``static/vendor/``. Subresource-integrity attributes are
dropped from rewritten tags because Chromium refuses SRI checks on ``file://``
(the vendored files match GE's hashes; tests/test_offline_pages.py checks it).

Vega is not vendored (≈800 KB): GE only uses it for charts that none of our
suites render, so its script tags are removed from pages that never call
``vegaEmbed``. A page that does, or any asset URL not in :data:`ASSETS`, is
left as it is and reported, so a GE upgrade that adds a CDN asset shows up in
the test suite rather than as a blank page offline.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "static" / "vendor"
SITE_VENDOR = ("static", "vendor")

# CDN URL as GE's templates spell it → file under VENDOR (npm package@version/path in the package)
ASSETS: dict[str, str] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery@3.7.1/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        "popper.js@1.12.9/dist/umd/popper.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap@4.3.1/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap@4.3.1/dist/js/bootstrap.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table@1.19.1/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table@1.19.1/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker@1.9.0/dist/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker@1.9.0/dist/js/bootstrap-datepicker.min.js",
    # the minified build of the same release (the template names the 880 KB unminified one)
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.min.css",
    # only the solid face is vendored: every icon GE renders is `fas` (its CSS loads a face on first use)
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "@fortawesome/fontawesome-free@6.6.0/css/all.min.css",
}
# GE's logos on S3 → the logo GE itself copies into the site's static/images/ (it ships no
# copy of the dark-mode logo its stylesheet names, so that one becomes the same image)
GE_IMAGES = re.compile(r"https://great-expectations-web-assets\.s3\.[a-z0-9-]+\.amazonaws\.com/[\w.-]+(?:\?[^\"')\s]*)?")
GE_LOGO = ("static", "images", "logo-long.png")
VEGA = re.compile(r"https://cdn\.jsdelivr\.net/npm/vega(?:-lite|-embed)?@[\w.]+")

_VEGA_SCRIPT = re.compile(r"""[ \t]*<script\s+src=(["'])%s\1\s*>\s*</script>[ \t]*\n?""" % VEGA.pattern, re.I)
_TAG = re.compile(r"<(script|link|img)\b[^>]*>", re.I | re.S)
_URL_ATTR = re.compile(r"""\b(src|href)\s*=\s*(["'])(https?://[^"']+)\2""", re.I)
_LOCAL_ATTR = re.compile(r"""\b(src|href)\s*=\s*(["'])((?![a-z][a-z0-9+.-]*:|//|#)[^"']+)\2""", re.I)
_SRI = re.compile(r"""\s+(integrity|crossorigin)\s*=\s*(["'])[^"']*\2""", re.I)
_CSS_URL = re.compile(r"""url\(\s*(["']?)(https?://[^"')]+)\1\s*\)""", re.I)


def _rel(target: tuple[str, ...] | str, page_dir: Path, site: Path) -> str:
    parts = target if isinstance(target, tuple) else (target,)
    return Path(os.path.relpath(site.joinpath(*parts), page_dir)).as_posix()


def localize_html(html: str, page_dir: Path, site: Path) -> tuple[str, list[str]]:
    """Rewrite one page (or stylesheet) of the site rooted at ``site`` whose file is in ``page_dir``.

    Returns the new text and the external asset URLs left in it (script/link/img
    sources and CSS ``url()``s that have no local copy). Anchors (``<a href>``) are
    navigation, not assets, and are kept.
    """
    left: list[str] = []
    if "vegaEmbed" not in html:
        html = _VEGA_SCRIPT.sub("", html)

    def tag(m: re.Match) -> str:
        text = m.group(0)
        found = _URL_ATTR.search(text)
        if not found:
            return _reroot(text, page_dir, site)
        url = found.group(3)
        if url in ASSETS:
            local = _rel((*SITE_VENDOR, *ASSETS[url].split("/")), page_dir, site)
            return _SRI.sub("", text.replace(url, local))
        if GE_IMAGES.fullmatch(url):
            return text.replace(url, _rel(GE_LOGO, page_dir, site))
        left.append(url)
        return text

    def css(m: re.Match) -> str:
        url = m.group(2)
        if GE_IMAGES.fullmatch(url):
            return f"url('{_rel(GE_LOGO, page_dir, site)}')"
        left.append(url)
        return m.group(0)

    html = _TAG.sub(tag, html)
    return _CSS_URL.sub(css, html), left


def _reroot(tag: str, page_dir: Path, site: Path) -> str:
    """Repair a relative asset link that misses its file by counting the wrong number of ``../``.

    GE derives a page's depth from the dots in its suite name, so on the pages of a
    suite named without a dot (``accounting_identities``) the favicon link points
    one level above the site. A reference that does not resolve from the page but
    does from the site root is rewritten relative to the page.
    """
    found = _LOCAL_ATTR.search(tag)
    if not found:
        return tag
    ref = found.group(3)
    path = ref.split("?")[0].split("#")[0]
    if (page_dir / path).exists():
        return tag
    rooted = re.sub(r"^(?:\.\.?/)+", "", path)
    if not rooted or not (site / rooted).is_file():
        return tag
    return tag.replace(f"{found.group(2)}{ref}{found.group(2)}",
                       f"{found.group(2)}{_rel(rooted, page_dir, site)}{found.group(2)}", 1)


def localize(site: str | Path) -> dict[Path, list[str]]:
    """Make every page and stylesheet of the Data Docs site at ``site`` load only local files.

    Copies the vendored assets into ``site/static/vendor/`` and rewrites each
    ``*.html`` and ``static/**/*.css`` in place (idempotent: a second run changes
    nothing). Returns, per file, the external asset URLs that could not be
    replaced (empty when the site works offline). Raises FileNotFoundError when
    ``site`` is not a directory.
    """
    site = Path(site)
    if not site.is_dir():
        raise FileNotFoundError(f"{site}: no Data Docs site here")
    shutil.copytree(VENDOR, site.joinpath(*SITE_VENDOR), dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("README.md"))
    vendor_dir = site.joinpath(*SITE_VENDOR)
    left: dict[Path, list[str]] = {}
    for path in sorted([*site.rglob("*.html"), *site.joinpath("static").rglob("*.css")]):
        if vendor_dir in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        new, missing = localize_html(text, path.parent, site)
        if new != text:
            path.write_text(new, encoding="utf-8")
        if missing:
            left[path] = missing
    return left
