"""A static site of chart pages that works offline: plain HTML, one script file, CSV beside.

Layout of a site folder:

    index.html, <page>.html          one page per Page; index.html is the first
    assets/vega.js                   Vega, Vega-Lite and vega-embed (vl_convert's bundle), once
    assets/boligmonitor.js           draws every chart of a page with the Danish locales
    assets/boligmonitor.css          the look; system fonts only
    data/<page>__<figure>.csv        each chart's data, for Danish Excel

Nothing is fetched from the network: the JavaScript is shipped beside the pages (a classic
script, so it also loads from file://), the chart data are inlined in the page, and there are no
web fonts. A page marks itself when it is done: `<html data-charts="tegnet">` when every chart
drew, `"fejl"` when one did not (the chart's box then says so in Danish and the error goes to the
console), and `window.boligmonitor.drawnAt` is the time in ms from navigation to the last chart.

The site is written into a temporary folder beside the target and swapped in whole, so a reader
never sees half a site and a failed build leaves the previous one. Making the Vega bundle takes
vl_convert a second or two and it changes only with vl_convert's version, so a nightly build
copies it from the previous site when its first line names that version and the file format and
gives the SHA-256 of the body that follows (a damaged or edited copy is made anew).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import vl_convert

from boligmonitor.export import replace_folder
from dashboards.formatting import (
    D3_FORMAT_LOCALE,
    D3_TIME_FORMAT_LOCALE,
    date_da,
    datetime_da,
)

ASSETS = "assets"
DATA = "data"
VEGA_FILE = "vega.js"
LOADER_FILE = "boligmonitor.js"
STYLE_FILE = "boligmonitor.css"
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


class Chart(Protocol):
    """A Vega-Lite chart: an Altair chart or a `dashboards.charts.Spec`."""

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Figure:
    """One chart on a page: the chart, what it shows in plain Danish, and its data as CSV."""

    key: str  # unique on the page; names the CSV file
    chart: Chart
    explanation: str
    csv: bytes  # the chart's data for Danish Excel (formatting.csv_bytes)


@dataclass(frozen=True)
class Section:
    title: str
    figures: tuple[Figure, ...]
    intro: str = ""


@dataclass(frozen=True)
class Page:
    slug: str  # file name stem: "index" for the front page
    title: str
    nav_label: str
    sections: tuple[Section, ...]
    intro: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class QualityStatus:
    passed: bool  # every blocking check passed in the run that built the site
    text: str  # Danish, one sentence


@dataclass(frozen=True)
class SiteInfo:
    title: str  # e.g. "Boligmonitor – for BL 1. kreds"
    audience: str  # one sentence: who it is for and what it holds
    period: tuple[date, date] | None  # first and last day the data cover
    as_of: date
    run_at: datetime
    quality: QualityStatus
    footer: str = ""


@dataclass(frozen=True)
class BuiltSite:
    folder: Path
    pages: tuple[Path, ...]
    csv_files: tuple[Path, ...]
    charts: int
    bytes: int

    @property
    def index(self) -> Path:
        return self.folder / "index.html"


class SiteError(ValueError):
    """The site cannot be built as described; the message says why (Danish)."""


# ---- assets -----------------------------------------------------------------------------


# Raise when the way the bundle file is written changes: every site then makes it anew once.
VEGA_FORMAT = 2


def vega_header(body: bytes) -> bytes:
    """The bundle file's first line: vl-convert's version, the file format and the SHA-256 of the
    body (everything after this line), so a damaged or edited copy is never reused."""
    digest = hashlib.sha256(body).hexdigest()
    return (
        f"/* Vega, Vega-Lite og vega-embed fra vl-convert {vl_convert.__version__}; "
        f"format {VEGA_FORMAT}; sha256 {digest} */\n"
    ).encode()


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one classic script (window.vegaEmbed)."""
    return vl_convert.javascript_bundle()


def _write_vega(target: Path, previous: Path) -> None:
    """The Vega bundle: the previous site's copy when its first line names this vl_convert
    version and format and the SHA-256 of the body that follows; otherwise made anew."""
    try:
        old = previous.read_bytes()
    except OSError:
        old = b""
    first, newline, body = old.partition(b"\n")
    if newline and first + newline == vega_header(body):
        target.write_bytes(old)
    else:
        body = vega_bundle().encode("utf-8")
        target.write_bytes(vega_header(body) + body)


