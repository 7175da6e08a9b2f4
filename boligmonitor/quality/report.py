"""The quality report: one static Danish HTML page, no scripts, no external resources.

Built from the newest results in `audit.validations` and written atomically (a temporary file,
then `os.replace`), so a reader never sees half a page. GX's Data Docs are not used: they load
scripts and styles from CDNs, and the report is read where there is no internet.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any

from boligmonitor import cpr

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d1d1d; max-width: 70rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #ddd;
         vertical-align: top; }
th { background: #f3f3f3; }
.ok { color: #1b6e2d; font-weight: 600; } .fejl { color: #b00020; font-weight: 700; }
.advarsel { color: #8a5a00; font-weight: 700; }
.summary span { display: inline-block; margin-right: 1.5rem; }
code { font-size: .85rem; white-space: pre-wrap; word-break: break-word; }
"""

_STATUS = {
    (True, "error"): ("ok", "OK"),
    (True, "warning"): ("ok", "OK"),
    (False, "error"): ("fejl", "FEJL"),
    (False, "warning"): ("advarsel", "ADVARSEL"),
}


def _e(value: Any) -> str:
    """Escaped text, CPR-shaped numbers masked (the report is read by partners too)."""
    return escape(cpr.mask_text("" if value is None else str(value)))


def _examples(raw: str | None) -> str:
    if not raw:
        return ""
    try:
        items = json.loads(raw)
    except json.JSONDecodeError:
        items = [raw]
    return "<br>".join(f"<code>{_e(item)}</code>" for item in items)


def render(rows: list[dict[str, Any]], as_of: date, generated_at: datetime) -> str:
    """The page for the newest result of every rule (rows as from `store.latest`)."""
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_table[row["table_name"]].append(row)
    errors = sum(1 for r in rows if not r["success"] and r["severity"] == "error")
    warns = sum(1 for r in rows if not r["success"] and r["severity"] == "warning")
    passed = sum(1 for r in rows if r["success"])
    verdict = (
        '<p class="fejl">Mindst én fejl: eksporter, der læser de berørte tabeller, er stoppet.</p>'
        if errors
        else '<p class="ok">Ingen fejl: kvalitetsporten er åben.</p>'
    )
    parts = [
        "<!doctype html>",
        '<html lang="da"><head><meta charset="utf-8">',
        "<title>boligmonitor – datakvalitet</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>boligmonitor – datakvalitet</h1>",
        f"<p>Opgjort pr. {as_of:%d.%m.%Y}. Dannet {generated_at:%d.%m.%Y kl. %H:%M}.</p>",
        '<p class="summary">'
        f"<span>Regler i alt: {len(rows)}</span><span class=ok>Overholdt: {passed}</span>"
        f"<span class=fejl>Fejl: {errors}</span><span class=advarsel>Advarsler: {warns}</span>"
        "</p>",
        verdict,
        "<p>En <b>fejl</b> stopper eksporten til BL 1. kreds i samme kørsel; en <b>advarsel</b> "
        "rapporteres her og i Dagster. Eksempler på afvigelser er højst fem pr. regel; "
        "CPR-lignende tal er altid maskeret.</p>",
    ]
    if not rows:
        parts.append("<p>Der er endnu ingen valideringer.</p>")
    for table in sorted(by_table):
        table_rows = sorted(
            by_table[table], key=lambda r: (r["success"], r["severity"], r["rule_id"])
        )
        first = table_rows[0]
        parts.append(f"<h2>{_e(table)}</h2>")
        parts.append(
            f"<p>Regelsæt <code>{_e(first['suite'])}</code>, kørsel <code>{_e(first['run_id'])}"
            f"</code>, valideret {first['validated_at']:%d.%m.%Y kl. %H:%M}.</p>"
        )
        parts.append(
            "<table><thead><tr><th>Status</th><th>Regel</th><th>Niveau</th><th>Beskrivelse</th>"
            "<th>Observeret</th><th>Eksempler</th></tr></thead><tbody>"
        )
        for r in table_rows:
            css, label = _STATUS[(bool(r["success"]), r["severity"])]
            observed = (
                f"{r['unexpected_count']} afvigende"
                if r["unexpected_count"] is not None
                else _e(r["observed_value"])
            )
            if r["error"]:
                observed = f"Kunne ikke afgøres: {_e(r['error'])}"
            level = "fejl" if r["severity"] == "error" else "advarsel"
            parts.append(
                f'<tr><td class="{css}">{label}</td><td><code>{_e(r["rule_id"])}</code></td>'
                f"<td>{level}</td><td>{_e(r['description'])}</td><td>{observed}</td>"
                f"<td>{_examples(r['failing_examples']) if not r['success'] else ''}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write(folder: Path, page: str) -> Path:
    """Write `index.html` in `folder` atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "index.html"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".index-", suffix=".html")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the report is for everyone to read
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
