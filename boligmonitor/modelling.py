"""The dbt project (dbt_project/): where it is, its manifest, and the environment dbt runs in.

Plain functions, no Dagster: the Dagster dbt assets, the CLI and the tests use them.

The manifest (`dbt_project/target/manifest.json`) is build output and never committed. The Dagster
definitions need it at load time, so `ensure_manifest()` runs `dbt parse` when it is missing or
older than any file of the project. A fresh clone therefore needs no manual step: the first
`make test`, `make demo`, `boligmonitor run` or `dagster dev` parses once (a few seconds), later
loads reuse the manifest. dbt parses into a private folder and the manifest is moved into place
atomically, so two processes loading at the same time never see half a file.

The docs page for analysts (`refresh_docs`) is rewritten only when what it shows has changed: a
second dbt process costs about 5 s a run, and most nights change data, not models or columns.
What it shows is the manifest and the warehouse's catalog, so its fingerprint (`docs_fingerprint`)
is a SHA-256 over the manifest's content, less the stamps dbt puts on every parse (times,
invocation id), and over every table, view and column of the warehouse with its type, position
and comment (the catalog the page embeds holds exactly these; no row counts). Contents, not file
times: a re-parse that changes nothing keeps the page, a changed description or column rewrites
it. The fingerprint is kept beside the page and written after it, so a page that was interrupted
half-way is rewritten next time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from boligmonitor import settings, warehouse

PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
# The nightly `dbt build` leaves out dbt's unit tests: they test the SQL against fixed inputs, so
# they belong where the SQL changes (`make test` runs every one of them), not in production.
PRODUCTION_BUILD_ARGS = ("--exclude-resource-type", "unit_test")
# What dbt writes itself; not part of the project's sources when judging staleness.
_OUTPUT_DIRS = {"target", "logs", "dbt_packages"}


class ModellingError(RuntimeError):
    """dbt could not parse or document the project; the message says what dbt said."""


def manifest_path(project_dir: Path = PROJECT_DIR) -> Path:
    return project_dir / "target" / "manifest.json"


def project_files(project_dir: Path = PROJECT_DIR) -> Iterator[Path]:
    """Every file that shapes the manifest: models, macros, seeds, tests, docs, yml."""
    for path in project_dir.rglob("*"):
        relative = path.relative_to(project_dir)
        if relative.parts[0] in _OUTPUT_DIRS or not path.is_file():
            continue
        yield path


def manifest_is_stale(project_dir: Path = PROJECT_DIR) -> bool:
    manifest = manifest_path(project_dir)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime_ns
    return any(p.stat().st_mtime_ns > built for p in project_files(project_dir))


def dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if not found:
        raise ModellingError("Programmet dbt blev ikke fundet. Kør `make install`.")
    return found


def dbt_env(work_db: Path | None = None, as_of: date | None = None) -> dict[str, str]:
    """The environment variables dbt reads: the warehouse file, the report date and DuckDB's
    memory limit.

    All are resolved here, so dbt and the Dagster resources always agree (profiles.yml reads
    BOLIGMONITOR_WORK_DB and BOLIGMONITOR_DUCKDB_MEMORY, the macro as_of_date() reads
    BOLIGMONITOR_AS_OF).
    """
    return {
        settings.WORK_DB_VAR: str((work_db or settings.paths().work_db).resolve()),
        settings.AS_OF_VAR: (as_of or settings.as_of()).isoformat(),
        settings.DUCKDB_MEMORY_VAR: settings.duckdb_memory_limit(),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore them."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _run_dbt(args: list[str], project_dir: Path, env: dict[str, str]) -> None:
    command = [dbt_executable(), *args, "--project-dir", str(project_dir)]
    command += ["--profiles-dir", str(project_dir)]
    done = subprocess.run(
        command,
        cwd=project_dir,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
        raise ModellingError(f"dbt {args[0]} fejlede (kode {done.returncode}):\n{tail}")


def ensure_manifest(project_dir: Path = PROJECT_DIR) -> Path:
    """Return the manifest, running `dbt parse` first when it is missing or stale."""
    manifest = manifest_path(project_dir)
    if not manifest_is_stale(project_dir):
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=manifest.parent, prefix="parse-") as tmp:
        env = {
            "DBT_TARGET_PATH": tmp,
            "DBT_LOG_PATH": tmp,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        _run_dbt(["parse", "--quiet"], project_dir, env)
        os.replace(Path(tmp) / "manifest.json", manifest)
    return manifest


def describe_run_results(run_results: Mapping[str, Any]) -> str:
    """One short Danish summary of a dbt run's results (run_results.json), for the terminal."""
    kinds = {"model": "modeller", "seed": "seeds", "test": "datatest", "unit_test": "enhedstest"}
    counts: dict[str, int] = {}
    warnings: list[str] = []
    failures: list[str] = []
    for result in run_results.get("results", []):
        kind = result["unique_id"].split(".", 1)[0]
        name = (
            result["unique_id"].split(".")[-1]
            if kind != "test"
            else result["unique_id"].split(".")[2]
        )
        status = result["status"]
        if status in {"success", "pass"}:
            counts[kind] = counts.get(kind, 0) + 1
        elif status == "warn":
            warnings.append(f"{name} ({result.get('failures') or 0} rækker)")
        elif status in {"error", "fail"}:
            failures.append(name)
    done = ", ".join(f"{counts[k]} {label}" for k, label in kinds.items() if counts.get(k))
    line = f"dbt: {done or 'intet'} i orden"
    if warnings:
        line += f"; {len(warnings)} advarsler: " + ", ".join(warnings)
    if failures:
        line += f"; {len(failures)} fejl: " + ", ".join(failures)
    return line


