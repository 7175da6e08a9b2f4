"""Moved to `boligmonitor.partner_tables`: the export asset builds the partner tables now.

Kept only so that `benchmarks/dashboards.py` (owned by the benchmark work) keeps importing until
it imports `boligmonitor.partner_tables` itself; nothing else may import this module.
"""

from boligmonitor.partner_tables import data_period, partner_tables, window

__all__ = ["data_period", "partner_tables", "window"]
