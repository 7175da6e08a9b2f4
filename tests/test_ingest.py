"""Ingestion of hand-made files in every variant of SOURCES.md, into a real DuckDB file."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from boligmonitor import cpr, modelling, warehouse
from boligmonitor.contracts import SOURCES
from boligmonitor.ingest import ingest_source
from tests.conftest import CPR_PATTERN, TEST_KEY, string_values
from tests.sourcefiles import allocation, dwelling, returned, shelter_stay, write_csv, write_xlsx


def ingest(con: duckdb.DuckDBPyConnection, landing: Path, source: str):
    return ingest_source(con, SOURCES[source], landing, TEST_KEY)


def registry(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT path, status, rows_read, rows_loaded, rows_quarantined, encoding, delimiter, "
        "reason FROM audit.files"
    ).fetchall()
    return {r[0].split("/")[-1]: r[1:] for r in rows}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_encodings_and_delimiters_keep_danish_letters(
    con, landing: Path, encoding: str, delimiter: str
) -> None:
    rows = [
        dwelling("FSB-0101-001", bydel="Østerbro", adresse="Ærøgade 3, 2. th."),
        dwelling("KAB-0202-007", bydel="Brønshøj-Husum", adresse="Åbenrå 12", husleje_kr="4250,5"),
    ]
    write_csv(landing, "ledige_boliger_20240103.csv", rows, encoding=encoding, delimiter=delimiter)
    result = ingest(con, landing, "ledige_boliger")
    assert result.rows_loaded == 2 and result.rows_quarantined == 0
    got = con.execute(
        "SELECT bydel, adresse, husleje_kr FROM raw.ledige_boliger ORDER BY bolig_id"
    ).fetchall()
    assert got == [
        ("Østerbro", "Ærøgade 3, 2. th.", Decimal("5125.00")),
        ("Brønshøj-Husum", "Åbenrå 12", Decimal("4250.50")),
    ]
    file = registry(con)["ledige_boliger_20240103.csv"]
    assert file[4:6] == (encoding, delimiter)


def test_danish_numbers_and_both_date_forms(con, landing: Path) -> None:
    rows = [
        allocation("A1", betalingsevne_kr="4.250,50", indstillet_dato="01-12-2023"),
        allocation("A2", betalingsevne_kr="4250,5", indstillet_dato="2023-12-01"),
        allocation("A3", betalingsevne_kr="4250", opdateret="2023-12-02T10:15:00"),
        allocation("A4", betalingsevne_kr="12.345.678", opdateret="02-12-2023 10:15:00"),
    ]
    write_csv(landing, "anvisninger_20231203.csv", rows)
    assert ingest(con, landing, "anvisninger").rows_loaded == 4
    got = con.execute(
        "SELECT anvisning_id, betalingsevne_kr, indstillet_dato, opdateret "
        "FROM raw.anvisninger ORDER BY anvisning_id"
    ).fetchall()
    assert got == [
        ("A1", Decimal("4250.50"), date(2023, 12, 1), datetime(2023, 12, 2, 10, 15)),
        ("A2", Decimal("4250.50"), date(2023, 12, 1), datetime(2023, 12, 2, 10, 15)),
        ("A3", Decimal("4250.00"), date(2023, 12, 1), datetime(2023, 12, 2, 10, 15)),
        ("A4", Decimal("12345678.00"), date(2023, 12, 1), datetime(2023, 12, 2, 10, 15)),
    ]


def test_xlsx_with_excel_dates_and_numbers_stored_as_text(con, landing: Path) -> None:
    rows = [
        dwelling(
            "FSB-0101-001",
            vaerelser=3,
            areal_m2=72.5,
            husleje_kr="5.125,00",  # a number stored as text
            aconto_kr=650,
            modtaget_dato=date(2024, 1, 3),  # a real Excel date
            svarfrist_dato="17-01-2024",  # a date as text
            opdateret=datetime(2024, 1, 3, 8, 0, 0),
        ),
        dwelling("AAB-0303-002", bydel="Vesterbro/Kongens Enghave", husleje_kr=4999.5),
    ]
    write_xlsx(landing, "ledige_boliger_20240104_2.xlsx", rows)
    result = ingest(con, landing, "ledige_boliger")
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    got = con.execute(
        "SELECT bolig_id, vaerelser, areal_m2, husleje_kr, aconto_kr, modtaget_dato, "
        "svarfrist_dato, opdateret, _source_row, _extract_date FROM raw.ledige_boliger "
        "ORDER BY _source_row"
    ).fetchall()
    assert got[0] == (
        "FSB-0101-001",
        3,
        Decimal("72.50"),
        Decimal("5125.00"),
        Decimal("650.00"),
        date(2024, 1, 3),
        date(2024, 1, 17),
        datetime(2024, 1, 3, 8, 0),
        2,
        date(2024, 1, 4),
    )
    assert got[1][3] == Decimal("4999.50") and got[1][8] == 3
    assert registry(con)["ledige_boliger_20240104_2.xlsx"][0] == "loaded"


def test_bad_rows_are_quarantined_with_file_row_column_and_reason(con, landing: Path) -> None:
    rows = [
        allocation("A1"),
        allocation("A2", cpr="320190-1235"),  # not a date
        allocation("A3", maalgruppe="herbreg"),  # unknown code
        allocation("A4", betalingsevne_kr="4.25O,00"),  # not a number
        allocation(None),  # missing key
        allocation(
            "A6", status="fraflyttet", indflytning_dato="10-12-2023", fraflytning_dato="01-12-2023"
        ),  # end before start
        allocation("A7", betalingsevne_kr="4250.50"),  # English decimal point: ambiguous
        allocation("A8", bostotte_behov="ja"),
    ]
    write_csv(landing, "anvisninger_20231203.csv", rows)
    result = ingest(con, landing, "anvisninger")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 7)
    got = dict(
        (row, (cols, reason))
        for row, cols, reason in con.execute(
            "SELECT _source_row, error_columns, reason FROM quarantine.anvisninger"
        ).fetchall()
    )
    assert got[3][0] == "cpr" and "gyldigt CPR-nummer" in got[3][1]
    assert "320190" not in got[3][1]
    assert got[4] == (
        "maalgruppe",
        "maalgruppe: 'herbreg' er ikke en gyldig kode (gyldige: herberg, gade, sofasover, ung, "
        "krisecenter, botilbud, flygtning, oevrig)",
    )
    assert got[5][0] == "betalingsevne_kr" and "'4.25O,00' er ikke et tal" in got[5][1]
    assert got[6] == ("anvisning_id", "anvisning_id: mangler en værdi")
    assert got[7] == (
        "fraflytning_dato",
        "fraflytning_dato (01-12-2023) ligger før indflytning_dato (10-12-2023)",
    )
    assert got[8][0] == "betalingsevne_kr"
    assert got[9] == ("bostotte_behov", "bostotte_behov: 'ja' skal være 0 eller 1")
    read, loaded, quarantined = registry(con)["anvisninger_20231203.csv"][1:4]
    assert read == loaded + quarantined == 8


def test_no_raw_cpr_anywhere_in_the_warehouse(con, landing: Path) -> None:
    write_csv(
        landing,
        "anvisninger_20231203.csv",
        [allocation("A1"), allocation("A2", cpr="320190-1235"), allocation("A3", cpr="0101901235")],
    )
    write_csv(landing, "herbergsophold_20231203.csv", [shelter_stay(herberg="Ophold 010190-1235")])
    write_csv(
        landing,
        "returnerede_boliger_20240121.csv",
        [returned(bemaerkning="Borger 010190-1235 ønskede ikke boligen")],
    )
    for source in ("anvisninger", "herbergsophold", "returnerede_boliger"):
        ingest(con, landing, source)
    leaks = [(t, c, v) for t, c, v in string_values(con) if CPR_PATTERN.search(v)]
    assert leaks == []
    (remark,) = con.execute("SELECT bemaerkning FROM raw.returnerede_boliger").fetchone()
    assert remark == f"Borger {cpr.MASK} ønskede ikke boligen"
    # a CPR number in a text field that is not free text is a contract break, not masked data
    (reason,) = con.execute("SELECT reason FROM quarantine.herbergsophold").fetchone()
    assert "ligner et CPR-nummer" in reason
    pseudonyms = con.execute("SELECT DISTINCT cpr_pseudonym FROM raw.anvisninger").fetchall()
    assert pseudonyms == [(cpr.pseudonymise("010190-1235", TEST_KEY),)]


def test_unreadable_files_are_rejected_and_the_rest_goes_on(con, landing: Path) -> None:
    good = write_csv(landing, "bostotte_20240101.csv", [])
    good.write_text(
        good.read_text()
        + "F-1;010190-1235;CTI;kommunal;Team Nord;01-01-2024;02-01-2024;;;02-01-2024 10:00:00;0\r\n"
    )
    folder = landing / "bostotte"
    truncated = good.read_bytes() + b'F-2;0101901235;"ICM;kommu'
    (folder / "bostotte_20240102.csv").write_bytes(truncated)
    (folder / "bostotte_20240103.csv").write_text("forloeb_id;cpr\nF-3;010190-1235\n")
    (folder / "bostotte_20240104.xlsx").write_bytes(b"not a zip file at all")
    (folder / "bostotte_20240105.csv").write_bytes(b"")
    (folder / "bostotte_20240106.csv").write_bytes(b"forloeb_id;cpr\n\x81\x8d\x8f\n")
    (folder / "bostotte-januar.csv").write_bytes(good.read_bytes())
    (folder / "bostotte_20240107.csv").write_bytes(
        good.read_bytes() + b"F-4;010190-1235;CTI;kommunal;Team Nord;01-01-2024\r\n"
    )
    result = ingest(con, landing, "bostotte")
    files = registry(con)
    assert files["bostotte_20240101.csv"][:3] == ("loaded", 1, 1)
    rejected = {name: f[-1] for name, f in files.items() if f[0] == "rejected"}
    assert set(rejected) == {
        "bostotte_20240102.csv",
        "bostotte_20240103.csv",
        "bostotte_20240104.xlsx",
        "bostotte_20240105.csv",
        "bostotte_20240106.csv",
        "bostotte-januar.csv",
        "bostotte_20240107.csv",
    }
    assert "linje 3" in rejected["bostotte_20240102.csv"]
    assert "anførselstegn" in rejected["bostotte_20240102.csv"]
    assert "mangler kolonnerne" in rejected["bostotte_20240103.csv"]
    assert "XLSX" in rejected["bostotte_20240104.xlsx"]
    assert "tom" in rejected["bostotte_20240105.csv"]
    assert "tegnsættet" in rejected["bostotte_20240106.csv"]
    assert "filnavnet" in rejected["bostotte-januar.csv"]
    assert "rækken har 6 felter, men overskriften har 11" in rejected["bostotte_20240107.csv"]
    assert all(CPR_PATTERN.search(r) is None for r in rejected.values())
    assert result.count("rejected") == 7
    assert con.execute("SELECT count(*) FROM raw.bostotte").fetchone() == (1,)


def test_second_run_adds_nothing_and_new_night_loads_only_new_files(con, landing: Path) -> None:
    write_csv(landing, "anvisninger_20231203.csv", [allocation("A1"), allocation("A2")])
    write_csv(landing, "anvisninger_20231204.csv", [allocation("A1", status="annulleret")])
    first = ingest(con, landing, "anvisninger")
    assert first.rows_loaded == 3
    again = ingest(con, landing, "anvisninger")
    assert again.outcomes == [] and again.files_seen == 2
    write_csv(landing, "anvisninger_20231205.csv", [allocation("A3")])
    (landing / "anvisninger" / "anvisninger_20231205_2.csv").write_bytes(
        (landing / "anvisninger" / "anvisninger_20231203.csv").read_bytes()
    )
    third = ingest(con, landing, "anvisninger")
    assert [(o.path.split("/")[-1], o.status) for o in third.outcomes] == [
        ("anvisninger_20231205_2.csv", "duplicate"),
        ("anvisninger_20231205.csv", "loaded"),
    ]
    assert third.rows_loaded == 1
    assert con.execute("SELECT count(*) FROM raw.anvisninger").fetchone() == (4,)
    duplicate = registry(con)["anvisninger_20231205_2.csv"]
    assert duplicate[-1] == (
        "samme indhold som anvisninger/anvisninger_20231203.csv, som allerede er indlæst"
    )


def test_every_file_reconciles(con, landing: Path) -> None:
    write_csv(landing, "anvisninger_20231203.csv", [allocation("A1"), allocation(None)])
    write_xlsx(
        landing,
        "afdelinger_20240201.xlsx",
        [
            {
                "afdeling_id": "FSB-0101",
                "boligorganisation": "fsb",
                "afdeling_navn": "Ryparken",
                "bydel": "Østerbro",
                "antal_boliger": 412,
                "skaermet": 0,
                "maaned": "2024-01",
                "ledige_boliger": 6,
                "udlejet_venteliste": 3,
                "udlejet_fleksibel": 1,
                "anvist_kommune": 2,
            },
            {"afdeling_id": "FSB-0102", "maaned": date(2024, 1, 1), "skaermet": True},
        ],
    )
    for source in SOURCES:
        ingest(con, landing, source)
    rows = con.execute(
        """SELECT f.path, f.rows_read, f.rows_loaded, f.rows_quarantined,
                  (SELECT count(*) FROM raw.anvisninger r WHERE r._source_file = f.path)
                + (SELECT count(*) FROM raw.afdelinger r WHERE r._source_file = f.path),
                  (SELECT count(*) FROM quarantine.anvisninger q WHERE q._source_file = f.path)
                + (SELECT count(*) FROM quarantine.afdelinger q WHERE q._source_file = f.path)
           FROM audit.files f ORDER BY f.path"""
    ).fetchall()
    assert [r[0] for r in rows] == [
        "afdelinger/afdelinger_20240201.xlsx",
        "anvisninger/anvisninger_20231203.csv",
    ]
    for _path, read, loaded, quarantined, in_raw, in_quarantine in rows:
        assert read == loaded + quarantined == in_raw + in_quarantine == 2
        assert (loaded, quarantined) == (1, 1)
    (month,) = con.execute("SELECT maaned FROM raw.afdelinger").fetchone()
    assert month == date(2024, 1, 1)


def test_mixed_line_endings_are_read(con, landing: Path) -> None:
    path = write_csv(landing, "anvisninger_20231203.csv", [allocation("A1")], newline="\n")
    path.write_bytes(
        path.read_bytes() + b"A2;0101901235;01-12-2023;gade;3000;ungdom;0;;;"
        b"indstillet;;;;ingen;;;;02-12-2023 10:15:00;0\r\n"
    )
    result = ingest(con, landing, "anvisninger")
    assert (result.rows_loaded, result.rows_quarantined, result.count("rejected")) == (2, 0, 0)


def test_truncated_file_in_a_batch_is_rejected_not_cut_short(con, landing: Path) -> None:
    """Regression: DuckDB 1.5.6 reading several small files in one read_csv call silently
    dropped a last line cut off inside quotes (read alone, it raises). Ingestion must reject it."""
    sizes = [14, 16, 9, 8, 4]
    for night, size in enumerate(sizes, start=1):
        rows = [shelter_stay(f"H-{night}{i:05d}") for i in range(size)]
        write_csv(landing, f"herbergsophold_202205{night:02d}.csv", rows, newline="\n")
    last = landing / "herbergsophold" / "herbergsophold_20220505.csv"
    last.write_bytes(last.read_bytes() + b'H-0005287;0101901235;"Forsorgshjemm')
    result = ingest(con, landing, "herbergsophold")
    files = registry(con)
    assert files["herbergsophold_20220505.csv"][0] == "rejected"
    assert "anførselstegn" in files["herbergsophold_20220505.csv"][-1]
    assert result.rows_loaded == sum(sizes[:-1])
    assert result.count("loaded") == 4


def test_a_quoted_line_break_is_one_row(con, landing: Path) -> None:
    for night in (21, 22):  # two files: the multi-file read path
        rows = [returned("B-1", bemaerkning="Første linje\nanden linje"), returned(f"B-{night}")]
        write_csv(landing, f"returnerede_boliger_202401{night}.csv", rows)
    assert ingest(con, landing, "returnerede_boliger").rows_loaded == 4
    remarks = con.execute(
        "SELECT DISTINCT bemaerkning FROM raw.returnerede_boliger WHERE bolig_id = 'B-1'"
    ).fetchall()
    assert remarks == [("Første linje\nanden linje",)]


def test_empty_nightly_extracts_are_loaded_not_duplicates(con, landing: Path) -> None:
    for night in (1, 2, 3):
        write_csv(landing, f"bostotte_2024010{night}.csv", [])
    result = ingest(con, landing, "bostotte")
    assert result.count("loaded") == 3 and result.count("duplicate") == 0
    dates = con.execute("SELECT max(extract_date) FROM audit.files").fetchone()
    assert dates == (date(2024, 1, 3),)


def test_the_run_and_dbt_share_one_duckdb_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOLIGMONITOR_DUCKDB_MEMORY", "1GB")
    con = warehouse.connect(tmp_path / "w.duckdb")
    (limit,) = con.execute("SELECT current_setting('memory_limit')").fetchone()
    con.close()
    assert limit == "953.6 MiB"  # 1 GB as DuckDB shows it
    env = modelling.dbt_env(tmp_path / "w.duckdb", date(2024, 1, 31))
    assert env["BOLIGMONITOR_DUCKDB_MEMORY"] == "1GB"  # what dbt's profiles.yml reads
    monkeypatch.delenv("BOLIGMONITOR_DUCKDB_MEMORY")
    con = warehouse.connect(tmp_path / "w.duckdb", read_only=True)
    (limit,) = con.execute("SELECT current_setting('memory_limit')").fetchone()
    con.close()
    assert limit == "2.3 GiB"  # the default, 2.5 GB
