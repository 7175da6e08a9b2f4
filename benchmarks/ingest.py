"""Benchmark: generating demo data and ingesting it, against DuckDB's own read_csv.

    .venv/bin/python benchmarks/ingest.py [--scales 1 10] [--work DIR]

For each scale it prints wall time, peak memory (RSS of the process doing the work) and rows per
second of: generating the demo data, ingesting all of it, ingesting only its CSV files, and
DuckDB's plain read_csv over those same CSV files (one call per source, encoding and delimiter:
the floor). The ratio compares the last two. Each stage runs in its own process, so its peak
memory is its own. Timings on a shared machine are noisy: compare figures from one run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from measuring import run_measured

ROOT = Path(__file__).resolve().parent.parent
DEMO_KEY = b"benchmark-key-not-for-real-data"


def measure(args: list[str]) -> tuple[float, float, str]:
    """Run a command; wall seconds, peak RSS in MB of that process, and its stdout."""
    done = run_measured(args)
    return done.wall, done.max_rss_mib, done.stdout


def child_ingest(landing: str, db: str) -> None:
    """In a child process: ingest every source; print rows loaded + quarantined."""
    from boligmonitor import warehouse
    from boligmonitor.contracts import SOURCES
    from boligmonitor.ingest import ingest_source

    con = warehouse.connect(Path(db))
    warehouse.ensure_schema(con)
    rows = 0
    for source in SOURCES.values():
        result = ingest_source(con, source, Path(landing), DEMO_KEY)
        rows += result.rows_loaded + result.rows_quarantined
    con.close()
    print(rows)


def child_read_csv(db: str, groups_json: str) -> None:
    """In a child process: DuckDB's own read_csv over the given groups of files, in its fastest
    form (columns given, no sniffing), so the ratio measures everything ingestion adds."""
    import duckdb

    con = duckdb.connect(db)
    rows = 0
    for i, group in enumerate(json.loads(Path(groups_json).read_text())):
        encoding = "latin-1" if group["encoding"] == "cp1252" else "utf-8"
        columns = "{" + ", ".join(f"'c{j}': 'VARCHAR'" for j in range(group["columns"])) + "}"
        con.execute(
            f"CREATE TABLE t{i} AS SELECT * FROM read_csv($files, delim = $delim, header = true, "
            f"auto_detect = false, columns = {columns}, encoding = '{encoding}')",
            {"files": group["files"], "delim": group["delimiter"]},
        )
        rows += con.execute(f"SELECT count(*) FROM t{i}").fetchone()[0]
    con.close()
    print(rows)


def csv_only(landing: Path, target: Path) -> None:
    """A landing folder of links to the CSV files only (DuckDB cannot read XLSX)."""
    for path in landing.rglob("*.csv"):
        link = target / path.relative_to(landing)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path)


def csv_groups(db: Path, landing: Path, out: Path) -> None:
    """Group the loaded CSV files by source, encoding and delimiter, from the file registry."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        """SELECT source, encoding, delimiter, list(path ORDER BY path) FROM audit.files
           WHERE status = 'loaded' AND file_format = 'csv' GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    con.close()
    from boligmonitor.contracts import SOURCES

    groups = [
        {
            "encoding": e,
            "delimiter": d,
            "columns": len(SOURCES[source].columns),
            "files": [str(landing / p) for p in paths],
        }
        for source, e, d, paths in rows
    ]
    out.write_text(json.dumps(groups))


def bench(scale: float, work: Path) -> list[tuple]:
    here = work / f"scale-{scale:g}"
    shutil.rmtree(here, ignore_errors=True)
    here.mkdir(parents=True)
    landing = here / "landing"
    py = sys.executable
    me = str(Path(__file__).resolve())
    results = []

    print(f"  skala {scale:g}: genererer demodata …", file=sys.stderr)
    cli = [py, "-m", "boligmonitor.cli"]
    wall, rss, _ = measure([*cli, "demo-data", "--landing", str(landing), "--scale", str(scale)])
    files = sum(1 for p in landing.rglob("*") if p.is_file())
    size_mb = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file()) / 1e6
    results.append(("generering", wall, rss, None, f"{files} filer, {size_mb:.0f} MB"))

    print(f"  skala {scale:g}: indlæser alt …", file=sys.stderr)
    wall, rss, out = measure([py, me, "_ingest", str(landing), str(here / "all.duckdb")])
    results.append(("indlæsning, alle filer", wall, rss, int(out), ""))

    print(f"  skala {scale:g}: indlæser kun CSV …", file=sys.stderr)
    csv_landing = here / "csv-landing"
    csv_only(landing, csv_landing)
    wall_ours, rss, out = measure([py, me, "_ingest", str(csv_landing), str(here / "csv.duckdb")])
    results.append(("indlæsning, kun CSV", wall_ours, rss, int(out), ""))

    print(f"  skala {scale:g}: DuckDB read_csv over de samme CSV-filer …", file=sys.stderr)
    groups = here / "groups.json"
    csv_groups(here / "csv.duckdb", csv_landing, groups)
    wall_floor, rss, out = measure([py, me, "_read_csv", str(here / "floor.duckdb"), str(groups)])
    results.append(("DuckDB read_csv, kun CSV", wall_floor, rss, int(out), ""))
    results.append(("forhold indlæsning/read_csv", wall_ours / wall_floor, None, None, "mål: ≤ 3"))
    return results


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_ingest":
        return child_ingest(*sys.argv[2:4])
    if len(sys.argv) > 1 and sys.argv[1] == "_read_csv":
        return child_read_csv(*sys.argv[2:4])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    args = parser.parse_args()
    print(f"{'skala':>5}  {'trin':<30} {'sek.':>8} {'maks. MB':>9} {'rækker':>10} {'rækker/s':>10}")
    for scale in args.scales:
        for stage, wall, rss, rows, note in bench(scale, args.work):
            if rss is None:
                print(f"{scale:>5g}  {stage:<30} {wall:>8.2f}  {note}")
                continue
            rate = f"{rows / wall:>10,.0f}" if rows else " " * 10
            rows_text = f"{rows:>10,}" if rows else " " * 10
            print(f"{scale:>5g}  {stage:<30} {wall:>8.2f} {rss:>9.0f} {rows_text} {rate}  {note}")


if __name__ == "__main__":
    main()
