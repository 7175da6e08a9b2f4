"""The partner site for BL 1. kreds: drawn only from the suppressed export tables.

`partner_pages(tables)` takes the tables of the export package (`boligmonitor.export.
ExportTable`, after disclosure control) and nothing else: no warehouse connection. Every number
on the site is a cell of those tables, rounded exactly as the package's CSV files round it
(`published`); suppressed cells stay missing, and a chart never derives a new number. The CSV
beside each chart holds the same rows as the export, with `..` for suppressed cells.

Pages: an overview of the city, and one page per housing organisation comparing its
departments with the city (the `I alt` row of the department table). A table the partner site
expects but the package lacks is named on the page instead of its chart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from boligmonitor.disclosure import TOTAL
from boligmonitor.export import ExportTable, cell_text
from dashboards import charts
from dashboards.formatting import csv_bytes
from dashboards.site import BuiltSite, Figure, Page, QualityStatus, Section, SiteInfo, write_site

TOP_DEPARTMENTS = 40  # the overview's one-third chart: the departments with the highest share
SUPPRESSION_NOTE = (
    "Tallene er de samme som i den månedlige eksportpakke til BL 1. kreds. Tal fra 1 til 4 er "
    "skjult, så ingen enkeltperson kan genkendes, og nogle andre tal er skjult, så de små ikke "
    "kan regnes ud fra totalerne. Skjulte tal mangler i diagrammerne (søjlen eller punktet er "
    "der ikke, og forklaringen ved musen viser –) og står som '..' i CSV-filerne. Andele bygget "
    "på et skjult tal er også skjult. Nul vises altid og er et rigtigt nul."
)


@dataclass(frozen=True)
class Published:
    """A partner table as the package publishes it: rounded values, suppressed cells null.

    The rows of an organisation are found through an index on the column (built once), so a
    site with a page per organisation reads each table once, not once per page."""

    table: ExportTable
    data: pa.Table
    records: tuple[dict[str, Any], ...] = field(init=False, repr=False)
    hidden: Mapping[int, tuple[str, ...]] = field(init=False, repr=False)  # row -> columns
    _indexes: dict[str, dict[Any, list[int]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        hidden: dict[int, list[str]] = {}
        for row, column in sorted(self.table.suppressed):
            hidden.setdefault(row, []).append(column)
        object.__setattr__(self, "records", tuple(self.data.to_pylist()))
        object.__setattr__(self, "hidden", {r: tuple(c) for r, c in hidden.items()})
        object.__setattr__(self, "_indexes", {})

    def index(self, column: str) -> dict[Any, list[int]]:
        if column not in self._indexes:
            index: dict[Any, list[int]] = {}
            for i, r in enumerate(self.records):
                index.setdefault(r[column], []).append(i)
            self._indexes[column] = index
        return self._indexes[column]

    def rows(
        self, keep: Callable[[dict[str, Any]], bool], where: tuple[str, Any] | None = None
    ) -> tuple[pa.Table, list[int]]:
        """The rows `keep` accepts, among those whose column `where[0]` is `where[1]`."""
        among = self.index(where[0]).get(where[1], []) if where else range(len(self.records))
        indices = [i for i in among if keep(self.records[i])]
        return self.data.take(pa.array(indices, type=pa.int64())), indices

    def csv(self, indices: Sequence[int]) -> bytes:
        """The rows as the package's CSV writes them (`data` is rounded like the export)."""
        hidden = frozenset(
            (new, name) for new, old in enumerate(indices) for name in self.hidden.get(old, ())
        )
        subset = self.data.take(pa.array(list(indices), type=pa.int64()))
        return csv_bytes(subset, [c.label for c in self.table.columns], suppressed=hidden)


def _published_type(t: pa.DataType) -> pa.DataType:
    return pa.float64() if pa.types.is_floating(t) or pa.types.is_decimal(t) else t


def _round(value: Any, decimals: int) -> Any:
    """A number rounded as the package writes it (half up, to the column's decimals)."""
    if isinstance(value, (float, Decimal)) and not isinstance(value, bool):
        text = cell_text(value, decimals)
        return float(text.replace(",", ".")) if text else None
    return value


def published(table: ExportTable) -> Published:
    decimals = {c.name: c.decimals for c in table.columns}
    names = [c.name for c in table.columns]
    data = table.data.select(names)
    columns = {
        n: pa.array(
            [_round(v, decimals[n]) for v in data.column(n).to_pylist()],
            type=_published_type(data.schema.field(n).type),
        )
        for n in names
    }
    return Published(table, pa.table(columns))


def _not_total(*columns: str) -> Callable[[dict[str, Any]], bool]:
    return lambda r: all(r[c] != TOTAL for c in columns)


def slug(name: str) -> str:
    text = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


