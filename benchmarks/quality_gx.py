"""GX on DuckDB (the adapted SQL path) against GX on a pandas DataFrame: time and peak memory.

Each variant runs in its own process, so peak memory (ru_maxrss) belongs to it alone:

    .venv/bin/python benchmarks/quality_gx.py --rows 1000000

The same five expectations either way: row count, not null, values between, values in set,
and unique. The pandas variant reads the table into a DataFrame first (that is part of its cost).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

SETUP = """
CREATE SCHEMA raw;
CREATE TABLE raw.bench AS
SELECT 'A' || lpad(range::VARCHAR, 9, '0') AS anvisning_id,
       (2000 + (range * 7919) % 6500)::DECIMAL(14,2) AS betalingsevne_kr,
       (['familie', 'ungdom', 'aeldre', 'skaev'])[1 + range % 4] AS boligtype_behov,
       DATE '2021-01-01' + (range % 1800)::INTEGER AS indstillet_dato
FROM range({rows});
"""


def expectations() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
        gxe.ExpectColumnValuesToNotBeNull(column="anvisning_id"),
        gxe.ExpectColumnValuesToBeBetween(column="betalingsevne_kr", min_value=0, max_value=50000),
        gxe.ExpectColumnValuesToBeInSet(
            column="boligtype_behov", value_set=["familie", "ungdom", "aeldre", "skaev"]
        ),
        gxe.ExpectColumnValuesToBeUnique(column="anvisning_id"),
    ]


def run_duckdb(db: Path) -> dict:
    import great_expectations as gx

    from boligmonitor.quality import gx_duckdb

    start = time.perf_counter()
    with gx_duckdb.open_datasource(db) as datasource:
        asset = datasource.add_table_asset("bench", table_name="bench", schema_name="raw")
        batch = asset.add_batch_definition_whole_table("all").get_batch()
        result = batch.validate(gx.ExpectationSuite("bench", expectations=expectations()))
    return {"seconds": time.perf_counter() - start, "success": result.success}


def run_pandas(db: Path) -> dict:
    import great_expectations as gx

    from boligmonitor.quality.gx_duckdb import _quiet_config

    start = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    frame = con.execute("SELECT * FROM raw.bench").df()
    con.close()
    context = gx.get_context(mode="ephemeral", project_config=_quiet_config())
    asset = context.data_sources.add_pandas("bench").add_dataframe_asset("bench")
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(
        batch_parameters={"dataframe": frame}
    )
    result = batch.validate(gx.ExpectationSuite("bench", expectations=expectations()))
    return {"seconds": time.perf_counter() - start, "success": result.success}


def child(variant: str, db: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    import great_expectations  # noqa: F401  (imported before measuring: same cost either way)

    after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome = (run_duckdb if variant == "duckdb" else run_pandas)(db)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome |= {
        "variant": variant,
        "peak_mb": round(peak / 1024),
        "peak_above_import_mb": round((peak - after_import) / 1024),
        "before_mb": round(before / 1024),
    }
    print(json.dumps(outcome))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", choices=["duckdb", "pandas"])
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db)
        return
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.duckdb"
        con = duckdb.connect(str(db))
        con.execute(SETUP.format(rows=args.rows))
        con.close()
        print(f"{args.rows:,}".replace(",", ".") + " rækker, 5 forventninger")
        for variant in ("duckdb", "pandas"):
            done = subprocess.run(
                [sys.executable, __file__, "--child", variant, "--db", str(db)],
                capture_output=True,
                text=True,
                check=True,
            )
            outcome = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"{variant:7s} {outcome['seconds']:6.2f} s  peak {outcome['peak_mb']:5d} MB "
                f"(heraf {outcome['peak_above_import_mb']} MB efter import)  "
                f"success={outcome['success']}"
            )


if __name__ == "__main__":
    main()
