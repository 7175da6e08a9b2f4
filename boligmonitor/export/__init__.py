"""The monthly export package for BL 1. kreds: CSV, XLSX and Parquet, a data dictionary, a manifest.

`write_package` takes tables that have already been through disclosure control and writes
`<exports>/<YYYY-MM>/`:

- `<table>.csv` per table, for Danish Excel: UTF-8 with BOM, `;` between fields, CRLF, decimal
  comma, no thousands separator, dates `dd-mm-åååå`, `ja`/`nej`;
- `<table>.parquet` per table, with the same (Danish) column labels and the same rounding;
- `boligmonitor_<YYYY-MM>.xlsx`: a first sheet "Læs mig", a sheet per table, and "Dataordbog";
- `dataordbog.csv`: every table and column, its meaning, unit and type;
- `manifest.json`: every file with rows, bytes and sha256; the tables; the source extracts used;
  the checks that passed; how many cells were suppressed; the software version; the as-of date.

Suppressed cells are shown as `..` in CSV and XLSX (Statistics Denmark's sign for a figure that
is withheld). Not `<5`: a complementary cell may hold any number, and `<5` would also tell a
reader which hidden cells are the small ones. In Parquet they are null, and the file's metadata
(`boligmonitor.undertrykt`) lists them. An empty field is a value that cannot be computed (a
share of nothing), never a suppressed one. The manifest gives suppressed cells per table, not
per cell and reason: the reason would tell which hidden cells are the small ones. The full log,
with reasons, goes to `audit.exports` in the warehouse only.

Nothing in the data files depends on the clock: the same inputs give byte-identical files (XLSX
with fixed document properties and zip timestamps). The time of the run is written only by
`log_export`. The package is written into a temporary folder next to the target and swapped in
only when complete (an atomic exchange of the two folders where Linux supports it); any failure
before that leaves the previous package for the month as it was.

Nothing shaped like a CPR number is written: every cell is checked with `cpr.mask_text`, and
the writer refuses the whole package with a Danish message naming the table, row and column.
"""

from boligmonitor.export.audit import ensure_audit_table, log_export
from boligmonitor.export.folders import replace_folder
from boligmonitor.export.formats import cell_text
from boligmonitor.export.model import (
    DEFAULT_CONTACT,
    MARKER,
    Column,
    ExportError,
    ExportPackage,
    ExportTable,
    FileEntry,
    PassedCheck,
    SourceExtract,
)
from boligmonitor.export.package import write_package

__all__ = [
    "DEFAULT_CONTACT",
    "MARKER",
    "Column",
    "ExportError",
    "ExportPackage",
    "ExportTable",
    "FileEntry",
    "PassedCheck",
    "SourceExtract",
    "cell_text",
    "ensure_audit_table",
    "log_export",
    "replace_folder",
    "write_package",
]
