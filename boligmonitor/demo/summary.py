"""What a demo generation wrote: files, rows and broken rows per source, and the unreadable file."""

from __future__ import annotations

from dataclasses import dataclass, field

from boligmonitor.demo.corruption import KINDS_DA


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@dataclass
class Summary:
    files: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    broken: dict[str, dict[str, int]] = field(default_factory=dict)
    unreadable_file: str | None = None
    unreadable_reason: str | None = None

    def add_file(self, source: str, rows: int) -> None:
        self.files[source] = self.files.get(source, 0) + 1
        self.rows[source] = self.rows.get(source, 0) + rows

    def add_broken(self, source: str, kinds: list[str]) -> None:
        per_kind = self.broken.setdefault(source, {})
        for kind in kinds:
            per_kind[kind] = per_kind.get(kind, 0) + 1

    def broken_rows(self, source: str | None = None) -> int:
        sources = [source] if source else list(self.broken)
        return sum(sum(self.broken.get(s, {}).values()) for s in sources)

    def describe(self) -> str:
        """A short Danish account of what was written."""
        lines = ["Demodata skrevet:"]
        width = max((len(s) for s in self.files), default=10)
        for source in sorted(self.files):
            lines.append(
                f"  {source:<{width}}  {_n(self.files[source]):>6} filer  "
                f"{_n(self.rows.get(source, 0)):>9} rækker  "
                f"{_n(self.broken_rows(source)):>5} fejlbehæftede"
            )
        total_rows = sum(self.rows.values())
        total_broken = self.broken_rows()
        share = 100 * total_broken / total_rows if total_rows else 0.0
        pct = f"{share:.1f}".replace(".", ",")
        lines.append(
            f"  I alt {_n(sum(self.files.values()))} filer og {_n(total_rows)} rækker, heraf "
            f"{_n(total_broken)} fejlbehæftede rækker ({pct} %)."
        )
        if total_broken:
            lines.append("  Fejltyper:")
            totals: dict[str, int] = {}
            for per_kind in self.broken.values():
                for kind, n in per_kind.items():
                    totals[kind] = totals.get(kind, 0) + n
            for kind in sorted(totals):
                lines.append(f"    {KINDS_DA.get(kind, kind)}: {_n(totals[kind])}")
        if self.unreadable_file:
            lines.append(f"  Ulæselig fil: {self.unreadable_file} ({self.unreadable_reason}).")
        return "\n".join(lines)