class _Builder:
    def __init__(self, tables: Sequence[ExportTable]) -> None:
        self.tables = {t.name: published(t) for t in tables}
        self.missing: list[str] = []
        self.city_share = self._city_share()

    def figure(
        self,
        key: str,
        name: str,
        chart: Callable[..., charts.Spec],
        keep: Callable[[dict[str, Any]], bool],
        explanation: str,
        *,
        where: tuple[str, Any] | None = None,
        **options: Any,
    ) -> Figure | None:
        table = self.tables.get(name)
        if table is None:
            self.missing.append(name)
            return None
        rows, indices = table.rows(keep, where)
        if rows.num_rows == 0:
            return None
        return Figure(key, chart(rows, **options), explanation, table.csv(indices))

    def section(self, title: str, *figures: Figure | None, intro: str = "") -> Section | None:
        kept = tuple(f for f in figures if f is not None)
        return Section(title, kept, intro) if kept else None

    def _city_share(self) -> float | None:
        table = self.tables.get("afdelinger")
        if table is None:
            return None
        for r in table.records:
            if r["department_id"] == TOTAL:
                return r["municipal_share_12m"]
        return None

    def top_departments(self, n: int) -> set[str]:
        """The n departments with the highest published municipal share."""
        table = self.tables.get("afdelinger")
        if table is None:
            return set()
        rows = [
            r
            for r in table.records
            if r["department_id"] != TOTAL and r["municipal_share_12m"] is not None
        ]
        rows.sort(key=lambda r: (-r["municipal_share_12m"], r["department_id"]))
        return {r["department_id"] for r in rows[:n]}

    def organisations(self) -> list[str]:
        found: set[str] = set()
        for name in ("afdelinger", "boligtragt"):
            table = self.tables.get(name)
            if table is not None:
                found |= {v for v in table.index("housing_organisation") if v and v != TOTAL}
        return sorted(found, key=str.lower)


def _overview(b: _Builder) -> Page:
    top = b.top_departments(TOP_DEPARTMENTS)
    sections = [
        b.section(
            "Boligerne",
            b.figure(
                "boligtragt",
                "boligtragt",
                charts.funnel_chart,
                _not_total("outcome"),
                "Boliger modtaget til boligsocial anvisning i hele byen pr. måned, efter hvor "
                "langt de er nået i dag: indflyttet, returneret eller stadig åben. En bolig med "
                "både indflytning og returnering tæller som indflyttet.",
                where=("housing_organisation", TOTAL),
            ),
            b.figure(
                "returandel",
                "returandel",
                charts.return_rate_chart,
                _not_total("rent_class"),
                "Andelen af de modtagne boliger i hver huslejeklasse, der blev leveret tilbage "
                "uden indflytning. Huslejeklassen er den, der gjaldt på modtagelsesdagen.",
            ),
            b.figure(
                "returaarsager",
                "returneringer",
                charts.return_reasons_chart,
                _not_total("rent_class", "return_reason"),
                "De returnerede boliger efter huslejeklasse og den registrerede årsag.",
            ),
        ),
        b.section(
            "Hvor i byen, og tredjedelsreglen",
            b.figure(
                "bydele",
                "bydele",
                charts.district_chart,
                _not_total("district"),
                "Borgere der flyttede ind i en anvist bolig i perioden, pr. bydel.",
            ),
            b.figure(
                "tredjedel",
                "afdelinger",
                charts.one_third_chart,
                lambda r: r["department_id"] in top,
                "For hver afdeling: kommunens anvisninger delt med afdelingens ledige boliger "
                "over 12 måneder. Kommunen må højst anvise hver tredje; præcis en tredjedel er "
                "tilladt. Den prikkede linje er byen i alt. Her vises de afdelinger, der har den "
                "højeste andel; alle afdelinger er på organisationernes sider og i CSV-filen "
                "'Afdelinger og tredjedelsregel' i eksportpakken.",
                city_share=b.city_share,
            ),
        ),
        b.section(
            "Bostøtte",
            b.figure(
                "bostoette",
                "bostoette",
                charts.support_methods_chart,
                _not_total("support_method"),
                "Bostøtteforløb hos de anviste borgere pr. indsats: Housing First-metoderne CTI, "
                "ICM og ACT, § 85, § 99, boligrådgivere og NGO'er.",
            ),
            b.figure(
                "bostoette-30-dage",
                "bostoette_30_dage",
                charts.support_within_30_days_chart,
                lambda r: True,
                "Af de indflyttede med behov for bostøtte: andelen med et forløb på plads senest "
                "30 dage efter indflytningen, pr. indflytningsmåned.",
            ),
        ),
        b.section(
            "Fra herberg til egen bolig",
            b.figure(
                "herberg-90-dage",
                "herberg_90_dage",
                charts.shelter_exit_chart,
                lambda r: True,
                "Af herbergsopholdene, der begyndte i måneden: andelen i egen bolig senest 90 "
                "dage efter indskrivningen. Et ophold tæller med, når de 90 dage er gået.",
            ),
            b.figure(
                "herberg-dage",
                "herberg_dage",
                charts.shelter_days_chart,
                _not_total("days_bucket"),
                "Herbergsophold der endte i egen bolig, efter antal dage fra indskrivning. Den "
                "stiplede linje er målet om egen bolig inden for 90 dage.",
            ),
        ),
        b.section(
            "Fastholdelse og huslejetilskud",
            b.figure(
                "fastholdelse",
                "fastholdelse",
                charts.retention_chart,
                lambda r: True,
                "Andelen af de indflyttede, der stadig boede i boligen 6, 12 og 24 måneder "
                "efter, efter bostøtten ved indflytningen ('Alle' er alle indflytninger). Den "
                "stiplede linje er Housing First Europes resultat for København: et "
                "referencetal, ikke et mål.",
            ),
            b.figure(
                "tilskud-ophoer",
                "tilskud_ophoer",
                charts.subsidy_cliff_chart,
                _not_total("rent_subsidy_type", "able_to_pay"),
                "Huslejetilskud der slutter inden for de næste 12 måneder, og om borgerens "
                "betalingsevne dækker den fulde husleje, når tilskuddet falder bort.",
            ),
        ),
    ]
    return Page(
        "index",
        "Overblik: hele byen",
        "Hele byen",
        tuple(s for s in sections if s is not None),
        intro="Fælles tal fra Københavns Kommune og BL 1. kreds om boligsocial anvisning: "
        "hvor kommunen anviser, i hvilke huslejeklasser, hvilke boliger der bliver brugt eller "
        "returneret, og hvilken støtte borgerne får. Kun samlede tal; intet om enkeltpersoner.",
        notes=(SUPPRESSION_NOTE,),
    )