def build_models(
    work_db: Path,
    as_of: date | None = None,
    work_dir: Path | None = None,
    project_dir: Path = PROJECT_DIR,
) -> None:
    """`dbt build` (seeds, models, unit tests, data tests) into `work_db`, outside Dagster.

    dbt's own files (logs, compiled SQL, run results) go to `work_dir` (default: a folder in the
    project's target/). Raises ModellingError with dbt's last lines when anything fails.
    """
    folder = work_dir or project_dir / "target" / "cli_build"
    env = {**dbt_env(work_db, as_of), "DBT_TARGET_PATH": str(folder), "DBT_LOG_PATH": str(folder)}
    _run_dbt(["build"], project_dir, env)


# Raise to rewrite every docs page once, e.g. after changing how generate_docs calls dbt.
DOCS_FORMAT = 1
DOCS_FINGERPRINT_FILE = ".fingerprint"
DOCS_FILES = ("index.html", "manifest.json", "catalog.json")
# What dbt stamps on every parse, though nothing in the project changed.
_PARSE_STAMPS = ("generated_at", "invocation_id", "invocation_started_at", "run_started_at")


def manifest_fingerprint(manifest: Path) -> str:
    """SHA-256 of the manifest's content without the stamps of the parse that wrote it: the
    times and invocation id in `metadata`, and `created_at` of every node, source, macro and
    other resource (dbt sets it to the time of parsing)."""
    content = json.loads(manifest.read_bytes())
    metadata = content.get("metadata")
    if isinstance(metadata, dict):
        for key in _PARSE_STAMPS:
            metadata.pop(key, None)
    for collection in content.values():
        if not isinstance(collection, dict):
            continue
        for resource in collection.values():
            if isinstance(resource, dict):
                resource.pop("created_at", None)
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_CATALOG_SQL = """
SELECT 'relation', schema_name, table_name, 'BASE TABLE', NULL, NULL, comment
FROM duckdb_tables()
WHERE database_name = current_database() AND NOT temporary AND list_contains($schemas, schema_name)
UNION ALL
SELECT 'relation', schema_name, view_name, 'VIEW', NULL, NULL, comment
FROM duckdb_views()
WHERE database_name = current_database() AND NOT internal AND NOT temporary
  AND list_contains($schemas, schema_name)
UNION ALL
SELECT 'column', schema_name, table_name, column_name, column_index, data_type, comment
FROM duckdb_columns()
WHERE database_name = current_database() AND NOT internal AND list_contains($schemas, schema_name)
ORDER BY 1, 2, 3, 5, 4
"""


def documented_schemas(manifest: Path) -> list[str]:
    """The schemas the docs page shows: those of the project's models, seeds and sources. Not
    the pipeline's own (audit, quarantine, partner), which change when exports and checks run and
    are not on the page."""
    content = json.loads(manifest.read_bytes())
    return sorted(
        {
            resource["schema"]
            for collection in ("nodes", "sources")
            for resource in content.get(collection, {}).values()
            if resource.get("resource_type") in {"model", "seed", "snapshot", "source"}
        }
    )


