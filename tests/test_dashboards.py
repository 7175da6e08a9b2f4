"""Dashboards without a browser: chart functions, the two sites, the partner site's numbers
against the export package, and the Dagster assets behind the gate.

The browser tests (tests/browser/) open the same sites in headless Chromium.
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import altair as alt
import dagster as dg
import duckdb
import pyarrow as pa
import pytest
import vl_convert

from boligmonitor import partner_tables
from boligmonitor.export import write_package
from dashboards import charts, internal, partner
from dashboards import site as site_module
from dashboards.formatting import csv_bytes, date_da, number_da, percent_da
from dashboards.site import Page, QualityStatus, SiteInfo, write_site
from orchestration.defs.dashboards.assets import (
    PARTNER_KEY,
    gate_keys,
    internal_dashboards,
    partner_dashboards,
)
from orchestration.defs.exports.assets import partner_tables_asset
from orchestration.resources import Warehouse
from tests.dashboards_checks import (
    RULE_NUMBERS,
    data_values,
    digits_outside_dates,
    number,
    package_numbers,
    read_csv,
    specs,
    strings,
)
from tests.dashboards_fixture import AS_OF, make_marts

RUN_AT = datetime(2026, 1, 1, 2, 15)
OK = QualityStatus(True, "Alle blokerende kvalitetskontroller bestod.")


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_marts(tmp_path_factory.mktemp("marts") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def con(marts: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(marts), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def tables(con: duckdb.DuckDBPyConnection) -> list:
    return partner_tables.partner_tables(con)


@pytest.fixture(scope="module")
def package(tables: list, tmp_path_factory: pytest.TempPathFactory) -> Path:
    exports = tmp_path_factory.mktemp("exports")
    written = write_package(
        exports, "2025-11", tables, sources=[], checks=[], version="test", as_of=AS_OF
    )
    return written.path


@pytest.fixture(scope="module")
def partner_site(
    tables: list, con: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    folder = tmp_path_factory.mktemp("sites") / "partner"
    partner.build_partner_site(
        tables,
        folder,
        period=partner_tables.data_period(con),
        as_of=AS_OF,
        run_at=RUN_AT,
        quality=OK,
    )
    return folder


@pytest.fixture(scope="module")
def internal_site(con: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sites") / "internal"
    internal.build_internal_site(con, folder, as_of=AS_OF, run_at=RUN_AT)
    return folder


# ---- formats and chart functions --------------------------------------------------------


def test_danish_number_share_and_date_formats() -> None:
    assert number_da(1234) == "1.234"
    assert number_da(1234567.891, 1) == "1.234.567,9"
    assert percent_da(0.125) == "12,5\u00a0%"
    assert date_da(date(2025, 3, 7)) == "07.03.2025"
    assert number_da(None) == ""


def test_csv_is_for_danish_excel() -> None:
    table = pa.table({"a": [1, None], "b": [0.125, 2.5], "d": [date(2025, 1, 2), None]})
    data = csv_bytes(table, ["Antal", "Andel", "Dato"], suppressed=frozenset({(1, "a")}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").split("\r\n") == [
        "Antal;Andel;Dato",
        "1;0,125;02-01-2025",
        "..;2,5;",
        "",
    ]


def test_a_chart_inlines_exactly_its_table_in_danish() -> None:
    table = pa.table(
        {
            "month_start": [date(2025, 1, 1), date(2025, 1, 1)],
            "outcome": ["indflyttet", "returneret"],
            "dwellings": [12, None],
        }
    )
    spec = charts.funnel_chart(table).to_dict()
    assert spec["title"]["text"] == "Modtagne boliger og hvad der skete med dem"
    assert list(data_values(spec)) == [
        {"month_start": "2025-01-01", "outcome": "Indflyttet", "dwellings": 12},
        {"month_start": "2025-01-01", "outcome": "Returneret", "dwellings": None},
    ]
    assert spec["encoding"]["y"]["title"] == "Modtagne boliger"
    assert spec["encoding"]["x"]["axis"]["format"] == "%b %Y"


def test_reference_lines_are_constants_not_data() -> None:
    table = pa.table(
        {
            "months_after": [6, 12],
            "group": ["I alt", "CTI"],
            "eligible": [10, 20],
            "housed": [9, 18],
            "share_housed": [0.9, 0.9],
        }
    )
    spec = charts.retention_chart(table).to_dict()
    rule = spec["layer"][1]["layer"][0]
    assert rule["encoding"]["y"] == {"datum": 0.94}
    assert "Housing First Europe, 12 mdr.: 94 %" in list(strings(spec))
    assert {r["group"] for r in data_values(spec) if r} == {"Alle", "CTI"}


def test_a_kind_of_chart_is_drawn_once_and_each_table_inlined_into_it() -> None:
    def table(n: int) -> pa.Table:
        return pa.table(
            {
                "month_start": [date(2025, m, 1) for m in range(1, n + 1)],
                "outcome": ["aaben"] * n,
                "dwellings": list(range(n)),
            }
        )

    small, large = charts.funnel_chart(table(2)), charts.funnel_chart(table(5))
    assert small.shape is large.shape  # built and validated by Altair once
    a, b = small.to_dict(), large.to_dict()
    assert [r["dwellings"] for r in data_values(a)] == [0, 1]
    assert [r["dwellings"] for r in data_values(b)] == [0, 1, 2, 3, 4]
    a["data"] = b["data"] = None
    assert a == b
    assert charts.TABLE_NAME not in str(small.to_dict())  # no placeholder left
    retention = pa.table(
        {
            "months_after": [6],
            "group": ["CTI"],
            "eligible": [1],
            "housed": [1],
            "share_housed": [1.0],
        }
    )
    with_line = charts.retention_chart(retention).to_dict()
    without = charts.retention_chart(retention, None).to_dict()  # options give another shape
    assert "Housing First Europe, 12 mdr.: 94 %" in list(strings(with_line))
    assert "Housing First Europe, 12 mdr.: 94 %" not in list(strings(without))


def test_a_chart_names_the_columns_it_misses() -> None:
    with pytest.raises(ValueError, match=r"mangler kolonnerne \['return_rate'\]"):
        charts.return_rate_chart(
            pa.table({"rent_class": ["H01"], "dwellings_received": [1], "dwellings_returned": [0]})
        )


# ---- the internal site ------------------------------------------------------------------


def test_internal_site_has_every_question_offline_with_csv(internal_site: Path) -> None:
    pages = sorted(p.name for p in internal_site.glob("*.html"))
    assert pages == [
        "boliger.html",
        "byen.html",
        "fastholdelse-og-maal.html",
        "index.html",
        "stoette-og-herberg.html",
    ]
    assert (internal_site / "assets" / "vega.js").stat().st_size > 500_000
    titles = set()
    for page in internal_site.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), page.name
        assert html.count('src="assets/vega.js"') == 1
        for link in re.findall(r'href="(data/[^"]+\.csv)"', html):
            header, rows = read_csv(internal_site / link)
            assert header and rows, link
        titles |= {s["title"]["text"] for s in specs(page)}
    expected = {
        "Modtagne boliger og hvad der skete med dem",  # 1
        "Hvorfor boligerne blev returneret",  # 2
        "Hvad nu hvis kommunen gav et huslejetilskud?",  # 3
        "Tredjedelsreglen pr. afdeling",  # 4
        "Bostøtte på plads inden for 30 dage efter indflytning",  # 5
        "Hvor lang tid der gik før egen bolig",  # 6
        "Fastholdelse: stadig i boligen efter 6, 12 og 24 måneder",  # 7
        "Huslejetilskud der ophører inden for 12 måneder",  # 8
        "Borgere i egen bolig pr. måned mod planens mål",  # 9
        "Pilotprojektet 2022: 50 borgere",  # 9
        "Hjemløse i København (VIVE's tællinger)",  # 10
    }
    assert expected <= titles
    index = (internal_site / "index.html").read_text(encoding="utf-8")
    assert "01.01.2024 – 31.12.2025" in index  # the data period
    assert "01.01.2026 kl. 02:15" in index  # the time of the run
    assert "Alle 1 blokerende kvalitetsregler bestod; 1 advarsel." in index


def test_every_chart_on_both_sites_is_valid_vega_lite(
    internal_site: Path, partner_site: Path
) -> None:
    """Altair validates a kind of chart once; the specs as written, rows inlined, must pass the
    Vega-Lite schema too."""
    validated = 0
    for folder in (internal_site, partner_site):
        for page in folder.glob("*.html"):
            for spec in specs(page):
                alt.TopLevelSpec.validate(spec)
                validated += 1
    assert validated > 30


def test_the_vega_library_is_made_once_per_vl_convert_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "site"
    info = SiteInfo("Test", "Til test.", None, AS_OF, RUN_AT, OK)
    pages = [Page("index", "Forside", "Forside", ())]
    write_site(folder, info, pages)
    vega = folder / "assets" / "vega.js"
    made = vega.read_bytes()
    header, body = made.split(b"\n", 1)
    assert header + b"\n" == site_module.vega_header(body) and len(made) > 500_000
    assert f"vl-convert {vl_convert.__version__};".encode() in header
    assert f"format {site_module.VEGA_FORMAT};".encode() in header

    def again() -> str:
        raise AssertionError("Vega-biblioteket blev lavet igen")

    monkeypatch.setattr(site_module, "vega_bundle", again)
    write_site(folder, info, pages)  # the next night: copied from the previous site
    assert vega.read_bytes() == made

    def made_anew(previous: bytes) -> bytes:
        vega.write_bytes(previous)
        monkeypatch.setattr(site_module, "vega_bundle", lambda: "ny")
        write_site(folder, info, pages)
        return vega.read_bytes()

    fresh = site_module.vega_header(b"ny") + b"ny"
    # another version made the previous one
    assert made_anew(b"/* Vega fra vl-convert 0.1 */\ngammel") == fresh
    # the right version, but the header of an older format (no checksum)
    old_format = f"/* Vega, Vega-Lite og vega-embed fra vl-convert {vl_convert.__version__} */\n"
    assert made_anew(old_format.encode() + body) == fresh
    # the right header, but a damaged body: cut short, or edited
    assert made_anew(header + b"\n" + body[: len(body) // 2]) == fresh
    assert made_anew(header + b"\n" + body.replace(b"vegaEmbed", b"vegaEmbeD", 1)) == fresh
    # the right header, the right body, but from a format that is no longer written
    monkeypatch.setattr(site_module, "VEGA_FORMAT", site_module.VEGA_FORMAT + 1)
    assert made_anew(made) == site_module.vega_header(b"ny") + b"ny"


def _drawn_city_share(section: object) -> float | None:
    """The city's share as the one-third chart draws it (the dotted rule), None if not drawn."""
    chart = next(f.chart for f in section.figures if f.key == "tredjedel")
    rules = [
        layer["encoding"]["x"]["datum"]
        for layer in chart.to_dict()["layer"]
        if isinstance(layer.get("mark"), dict) and layer["mark"].get("strokeDash") == [2, 2]
    ]
    assert len(rules) <= 1
    return rules[0] if rules else None


