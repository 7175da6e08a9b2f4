"""The contract of every source file (../shared/SOURCES.md), as data.

Ingestion validates against these definitions, the demo generator writes to them, and the
warehouse's raw tables are derived from them. Nothing here reads files or imports Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal[
    "text",  # any non-empty text
    "cpr",  # CPR number, DDMMYY-SSSS or DDMMYYSSSS; pseudonymised at ingestion
    "date",  # dd-mm-yyyy or yyyy-mm-dd (or a real Excel date)
    "timestamp",  # dd-mm-yyyy HH:MM:SS or ISO (or a real Excel date-time)
    "decimal",  # Danish number: 4.250,50 / 4250,5 / 4250
    "integer",  # whole number, optional . thousands separator
    "flag",  # 0 or 1
    "code",  # one of a fixed list
    "month",  # yyyy-mm
]

DISTRICTS: tuple[str, ...] = (
    "Indre By",
    "Østerbro",
    "Nørrebro",
    "Vesterbro/Kongens Enghave",
    "Valby",
    "Vanløse",
    "Brønshøj-Husum",
    "Bispebjerg",
    "Amager Øst",
    "Amager Vest",
)

DWELLING_TYPES: tuple[str, ...] = ("familie", "ungdom", "aeldre", "skaev")


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    nullable: bool = False
    codes: tuple[str, ...] = ()
    free_text: bool = False  # may hold personal data: CPR-like numbers are masked, never exported

    def __post_init__(self) -> None:
        if (self.kind == "code") != bool(self.codes):
            raise ValueError(f"column {self.name}: codes go with kind 'code' and only with it")


@dataclass(frozen=True)
class DateOrder:
    """A row rule: `earlier` must not come after `later` (or, if strict, must come before)."""

    earlier: str
    later: str
    strict: bool = False


@dataclass(frozen=True)
class Source:
    name: str
    title_da: str
    mode: Literal["delta", "full"]
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    order_rules: tuple[DateOrder, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


def _code(name: str, codes: tuple[str, ...], nullable: bool = False) -> Column:
    return Column(name, "code", nullable=nullable, codes=codes)


ANVISNINGER = Source(
    name="anvisninger",
    title_da="Anvisninger (boligsocial anvisning)",
    mode="delta",
    key=("anvisning_id",),
    columns=(
        Column("anvisning_id", "text"),
        Column("cpr", "cpr"),
        Column("indstillet_dato", "date"),
        _code(
            "maalgruppe",
            (
                "herberg",
                "gade",
                "sofasover",
                "ung",
                "krisecenter",
                "botilbud",
                "flygtning",
                "oevrig",
            ),
        ),
        Column("betalingsevne_kr", "decimal"),
        _code("boligtype_behov", DWELLING_TYPES),
        Column("bostotte_behov", "flag"),
        Column("bolig_id", "text", nullable=True),
        Column("tilbudt_dato", "date", nullable=True),
        _code(
            "status",
            (
                "indstillet",
                "tilbudt",
                "accepteret",
                "afslaaet",
                "annulleret",
                "indflyttet",
                "fraflyttet",
            ),
        ),
        Column("indflytning_dato", "date", nullable=True),
        Column("fraflytning_dato", "date", nullable=True),
        _code(
            "fraflytning_aarsag",
            ("udsat", "frivillig", "doed", "institution", "ukendt"),
            nullable=True,
        ),
        _code(
            "huslejetilskud",
            ("ingen", "kommunal_udslusning", "statslig_midlertidig", "statslig_permanent"),
        ),
        Column("tilskud_kr_md", "decimal", nullable=True),
        Column("tilskud_slut_dato", "date", nullable=True),
        _code("pilot_gruppe", ("sundholm", "ung", "uden_bostotte"), nullable=True),
        Column("opdateret", "timestamp"),
        Column("slettet", "flag"),
    ),
    order_rules=(
        DateOrder("indstillet_dato", "tilbudt_dato"),
        DateOrder("tilbudt_dato", "indflytning_dato"),
        DateOrder("indflytning_dato", "fraflytning_dato"),
    ),
)

LEDIGE_BOLIGER = Source(
    name="ledige_boliger",
    title_da="Ledige boliger stillet til rådighed for kommunen",
    mode="delta",
    key=("bolig_id",),
    columns=(
        Column("bolig_id", "text"),
        Column("boligorganisation", "text"),
        Column("afdeling_id", "text"),
        _code("bydel", DISTRICTS),
        Column("adresse", "text"),
        _code("boligtype", DWELLING_TYPES),
        Column("vaerelser", "integer"),
        Column("areal_m2", "decimal"),
        Column("husleje_kr", "decimal"),
        Column("aconto_kr", "decimal"),
        Column("modtaget_dato", "date"),
        Column("svarfrist_dato", "date"),
        Column("opdateret", "timestamp"),
    ),
    order_rules=(DateOrder("modtaget_dato", "svarfrist_dato"),),
)

HUSLEJEKLASSER = Source(
    name="huslejeklasser",
    title_da="Huslejeklasser",
    mode="full",
    key=("klasse", "gyldig_fra"),
    columns=(
        Column("klasse", "text"),
        Column("navn", "text"),
        Column("min_kr", "decimal"),
        Column("max_kr", "decimal", nullable=True),
        Column("gyldig_fra", "date"),
        Column("gyldig_til", "date", nullable=True),
    ),
    order_rules=(DateOrder("gyldig_fra", "gyldig_til", strict=True),),
)

RETURNEREDE_BOLIGER = Source(
    name="returnerede_boliger",
    title_da="Returnerede boliger",
    mode="delta",
    key=("bolig_id",),
    columns=(
        Column("bolig_id", "text"),
        Column("returneret_dato", "date"),
        _code(
            "aarsag",
            (
                "husleje_for_hoej",
                "stoerrelse",
                "beliggenhed",
                "afdeling_skaermet",
                "ingen_match_inden_frist",
                "boligens_stand",
                "andet",
            ),
        ),
        Column("bemaerkning", "text", nullable=True, free_text=True),
        Column("opdateret", "timestamp"),
    ),
)

BOSTOTTE = Source(
    name="bostotte",
    title_da="Bostøtteforløb",
    mode="delta",
    key=("forloeb_id",),
    columns=(
        Column("forloeb_id", "text"),
        Column("cpr", "cpr"),
        _code("indsats", ("CTI", "ICM", "ACT", "SEL85", "SEL99", "boligraadgiver", "ngo")),
        _code("leverandoer", ("kommunal", "privat", "ngo")),
        Column("team", "text"),
        Column("bevilget_dato", "date"),
        Column("start_dato", "date"),
        Column("slut_dato", "date", nullable=True),
        _code(
            "slut_aarsag",
            ("maal_naaet", "afbrudt", "flyttet", "anden_indsats", "doed", "ukendt"),
            nullable=True,
        ),
        Column("opdateret", "timestamp"),
        Column("slettet", "flag"),
    ),
    order_rules=(DateOrder("start_dato", "slut_dato"),),
)

HERBERGSOPHOLD = Source(
    name="herbergsophold",
    title_da="Herbergsophold",
    mode="delta",
    key=("ophold_id",),
    columns=(
        Column("ophold_id", "text"),
        Column("cpr", "cpr"),
        Column("herberg", "text"),
        _code("herberg_type", ("kommunal", "driftsoverenskomst", "ekstern")),
        Column("indskrevet_dato", "date"),
        Column("udskrevet_dato", "date", nullable=True),
        _code(
            "udskrevet_til",
            (
                "egen_bolig",
                "botilbud",
                "skaev_bolig",
                "andet_herberg",
                "hospital",
                "faengsel",
                "gaden",
                "ukendt",
            ),
            nullable=True,
        ),
        Column("handleplan_dato", "date", nullable=True),
        Column("opdateret", "timestamp"),
        Column("slettet", "flag"),
    ),
    order_rules=(DateOrder("indskrevet_dato", "udskrevet_dato"),),
)

AFDELINGER = Source(
    name="afdelinger",
    title_da="Afdelinger og månedens udlejninger",
    mode="full",
    key=("afdeling_id", "maaned"),
    columns=(
        Column("afdeling_id", "text"),
        Column("boligorganisation", "text"),
        Column("afdeling_navn", "text"),
        _code("bydel", DISTRICTS),
        Column("antal_boliger", "integer"),
        Column("skaermet", "flag"),
        Column("maaned", "month"),
        Column("ledige_boliger", "integer"),
        Column("udlejet_venteliste", "integer"),
        Column("udlejet_fleksibel", "integer"),
        Column("anvist_kommune", "integer"),
    ),
)

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        ANVISNINGER,
        LEDIGE_BOLIGER,
        HUSLEJEKLASSER,
        RETURNEREDE_BOLIGER,
        BOSTOTTE,
        HERBERGSOPHOLD,
        AFDELINGER,
    )
}
