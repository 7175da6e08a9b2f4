"""`boligmonitor status`: is everything all right? For people and for a monitoring system.

Reads the published snapshot (never the working file, so it works during a run), the export
folder and the run history it is handed (the CLI fetches that from the Dagster instance; this
module imports no Dagster). `Report.problems` lists what needs attention; the CLI exits non-zero
when there is any.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from boligmonitor.contracts import SOURCES
from boligmonitor.settings import Paths

# How old a source's newest extract may be (days, as of BOLIGMONITOR_AS_OF) before it is stale.
# Nightly sources get a weekend's slack; the housing organisations deliver about weekly;
# BL 1. kreds's departments monthly; rent classes only when they change (never stale).
MAX_AGE_DAYS: dict[str, int | None] = {
    "anvisninger": 3,
    "bostotte": 3,
    "herbergsophold": 3,
    "ledige_boliger": 14,
    "returnerede_boliger": 14,
    "afdelinger": 45,
    "huslejeklasser": None,
}
HANGING_AFTER = timedelta(hours=12)  # a run "in progress" for longer than this has died
VALIDATIONS_TABLE = "audit.validations"

RUN_STATUS_DA = {
    "SUCCESS": "lykkedes",
    "FAILURE": "fejlede",
    "CANCELED": "afbrudt",
    "CANCELING": "afbrydes",
    "STARTED": "i gang",
    "STARTING": "starter",
    "QUEUED": "i kø",
    "NOT_STARTED": "ikke startet",
}
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


@dataclass(frozen=True)
class RunInfo:
    job: str
    run_id: str
    status: str  # Dagster's run status name: SUCCESS, FAILURE, STARTED, ...
    started: datetime | None = None
    ended: datetime | None = None


@dataclass(frozen=True)
class SourceStatus:
    source: str
    newest_extract: date | None
    age_days: int | None
    max_age_days: int | None
    quarantined_rows: int
    rejected_files: int

    @property
    def stale(self) -> bool:
        if self.max_age_days is None:
            return False
        return self.age_days is None or self.age_days > self.max_age_days


@dataclass(frozen=True)
class ExportInfo:
    folder: Path
    written: datetime
    files: int


@dataclass
class Report:
    as_of: date
    runs: list[RunInfo]
    snapshot: Path
    snapshot_time: datetime | None
    sources: list[SourceStatus] = field(default_factory=list)
    validations_found: bool = False
    failing_checks: list[str] = field(default_factory=list)
    export: ExportInfo | None = None
    now: datetime = field(default_factory=lambda: datetime.now().astimezone())

    @property
    def last_run(self) -> RunInfo | None:
        return self.runs[0] if self.runs else None

    @property
    def last_finished(self) -> RunInfo | None:
        return next((r for r in self.runs if r.status in FINISHED), None)

    @property
    def problems(self) -> list[str]:
        out = []
        if not self.runs:
            out.append("Der er ingen kørsler i Dagster endnu.")
        finished = self.last_finished
        if finished is not None and finished.status != "SUCCESS":
            out.append(
                f"Den seneste afsluttede kørsel ({finished.job}, {finished.run_id[:8]}) "
                f"{RUN_STATUS_DA.get(finished.status, finished.status)}."
            )
        last = self.last_run
        if (
            last is not None
            and last.status not in FINISHED
            and last.started is not None
            and self.now - last.started > HANGING_AFTER
        ):
            out.append(
                f"Kørslen {last.run_id[:8]} har stået som '{RUN_STATUS_DA.get(last.status)}' "
                f"siden {_time(last.started)}; den er formentlig død (se runbook)."
            )
        if self.snapshot_time is None:
            out.append(f"Der er intet øjebliksbillede til analytikere ({self.snapshot}).")
        for s in self.sources:
            if s.stale:
                if s.newest_extract is None:
                    out.append(f"Kilden {s.source} har aldrig leveret en fil, der kunne indlæses.")
                else:
                    out.append(
                        f"Kilden {s.source} er forældet: nyeste udtræk er fra "
                        f"{s.newest_extract:%d.%m.%Y}, {s.age_days} dage gammelt "
                        f"(højst {s.max_age_days})."
                    )
        out += [f"Kontrollen fejler: {c}" for c in self.failing_checks]
        return out

    @property
    def needs_attention(self) -> bool:
        return bool(self.problems)

    def render(self) -> str:
        lines = [f"boligmonitor status pr. {self.as_of:%d.%m.%Y}", ""]
        last = self.last_run
        if last is None:
            lines.append("Seneste kørsel: ingen endnu")
        else:
            lines.append(f"Seneste kørsel: {_describe_run(last)}")
            finished = self.last_finished
            if finished is not None and finished is not last:
                lines.append(f"Seneste afsluttede kørsel: {_describe_run(finished)}")
        if self.snapshot_time is None:
            lines.append(f"Øjebliksbillede: findes ikke endnu ({self.snapshot})")
        else:
            lines.append(
                f"Øjebliksbillede: {self.snapshot}, offentliggjort {_time(self.snapshot_time)}"
            )
        if self.sources:
            lines += ["", "Kilder: nyeste udtræk, alder i dage (højst), karantæne"]
            width = max(len(s.source) for s in self.sources)
            for s in self.sources:
                newest = f"{s.newest_extract:%d.%m.%Y}" if s.newest_extract else "intet"
                age = "-" if s.age_days is None else str(s.age_days)
                limit = "-" if s.max_age_days is None else str(s.max_age_days)
                flag = "  FORÆLDET" if s.stale else ""
                rejected = f", {s.rejected_files} filer afvist" if s.rejected_files else ""
                lines.append(
                    f"  {s.source.ljust(width)}  {newest:>10}  {age:>4} ({limit:>2})  "
                    f"{s.quarantined_rows:>6} rækker i karantæne{rejected}{flag}"
                )
        lines.append("")
        if not self.validations_found:
            lines.append(
                f"Kontroller: {VALIDATIONS_TABLE} findes ikke i øjebliksbilledet; "
                "ingen kontrolresultater at vise."
            )
        elif not self.failing_checks:
            lines.append("Kontroller: alle bestod ved seneste validering.")
        else:
            lines.append(f"Kontroller: {len(self.failing_checks)} fejler (se nedenfor).")
        if self.export is None:
            lines.append("Seneste eksportpakke: ingen endnu")
        else:
            lines.append(
                f"Seneste eksportpakke: {self.export.folder.name} ({self.export.folder}, "
                f"skrevet {_time(self.export.written)}, {self.export.files} filer)"
            )
        problems = self.problems
        lines.append("")
        if problems:
            lines.append("Kræver opmærksomhed:")
            lines += [f"  - {p}" for p in problems]
        else:
            lines.append("Alt er i orden.")
        return "\n".join(lines)


def _time(value: datetime) -> str:
    return value.astimezone().strftime("%d.%m.%Y %H:%M")


def _describe_run(run: RunInfo) -> str:
    text = f"{run.job}, {RUN_STATUS_DA.get(run.status, run.status)}"
    if run.started is not None:
        text += f", startet {_time(run.started)}"
        if run.ended is not None:
            seconds = int((run.ended - run.started).total_seconds())
            text += f", varede {seconds // 60} min {seconds % 60} s"
    return f"{text} (run id {run.run_id})"


def latest_export(exports: Path) -> ExportInfo | None:
    """The newest package folder (by name, YYYY-MM) that has a manifest.json."""
    if not exports.is_dir():
        return None
    folders = sorted(
        (p for p in exports.iterdir() if p.is_dir() and (p / "manifest.json").is_file()),
        key=lambda p: p.name,
    )
    if not folders:
        return None
    newest = folders[-1]
    manifest = newest / "manifest.json"
    return ExportInfo(
        folder=newest,
        written=datetime.fromtimestamp(manifest.stat().st_mtime).astimezone(),
        files=sum(1 for p in newest.rglob("*") if p.is_file()),
    )


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() UNION ALL "
        "SELECT schema_name || '.' || view_name FROM duckdb_views() "
        "WHERE database_name = current_database() AND NOT internal"
    ).fetchall()
    return {r[0] for r in rows}


def source_statuses(con: duckdb.DuckDBPyConnection, as_of: date) -> list[SourceStatus]:
    tables = _tables(con)
    newest: dict[str, date | None] = {}
    rejected: dict[str, int] = {}
    if "audit.files" in tables:
        for source, extract, n_rejected in con.execute(
            # A duplicate (same content as a loaded file) is a delivery too; its extract date
            # is read from the file name.
            """SELECT source,
                      max(coalesce(extract_date, CAST(try_strptime(
                          regexp_extract(path, '_([0-9]{8})(_[0-9]+)?[.][A-Za-z]+$', 1),
                          '%Y%m%d') AS DATE)))
                          FILTER (WHERE status IN ('loaded', 'duplicate')),
                      count(*) FILTER (WHERE status = 'rejected')
               FROM audit.files GROUP BY source"""
        ).fetchall():
            newest[source] = extract
            rejected[source] = int(n_rejected)
    out = []
    for source in SOURCES:
        quarantined = 0
        if f"quarantine.{source}" in tables:
            (quarantined,) = con.execute(f"SELECT count(*) FROM quarantine.{source}").fetchone()
        extract = newest.get(source)
        out.append(
            SourceStatus(
                source=source,
                newest_extract=extract,
                age_days=(as_of - extract).days if extract else None,
                max_age_days=MAX_AGE_DAYS.get(source),
                quarantined_rows=int(quarantined),
                rejected_files=rejected.get(source, 0),
            )
        )
    return out


def _pick(columns: list[str], *candidates: str) -> str | None:
    return next((c for c in candidates if c in columns), None)


def failing_checks(con: duckdb.DuckDBPyConnection) -> tuple[bool, list[str]]:
    """(table found, failing checks) from audit.validations, whose exact shape belongs to the
    quality checks: a pass/fail column (passed/success), a name (rule_id/check_name/…),
    optionally the asset or table, a severity and a time. Only the latest result per check
    counts, and a check with severity 'warn' is not a failure that needs attention."""
    if VALIDATIONS_TABLE not in _tables(con):
        return False, []
    columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'audit' AND table_name = 'validations'"
        ).fetchall()
    ]
    passed = _pick(columns, "passed", "success", "ok")
    name = _pick(columns, "rule_id", "check_name", "expectation", "name", "check")
    if passed is None or name is None:
        return True, [f"{VALIDATIONS_TABLE} har hverken en bestået-kolonne eller et kontrolnavn"]
    target = _pick(columns, "asset", "asset_key", "model", "table_name", "suite", "suite_name")
    when = _pick(columns, "validated_at", "checked_at", "run_at", "created_at", "timestamp")
    severity = _pick(columns, "severity", "level")
    label = f'CAST("{name}" AS VARCHAR)'
    if target:
        label += f""" || coalesce(' på ' || CAST("{target}" AS VARCHAR), '')"""
    partition = f'"{name}"' + (f', "{target}"' if target else "")
    latest = (
        f'QUALIFY row_number() OVER (PARTITION BY {partition} ORDER BY "{when}" DESC) = 1'
        if when
        else ""
    )
    sev = f'lower(CAST("{severity}" AS VARCHAR))' if severity else "NULL"
    rows = con.execute(
        f"""WITH latest AS (
                SELECT {label} AS label, TRY_CAST("{passed}" AS BOOLEAN) AS ok, {sev} AS sev
                FROM {VALIDATIONS_TABLE} {latest}
            )
            SELECT DISTINCT label FROM latest
            WHERE NOT coalesce(ok, false)
              AND coalesce(sev, 'error') NOT IN ('warn', 'warning', 'advarsel')
            ORDER BY label"""
    ).fetchall()
    return True, [r[0] for r in rows]


def collect(paths: Paths, as_of: date, runs: list[RunInfo]) -> Report:
    report = Report(as_of=as_of, runs=runs, snapshot=paths.snapshot_db, snapshot_time=None)
    report.export = latest_export(paths.exports)
    if not paths.snapshot_db.is_file():
        return report
    report.snapshot_time = datetime.fromtimestamp(paths.snapshot_db.stat().st_mtime).astimezone()
    con = duckdb.connect(str(paths.snapshot_db), read_only=True)
    try:
        report.sources = source_statuses(con, as_of)
        report.validations_found, report.failing_checks = failing_checks(con)
    finally:
        con.close()
    return report


def as_json(report: Report) -> str:
    """The report for a monitoring system."""
    return json.dumps(
        {
            "as_of": report.as_of.isoformat(),
            "needs_attention": report.needs_attention,
            "problems": report.problems,
            "last_run": None
            if report.last_run is None
            else {
                "job": report.last_run.job,
                "run_id": report.last_run.run_id,
                "status": report.last_run.status,
            },
            "sources": {
                s.source: {
                    "newest_extract": s.newest_extract.isoformat() if s.newest_extract else None,
                    "age_days": s.age_days,
                    "stale": s.stale,
                    "quarantined_rows": s.quarantined_rows,
                }
                for s in report.sources
            },
            "failing_checks": report.failing_checks,
            "export": None if report.export is None else report.export.folder.name,
        },
        ensure_ascii=False,
        indent=2,
    )
