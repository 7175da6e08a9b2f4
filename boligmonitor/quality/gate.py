"""One quality check from start to end: validate a suite, keep the results, publish the report.

The Dagster asset checks call `check_suite`; it imports no Dagster, so the CLI and tests can too.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from boligmonitor import warehouse
from boligmonitor.quality import report, store
from boligmonitor.quality.suites import Suite
from boligmonitor.quality.validation import SuiteResult, validate_suite


def check_suite(
    db_path: Path, suite: Suite, *, as_of: date, run_id: str, report_dir: Path
) -> SuiteResult:
    """Validate `suite` (GX, read-only, released afterwards), store its results in
    audit.validations, and rewrite the report in `report_dir`.

    Storing and reading back the newest results for the report share one connection, opened
    after GX has let go of the file and closed before the report is written."""
    result = validate_suite(db_path, suite, as_of=as_of, run_id=run_id)
    con = warehouse.connect(db_path)
    try:
        store.save(con, result)
        rows = store.latest(con)
    finally:
        con.close()
    report.write(report_dir, report.render(rows, as_of, datetime.now()))
    return result