@pytest.mark.parametrize(
    "change",
    [
        # nulls on either side, zero vacancies with allocations, a share over and under 1/3
        """UPDATE marts.department_months SET
             allocated_by_municipality_12m = CASE department_id
               WHEN 'FSB-0001' THEN NULL WHEN 'KAB-0002' THEN 7 WHEN '3B-0003' THEN 0
               ELSE allocated_by_municipality_12m END,
             vacancies_12m = CASE department_id
               WHEN 'FSB-0002' THEN NULL WHEN 'KAB-0002' THEN 0 WHEN '3B-0004' THEN 0
               ELSE vacancies_12m END""",
        # no vacancies anywhere, some unknown: no city share (SQL divides by nullif(0, 0))
        """UPDATE marts.department_months SET
             vacancies_12m = CASE WHEN department_id LIKE 'KAB%' THEN NULL ELSE 0 END""",
        # no allocation known anywhere: no city share (SQL's sum of only nulls is null)
        "UPDATE marts.department_months SET allocated_by_municipality_12m = NULL",
    ],
    ids=["nulls-and-zero-vacancies", "no-vacancies", "no-allocations"],
)
def test_the_city_share_is_what_sql_sums_over_the_mart_give(
    marts: Path, tmp_path: Path, change: str
) -> None:
    """The internal site sums the department rows it has already fetched; the line it draws
    must be SQL's sum(allocated) / nullif(sum(vacancies), 0) over the month in the mart."""
    db = tmp_path / "w.duckdb"
    db.write_bytes(marts.read_bytes())
    con = duckdb.connect(str(db))
    try:
        con.execute(change)
        (month,) = con.execute(
            "SELECT max(month_start) FROM marts.dim_months WHERE is_complete"
        ).fetchone()
        con.execute(
            """UPDATE marts.department_months
               SET municipal_share_12m = allocated_by_municipality_12m / nullif(vacancies_12m, 0)"""
        )
        nulls, zeros = con.execute(
            """SELECT count(*) FILTER (allocated_by_municipality_12m IS NULL
                                       OR vacancies_12m IS NULL),
                      count(*) FILTER (vacancies_12m = 0)
               FROM marts.department_months WHERE month_start = ?""",
            [month],
        ).fetchone()
        assert nulls > 0 or zeros > 0  # the case is in the month the site shows
        (expected,) = con.execute(
            """SELECT sum(allocated_by_municipality_12m) / nullif(sum(vacancies_12m), 0)
               FROM marts.department_months WHERE month_start = ?""",
            [month],
        ).fetchone()
        drawn = _drawn_city_share(internal._city(con, AS_OF))
    finally:
        con.close()
    assert drawn == expected


