"""Both sites in a real headless Chromium (Debian's `chromium`), with the network cut.

Every page must load without a console error, make no request outside file://, and draw every
chart (an SVG with marks); the navigation links must lead to the other pages. A screenshot of
every page is saved for the reviewer, and the load and draw times and the site sizes are printed
(measured, not asserted). Chromium is required in CI (CI=true) and skipped elsewhere if missing.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from boligmonitor import partner_tables
from dashboards import internal, partner
from dashboards.browser import PageReport, check_site, chromium, find_chromium
from dashboards.site import QualityStatus, site_size
from tests.dashboards_fixture import AS_OF, make_marts

MAX_PARTNER_BYTES = 10 * 1024 * 1024

if not find_chromium():
    if os.environ.get("CI"):
        pytest.fail("Chromium mangler i CI (.ci/run installerer Debians chromium).", pytrace=False)
    pytest.skip("Chromium er ikke installeret (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("browser")
    db = make_marts(root / "warehouse.duckdb")
    con = duckdb.connect(str(db), read_only=True)
    run_at = datetime(2026, 1, 1, 2, 15)
    try:
        internal.build_internal_site(con, root / "internal", as_of=AS_OF, run_at=run_at)
        partner.build_partner_site(
            partner_tables.partner_tables(con),
            root / "partner",
            period=partner_tables.data_period(con),
            as_of=AS_OF,
            run_at=run_at,
            quality=QualityStatus(True, "Alle blokerende kvalitetskontroller bestod."),
        )
    finally:
        con.close()
    return {"internal": root / "internal", "partner": root / "partner"}


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("BOLIGMONITOR_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.getbasetemp() / "skaermbilleder"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _report(name: str, reports: list[PageReport], size: int) -> str:
    lines = [f"{name}: {len(reports)} sider, {size / 1024 / 1024:.2f} MB"]
    for r in reports:
        marks = sum(f.marks for f in r.figures)
        lines.append(
            f"  {r.path.name:32} tegnet efter {r.drawn_ms or float('nan'):7.0f} ms "
            f"(load {r.load_ms or float('nan'):6.0f} ms, målt udefra {r.wall_ms:6.0f} ms), "
            f"{len(r.figures)} diagrammer, {marks} mærker, {len(r.requests)} filer hentet"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("name", ["internal", "partner"])
def test_every_page_loads_offline_and_draws_every_chart(
    name: str,
    sites: dict[str, Path],
    screenshots: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = sites[name]
    reports = check_site(folder, screenshots)
    size = site_size(folder)
    with capsys.disabled():
        print("\n" + _report(name, reports, size))
        print(f"  skærmbilleder: {screenshots}")
    assert len(reports) == len(list(folder.glob("*.html"))) >= 4
    for r in reports:
        assert r.problems == [], f"{r.path.name}: {r.problems}"
        assert r.figures, f"{r.path.name} har ingen diagrammer"
        assert r.requests and all(u.startswith("file://") for u in r.requests)
        assert r.screenshot is not None and r.screenshot.stat().st_size > 10_000
    if name == "partner":
        assert size < MAX_PARTNER_BYTES


@pytest.mark.parametrize("name", ["internal", "partner"])
def test_navigation_links_lead_to_every_page(name: str, sites: dict[str, Path]) -> None:
    folder = sites[name]
    pages = {p.resolve().as_uri() for p in folder.glob("*.html")}
    with chromium() as browser:
        index = browser.open(folder / "index.html")
        assert set(index.nav) == pages
        for figure in index.figures:
            assert figure.csv and Path(figure.csv.removeprefix("file://")).is_file()
        target = sorted(pages - {index.path.resolve().as_uri()})[0]
        href = target.rsplit("/", 1)[1]
        assert browser.click_and_wait(f'nav a[href="{href}"]') == target
        back = browser.click_and_wait('nav a[href="index.html"]')
        assert back == (folder / "index.html").resolve().as_uri()


def test_a_chart_that_does_not_render_fails_the_check(
    sites: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "site"
    shutil.copytree(sites["internal"], folder)
    page = folder / "byen.html"
    html = page.read_text(encoding="utf-8")
    broken, count = re.subn(r'("mark":\{[^{}]*"type":)"bar"', r'\1"ingen-saadan"', html, count=1)
    assert count == 1
    page.write_text(broken, encoding="utf-8")
    (folder / "index.html").write_text(
        (folder / "index.html").read_text(encoding="utf-8").replace("assets/vega.js", "x.js"),
        encoding="utf-8",
    )
    with chromium() as browser:
        report = browser.open(page)
        index = browser.open(folder / "index.html")
    assert report.charts == "fejl"
    assert [f.drawn for f in report.figures].count(False) == 1
    assert any("kunne ikke tegnes" in e for e in report.console_errors)
    assert report.problems
    assert index.charts == "fejl" and index.problems  # the Vega library is missing


def test_a_request_outside_file_is_caught(sites: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "site"
    shutil.copytree(sites["partner"], folder)
    page = folder / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(
        html.replace("</main>", '<img src="https://cdn.example.org/x.png" alt=""></main>'),
        encoding="utf-8",
    )
    with chromium() as browser:
        report = browser.open(page)
    assert report.external_requests == ["https://cdn.example.org/x.png"]
    assert any("cdn.example.org" in p for p in report.problems)
