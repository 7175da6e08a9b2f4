"""boligmonitor: the shared monitoring warehouse for Copenhagen's Housing First plan.

Plain logic (parsing, pseudonymisation, ingestion, demo data) lives in this package and imports
no Dagster; the Dagster definitions in `orchestration/` and the CLI call into it.
"""

__version__ = "0.1.0"
