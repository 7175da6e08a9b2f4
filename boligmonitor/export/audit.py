"""The export log in the warehouse: audit.exports, one row per package written."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from boligmonitor.export.model import ExportPackage
from boligmonitor.warehouse import create_documented_table

AUDIT_COLUMNS = {
    "month": ("VARCHAR", "Måneden pakken gælder (åååå-mm) / the month exported"),
    "path": ("VARCHAR", "Pakkens mappe / the package folder"),
    "files": ("JSON", "Filerne med rækker, bytes og sha256 / files with rows, bytes, sha256"),
    "file_count": ("INTEGER", "Antal filer ud over manifest.json / number of files"),
    "rows": ("BIGINT", "Datarækker i alle tabeller / data rows over all tables"),
    "suppressed_cells": ("INTEGER", "Undertrykte celler i alt / suppressed cells"),
    "suppression": (
        "JSON",
        "Hver undertrykt celle med tabel, række, kolonne og årsag (primary, complementary, "
        "derived); kun internt / every suppressed cell and why; internal only",
    ),
    "checks": ("JSON", "Kontroller der bestod / checks that passed"),
    "software_version": ("VARCHAR", "boligmonitors version / software version"),
    "as_of": ("DATE", "Opgjort pr. / the as-of date"),
    "manifest_sha256": ("VARCHAR", "SHA-256 af manifest.json"),
    "created_at": ("TIMESTAMP", "Tidspunkt for eksporten / time of the export run"),
}


def ensure_audit_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create audit.exports if it is missing."""
    create_documented_table(
        con,
        "audit.exports",
        AUDIT_COLUMNS,
        "Eksportlog: hver skrevet pakke til BL 1. kreds, med filer, rækker, undertrykte celler "
        "og kontroller / every export package written",
    )


def log_export(
    con: duckdb.DuckDBPyConnection, package: ExportPackage, created_at: datetime | None = None
) -> None:
    """Record a written package in audit.exports, with the time of the run."""
    ensure_audit_table(con)
    con.execute(
        "INSERT INTO audit.exports VALUES (?, ?, ?::JSON, ?, ?, ?, ?::JSON, ?::JSON, ?, ?, ?, ?)",
        [
            package.month,
            str(package.path),
            json.dumps([f.__dict__ for f in package.files], ensure_ascii=False),
            len(package.files),
            package.rows,
            package.suppressed_cells,
            json.dumps(list(package.suppression_log), ensure_ascii=False),
            json.dumps([c.__dict__ for c in package.checks], ensure_ascii=False),
            package.version,
            package.as_of,
            package.manifest_sha256,
            created_at or datetime.now().replace(microsecond=0),
        ],
    )
