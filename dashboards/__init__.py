"""Dashboards: Altair chart functions and the static partner and internal sites."""
