"""The export package's data: tables as published, what went in, what was written."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from boligmonitor.disclosure import DEFAULT_K, Suppression

MARKER = ".."
README_SHEET = "Læs mig"
DICTIONARY_SHEET = "Dataordbog"
DICTIONARY_FILE = "dataordbog.csv"
MANIFEST_FILE = "manifest.json"
DEFAULT_DECIMALS = 4
DEFAULT_CONTACT = "Socialforvaltningen, Københavns Kommune"
SUPPRESSED_METADATA_KEY = b"boligmonitor.undertrykt"
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip file can hold
MONTHS_DA = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
MONTH_PATTERN = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    """The package cannot be written; the message (Danish) says which table, row and column."""


@dataclass(frozen=True)
class Column:
    """One column as published: the table's column `name`, its Danish label, meaning and unit."""

    name: str
    label: str
    description: str
    unit: str = ""  # e.g. "antal", "andel (0-1)", "kr. pr. måned", "dage"; empty for categories
    decimals: int = DEFAULT_DECIMALS  # decimal numbers are rounded to this many places


@dataclass(frozen=True)
class ExportTable:
    name: str  # file name stem: lower-case a-z, digits and _
    title: str  # Danish; the sheet name (at most 31 characters)
    description: str  # Danish; for the data dictionary and "Læs mig"
    columns: tuple[Column, ...]
    data: pa.Table
    suppressed: frozenset[tuple[int, str]] = frozenset()  # (row index, column name)
    counts: tuple[str, ...] = ()  # count columns: checked again against the threshold
    k: int = DEFAULT_K
    log: tuple[dict[str, Any], ...] = ()  # disclosure log, for the audit table

    @classmethod
    def from_suppression(
        cls,
        result: Suppression,
        *,
        title: str,
        description: str,
        columns: Sequence[Column],
        name: str | None = None,
    ) -> ExportTable:
        """The export table of a disclosure result: its data, suppressed cells and log."""
        return cls(
            name=name or result.name,
            title=title,
            description=description,
            columns=tuple(columns),
            data=result.table,
            suppressed=result.suppressed,
            counts=result.spec.counts,
            k=result.k,
            log=tuple(result.log()),
        )


@dataclass(frozen=True)
class SourceExtract:
    """A landed source file the package's numbers are built from (see audit.files)."""

    source: str
    path: str
    sha256: str
    rows: int
    extract_date: date | None = None


@dataclass(frozen=True)
class PassedCheck:
    """A quality check that passed in the run that built the package."""

    name: str
    target: str
    severity: str = "error"


@dataclass(frozen=True)
class FileEntry:
    name: str
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class ExportPackage:
    """What was written, for the audit log."""

    month: str
    path: Path
    files: tuple[FileEntry, ...]  # every file but the manifest
    rows: int  # data rows over all tables
    suppressed_cells: int
    suppression_log: tuple[dict[str, Any], ...]
    checks: tuple[PassedCheck, ...]
    version: str
    as_of: date
    manifest_sha256: str = ""
    tables: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class Prepared:
    """A table checked and rounded, ready to be written in every format."""

    table: ExportTable
    labels: list[str]
    rows: list[list[Any]]  # values in column order, numbers rounded, suppressed cells None
    hidden: list[list[bool]]
    texts: list[list[str]]  # as in the CSV
    types: list[pa.DataType]