def catalog_fingerprint(work_db: Path, schemas: list[str]) -> str:
    """SHA-256 of the warehouse's catalog as the docs page shows it: in `schemas`, every table
    and view with its kind and comment, every column with its position, type and comment. The
    file is opened read-only and closed again."""
    con = warehouse.connect(work_db, read_only=True)
    try:
        rows = con.execute(_CATALOG_SQL, {"schemas": schemas}).fetchall()
    finally:
        con.close()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, ensure_ascii=False, default=str).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def docs_fingerprint(manifest: Path, work_db: Path) -> str:
    """What the docs page shows, as one hash: the manifest's content, the warehouse's catalog,
    the dbt version that draws the page and DOCS_FORMAT."""
    parts = {
        "format": DOCS_FORMAT,
        "dbt": _dbt_version(),
        "manifest": manifest_fingerprint(manifest),
        "catalog": catalog_fingerprint(work_db, documented_schemas(manifest)),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def _dbt_version() -> str:
    """The installed dbt, whose page template draws the page (the manifest may be older)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dbt-core")
    except PackageNotFoundError:
        return ""


@dataclass(frozen=True)
class Docs:
    page: Path
    regenerated: bool
    fingerprint: str

    def describe(self) -> str:
        if self.regenerated:
            return f"Modeldokumentation (dbt docs) skrevet: {self.page}"
        return (
            "Modeldokumentation (dbt docs) uændret, da modeller og kolonner er de samme som "
            f"sidst: {self.page}"
        )


def refresh_docs(
    dest: Path,
    work_db: Path | None = None,
    as_of: date | None = None,
    project_dir: Path = PROJECT_DIR,
) -> Docs:
    """The docs page in `dest`, rewritten (`generate_docs`) only when its fingerprint changed
    or a file of it is missing; otherwise the page stays as it is."""
    work_db = work_db or settings.paths().work_db
    manifest = ensure_manifest(project_dir)
    fingerprint = docs_fingerprint(manifest, work_db)
    stamp = dest / DOCS_FINGERPRINT_FILE
    page = dest / "index.html"
    current = all((dest / name).is_file() for name in DOCS_FILES) and (
        stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == fingerprint
    )
    if current:
        return Docs(page, regenerated=False, fingerprint=fingerprint)
    stamp.unlink(missing_ok=True)  # the page is about to change: no stamp until it is whole
    page = generate_docs(dest, work_db, as_of, project_dir)
    partial = dest / f"{DOCS_FINGERPRINT_FILE}.tmp"
    partial.write_text(fingerprint + "\n", encoding="utf-8")
    os.replace(partial, stamp)
    return Docs(page, regenerated=True, fingerprint=fingerprint)


def generate_docs(
    dest: Path,
    work_db: Path | None = None,
    as_of: date | None = None,
    project_dir: Path = PROJECT_DIR,
) -> Path:
    """Write the dbt docs site as one static page, `dest/index.html`, for analysts.

    `dbt docs generate --static` embeds the manifest and the catalog (read from the warehouse
    file, so it needs the built models) in a single HTML file that opens without a server.
    Returns the page.
    """
    dest.mkdir(parents=True, exist_ok=True)
    manifest = ensure_manifest(project_dir)
    with tempfile.TemporaryDirectory(dir=manifest.parent, prefix="docs-") as tmp:
        folder = Path(tmp)
        # --no-compile reads the parsed manifest from the target folder instead of compiling
        # every node again (the page shows each model's SQL as written, which is what an
        # analyst needs); a folder per call, so two runs never share one.
        shutil.copyfile(manifest, folder / "manifest.json")
        env = {
            **dbt_env(work_db, as_of),
            "DBT_TARGET_PATH": str(folder),
            "DBT_LOG_PATH": str(folder),
        }
        _run_dbt(["docs", "generate", "--static", "--no-compile"], project_dir, env)
        page = dest / "index.html"
        for name, target in (
            ("manifest.json", "manifest.json"),
            ("catalog.json", "catalog.json"),
            ("static_index.html", "index.html"),
        ):
            partial = dest / f".{target}.tmp"
            shutil.copyfile(folder / name, partial)
            os.replace(partial, dest / target)
    return page