def test_internal_quality_status_says_when_a_blocking_rule_failed(tmp_path: Path) -> None:
    con = duckdb.connect(str(make_marts(tmp_path / "w.duckdb", failing_rule=True)))
    try:
        status = internal.quality_status(con, "a run that validated nothing")
    finally:
        con.close()
    assert not status.passed
    assert status.text == "1 af 1 blokerende kvalitetsregler fejlede."


# ---- the partner site: only what the export package holds ------------------------------


def test_partner_site_has_an_overview_and_a_page_per_organisation(partner_site: Path) -> None:
    pages = sorted(p.name for p in partner_site.glob("*.html"))
    assert pages == [
        "index.html",
        "organisation-3b.html",
        "organisation-fsb.html",
        "organisation-kab.html",
    ]
    fsb = partner_site / "organisation-fsb.html"
    data = [r for s in specs(fsb) for r in data_values(s) if "department_id" in r]
    assert data and {r["housing_organisation"] for r in data} == {"fsb"}
    assert "Byen i alt" in fsb.read_text(encoding="utf-8") or any(
        "byen i alt" in t for s in specs(fsb) for t in strings(s)
    )


def test_every_number_on_the_partner_site_is_in_the_export_package(
    partner_site: Path, package: Path
) -> None:
    published = package_numbers(package)
    package_lines = {}
    for path in package.glob("*.csv"):
        header, rows = read_csv(path)
        package_lines[";".join(header)] = {";".join(r) for r in rows}
    checked = 0
    for page in partner_site.glob("*.html"):
        for spec in specs(page):
            for row in data_values(spec):
                for key, value in row.items():
                    n = number(value)
                    if key.startswith("_") or n is None:
                        continue  # chart geometry (bucket bounds), not a figure
                    assert n in published, f"{page.name}: {key}={value} er ikke i eksportpakken"
                    checked += 1
            for text in strings(spec):
                extra = digits_outside_dates(text) - RULE_NUMBERS
                assert not extra, f"{page.name}: tal {extra} i teksten '{text}'"
        html = page.read_text(encoding="utf-8")
        visible = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
        visible = html_module.unescape(re.sub(r"<[^>]+>", " ", visible))
        extra = digits_outside_dates(visible) - RULE_NUMBERS
        assert not extra, f"{page.name}: tal {extra} i sidens tekst"
    for path in (partner_site / "data").glob("*.csv"):
        header, rows = read_csv(path)
        lines = package_lines.get(";".join(header))
        assert lines is not None, f"{path.name}: ingen tabel i pakken med samme kolonner"
        for row in rows:
            assert ";".join(row) in lines, f"{path.name}: rækken {row} er ikke i pakken"
            checked += 1
    assert checked > 300


