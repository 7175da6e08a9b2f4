"""The `boligmonitor` command line. Messages to users are Danish."""

from __future__ import annotations

import gc
import os
import sys
from datetime import date
from pathlib import Path

import click

from boligmonitor import settings


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} er ikke en dato på formen åååå-mm-dd") from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """boligmonitor: det fælles datagrundlag for hjemløseplanen og BL 1. kreds."""


@main.command("demo-data")
@click.option("--landing", type=click.Path(path_type=Path), required=True, help="Landingsmappe.")
@click.option(
    "--seed", type=int, default=42, show_default=True, help="Startværdi for tilfældighed."
)
@click.option(
    "--scale", type=float, default=1.0, show_default=True, help="1 = København 2021-2025."
)
@click.option("--start", callback=_date, default="2021-01-01", show_default=True)
@click.option("--end", callback=_date, default="2025-12-31", show_default=True)
def demo_data(landing: Path, seed: int, scale: float, start: date, end: date) -> None:
    """Skriv realistiske kildefiler (SOURCES.md) med demodata i landingsmappen."""
    from boligmonitor.demo import DemoDataError, generate

    try:
        summary = generate(
            landing,
            seed=seed,
            scale=scale,
            start=start,
            end=end,
            progress=lambda msg: click.echo(msg, err=True),
        )
    except DemoDataError as exc:
        click.echo(f"Fejl: {exc}", err=True)
        sys.exit(2)
    click.echo(summary.describe())


@main.command("run")
@click.option(
    "--demo",
    is_flag=True,
    help="Demotilstand: pseudonymisér med den faste demonøgle (kun til demodata).",
)
def run(demo: bool) -> None:
    """Én fuld kørsel over landingsmappen: samme graf som det natlige job."""
    if demo:
        os.environ[settings.DEMO_VAR] = "1"
    from orchestration.runner import run_pipeline

    try:
        ok = run_pipeline(echo=lambda msg: click.echo(msg))
    except settings.ConfigError as exc:
        click.echo(f"Fejl: {exc}", err=True)
        sys.exit(2)
    # The run leaves millions of objects that the exit would sweep (1.3-1.5 s); the process is
    # about to end, so the collector may leave them to the operating system.
    gc.freeze()
    sys.exit(0 if ok else 1)


@main.command("sql")
@click.argument("query")
@click.option(
    "--csv", "as_csv", is_flag=True, help="Skriv resultatet som CSV i stedet for en tabel."
)
def sql(query: str, as_csv: bool) -> None:
    """Forespørg det offentliggjorte øjebliksbillede af lageret (kun læsning)."""
    import csv

    from boligmonitor import snapshot

    try:
        result = snapshot.query(settings.paths().snapshot_db, query)
    except snapshot.NoSnapshotError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except snapshot.SnapshotError as exc:
        click.echo(f"Fejl: {exc}", err=True)
        sys.exit(1)
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        if result.columns:
            writer.writerow(result.columns)
        writer.writerows(result.rows)
    else:
        click.echo(snapshot.format_table(result))


@main.command("status")
@click.option("--json", "as_json", is_flag=True, help="Skriv status som JSON (til overvågning).")
def status(as_json: bool) -> None:
    """Seneste kørsel, kildernes alder, karantæne, kontroller og eksport. Afslutter med kode 1,
    når noget kræver opmærksomhed."""
    from boligmonitor import status as status_report
    from orchestration.defs.operations.history import recent_runs
    from orchestration.runner import instance

    try:
        as_of = settings.as_of()
    except settings.ConfigError as exc:
        click.echo(f"Fejl: {exc}", err=True)
        sys.exit(2)
    with instance() as inst:
        runs = recent_runs(inst)
    report = status_report.collect(settings.paths(), as_of, runs)
    click.echo(status_report.as_json(report) if as_json else report.render())
    sys.exit(1 if report.needs_attention else 0)


if __name__ == "__main__":
    main()
