"""The dbt docs page is rewritten only when what it shows changed (boligmonitor.modelling).

The fingerprint is of contents: the manifest without dbt's per-parse stamps, and the warehouse's
tables, views and columns with their types and comments. The paths of `refresh_docs` run the real
`dbt docs generate`, on a small warehouse file with one documented table.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from boligmonitor import modelling

AS_OF = date(2024, 6, 30)
SCHEMAS = ["marts"]


def _manifest_copy(tmp_path: Path, change: Any = None) -> Path:
    """A copy of the project's manifest; `change` edits its JSON before it is written."""
    content = json.loads(modelling.ensure_manifest().read_bytes())
    if change is not None:
        change(content)
    path = tmp_path / f"manifest-{len(list(tmp_path.glob('manifest-*')))}.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def _some_model(content: dict) -> dict:
    return next(n for n in content["nodes"].values() if n["resource_type"] == "model")


@pytest.fixture
def work_db(tmp_path: Path) -> Path:
    path = tmp_path / "work" / "boligmonitor.duckdb"
    path.parent.mkdir()
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.dwelling_funnel (month DATE, dwellings INTEGER)")
    con.execute("COMMENT ON COLUMN marts.dwelling_funnel.dwellings IS 'Boliger / dwellings'")
    con.execute("INSERT INTO marts.dwelling_funnel VALUES ('2024-01-01', 3)")
    con.close()
    return path


def test_manifest_fingerprint_ignores_parse_stamps_and_sees_content(tmp_path: Path) -> None:
    original = _manifest_copy(tmp_path)

    def stamps(content: dict) -> None:
        content["metadata"]["generated_at"] = "2030-01-01T00:00:00Z"
        content["metadata"]["invocation_id"] = "another-parse"
        for collection in ("nodes", "sources", "macros"):
            for resource in content[collection].values():
                resource["created_at"] = 1.0

    def description(content: dict) -> None:
        _some_model(content)["description"] += " Ændret."

    def column(content: dict) -> None:
        model = _some_model(content)
        name = next(iter(model["columns"]))
        model["columns"][name]["description"] = "En anden beskrivelse"

    same = modelling.manifest_fingerprint(original)
    assert modelling.manifest_fingerprint(_manifest_copy(tmp_path, stamps)) == same
    assert modelling.manifest_fingerprint(_manifest_copy(tmp_path, description)) != same
    assert modelling.manifest_fingerprint(_manifest_copy(tmp_path, column)) != same


def test_catalog_fingerprint_sees_columns_types_and_comments_not_rows(work_db: Path) -> None:
    before = modelling.catalog_fingerprint(work_db, SCHEMAS)
    con = duckdb.connect(str(work_db))
    con.execute("INSERT INTO marts.dwelling_funnel VALUES ('2024-02-01', 5)")
    con.close()
    assert modelling.catalog_fingerprint(work_db, SCHEMAS) == before, "new rows are not in the page"

    changes = [
        "COMMENT ON COLUMN marts.dwelling_funnel.dwellings IS 'Antal boliger'",
        "COMMENT ON TABLE marts.dwelling_funnel IS 'Boligtragten'",
        "ALTER TABLE marts.dwelling_funnel ALTER dwellings TYPE BIGINT",
        "ALTER TABLE marts.dwelling_funnel ADD COLUMN returned INTEGER",
        "CREATE VIEW marts.v AS SELECT 1 AS x",
    ]
    seen = {before}
    for change in changes:
        con = duckdb.connect(str(work_db))
        con.execute(change)
        con.close()
        now = modelling.catalog_fingerprint(work_db, SCHEMAS)
        assert now not in seen, change
        seen.add(now)
    # the pipeline's own schemas are not on the page: exports and checks do not change it
    con = duckdb.connect(str(work_db))
    con.execute("CREATE SCHEMA partner")
    con.execute("CREATE TABLE partner.bydele (x INTEGER)")
    con.close()
    assert modelling.catalog_fingerprint(work_db, SCHEMAS) == now
    # and the file was only read: no lock is left
    duckdb.connect(str(work_db)).close()


def test_the_page_shows_the_schemas_of_models_seeds_and_sources() -> None:
    schemas = modelling.documented_schemas(modelling.ensure_manifest())
    assert {"raw", "staging", "intermediate", "marts", "reference"} <= set(schemas)
    assert not {"audit", "quarantine", "partner"} & set(schemas)


def test_docs_page_is_rewritten_only_when_what_it_shows_changed(
    tmp_path: Path, work_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "docs"
    manifest = _manifest_copy(tmp_path)
    monkeypatch.setattr(modelling, "ensure_manifest", lambda project_dir=None: manifest)
    calls: list[Path] = []
    real_generate = modelling.generate_docs

    def counted(dest: Path, *args: Any, **kwargs: Any) -> Path:
        calls.append(dest)
        return real_generate(dest, *args, **kwargs)

    monkeypatch.setattr(modelling, "generate_docs", counted)

    # no page yet: written
    first = modelling.refresh_docs(dest, work_db, AS_OF)
    assert first.regenerated and len(calls) == 1
    page = dest / "index.html"
    assert first.page == page and page.is_file()
    assert (dest / modelling.DOCS_FINGERPRINT_FILE).read_text().strip() == first.fingerprint
    written = page.stat().st_mtime_ns

    # nothing changed (new rows only): the page stays, dbt is not run
    con = duckdb.connect(str(work_db))
    con.execute("INSERT INTO marts.dwelling_funnel VALUES ('2024-03-01', 7)")
    con.close()
    again = modelling.refresh_docs(dest, work_db, AS_OF)
    assert not again.regenerated and len(calls) == 1
    assert again.fingerprint == first.fingerprint
    assert page.stat().st_mtime_ns == written
    assert "uændret" in again.describe()

    # a column's description changed in the warehouse: rewritten, and the page shows it
    con = duckdb.connect(str(work_db))
    con.execute("COMMENT ON COLUMN marts.dwelling_funnel.dwellings IS 'Antal modtagne boliger'")
    con.close()
    changed = modelling.refresh_docs(dest, work_db, AS_OF)
    assert changed.regenerated and len(calls) == 2
    assert changed.fingerprint != first.fingerprint
    assert "Antal modtagne boliger" in page.read_text(encoding="utf-8")

    # the manifest's content changed (a model's description): rewritten, and the page shows it
    def description(content: dict) -> None:
        _some_model(content)["description"] = "Beskrivelse fra en ny version af modellen"

    manifest = _manifest_copy(tmp_path, description)
    newer = modelling.refresh_docs(dest, work_db, AS_OF)
    assert newer.regenerated and len(calls) == 3
    assert "Beskrivelse fra en ny version af modellen" in page.read_text(encoding="utf-8")

    # the page was removed: rewritten although nothing else changed
    page.unlink()
    restored = modelling.refresh_docs(dest, work_db, AS_OF)
    assert restored.regenerated and len(calls) == 4 and page.is_file()
    assert restored.fingerprint == newer.fingerprint

    # a page whose writing was cut short (no fingerprint beside it) is rewritten too
    (dest / modelling.DOCS_FINGERPRINT_FILE).unlink()
    assert modelling.refresh_docs(dest, work_db, AS_OF).regenerated and len(calls) == 5
    assert not modelling.refresh_docs(dest, work_db, AS_OF).regenerated and len(calls) == 5