def test_a_suppressed_count_never_reaches_the_partner_site(
    partner_site: Path, tables: list
) -> None:
    support = next(t for t in tables if t.name == "bostoette")
    row = support.data.column("support_method").to_pylist().index("SEL99")
    assert (row, "support_episodes") in support.suppressed  # 3 episodes: below the threshold
    drawn = [
        r
        for s in specs(partner_site / "index.html")
        for r in data_values(s)
        if r.get("support_method") == "§ 99"
    ]
    assert drawn == [
        {"support_method": "§ 99", "support_episodes": None, "episodes_active_as_of": None}
    ]
    csv_rows = read_csv(partner_site / "data" / "index__bostoette.csv")[1]
    assert ["SEL99", "..", ".."] in csv_rows
    text = " ".join(p.read_text(encoding="utf-8") for p in partner_site.glob("*.html")).lower()
    assert "pilot" not in text  # the pilot is never on the partner site


def test_partner_site_names_tables_missing_from_the_package(tables: list, tmp_path: Path) -> None:
    kept = [t for t in tables if t.name != "fastholdelse"]
    pages = partner.partner_pages(kept)
    assert "Tabeller der ikke er i eksportpakken endnu: fastholdelse." in pages[0].notes
    keys = [f.key for s in pages[0].sections for f in s.figures]
    assert "fastholdelse" not in keys and "boligtragt" in keys