def _organisation(b: _Builder, org: str) -> Page:
    key = slug(org)
    sections = [
        b.section(
            f"{org}: afdelingerne og tredjedelsreglen",
            b.figure(
                f"tredjedel-{key}",
                "afdelinger",
                charts.one_third_chart,
                _not_total("department_id"),
                f"{org}s afdelinger: kommunens anvisninger delt med afdelingens ledige boliger "
                "over 12 måneder, mod loftet på hver tredje og byen i alt (prikket linje).",
                where=("housing_organisation", org),
                city_share=b.city_share,
            ),
        ),
        b.section(
            f"{org}: boligerne kommunen modtog",
            b.figure(
                f"boligtragt-{key}",
                "boligtragt",
                charts.funnel_chart,
                _not_total("outcome"),
                f"Boliger fra {org} modtaget til boligsocial anvisning pr. måned, efter hvor "
                "langt de er nået i dag.",
                where=("housing_organisation", org),
            ),
            b.figure(
                f"boligtragt-by-{key}",
                "boligtragt",
                charts.funnel_chart,
                _not_total("outcome"),
                "Til sammenligning: hele byen.",
                where=("housing_organisation", TOTAL),
            ),
        ),
    ]
    return Page(
        f"organisation-{key}",
        f"{org} sammenlignet med byen",
        org,
        tuple(s for s in sections if s is not None),
        notes=(SUPPRESSION_NOTE,),
    )


def partner_pages(tables: Sequence[ExportTable]) -> list[Page]:
    """The pages of the partner site, from the suppressed export tables only."""
    b = _Builder(tables)
    pages = [_overview(b)]
    pages += [_organisation(b, org) for org in b.organisations()]
    if b.missing:
        names = ", ".join(sorted(set(b.missing)))
        first = pages[0]
        pages[0] = Page(
            first.slug,
            first.title,
            first.nav_label,
            first.sections,
            first.intro,
            (*first.notes, f"Tabeller der ikke er i eksportpakken endnu: {names}."),
        )
    return pages


def site_info(
    period: tuple[date, date] | None, as_of: date, run_at: datetime, quality: QualityStatus
) -> SiteInfo:
    return SiteInfo(
        title="Boligmonitor – BL 1. kreds",
        audience="Københavns Kommune og BL 1. kreds: boligsocial anvisning i tal. Samlede, "
        "diskretionerede tal; intet om enkeltpersoner.",
        period=period,
        as_of=as_of,
        run_at=run_at,
        quality=quality,
        footer="Kilde: boligmonitor, Socialforvaltningen, Københavns Kommune. Samme tal som "
        "eksportpakken til BL 1. kreds.",
    )


def build_partner_site(
    tables: Sequence[ExportTable],
    folder: Path,
    *,
    period: tuple[date, date] | None,
    as_of: date,
    run_at: datetime,
    quality: QualityStatus,
) -> BuiltSite:
    """Write the partner site from the suppressed export tables (and nothing else)."""
    return write_site(folder, site_info(period, as_of, run_at, quality), partner_pages(tables))