def _loader() -> str:
    options = {
        "renderer": "svg",
        "actions": False,
        "formatLocale": D3_FORMAT_LOCALE,
        "timeFormatLocale": D3_TIME_FORMAT_LOCALE,
    }
    return (
        "/* boligmonitor: tegner sidens diagrammer uden netværk. */\n"
        "(function () {\n"
        '  "use strict";\n'
        f"  var OPTIONS = {json.dumps(options, ensure_ascii=False)};\n"
        "  var state = { drawnAt: null, failed: [] };\n"
        "  window.boligmonitor = state;\n"
        "  function draw(box) {\n"
        "    var target = box.querySelector('.bm-canvas');\n"
        "    var spec;\n"
        "    try {\n"
        "      spec = JSON.parse(document.getElementById(box.dataset.spec).textContent);\n"
        "    } catch (e) {\n"
        "      return Promise.reject(e);\n"
        "    }\n"
        "    return window.vegaEmbed(target, spec, OPTIONS);\n"
        "  }\n"
        "  function start() {\n"
        "    var boxes = Array.prototype.slice.call(document.querySelectorAll('[data-spec]'));\n"
        "    var jobs = boxes.map(function (box) {\n"
        "      return Promise.resolve().then(function () { return draw(box); }).then(\n"
        "        function (result) { box.dataset.state = 'tegnet'; return result; },\n"
        "        function (error) {\n"
        "          box.dataset.state = 'fejl';\n"
        "          state.failed.push(box.id);\n"
        "          box.querySelector('.bm-canvas').textContent =\n"
        "            'Diagrammet kunne ikke tegnes. Data kan stadig hentes som CSV nedenfor.';\n"
        "          console.error('Diagrammet ' + box.id + ' kunne ikke tegnes: ' + error);\n"
        "          throw error;\n"
        "        });\n"
        "    });\n"
        "    Promise.allSettled(jobs).then(function () {\n"
        "      state.drawnAt = performance.now();\n"
        "      document.documentElement.dataset.charts = state.failed.length ? 'fejl' : 'tegnet';\n"
        "    });\n"
        "  }\n"
        "  if (typeof window.vegaEmbed !== 'function') {\n"
        "    console.error('Vega-biblioteket (assets/vega.js) mangler; '\n"
        "      + 'diagrammerne kan ikke tegnes.');\n"
        "    document.documentElement.dataset.charts = 'fejl';\n"
        "    return;\n"
        "  }\n"
        "  if (document.readyState === 'loading') {\n"
        "    document.addEventListener('DOMContentLoaded', start);\n"
        "  } else {\n"
        "    start();\n"
        "  }\n"
        "})();\n"
    )


STYLE = """
:root { --ink: #1a1a1a; --muted: #555; --line: #d0d0d0; --accent: #0072B2; --bad: #D55E00; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial,
  sans-serif; color: var(--ink); background: #fff; }
header.bm-top { background: #f4f6f8; border-bottom: 1px solid var(--line); padding: 1rem 2rem; }
header.bm-top h1 { margin: 0 0 .25rem; font-size: 1.5rem; }
header.bm-top p { margin: .25rem 0; color: var(--muted); }
nav.bm-nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin-top: .5rem; }
nav.bm-nav a { color: var(--accent); text-decoration: none; padding: .1rem 0; }
nav.bm-nav a[aria-current="page"] { color: var(--ink); font-weight: 600;
  border-bottom: 2px solid var(--accent); }
dl.bm-meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem;
  margin: .75rem 0 0; font-size: .95rem; }
dl.bm-meta dt { color: var(--muted); }
dl.bm-meta dd { margin: 0; }
.bm-ok { color: #006b4f; font-weight: 600; }
.bm-bad { color: var(--bad); font-weight: 600; }
main { padding: 1rem 2rem 3rem; max-width: 60rem; }
main > p.bm-intro { font-size: 1.05rem; }
section { margin-top: 2rem; }
section h2 { font-size: 1.25rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
figure.bm-figure { margin: 1.5rem 0 2rem; }
.bm-canvas { min-height: 120px; overflow-x: auto; }
figure.bm-figure[data-state="fejl"] .bm-canvas { color: var(--bad); font-weight: 600; }
figcaption { max-width: 44rem; color: var(--ink); font-size: .95rem; }
figcaption p { margin: .4rem 0; }
a.bm-csv { font-size: .9rem; color: var(--accent); }
.bm-notes { margin-top: 2.5rem; font-size: .9rem; color: var(--muted); }
footer { padding: 1rem 2rem; border-top: 1px solid var(--line); color: var(--muted);
  font-size: .85rem; }
.vg-tooltip { font-family: inherit !important; }
"""


# ---- pages ------------------------------------------------------------------------------


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _spec_json(spec: dict[str, Any]) -> str:
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def csv_name(page: Page, figure: Figure) -> str:
    return f"{page.slug}__{figure.key}.csv"


def _meta(info: SiteInfo) -> str:
    period = (
        f"{date_da(info.period[0])} – {date_da(info.period[1])}" if info.period else "ingen data"
    )
    quality_class = "bm-ok" if info.quality.passed else "bm-bad"
    return (
        '<dl class="bm-meta">'
        f"<dt>Dataperiode</dt><dd>{_e(period)}</dd>"
        f"<dt>Opgjort pr.</dt><dd>{_e(date_da(info.as_of))}</dd>"
        f"<dt>Seneste kørsel</dt><dd>{_e(datetime_da(info.run_at))}</dd>"
        f'<dt>Datakvalitet</dt><dd class="{quality_class}">{_e(info.quality.text)}</dd>'
        "</dl>"
    )