# ---- Dagster: after the gate ------------------------------------------------------------


def test_the_assets_build_both_sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marts = make_marts(tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("BOLIGMONITOR_HOME", str(tmp_path))
    monkeypatch.setenv("BOLIGMONITOR_AS_OF", AS_OF.isoformat())
    result = dg.materialize(
        [internal_dashboards, partner_tables_asset, partner_dashboards],
        resources={"warehouse_db": Warehouse(path=str(marts))},
    )
    assert result.success
    for site in ("internal", "partner"):
        assert (tmp_path / "dashboards" / site / "index.html").is_file()
    events = result.get_asset_materialization_events()
    meta = next(e for e in events if e.asset_key == PARTNER_KEY).materialization.metadata
    assert meta["sider"].value == 4
    assert meta["bytes"].value < 10 * 1024 * 1024


def test_both_sites_wait_for_every_blocking_quality_check() -> None:
    gate = set(gate_keys())
    assert dg.AssetKey(["staging", "stg_anvisninger__allocations"]) in gate
    for asset in (internal_dashboards, partner_dashboards):
        assert gate <= set(asset.asset_deps[asset.key])


def test_a_warning_from_a_blocking_check_does_not_stop_the_sites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marts = make_marts(tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("BOLIGMONITOR_HOME", str(tmp_path))
    monkeypatch.setenv("BOLIGMONITOR_AS_OF", AS_OF.isoformat())

    @dg.asset(key=["marts", "dwelling_funnel"])
    def funnel() -> None:
        return None

    @dg.asset_check(asset=funnel, blocking=True)
    def warns() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)

    result = dg.materialize(
        [funnel, warns, partner_tables_asset, partner_dashboards],
        resources={"warehouse_db": Warehouse(path=str(marts))},
    )
    assert result.success
    assert (tmp_path / "dashboards" / "partner" / "index.html").is_file()


def test_a_failed_blocking_check_keeps_the_previous_partner_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marts = make_marts(tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("BOLIGMONITOR_HOME", str(tmp_path))
    monkeypatch.setenv("BOLIGMONITOR_AS_OF", AS_OF.isoformat())
    previous = tmp_path / "dashboards" / "partner" / "index.html"
    previous.parent.mkdir(parents=True)
    previous.write_text("forrige udgave", encoding="utf-8")

    @dg.asset(key=["marts", "dwelling_funnel"])
    def funnel() -> None:
        return None

    @dg.asset_check(asset=funnel, blocking=True)
    def broken() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR)

    result = dg.materialize(
        [funnel, broken, partner_tables_asset, partner_dashboards],
        resources={"warehouse_db": Warehouse(path=str(marts))},
        raise_on_error=False,
    )
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert PARTNER_KEY not in materialized
    assert materialized == {dg.AssetKey(["marts", "dwelling_funnel"])}
    assert previous.read_text(encoding="utf-8") == "forrige udgave"
