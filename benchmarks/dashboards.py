"""Benchmark the dashboards: build time, page load and draw time in headless Chromium, site size.

    .venv/bin/python benchmarks/dashboards.py [--db FILE] [--as-of YYYY-MM-DD] [--repeat N]
        [--out DIR]

Reads a built warehouse (default: the published snapshot in $BOLIGMONITOR_HOME), builds both
sites as the Dagster assets do (the partner site from the stored tables in the schema `partner`,
or computed from the marts when the warehouse has none) into `--out` (default a new temporary
folder; a folder with a previous build measures a nightly rebuild) and prints the wall and CPU
time of each. Then it opens every page `--repeat` times (0: not at all) in one headless Chromium
with the network cut, and prints per page the median time from navigation to the last chart
drawn (`window.boligmonitor.drawnAt`), the slowest run, and the size of each site. The first load
of a page in a fresh browser includes parsing the 0.9 MB Vega bundle; later loads hit the cache.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import duckdb

# The nightly run has pandas loaded when the dashboards are built (the GX checks before them
# import it); DuckDB's Python client imports it at the first date parameter (about 1.2 s), which
# is not the dashboards' cost, so it is loaded here before anything is timed.
import pandas  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from boligmonitor import partner_tables, settings  # noqa: E402
from dashboards import internal, partner  # noqa: E402
from dashboards.browser import Browser  # noqa: E402
from dashboards.site import QualityStatus, site_size  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    db = args.db or settings.paths().snapshot_db
    as_of = args.as_of or settings.as_of()
    out = args.out or Path(tempfile.mkdtemp(prefix="boligmonitor-dashboards-"))

    con = duckdb.connect(str(db), read_only=True)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        internal.build_internal_site(con, out / "internal", as_of=as_of, run_at=datetime.now())
        built_internal = (time.perf_counter() - wall, time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            stored = partner_tables.load(con)
            tables, period = list(stored.tables), stored.period
        except partner_tables.PartnerTablesMissing:
            tables, period = partner_tables.partner_tables(con), partner_tables.data_period(con)
        partner.build_partner_site(
            tables,
            out / "partner",
            period=period,
            as_of=as_of,
            run_at=datetime.now(),
            quality=QualityStatus(True, "Alle blokerende kvalitetskontroller bestod."),
        )
        built_partner = (time.perf_counter() - wall, time.process_time() - cpu)
    finally:
        con.close()

    print(f"Warehouse: {db} (opgjort pr. {as_of})")
    for name, (w, c) in (("internt", built_internal), ("partner", built_partner)):
        print(f"Bygget {name}: {w:.2f} s (CPU {c:.2f} s)")
    print(f"-> {out}")
    if args.repeat < 1:
        for site in ("internal", "partner"):
            print(f"Størrelse {site}: {site_size(out / site) / 1024 / 1024:.2f} MB")
        return
    print(f"{'side':44} {'1. gang':>8} {'median':>8} {'max':>8}  diagrammer")
    worst = 0.0
    with Browser() as browser:
        for site in ("internal", "partner"):
            pages = sorted((out / site).glob("*.html"))
            for page in pages:
                times, charts = [], 0
                for _ in range(args.repeat):
                    report = browser.open(page)
                    if report.problems:
                        raise SystemExit(f"{page}: {report.problems}")
                    times.append(report.drawn_ms or float("nan"))
                    charts = len(report.figures)
                worst = max(worst, max(times))
                name = f"{site}/{page.name}"
                print(
                    f"{name:44} {times[0]:7.0f}ms {statistics.median(times):7.0f}ms "
                    f"{max(times):7.0f}ms  {charts}"
                )
    for site in ("internal", "partner"):
        print(f"Størrelse {site}: {site_size(out / site) / 1024 / 1024:.2f} MB")
    print(f"Langsomste side: {worst:.0f} ms (mål: under 2.000 ms); partner skal være under 10 MB")


if __name__ == "__main__":
    main()