def render_page(page: Page, pages: Sequence[Page], info: SiteInfo) -> str:
    """The HTML of one page."""
    nav = "".join(
        f'<a href="{p.slug}.html"'
        + (' aria-current="page"' if p.slug == page.slug else "")
        + f">{_e(p.nav_label)}</a>"
        for p in pages
    )
    body: list[str] = []
    if page.intro:
        body.append(f'<p class="bm-intro">{_e(page.intro)}</p>')
    specs: list[str] = []
    for s, section in enumerate(page.sections):
        body.append(f'<section id="afsnit-{s + 1}"><h2>{_e(section.title)}</h2>')
        if section.intro:
            body.append(f"<p>{_e(section.intro)}</p>")
        for figure in section.figures:
            fig_id = f"diagram-{figure.key}"
            spec_id = f"spec-{figure.key}"
            spec = figure.chart.to_dict()
            body.append(
                f'<figure class="bm-figure" id="{fig_id}" data-spec="{spec_id}">'
                '<div class="bm-canvas" role="img" '
                f'aria-label="{_e(_title_of(spec))}"></div>'
                f"<figcaption><p>{_e(figure.explanation)}</p>"
                f'<p><a class="bm-csv" href="{DATA}/{_e(csv_name(page, figure))}" download>'
                "Hent diagrammets data (CSV til Excel)</a></p></figcaption></figure>"
            )
            specs.append(
                f'<script type="application/json" id="{spec_id}">{_spec_json(spec)}</script>'
            )
        body.append("</section>")
    if page.notes:
        body.append('<div class="bm-notes">' + "".join(f"<p>{_e(n)}</p>" for n in page.notes))
        body.append("</div>")
    footer = f"<footer>{_e(info.footer)}</footer>" if info.footer else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="da"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(page.title)} – {_e(info.title)}</title>"
        f'<link rel="stylesheet" href="{ASSETS}/{STYLE_FILE}">'
        "</head><body>"
        f'<header class="bm-top"><h1>{_e(info.title)}</h1><p>{_e(info.audience)}</p>'
        f'<nav class="bm-nav" aria-label="Sider">{nav}</nav>{_meta(info)}</header>'
        f"<main><h2>{_e(page.title)}</h2>"
        "<noscript><p>Diagrammerne kræver JavaScript; data kan hentes som CSV.</p></noscript>"
        + "".join(body)
        + "</main>"
        + footer
        + "".join(specs)
        + f'<script src="{ASSETS}/{VEGA_FILE}"></script>'
        + f'<script src="{ASSETS}/{LOADER_FILE}"></script>'
        + "</body></html>\n"
    )


def _title_of(spec: dict[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, dict):
        return str(title.get("text", ""))
    return str(title or "")


def _validate(pages: Sequence[Page]) -> None:
    if not pages or pages[0].slug != "index":
        raise SiteError("Den første side skal være forsiden (slug 'index').")
    slugs = [p.slug for p in pages]
    if len(set(slugs)) != len(slugs):
        raise SiteError(f"To sider har samme navn: {slugs}.")
    for p in pages:
        if not _SLUG.fullmatch(p.slug):
            raise SiteError(f"Sidenavnet '{p.slug}' må kun have små bogstaver, tal og '-'.")
        keys = [f.key for s in p.sections for f in s.figures]
        if len(set(keys)) != len(keys):
            raise SiteError(f"Siden '{p.slug}' har to diagrammer med samme nøgle.")
        for k in keys:
            if not _SLUG.fullmatch(k):
                raise SiteError(f"Diagramnøglen '{k}' må kun have små bogstaver, tal og '-'.")


def write_site(folder: Path, info: SiteInfo, pages: Sequence[Page]) -> BuiltSite:
    """Write the site to `folder`, replacing a previous one in one step."""
    _validate(pages)
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    for stale in folder.parent.glob(f".{folder.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        os.chmod(work, 0o755)
        (work / ASSETS).mkdir()
        (work / DATA).mkdir()
        _write_vega(work / ASSETS / VEGA_FILE, folder / ASSETS / VEGA_FILE)
        (work / ASSETS / LOADER_FILE).write_text(_loader(), encoding="utf-8")
        (work / ASSETS / STYLE_FILE).write_text(STYLE.lstrip(), encoding="utf-8")
        written, csvs, charts = [], [], 0
        for page in pages:
            for section in page.sections:
                for figure in section.figures:
                    (work / DATA / csv_name(page, figure)).write_bytes(figure.csv)
                    csvs.append(folder / DATA / csv_name(page, figure))
                    charts += 1
            (work / f"{page.slug}.html").write_text(
                render_page(page, pages, info), encoding="utf-8"
            )
            written.append(folder / f"{page.slug}.html")
        size = sum(p.stat().st_size for p in work.rglob("*") if p.is_file())
        replace_folder(work, folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BuiltSite(folder, tuple(written), tuple(csvs), charts, size)


def site_size(folder: Path) -> int:
    """Bytes of every file in a built site."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
