"""Validation results kept in the warehouse: `audit.validations`, one row per rule per run."""

from __future__ import annotations

import json

import duckdb

from boligmonitor.quality.validation import SuiteResult
from boligmonitor.warehouse import create_documented_table

TABLE = "audit.validations"

COLUMNS: dict[str, tuple[str, str]] = {
    "run_id": ("VARCHAR", "Kørslens id (Dagster run id) / run id"),
    "validated_at": ("TIMESTAMP", "Tidspunkt for valideringen / time of validation"),
    "suite": ("VARCHAR", "Regelsættets navn (filen i expectations/) / suite"),
    "table_name": ("VARCHAR", "Den validerede tabel, skema.tabel / table validated"),
    "asset_key": ("VARCHAR", "Dagster-asset som kontrollen hører til / Dagster asset"),
    "rule_id": ("VARCHAR", "Reglens id i regelsættet / rule id"),
    "expectation": ("VARCHAR", "Great Expectations-forventningens type / GX expectation type"),
    "severity": ("VARCHAR", "error (stopper eksport) eller warning (rapporteres) / severity"),
    "description": ("VARCHAR", "Reglen i ord / what the rule says"),
    "success": ("BOOLEAN", "Reglen var overholdt / the rule held"),
    "observed_value": ("VARCHAR", "Observeret værdi (kort, CPR-lignende tal maskeret)"),
    "unexpected_count": ("BIGINT", "Antal afvigende rækker eller værdier / failing rows or values"),
    "failing_examples": (
        "VARCHAR",
        "Op til fem eksempler på afvigelser som JSON-liste (CPR-lignende tal maskeret)",
    ),
    "error": ("VARCHAR", "Fejl, hvis reglen ikke kunne afgøres / error if it could not be run"),
}


DOC = (
    "Kvalitetskontroller: resultatet af hver regel i hvert regelsæt i hver kørsel. Seneste "
    "resultater ses i kvalitetsrapporten ($BOLIGMONITOR_HOME/quality/index.html)."
)


def _is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the table is there with exactly COLUMNS (names, order, types, comments) and DOC."""
    schema, table = TABLE.split(".")
    (comment,) = con.execute(
        "SELECT any_value(comment) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ?",
        [schema, table],
    ).fetchone()
    columns = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = ? AND table_name = ? "
        "ORDER BY column_index",
        [schema, table],
    ).fetchall()
    expected = [(name, sql_type, doc) for name, (sql_type, doc) in COLUMNS.items()]
    return comment == DOC and columns == expected


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table with its comments, or bring the comments up to date. Every check calls
    this; when the table is already as documented it only reads the catalog (setting the 15
    comments again would be 15 catalog writes, and a checkpoint, per check)."""
    if not _is_current(con):
        create_documented_table(con, TABLE, COLUMNS, DOC)


def save(con: duckdb.DuckDBPyConnection, result: SuiteResult) -> int:
    """Store a suite's results; re-validating the same suite in the same run replaces them."""
    ensure_table(con)
    rows = [
        (
            result.run_id,
            result.validated_at,
            result.suite,
            result.table,
            result.asset,
            r.rule_id,
            r.expectation,
            r.severity,
            r.description,
            r.success,
            r.observed_value,
            r.unexpected_count,
            json.dumps(list(r.examples), ensure_ascii=False),
            r.error,
        )
        for r in result.results
    ]
    con.execute("BEGIN")
    try:
        con.execute(
            f"DELETE FROM {TABLE} WHERE run_id = ? AND suite = ?", [result.run_id, result.suite]
        )
        if rows:
            placeholders = ", ".join("?" for _ in COLUMNS)
            con.executemany(f"INSERT INTO {TABLE} VALUES ({placeholders})", rows)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(rows)


def latest(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The newest result of every rule of every suite (the state the report shows)."""
    ensure_table(con)
    cursor = con.execute(
        f"""SELECT * FROM {TABLE}
            QUALIFY dense_rank() OVER (
                PARTITION BY suite ORDER BY validated_at DESC, run_id DESC) = 1
            ORDER BY table_name, suite, severity, rule_id"""
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
