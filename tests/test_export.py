"""The export package: written from small tables, read back from disk in every format."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from boligmonitor.disclosure import TOTAL, Derived, TableSpec, suppress
from boligmonitor.export import (
    MARKER,
    Column,
    ExportError,
    ExportTable,
    PassedCheck,
    SourceExtract,
    cell_text,
    log_export,
    replace_folder,
    write_package,
)

MONTH = "2025-11"
AS_OF = date(2025, 12, 3)
XLSX = f"boligmonitor_{MONTH}.xlsx"
CPR_LIKE = "010190-1234"


def districts(extra_label: str = "fsb") -> ExportTable:
    """One-way: allocations by district, with a share built on the count."""
    table = pa.table(
        {
            "district": ["Østerbro", "Brønshøj-Husum", "Valby", "Amager Øst", TOTAL],
            "organisation": [extra_label, "KAB", "AKB", "3B", TOTAL],
            "allocated": [3, 12, 7, 0, 22],
            "share": [3 / 22, 12 / 22, 7 / 22, 0.0, 1.0],
        }
    )
    spec = TableSpec(
        "anvisninger_bydel",
        counts=("allocated",),
        dimensions=("district",),
        labels=("organisation",),
        derived=(Derived("share", ("allocated",)),),
    )
    return ExportTable.from_suppression(
        suppress(table, spec),
        title="Anvisninger pr. bydel",
        description="Boliger anvist af kommunen i måneden, pr. bydel.",
        columns=[
            Column("district", "Bydel", "Bydel i København"),
            Column("organisation", "Boligorganisation", "Største boligorganisation i bydelen"),
            Column("allocated", "Anviste boliger", "Antal boliger anvist i måneden", "antal"),
            Column("share", "Andel af alle", "Andel af alle anviste boliger", "andel (0-1)", 3),
        ],
    )


def returns() -> ExportTable:
    """Two-way with margins per month (a date group): returned dwellings by rent class."""
    inner = {
        date(2025, 10, 1): {("A", "Østerbro"): 19, ("A", "Nørrebro"): 12, ("B", "Østerbro"): 24},
        date(2025, 11, 1): {("A", "Østerbro"): 9, ("A", "Nørrebro"): 2, ("B", "Østerbro"): 14},
    }
    records = []
    for month, cells in inner.items():
        cells[("B", "Nørrebro")] = 8
        for klasse in ("A", "B", TOTAL):
            for district in ("Østerbro", "Nørrebro", TOTAL):
                n = sum(
                    v
                    for (k, d), v in cells.items()
                    if klasse in (k, TOTAL) and district in (d, TOTAL)
                )
                records.append({"month": month, "rent_class": klasse, "district": district, "n": n})
    table = pa.Table.from_pylist(records)
    spec = TableSpec(
        "returer", counts=("n",), dimensions=("rent_class", "district"), groups=("month",)
    )
    return ExportTable.from_suppression(
        suppress(table, spec),
        title="Returnerede boliger",
        description="Boliger kommunen gav tilbage, pr. huslejeklasse og bydel.",
        columns=[
            Column("month", "Måned", "Første dag i måneden"),
            Column("rent_class", "Huslejeklasse", "Huslejeklasse efter planens klasser"),
            Column("district", "Bydel", "Bydel i København"),
            Column("n", "Returnerede boliger", "Antal returnerede boliger", "antal"),
        ],
    )


def write(folder: Path, tables: list[ExportTable] | None = None):
    return write_package(
        folder,
        MONTH,
        tables if tables is not None else [districts(), returns()],
        sources=[
            SourceExtract("anvisninger", "anvisninger/anvisninger_2025-12-01.csv", "a" * 64, 812),
            SourceExtract(
                "boliger", "boliger/boliger_2025-12-01.xlsx", "b" * 64, 95, date(2025, 12, 1)
            ),
        ],
        checks=[PassedCheck("noegle_unik", "stg_anvisninger"), PassedCheck("cpr_fri", "export")],
        version="0.1.0",
        as_of=AS_OF,
        contact="Socialforvaltningen, boligmonitor@kk.dk",
    )


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark"
    text = raw[3:].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def package(tmp_path: Path) -> Path:
    write(tmp_path / "exports")
    return tmp_path / "exports" / MONTH


def test_package_holds_every_file_and_the_manifest_matches_them(package: Path):
    assert sorted(p.name for p in package.iterdir()) == sorted(
        [
            "anvisninger_bydel.csv",
            "anvisninger_bydel.parquet",
            "returer.csv",
            "returer.parquet",
            "dataordbog.csv",
            XLSX,
            "manifest.json",
        ]
    )
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["fil"]: f for f in manifest["filer"]}
    assert set(listed) == {p.name for p in package.iterdir()} - {"manifest.json"}
    for name, entry in listed.items():
        data = (package / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        if name.endswith(".csv"):
            assert entry["raekker"] == len(read_csv(package / name)) - 1
        if name.endswith(".parquet"):
            assert entry["raekker"] == pq.read_table(package / name).num_rows
    assert listed[XLSX]["ark"] == {"Anvisninger pr. bydel": 5, "Returnerede boliger": 18}
    assert manifest["maaned"] == MONTH and manifest["opgjort_pr"] == "2025-12-03"
    assert manifest["softwareversion"] == "0.1.0"
    assert [k["kilde"] for k in manifest["kilder"]] == ["anvisninger", "boliger"]
    assert manifest["kilder"][1]["udtraeksdato"] == "2025-12-01"
    assert {c["navn"] for c in manifest["kontroller"]} == {"noegle_unik", "cpr_fri"}
    assert manifest["diskretionering"]["graense"] == 5
    assert manifest["diskretionering"]["markering"] == MARKER
    by_table = {t["navn"]: t["undertrykte_celler"] for t in manifest["tabeller"]}
    assert by_table["anvisninger_bydel"] == 4  # 3 (primary) and 7 (complementary), two shares
    # Which hidden cell is the small one is not published.
    text = (package / "manifest.json").read_text(encoding="utf-8")
    assert "primary" not in text and "complementary" not in text


def test_csv_opens_in_danish_excel_dialect(package: Path):
    rows = read_csv(package / "anvisninger_bydel.csv")
    assert rows[0] == ["Bydel", "Boligorganisation", "Anviste boliger", "Andel af alle"]
    by_district = {r[0]: r for r in rows[1:]}
    assert by_district["Østerbro"][2:] == [MARKER, MARKER]  # 3: primary, share derived
    assert by_district["Valby"][2:] == [MARKER, MARKER]  # 7: complementary
    assert by_district["Brønshøj-Husum"][2:] == ["12", "0,545"]  # decimal comma, 3 decimals
    assert by_district["Amager Øst"][2:] == ["0", "0"]  # zero is shown
    assert by_district[TOTAL][2:] == ["22", "1"]

    rows = read_csv(package / "returer.csv")
    assert rows[0] == ["Måned", "Huslejeklasse", "Bydel", "Returnerede boliger"]
    months = {r[0] for r in rows[1:]}
    assert months == {"01-10-2025", "01-11-2025"}
    november = {(r[1], r[2]): r[3] for r in rows[1:] if r[0] == "01-11-2025"}
    assert november[("A", "Nørrebro")] == MARKER
    assert november[(TOTAL, TOTAL)] == "33"
    for r in rows[1:]:
        assert r[3] == MARKER or not 0 < int(r[3]) < 5


def test_xlsx_has_a_readme_sheet_first_and_a_sheet_per_table(package: Path):
    wb = openpyxl.load_workbook(package / XLSX)
    assert wb.sheetnames == [
        "Læs mig",
        "Anvisninger pr. bydel",
        "Returnerede boliger",
        "Dataordbog",
    ]
    readme = {r[0]: r[1] for r in wb["Læs mig"].iter_rows(values_only=True) if r[0]}
    assert readme["Periode"] == "november 2025 (2025-11)"
    assert readme["Opgjort pr."] == "03-12-2025"
    assert "Tal fra 1 til 4 vises ikke" in readme["Diskretionering"]
    assert f"'{MARKER}'" in readme["Diskretionering"]
    assert readme["Kontakt"] == "Socialforvaltningen, boligmonitor@kk.dk"
    assert "Returnerede boliger" in readme

    sheet = list(wb["Anvisninger pr. bydel"].iter_rows(values_only=True))
    assert sheet[0] == ("Bydel", "Boligorganisation", "Anviste boliger", "Andel af alle")
    by_district = {r[0]: r for r in sheet[1:]}
    assert by_district["Østerbro"][2:] == (MARKER, MARKER)
    assert by_district["Brønshøj-Husum"][2:] == (12, 0.545)
    assert by_district["Amager Øst"][2:] == (0, 0)

    returned = list(wb["Returnerede boliger"].iter_rows(values_only=True))
    assert returned[1][0] == datetime(2025, 10, 1)
    assert wb["Returnerede boliger"]["A2"].number_format == "dd-mm-yyyy"


def test_parquet_has_the_same_numbers_and_lists_the_hidden_cells(package: Path):
    table = pq.read_table(package / "anvisninger_bydel.parquet")
    assert table.column_names == ["Bydel", "Boligorganisation", "Anviste boliger", "Andel af alle"]
    assert table.column("Anviste boliger").to_pylist() == [None, 12, None, 0, 22]
    assert table.column("Andel af alle").to_pylist() == [None, 0.545, None, 0.0, 1.0]
    hidden = json.loads(table.schema.metadata[b"boligmonitor.undertrykt"])
    csv_rows = read_csv(package / "anvisninger_bydel.csv")
    from_csv = [
        [i, csv_rows[0][j]]
        for i, row in enumerate(csv_rows[1:])
        for j, v in enumerate(row)
        if v == MARKER
    ]
    assert hidden == from_csv
    field = table.schema.field("Anviste boliger")
    assert field.metadata[b"enhed"] == b"antal"
    assert pq.read_table(package / "returer.parquet").schema.field("Måned").type == pa.date32()


def test_data_dictionary_describes_every_column_and_the_marker(package: Path):
    rows = read_csv(package / "dataordbog.csv")
    assert rows[0][:6] == ["Tabel", "Fil", "Kolonne", "Betydning", "Enhed", "Datatype"]
    described = {(r[1], r[2]): r for r in rows[1:]}
    for name in ("anvisninger_bydel", "returer"):
        header = read_csv(package / f"{name}.csv")[0]
        for label in header:
            entry = described[(f"{name}.csv", label)]
            assert entry[3], f"{label} has no meaning"
    assert described[("anvisninger_bydel.csv", "Andel af alle")][4:6] == [
        "andel (0-1)",
        "decimaltal",
    ]
    assert described[("returer.csv", "Måned")][5] == "dato (dd-mm-åååå)"
    assert described[("", MARKER)][3].startswith("Skjult tal")


def test_the_same_inputs_give_byte_identical_files(tmp_path: Path):
    write(tmp_path / "a")
    write(tmp_path / "b")
    first = snapshot(tmp_path / "a" / MONTH)
    assert first == snapshot(tmp_path / "b" / MONTH)
    write(tmp_path / "a")  # over an existing package
    assert snapshot(tmp_path / "a" / MONTH) == first
    # No clock in the spreadsheet: fixed zip times and document dates (the as-of day).
    with zipfile.ZipFile(tmp_path / "a" / MONTH / XLSX) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2025-12-03T00:00:00Z") == 2  # created and modified: the as-of day


def test_a_cpr_number_stops_the_package_and_leaves_the_previous_one(tmp_path: Path):
    exports = tmp_path / "exports"
    write(exports)
    before = snapshot(exports / MONTH)
    stat_before = {p.name: p.stat().st_mtime_ns for p in (exports / MONTH).iterdir()}

    # The second table refuses after the first table's files are written in the work folder.
    with pytest.raises(ExportError) as error:
        write(exports, [returns(), districts(extra_label=f"Afd. {CPR_LIKE}")])
    message = str(error.value)
    assert "'anvisninger_bydel'" in message
    assert "datarække 1" in message and "'Boligorganisation'" in message
    assert "CPR-nummer" in message
    assert "010190" not in message
    assert snapshot(exports / MONTH) == before
    assert {p.name: p.stat().st_mtime_ns for p in (exports / MONTH).iterdir()} == stat_before
    assert sorted(p.name for p in exports.iterdir()) == [MONTH]  # no work folder left behind


def test_a_new_package_replaces_the_old_one_completely(tmp_path: Path):
    exports = tmp_path / "exports"
    write(exports)
    write(exports, [districts()])
    assert not (exports / MONTH / "returer.csv").exists()
    assert sorted(p.name for p in exports.iterdir()) == [MONTH]


def test_replace_without_atomic_exchange_also_keeps_or_replaces_whole_folders(tmp_path: Path):
    old, new = tmp_path / "2025-11", tmp_path / "new"
    old.mkdir()
    (old / "a.csv").write_text("old")
    new.mkdir()
    (new / "b.csv").write_text("new")
    replace_folder(new, old, atomic_exchange=False)
    assert [p.name for p in old.iterdir()] == ["b.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-11"]
    # A rename that fails puts the old folder back.
    with pytest.raises(OSError):
        replace_folder(tmp_path / "missing", old, atomic_exchange=False)
    assert [p.name for p in old.iterdir()] == ["b.csv"]


def test_a_package_left_aside_by_a_crash_is_put_back(tmp_path: Path):
    exports = tmp_path / "exports"
    write(exports)
    before = snapshot(exports / MONTH)
    # The state after a crash between the two renames of the fallback replace.
    os.rename(exports / MONTH, exports / f".{MONTH}.old-0000")
    with pytest.raises(ExportError):
        write(exports, [districts(extra_label=CPR_LIKE)])
    assert snapshot(exports / MONTH) == before
    assert sorted(p.name for p in exports.iterdir()) == [MONTH]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            ExportTable(
                "t",
                "T",
                "d",
                (Column("bemaerkning", "Bemærkning", "x"),),
                pa.table({"bemaerkning": ["hej"]}),
            ),
            "fritekst",
        ),
        (
            ExportTable(
                "t",
                "T",
                "d",
                (Column("n", "Antal", "x", "antal"),),
                pa.table({"n": [3]}),
                counts=("n",),
            ),
            "ikke undertrykt",
        ),
        (
            ExportTable("t", "T", "d", (Column("x", "X", "x"),), pa.table({"x": ["=1+1"]})),
            "formel",
        ),
        (
            ExportTable("t", "T", "d", (Column("x", "X", "x"),), pa.table({"y": ["a"]})),
            "passer ikke",
        ),
        (
            ExportTable("t", "T" * 32, "d", (Column("x", "X", "x"),), pa.table({"x": ["a"]})),
            "arknavn",
        ),
        (
            ExportTable("t", "T", "d", (Column("x", "X", "x"),), pa.table({"x": [1234567890]})),
            "CPR-nummer",
        ),
        (
            ExportTable("t", "T", "d", (Column("x", "X", "x"),), pa.table({"x": [float("inf")]})),
            "uendelig",
        ),
    ],
)
def test_tables_that_must_not_leave_are_refused(tmp_path: Path, table: ExportTable, message: str):
    with pytest.raises(ExportError, match=message):
        write(tmp_path, [table])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (0.5, 4, "0,5"),
        (1234.5678, 2, "1234,57"),
        (2 / 3, 4, "0,6667"),
        (-0.00001, 4, "0"),
        (0.125, 2, "0,13"),  # half up, as in published tables
        (1500, 4, "1500"),  # no thousands separator: Excel reads 1.500 as 1,5 elsewhere
        (float("nan"), 4, ""),
        (None, 4, ""),
        (True, 4, "ja"),
        (date(2025, 1, 9), 4, "09-01-2025"),
        (datetime(2025, 1, 9, 7, 5, 3), 4, "09-01-2025 07:05:03"),
        ("Brønshøj-Husum", 4, "Brønshøj-Husum"),
    ],
)
def test_cells_are_written_the_danish_way(value, decimals, text):
    assert cell_text(value, decimals) == text
    assert cell_text(value, decimals, suppressed=True) == MARKER


def test_month_must_be_yyyy_mm(tmp_path: Path):
    with pytest.raises(ExportError, match="åååå-mm"):
        write_package(
            tmp_path, "2025-13", [districts()], sources=[], checks=[], version="x", as_of=AS_OF
        )


def test_every_export_is_logged_in_the_warehouse(tmp_path: Path):
    first = write(tmp_path / "exports")
    second = write(tmp_path / "exports", [districts()])
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        log_export(con, first, created_at=datetime(2025, 12, 3, 2, 0))
        log_export(con, second)
        rows = con.execute(
            """SELECT month, path, file_count, rows, suppressed_cells, json_array_length(files),
                      json_array_length(checks), suppression->'$[0]'->>'reason', created_at
               FROM audit.exports ORDER BY created_at"""
        ).fetchall()
        comment = con.execute(
            "SELECT comment FROM duckdb_tables() WHERE schema_name = 'audit' "
            "AND table_name = 'exports'"
        ).fetchone()
    finally:
        con.close()
    assert rows[0][:8] == (
        MONTH,
        str(tmp_path / "exports" / MONTH),
        6,
        23,
        first.suppressed_cells,
        6,
        2,
        "primary",
    )
    assert rows[0][8] == datetime(2025, 12, 3, 2, 0)
    assert rows[1][2:4] == (4, 5)
    assert rows[1][8] is not None  # the run time is in the log, not in the files
    assert first.suppressed_cells == len(first.suppression_log)
    assert "Eksportlog" in comment[0]


# ---- a real spreadsheet program --------------------------------------------------------


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            "LibreOffice (soffice) mangler i CI; .ci/run installerer libreoffice-calc-nogui"
        )
    pytest.skip("LibreOffice (soffice) er ikke installeret; installer libreoffice-calc-nogui")


def convert(source: Path, target: str, out: Path, infilter: str | None = None) -> None:
    command = [
        soffice(),
        f"-env:UserInstallation=file://{out / 'profil'}",
        "--headless",
        "--norestore",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        target,
        "--outdir",
        str(out),
        str(source),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr


def test_libreoffice_reads_the_csv_as_danish_numbers(package: Path, tmp_path: Path):
    """LibreOffice imports the CSV as Danish Excel would (semicolon, UTF-8, Danish locale 1030,
    dates detected) and saves it as XLSX; the numbers arrive as numbers."""
    out = tmp_path / "lo"
    convert(package / "anvisninger_bydel.csv", "xlsx", out, "CSV:59,34,76,1,,1030,false,true")
    rows = list(
        openpyxl.load_workbook(out / "anvisninger_bydel.xlsx").active.iter_rows(values_only=True)
    )
    assert rows[0] == ("Bydel", "Boligorganisation", "Anviste boliger", "Andel af alle")
    by_district = {r[0]: r for r in rows[1:]}
    assert by_district["Brønshøj-Husum"][2:] == (12, 0.545)
    assert by_district["Østerbro"][2:] == (MARKER, MARKER)
    assert by_district["Amager Øst"][1] == "3B"
    assert by_district[TOTAL][2] == 22

    convert(package / "returer.csv", "xlsx", out, "CSV:59,34,76,1,,1030,false,true")
    rows = list(openpyxl.load_workbook(out / "returer.xlsx").active.iter_rows(values_only=True))
    assert rows[1][0] == datetime(2025, 10, 1)  # dd-mm-yyyy read as a date


def test_libreoffice_reads_every_sheet_of_the_xlsx(package: Path, tmp_path: Path):
    """LibreOffice opens the workbook and writes every sheet as CSV (semicolon, UTF-8, values as
    shown): the numbers come out with the workbook's number formats, so they are numbers."""
    out = tmp_path / "lo"
    convert(
        package / XLSX,
        "csv:Text - txt - csv (StarCalc):59,34,76,1,,1030,false,true,true,false,false,-1",
        out,
    )

    def sheet(name: str) -> list[list[str]]:
        text = (out / f"boligmonitor_{MONTH}-{name}.csv").read_text(encoding="utf-8")
        return list(csv.reader(io.StringIO(text), delimiter=";"))

    readme = {r[0]: r[1] for r in sheet("Læs mig") if r and r[0]}
    assert readme["Periode"] == "november 2025 (2025-11)"
    rows = sheet("Anvisninger pr. bydel")
    assert rows[0] == ["Bydel", "Boligorganisation", "Anviste boliger", "Andel af alle"]
    by_district = {r[0]: r for r in rows[1:]}
    assert by_district["Brønshøj-Husum"][2] == "12"
    assert by_district["Brønshøj-Husum"][3].replace(",", ".") == "0.545"
    assert by_district["Amager Øst"][3].replace(",", ".") == "0.000"  # formatted: a number
    assert by_district["Østerbro"][2:] == [MARKER, MARKER]
    dates = {r[0] for r in sheet("Returnerede boliger")[1:]}
    assert dates == {"01-10-2025", "01-11-2025"}
    assert ["Anvisninger pr. bydel", "anvisninger_bydel.csv", "Anviste boliger"] in [
        r[:3] for r in sheet("Dataordbog")
    ]
