"""Realistic demo source files (filled in by the demo generator)."""
