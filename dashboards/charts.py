"""Chart functions: a pyarrow table in, an Altair chart out, one or more per monitoring question.

Every function takes a small, already aggregated table with the columns its docstring names
(the internal site gets them from the marts with SQL, the partner site from the suppressed export
tables) and returns a Vega-Lite chart with Danish titles, axes and tooltips. The data are inlined
in the chart exactly as given: a chart never computes a new number from the table, so what the
partner site shows is what the export holds. Reference lines (the 1/3 cap, 90 days, 94 %, 10 a
month) are constants drawn with `alt.datum`, not data.

A chart is drawn with Altair in two parts: its shape (marks, encodings, titles, on the named
placeholder data `TABLE`), built and validated against the Vega-Lite schema once per kind of
chart and options, and the table's rows, which `Spec.to_dict()` inlines where the shape names its
data. Building and validating an Altair chart costs tens of milliseconds, and the partner site
draws the same few kinds for every housing organisation; the spec is the same as Altair's for
a chart built on the rows directly.

A missing value (a suppressed cell in a partner table, or a share of nothing) is left out of the
marks and shown as `–` in the tooltip. Colours are Okabe & Ito's colour-blind-safe palette; every
series is also told apart by position, dash or label, never by colour alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pyarrow as pa

from dashboards.formatting import (
    COLOURS,
    INTEGER,
    KRONER,
    MONTH,
    MONTH_AXIS,
    MUTED,
    PERCENT,
    PERCENT_AXIS,
    REFERENCE_COLOUR,
    records,
)

WIDTH = 640
HEIGHT = 260
MISSING = "–"

OUTCOMES = {"indflyttet": "Indflyttet", "returneret": "Returneret", "aaben": "Stadig åben"}
RETURN_REASONS = {
    "husleje_for_hoej": "Huslejen for høj",
    "stoerrelse": "Størrelsen",
    "beliggenhed": "Beliggenheden",
    "afdeling_skaermet": "Afdelingen skærmet",
    "ingen_match_inden_frist": "Ingen match inden fristen",
    "boligens_stand": "Boligens stand",
    "andet": "Andet",
}
SUPPORT_METHODS = {
    "CTI": "CTI",
    "ICM": "ICM",
    "ACT": "ACT",
    "SEL85": "§ 85",
    "SEL99": "§ 99",
    "boligraadgiver": "Boligrådgiver",
    "ngo": "NGO",
    "anden": "Anden støtte (§ 85, § 99, boligrådgiver, NGO)",
    "ingen": "Ingen støtte inden for 30 dage",
    "ukendt": "Ukendt",
    "I alt": "Alle",
}
SUBSIDY_TYPES = {
    "kommunal_udslusning": "Kommunalt (udslusning)",
    "statslig_midlertidig": "Statsligt, midlertidigt",
    "statslig_permanent": "Statsligt, permanent",
}
ABLE_TO_PAY = {
    "kan_betale": "Kan betale den fulde husleje",
    "kan_ikke_betale": "Kan ikke betale den fulde husleje",
    "ukendt": "Ukendt",
}
PILOT_GROUPS = {
    "sundholm": "Fra Sundholm",
    "ung": "Unge",
    "uden_bostotte": "Uden bostøtte",
    "i_alt": "Hele piloten",
}
# Days from shelter entry to an own home: the buckets of the shelter marts, as numbers on an axis.
DAY_BUCKETS = {
    "0-30": (0, 30),
    "31-60": (30, 60),
    "61-90": (60, 90),
    "91-180": (90, 180),
    "181-365": (180, 365),
    "over 365": (365, 545),
}
HOUSING_FIRST_EUROPE_12M = 0.94
ONE_THIRD = 1 / 3
TARGET_EXTRA_PER_MONTH = 10


# ---- helpers ----------------------------------------------------------------------------


def _check(table: pa.Table, columns: Sequence[str], chart: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise ValueError(
            f"Diagrammet '{chart}' mangler kolonnerne {missing} (tabellen har "
            f"{table.column_names})."
        )


# The data of a chart's shape: a named data set that `Spec.to_dict()` replaces by the rows.
TABLE_NAME = "boligmonitor-tabel"
TABLE = alt.Data(name=TABLE_NAME)
_PLACEHOLDER = {"name": TABLE_NAME}


@dataclass(frozen=True, eq=False)
class Spec:
    """A chart ready for a page: the validated Vega-Lite spec of its kind (`shape`, on the
    placeholder data) and the rows to inline there. `to_dict()` gives the full spec, as
    `to_dict()` of the same Altair chart built on the rows would."""

    shape: Mapping[str, Any]
    rows: tuple[Mapping[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return _fill(self.shape, self.rows)


def _fill(node: Any, rows: tuple[Mapping[str, Any], ...]) -> Any:
    """A copy of a shape with the placeholder data replaced by the rows."""
    if isinstance(node, dict):
        if node == _PLACEHOLDER:
            return {"values": [dict(r) for r in rows]}
        return {k: _fill(v, rows) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, rows) for v in node]
    return node


def _holds_table(node: Any) -> bool:
    if isinstance(node, dict):
        return node == _PLACEHOLDER or any(_holds_table(v) for v in node.values())
    return isinstance(node, list) and any(_holds_table(v) for v in node)


def _shape(build: Callable[..., alt.TopLevelMixin]) -> Callable[..., Mapping[str, Any]]:
    """Cache a kind of chart: `build(*options)` draws it on `TABLE`; its spec is validated
    against the Vega-Lite schema once per distinct (hashable) options and then reused."""

    @functools.lru_cache(maxsize=128)
    def shape(*options: Any) -> Mapping[str, Any]:
        spec = build(*options).to_dict()  # validates
        if not _holds_table(spec):
            raise ValueError(f"Diagramtypen '{build.__name__}' bruger ikke tabellens data.")
        return spec

    return shape


def _rows(
    table: pa.Table, columns: Sequence[str], relabel: Mapping[str, Mapping] = {}
) -> tuple[dict[str, Any], ...]:
    """Only the named columns, JSON-ready; codes in `relabel` columns replaced by Danish
    labels."""
    rows = records(table.select(list(columns)))
    for column, labels in relabel.items():
        for row in rows:
            row[column] = labels.get(row[column], row[column])
    return tuple(rows)


def _text(field: str, fmt: str, *, time: bool = False) -> str:
    """A Vega expression: the field formatted the Danish way, `–` when missing."""
    fn = "timeFormat(toDate(datum[{f!r}]), {fmt!r})" if time else "format(datum[{f!r}], {fmt!r})"
    return f"isValid(datum[{field!r}]) ? {fn.format(f=field, fmt=fmt)} : {MISSING!r}"


def _tooltips(
    chart: alt.Chart, fields: Sequence[tuple[str, str, str]]
) -> tuple[alt.Chart, list[alt.Tooltip]]:
    """(field, title, format) -> calculated text fields and the tooltip that shows them."""
    tips = []
    for i, (field, title, fmt) in enumerate(fields):
        name = f"_tekst{i}"
        time = fmt.startswith("%")
        chart = chart.transform_calculate(**{name: _text(field, fmt, time=time)})
        tips.append(alt.Tooltip(f"{name}:N", title=title))
    return chart, tips


def _month_x(field: str = "month_start", title: str = "Måned") -> alt.X:
    return alt.X(f"{field}:T", timeUnit="yearmonth", title=title, axis=alt.Axis(format=MONTH_AXIS))


def _share_axis(title: str) -> alt.Axis:
    return alt.Axis(format=PERCENT_AXIS, title=title)


def _finish(chart: alt.TopLevelMixin, title: str, subtitle: str = "") -> alt.TopLevelMixin:
    params = alt.TitleParams(text=title, subtitle=subtitle or alt.Undefined, anchor="start")
    return chart.properties(title=params)


def _rule_y(value: float, label: str, *, dash: Sequence[int] = (6, 4)) -> alt.LayerChart:
    """A horizontal reference line at a constant, with its label at the right end."""
    base = alt.Chart(alt.Data(values=[{}]))
    rule = base.mark_rule(color=REFERENCE_COLOUR, strokeDash=list(dash), size=1.5).encode(
        y=alt.datum(value)
    )
    text = base.mark_text(
        align="right", baseline="bottom", dx=-2, dy=-3, color=REFERENCE_COLOUR, fontSize=11
    ).encode(y=alt.datum(value), x=alt.value(WIDTH), text=alt.value(label))
    return rule + text


def _rule_x(value: float, label: str, *, dash: Sequence[int] = (6, 4)) -> alt.LayerChart:
    base = alt.Chart(alt.Data(values=[{}]))
    rule = base.mark_rule(color=REFERENCE_COLOUR, strokeDash=list(dash), size=1.5).encode(
        x=alt.datum(value)
    )
    text = base.mark_text(
        align="left", baseline="top", dx=4, y=2, color=REFERENCE_COLOUR, fontSize=11
    ).encode(x=alt.datum(value), text=alt.value(label))
    return rule + text


def _colour(domain: Sequence[str], title: str, colours: Sequence[str] = COLOURS) -> alt.Color:
    return alt.Color(
        "_serie:N",
        title=title,
        scale=alt.Scale(domain=list(domain), range=list(colours[: len(domain)])),
        legend=alt.Legend(orient="bottom"),
    )


# ---- 1. the dwelling funnel -------------------------------------------------------------


def funnel_chart(table: pa.Table) -> Spec:
    """Dwellings received per month, by how far they got. Columns: `month_start` (date),
    `outcome` (indflyttet, returneret, aaben) and `dwellings` (count)."""
    cols = ["month_start", "outcome", "dwellings"]
    _check(table, cols, "boligtragt")
    return Spec(_funnel_shape(), _rows(table, cols, {"outcome": OUTCOMES}))


@_shape
def _funnel_shape() -> alt.TopLevelMixin:
    base = alt.Chart(TABLE).transform_calculate(_serie="datum.outcome")
    base, tips = _tooltips(
        base,
        [("month_start", "Modtaget i", MONTH), ("dwellings", "Boliger", INTEGER)],
    )
    order = list(OUTCOMES.values())
    chart = (
        base.mark_bar()
        .encode(
            x=_month_x(title="Måned boligen blev modtaget"),
            y=alt.Y("sum(dwellings):Q", title="Modtagne boliger", axis=alt.Axis(format=INTEGER)),
            color=_colour(order, "Hvor langt boligen nåede", (COLOURS[2], COLOURS[5], MUTED)),
            order=alt.Order("_orden:Q"),
            tooltip=[alt.Tooltip("outcome:N", title="Udfald"), *tips],
        )
        .transform_calculate(_orden=f"indexof({order!r}, datum.outcome)")
    )
    return _finish(
        chart.properties(width=WIDTH, height=HEIGHT),
        "Modtagne boliger og hvad der skete med dem",
        "Pr. måned boligen blev modtaget til boligsocial anvisning",
    )


# ---- 2. returns -------------------------------------------------------------------------


def return_rate_chart(table: pa.Table) -> Spec:
    """Return rate by rent class. Columns: `rent_class`, `dwellings_received`,
    `dwellings_returned`, `return_rate` (0-1)."""
    cols = ["rent_class", "dwellings_received", "dwellings_returned", "return_rate"]
    _check(table, cols, "returandel")
    return Spec(_return_rate_shape(), _rows(table, cols))


@_shape
def _return_rate_shape() -> alt.TopLevelMixin:
    base, tips = _tooltips(
        alt.Chart(TABLE),
        [
            ("dwellings_received", "Modtagne boliger", INTEGER),
            ("dwellings_returned", "Returnerede boliger", INTEGER),
            ("return_rate", "Returneringsandel", PERCENT),
        ],
    )
    chart = base.mark_bar(color=COLOURS[0]).encode(
        x=alt.X("rent_class:N", title="Huslejeklasse (på modtagelsesdagen)", sort=None),
        y=alt.Y("return_rate:Q", axis=_share_axis("Andel returneret")),
        tooltip=[alt.Tooltip("rent_class:N", title="Huslejeklasse"), *tips],
    )
    return _finish(
        chart.properties(width=WIDTH, height=HEIGHT),
        "Andel af de modtagne boliger, der blev returneret",
        "Pr. huslejeklasse",
    )


def return_reasons_chart(table: pa.Table) -> Spec:
    """Returned dwellings by reason and rent class. Columns: `rent_class`, `return_reason`
    (codes of the returns source), `dwellings_returned`."""
    cols = ["rent_class", "return_reason", "dwellings_returned"]
    _check(table, cols, "returneringsårsager")
    return Spec(_return_reasons_shape(), _rows(table, cols, {"return_reason": RETURN_REASONS}))


@_shape
def _return_reasons_shape() -> alt.TopLevelMixin:
    base = alt.Chart(TABLE).transform_calculate(_serie="datum.return_reason")
    base, tips = _tooltips(base, [("dwellings_returned", "Returnerede boliger", INTEGER)])
    reasons = list(RETURN_REASONS.values())
    chart = (
        base.mark_bar()
        .encode(
            y=alt.Y("rent_class:N", title="Huslejeklasse", sort=None),
            x=alt.X(
                "sum(dwellings_returned):Q",
                title="Returnerede boliger",
                axis=alt.Axis(format=INTEGER),
            ),
            color=_colour(reasons, "Årsag"),
            order=alt.Order("_orden:Q"),
            tooltip=[
                alt.Tooltip("rent_class:N", title="Huslejeklasse"),
                alt.Tooltip("return_reason:N", title="Årsag"),
                *tips,
            ],
        )
        .transform_calculate(_orden=f"indexof({reasons!r}, datum.return_reason)")
    )
    return _finish(
        chart.properties(width=WIDTH, height=HEIGHT),
        "Hvorfor boligerne blev returneret",
        "Returnerede boliger pr. huslejeklasse og årsag",
    )


def return_trend_chart(table: pa.Table) -> Spec:
    """Return rate and the rate returned for high rent per month received. Columns:
    `month_start`, `dwellings_received`, `return_rate`, `high_rent_return_rate`."""
    cols = ["month_start", "dwellings_received", "return_rate", "high_rent_return_rate"]
    _check(table, cols, "returneringer over tid")
    return Spec(_return_trend_shape(), _rows(table, cols))


@_shape
def _return_trend_shape() -> alt.TopLevelMixin:
    series = {"return_rate": "Returneret i alt", "high_rent_return_rate": "Heraf huslejen for høj"}
    base = alt.Chart(TABLE).transform_fold(list(series), as_=["_mål", "_andel"])
    base = base.transform_calculate(_serie=f"{dict(series)!r}[datum._mål]")
    base, tips = _tooltips(
        base,
        [
            ("month_start", "Modtaget i", MONTH),
            ("dwellings_received", "Modtagne boliger", INTEGER),
            ("_andel", "Andel", PERCENT),
        ],
    )
    chart = base.mark_line(point=True).encode(
        x=_month_x(title="Måned boligen blev modtaget"),
        y=alt.Y("_andel:Q", axis=_share_axis("Andel af de modtagne")),
        color=_colour(list(series.values()), ""),
        strokeDash=alt.StrokeDash("_serie:N", legend=None),
        tooltip=[alt.Tooltip("_serie:N", title="Serie"), *tips],
    )
    return _finish(
        chart.properties(width=WIDTH, height=HEIGHT),
        "Returneringsandel over tid",
        "Andel af de boliger, der blev modtaget i måneden",
    )


# ---- 3. affordability -------------------------------------------------------------------


def affordability_chart(table: pa.Table) -> Spec:
    """Rent against the ability to pay of the waiting citizens, by rent class. Columns:
    `rent_class`, `dwellings`, `rent_median_kr`, `ability_to_pay_median_kr`,
    `share_able_to_pay` (0-1)."""
    cols = [
        "rent_class",
        "dwellings",
        "rent_median_kr",
        "ability_to_pay_median_kr",
        "share_able_to_pay",
    ]
    _check(table, cols, "betalingsevne")
    return Spec(_affordability_shape(), _rows(table, cols))


@_shape
def _affordability_shape() -> alt.TopLevelMixin:
    series = {
        "rent_median_kr": "Husleje (median)",
        "ability_to_pay_median_kr": "Betalingsevne hos ventende (median)",
    }
    base = alt.Chart(TABLE).transform_fold(list(series), as_=["_mål", "_kr"])
    base = base.transform_calculate(_serie=f"{dict(series)!r}[datum._mål]")
    base, tips = _tooltips(
        base,
        [
            ("_kr", "Kr. pr. måned", KRONER),
            ("dwellings", "Modtagne boliger", INTEGER),
            ("share_able_to_pay", "Andel af ventende der kunne betale (gns.)", PERCENT),
        ],
    )
    chart = base.mark_bar().encode(
        x=alt.X("rent_class:N", title="Huslejeklasse", sort=None),
        xOffset=alt.XOffset("_serie:N", sort=list(series.values())),
        y=alt.Y("_kr:Q", title="Kr. pr. måned", axis=alt.Axis(format=KRONER)),
        color=_colour(list(series.values()), "", (COLOURS[0], COLOURS[1])),
        tooltip=[
            alt.Tooltip("rent_class:N", title="Huslejeklasse"),
            alt.Tooltip("_serie:N", title="Serie"),
            *tips,
        ],
    )
    return _finish(
        chart.properties(width=WIDTH, height=HEIGHT),
        "Husleje mod betalingsevne",
        "Pr. huslejeklasse: boligens husleje uden forbrug og de ventende borgeres betalingsevne",
    )


def subsidy_what_if_chart(table: pa.Table) -> Spec:
    """Returns for high rent a subsidy of X kr. a month would have prevented. Columns:
    `subsidy_kr_per_month`, `received_year`, `rent_returns`, `returns_prevented`,
    `yearly_cost_flat_kr`."""
    cols = [
        "subsidy_kr_per_month",
        "received_year",
        "rent_returns",
        "returns_prevented",
        "yearly_cost_flat_kr",
    ]
    _check(table, cols, "tilskud hvad nu hvis")
    years = tuple(sorted({str(y) for y in table.column("received_year").to_pylist()}))
    return Spec(_subsidy_what_if_shape(years), _rows(table, cols))


@_shape
def _subsidy_what_if_shape(years: tuple[str, ...]) -> alt.TopLevelMixin:
    base = alt.Chart(TABLE).transform_calculate(_serie="toString(datum.received_year)")
    base, tips = _tooltips(
        base,
        [
            ("subsidy_kr_per_month", "Tilskud, kr. pr. måned", KRONER),
            ("returns_prevented", "Returneringer forhindret", INTEGER),
            ("rent_returns", "Returneret for høj husleje i året", INTEGER),
            ("yearly_cost_flat_kr", "Årlig pris, kr.", KRONER),
        ],
    )
    colours = [COLOURS[i % len(COLOURS)] for i in range(len(years))]
    chart = base.mark_line(point=True).encode(
        x=alt.X(
            "subsidy_kr_per_month:Q",
            title="Kommunalt huslejetilskud, kr. pr. måned",
            axis=alt.Axis(format=KRONER),
        ),
        y=alt.Y(
            "returns_prevented:Q", title="Returneringer forhindret", axis=alt.Axis(format=INTEGER)
        ),
        color=_colour(years, "Modtaget i", colours),
        shape=alt.Shape("_serie:N", legend=None),
        tooltip=[alt.Tooltip("_serie:N", title="År"), *tips],
    )
    return _finish(
        chart.properties(width=WIDTH, height=HEIGHT),
        "Hvad nu hvis kommunen gav et huslejetilskud?",
        "Boliger returneret for høj husleje, som tilskuddet ville have forhindret",
    )


# ---- 4. where in the city and the one-third rule ----------------------------------------


def district_chart(table: pa.Table) -> Spec:
    """Move-ins and dwellings received by district. Columns: `district`, `district_number`,
    `move_ins`, `dwellings_received`."""
    cols = ["district", "district_number", "move_ins", "dwellings_received"]
    _check(table, cols, "bydele")
    return Spec(_district_shape(), _rows(table, cols))


@_shape
def _district_shape() -> alt.TopLevelMixin:
    base, tips = _tooltips(
        alt.Chart(TABLE),
        [
            ("move_ins", "Indflytninger", INTEGER),
            ("dwellings_received", "Modtagne boliger", INTEGER),
        ],
    )
    chart = base.mark_bar(color=COLOURS[0]).encode(
        y=alt.Y("district:N", title="Bydel", sort=alt.EncodingSortField("district_number")),
        x=alt.X("move_ins:Q", title="Indflytninger", axis=alt.Axis(format=INTEGER)),
        tooltip=[alt.Tooltip("district:N", title="Bydel"), *tips],
    )
    return _finish(
        chart.properties(width=WIDTH, height=HEIGHT),
        "Hvor i byen kommunen anviser",
        "Borgere flyttet ind i en anvist bolig pr. bydel",
    )


def one_third_chart(table: pa.Table, city_share: float | None = None) -> Spec:
    """The one-third rule per department: the municipality's share of its vacancies over 12
    months, with the 1/3 cap. Columns: `department_id`, `department_name`,
    `housing_organisation`, `allocated_by_municipality_12m`, `vacancies_12m`,
    `municipal_share_12m` (0-1). `city_share`: the city's share, drawn as a dashed line."""
    cols = [
        "department_id",
        "department_name",
        "housing_organisation",
        "allocated_by_municipality_12m",
        "vacancies_12m",
        "municipal_share_12m",
    ]
    _check(table, cols, "tredjedelsreglen")
    return Spec(_one_third_shape(city_share), _rows(table, cols))


@_shape
def _one_third_shape(city_share: float | None) -> alt.TopLevelMixin:
    base = alt.Chart(TABLE).transform_calculate(
        _navn="datum.department_name + ' (' + datum.department_id + ')'",
        _serie="isValid(datum.municipal_share_12m) && datum.municipal_share_12m > 1/3"
        " ? 'Over loftet' : 'Højst hver tredje'",
    )
    base, tips = _tooltips(
        base,
        [
            ("allocated_by_municipality_12m", "Anvist af kommunen, 12 mdr.", INTEGER),
            ("vacancies_12m", "Ledige boliger, 12 mdr.", INTEGER),
            ("municipal_share_12m", "Kommunens andel", PERCENT),
        ],
    )
    step = 14
    bars = base.mark_bar().encode(
        y=alt.Y(
            "_navn:N",
            title="Afdeling",
            sort=alt.EncodingSortField("municipal_share_12m", order="descending"),
        ),
        x=alt.X(
            "municipal_share_12m:Q",
            axis=_share_axis("Kommunens andel af de ledige boliger, 12 mdr."),
        ),
        color=_colour(["Højst hver tredje", "Over loftet"], "", (COLOURS[0], COLOURS[5])),
        tooltip=[
            alt.Tooltip("_navn:N", title="Afdeling"),
            alt.Tooltip("housing_organisation:N", title="Boligorganisation"),
            *tips,
        ],
    )
    layers: list[alt.TopLevelMixin] = [bars]
    base_rule = alt.Chart(alt.Data(values=[{}]))
    layers.append(
        base_rule.mark_rule(color=REFERENCE_COLOUR, strokeDash=[6, 4], size=1.5).encode(
            x=alt.datum(ONE_THIRD)
        )
    )
    layers.append(
        base_rule.mark_text(align="left", baseline="top", dx=4, y=-14, fontSize=11).encode(
            x=alt.datum(ONE_THIRD), text=alt.value("Loft: hver tredje (1/3)")
        )
    )
    if city_share is not None:
        layers.append(
            base_rule.mark_rule(color=MUTED, strokeDash=[2, 2], size=1.5).encode(
                x=alt.datum(city_share)
            )
        )
    chart = alt.layer(*layers).properties(width=WIDTH, height=alt.Step(step))
    subtitle = "Anvist af kommunen / ledige boliger over de seneste 12 måneder"
    if city_share is not None:
        subtitle += "; prikket linje: byen i alt"
    return _finish(chart, "Tredjedelsreglen pr. afdeling", subtitle)


# ---- 5. support -------------------------------------------------------------------------


def support_methods_chart(table: pa.Table) -> Spec:
    """Support episodes by method. Columns: `support_method` (codes), `support_episodes`,
    `episodes_active_as_of`."""
    cols = ["support_method", "support_episodes", "episodes_active_as_of"]
    _check(table, cols, "bostøtte")
    return Spec(_support_methods_shape(), _rows(table, cols, {"support_method": SUPPORT_METHODS}))


@_shape
def _support_methods_shape() -> alt.TopLevelMixin:
    base, tips = _tooltips(
        alt.Chart(TABLE),
        [
            ("support_episodes", "Forløb i alt", INTEGER),
            ("episodes_active_as_of", "Heraf i gang", INTEGER),
        ],
    )
    order = [v for k, v in SUPPORT_METHODS.items() if k not in {"anden", "ingen", "I alt"}]
    chart = base.mark_bar(color=COLOURS[0]).encode(
        y=alt.Y("support_method:N", title="Indsats", sort=order),
        x=alt.X("support_episodes:Q", title="Bostøtteforløb", axis=alt.Axis(format=INTEGER)),
        tooltip=[alt.Tooltip("support_method:N", title="Indsats"), *tips],
    )
    return _finish(
        chart.properties(width=WIDTH, height=HEIGHT),
        "Bostøtte til anviste borgere",
        "Bostøtteforløb omkring borgernes lejemål, pr. indsats",
    )


def support_within_30_days_chart(table: pa.Table) -> Spec:
    """Share of moved-in citizens needing support who had it within 30 days, per move-in month.
    Columns: `month_start`, `move_ins_needing_support_measurable`,
    `with_support_within_30_days`, `share_with_support_within_30_days` (0-1)."""
    cols = [
        "month_start",
        "move_ins_needing_support_measurable",
        "with_support_within_30_days",
        "share_with_support_within_30_days",
    ]
    _check(table, cols, "bostøtte inden for 30 dage")
    return Spec(_support_within_30_days_shape(), _rows(table, cols))


@_shape
def _support_within_30_days_shape() -> alt.TopLevelMixin:
    base, tips = _tooltips(
        alt.Chart(TABLE),
        [
            ("month_start", "Indflyttet i", MONTH),
            ("move_ins_needing_support_measurable", "Indflyttede med behov", INTEGER),
            ("with_support_within_30_days", "Med støtte inden for 30 dage", INTEGER),
            ("share_with_support_within_30_days", "Andel", PERCENT),
        ],
    )
    chart = base.mark_line(point=True, color=COLOURS[0]).encode(
        x=_month_x(title="Indflytningsmåned"),
        y=alt.Y(
            "share_with_support_within_30_days:Q",
            axis=_share_axis("Andel med støtte inden for 30 dage"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        tooltip=tips,
    )
    return _finish(
        chart.properties(width=WIDTH, height=HEIGHT),
        "Bostøtte på plads inden for 30 dage efter indflytning",
        "Andel af de indflyttede med behov for bostøtte",
    )


def support_capacity_chart(table: pa.Table) -> Spec:
    """Citizens with support per month against the plan's capacity. Columns: `month_start`,
    `citizens_supported`, `capacity_target_citizens` (null outside the plan period)."""
    cols = ["month_start", "citizens_supported", "capacity_target_citizens"]
    _check(table, cols, "bostøttekapacitet")
    return Spec(_support_capacity_shape(), _rows(table, cols))


@_shape
def _support_capacity_shape() -> alt.TopLevelMixin:
    series = {
        "citizens_supported": "Borgere med bostøtte",
        "capacity_target_citizens": "Planens kapacitet",
    }
    base = alt.Chart(TABLE).transform_fold(list(series), as_=["_mål", "_borgere"])
    base = base.transform_calculate(_serie=f"{dict(series)!r}[datum._mål]")
    base, tips = _tooltips(
        base, [("month_start", "Måned", MONTH), ("_borgere", "Borgere", INTEGER)]
    )
    chart = base.mark_line().encode(
        x=_month_x(),
        y=alt.Y("_borgere:Q", title="Borgere", axis=alt.Axis(format=INTEGER)),
        color=_colour(list(series.values()), "", (COLOURS[0], REFERENCE_COLOUR)),
        strokeDash=alt.StrokeDash(
            "_serie:N",
            legend=None,
            scale=alt.Scale(domain=list(series.values()), range=[[1, 0], [6, 4]]),
        ),
        tooltip=[alt.Tooltip("_serie:N", title="Serie"), *tips],
    )
    return _finish(
        chart.properties(width=WIDTH, height=HEIGHT),
        "Borgere med bostøtte mod planens kapacitet",
        "Aktive forløb på månedens sidste dag",
    )


# ---- 6. shelter to home within 90 days --------------------------------------------------


def shelter_exit_chart(table: pa.Table) -> Spec:
    """Share of shelter stays that ended in an own home within 90 days, per entry month.
    Columns: `entered_month`, `stays_measurable`, `own_home_within_90_days`,
    `share_own_home_within_90_days` (0-1)."""
    cols = [
        "entered_month",
        "stays_measurable",
        "own_home_within_90_days",
        "share_own_home_within_90_days",
    ]
    _check(table, cols, "herberg 90 dage")
    return Spec(_shelter_exit_shape(), _rows(table, cols))


@_shape
def _shelter_exit_shape() -> alt.TopLevelMixin:
    base, tips = _tooltips(
        alt.Chart(TABLE),
        [
            ("entered_month", "Indskrevet i", MONTH),
            ("stays_measurable", "Ophold (målbare)", INTEGER),
            ("own_home_within_90_days", "I egen bolig inden for 90 dage", INTEGER),
            ("share_own_home_within_90_days", "Andel", PERCENT),
        ],
    )
    chart = base.mark_line(point=True, color=COLOURS[0]).encode(
        x=_month_x("entered_month", "Indskrivningsmåned"),
        y=alt.Y(
            "share_own_home_within_90_days:Q",
            axis=_share_axis("Andel i egen bolig inden for 90 dage"),
        ),
        tooltip=tips,
    )
    return _finish(
        chart.properties(width=WIDTH, height=HEIGHT),
        "Fra herberg til egen bolig inden for 90 dage",
        "Andel af herbergsopholdene, pr. måned borgeren blev indskrevet",
    )


def shelter_days_chart(table: pa.Table) -> Spec:
    """Days from shelter entry to an own home, in buckets, with the 90-day line. Columns:
    `days_bucket` (0-30, 31-60, 61-90, 91-180, 181-365, over 365) and `stays`."""
    cols = ["days_bucket", "stays"]
    _check(table, cols, "dage til egen bolig")
    rows = _rows(table, cols)
    for row in rows:
        row["_fra"], row["_til"] = DAY_BUCKETS[str(row["days_bucket"])]
    return Spec(_shelter_days_shape(), rows)


@_shape
def _shelter_days_shape() -> alt.TopLevelMixin:
    base, tips = _tooltips(alt.Chart(TABLE), [("stays", "Ophold", INTEGER)])
    bars = base.mark_bar(color=COLOURS[0], stroke="white").encode(
        x=alt.X(
            "_fra:Q",
            title="Dage fra indskrivning til egen bolig",
            scale=alt.Scale(domain=[0, 545]),
            axis=alt.Axis(values=[0, 30, 60, 90, 180, 365], format=INTEGER),
        ),
        x2="_til:Q",
        y=alt.Y("stays:Q", title="Ophold", axis=alt.Axis(format=INTEGER)),
        tooltip=[alt.Tooltip("days_bucket:N", title="Dage"), *tips],
    )
    chart = alt.layer(bars, _rule_x(90, "90 dage")).properties(width=WIDTH, height=HEIGHT)
    return _finish(
        chart,
        "Hvor lang tid der gik før egen bolig",
        "Herbergsophold der endte i egen bolig, efter antal dage (den sidste søjle dækker resten)",
    )


# ---- 7. keeping the home ----------------------------------------------------------------


def retention_chart(table: pa.Table, reference: float | None = HOUSING_FIRST_EUROPE_12M) -> Spec:
    """Share still housed 6, 12 and 24 months after moving in, per group (e.g. support method),
    with Housing First Europe's 12-month figure as a reference line. Columns: `months_after`
    (6, 12, 24), `group`, `eligible`, `housed`, `share_housed` (0-1)."""
    cols = ["months_after", "group", "eligible", "housed", "share_housed"]
    _check(table, cols, "fastholdelse")
    groups = dict.fromkeys(str(g) for g in table.column("group").to_pylist())
    labels = tuple(SUPPORT_METHODS.get(g, g) for g in groups)
    return Spec(_retention_shape(labels, reference), _rows(table, cols, {"group": SUPPORT_METHODS}))


@_shape
def _retention_shape(groups: tuple[str, ...], reference: float | None) -> alt.TopLevelMixin:
    base = alt.Chart(TABLE).transform_calculate(_serie="datum.group")
    base, tips = _tooltips(
        base,
        [
            ("months_after", "Måneder efter indflytning", INTEGER),
            ("eligible", "Indflytninger (målbare)", INTEGER),
            ("housed", "Stadig i bolig", INTEGER),
            ("share_housed", "Andel", PERCENT),
        ],
    )
    colours = [COLOURS[i % len(COLOURS)] for i in range(len(groups))]
    lines = base.mark_line(point=True).encode(
        x=alt.X(
            "months_after:Q",
            title="Måneder efter indflytning",
            scale=alt.Scale(domain=[0, 25]),
            axis=alt.Axis(values=[6, 12, 24]),
        ),
        y=alt.Y(
            "share_housed:Q",
            axis=_share_axis("Andel stadig i bolig"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        color=_colour(groups, "", colours),
        shape=alt.Shape("_serie:N", legend=None),
        tooltip=[alt.Tooltip("_serie:N", title="Gruppe"), *tips],
    )
    layers: list[alt.TopLevelMixin] = [lines]
    subtitle = "Andel af indflytningerne uden fraflytning"
    if reference is not None:
        label = f"Housing First Europe, 12 mdr.: {round(reference * 100)} %"
        layers.append(_rule_y(reference, label))
        subtitle += "; stiplet linje: referencetal, ikke et mål"
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, "Fastholdelse: stadig i boligen efter 6, 12 og 24 måneder", subtitle)


# ---- 8. rent subsidies ------------------------------------------------------------------


def subsidy_cliff_chart(table: pa.Table) -> Spec:
    """Subsidies ending in the next 12 months, by type and whether the citizen's ability to
    pay covers the full rent. Columns: `rent_subsidy_type`, `able_to_pay` (kan_betale,
    kan_ikke_betale, ukendt), `subsidies`."""
    cols = ["rent_subsidy_type", "able_to_pay", "subsidies"]
    _check(table, cols, "tilskud der ophører")
    relabel = {"rent_subsidy_type": SUBSIDY_TYPES, "able_to_pay": ABLE_TO_PAY}
    return Spec(_subsidy_cliff_shape(), _rows(table, cols, relabel))


@_shape
def _subsidy_cliff_shape() -> alt.TopLevelMixin:
    base = alt.Chart(TABLE).transform_calculate(_serie="datum.able_to_pay")
    base, tips = _tooltips(base, [("subsidies", "Tilskud", INTEGER)])
    order = list(ABLE_TO_PAY.values())
    chart = (
        base.mark_bar()
        .encode(
            y=alt.Y("rent_subsidy_type:N", title="Tilskudstype"),
            x=alt.X("sum(subsidies):Q", title="Tilskud der ophører", axis=alt.Axis(format=INTEGER)),
            color=_colour(order, "", (COLOURS[2], COLOURS[5], MUTED)),
            order=alt.Order("_orden:Q"),
            tooltip=[
                alt.Tooltip("rent_subsidy_type:N", title="Tilskudstype"),
                alt.Tooltip("able_to_pay:N", title="Betalingsevne"),
                *tips,
            ],
        )
        .transform_calculate(_orden=f"indexof({order!r}, datum.able_to_pay)")
    )
    return _finish(
        chart.properties(width=WIDTH, height=160),
        "Huslejetilskud der ophører inden for 12 måneder",
        "Og om borgerens betalingsevne dækker den fulde husleje",
    )


# ---- 9. the plan's targets and the pilot ------------------------------------------------


def housing_target_chart(table: pa.Table, target_per_month: float = TARGET_EXTRA_PER_MONTH) -> Spec:
    """Citizens into their own home per month above the baseline, against the target of about
    10 extra a month. Columns: `month_start`, `move_ins_target_groups`,
    `move_ins_above_baseline`."""
    cols = ["month_start", "move_ins_target_groups", "move_ins_above_baseline"]
    _check(table, cols, "planens mål")
    return Spec(_housing_target_shape(target_per_month), _rows(table, cols))


@_shape
def _housing_target_shape(target_per_month: float) -> alt.TopLevelMixin:
    base, tips = _tooltips(
        alt.Chart(TABLE),
        [
            ("month_start", "Måned", MONTH),
            ("move_ins_target_groups", "Borgere i egen bolig", INTEGER),
            ("move_ins_above_baseline", "Ekstra over 2023-niveauet", "+,.1f"),
        ],
    )
    bars = base.mark_bar(color=COLOURS[0]).encode(
        x=_month_x(),
        y=alt.Y(
            "move_ins_above_baseline:Q",
            title="Ekstra borgere i egen bolig",
            axis=alt.Axis(format=INTEGER),
        ),
        tooltip=tips,
    )
    label = f"Mål: ca. {round(target_per_month)} ekstra om måneden"
    chart = alt.layer(bars, _rule_y(target_per_month, label)).properties(width=WIDTH, height=HEIGHT)
    return _finish(
        chart,
        "Borgere i egen bolig pr. måned mod planens mål",
        "Indflytninger fra de hjemløse målgrupper ud over gennemsnittet pr. måned i 2023",
    )


def pilot_chart(table: pa.Table) -> Spec:
    """The 2022 pilot (internal only): planned, in the data, moved in, housed after 12 months,
    per group. Columns: `pilot_group`, `citizens_planned`, `citizens`, `citizens_moved_in`,
    `citizens_housed_at_12_months`."""
    cols = [
        "pilot_group",
        "citizens_planned",
        "citizens",
        "citizens_moved_in",
        "citizens_housed_at_12_months",
    ]
    _check(table, cols, "piloten")
    return Spec(_pilot_shape(), _rows(table, cols, {"pilot_group": PILOT_GROUPS}))


@_shape
def _pilot_shape() -> alt.TopLevelMixin:
    series = {
        "citizens_planned": "Planlagt",
        "citizens": "I piloten",
        "citizens_moved_in": "Flyttet ind",
        "citizens_housed_at_12_months": "I bolig efter 12 mdr.",
    }
    base = alt.Chart(TABLE).transform_fold(list(series), as_=["_mål", "_borgere"])
    base = base.transform_calculate(_serie=f"{dict(series)!r}[datum._mål]")
    base, tips = _tooltips(base, [("_borgere", "Borgere", INTEGER)])
    chart = base.mark_bar().encode(
        x=alt.X("pilot_group:N", title="Pilotgruppe", sort=list(PILOT_GROUPS.values())),
        xOffset=alt.XOffset("_serie:N", sort=list(series.values())),
        y=alt.Y("_borgere:Q", title="Borgere", axis=alt.Axis(format=INTEGER)),
        color=_colour(list(series.values()), ""),
        tooltip=[
            alt.Tooltip("pilot_group:N", title="Gruppe"),
            alt.Tooltip("_serie:N", title="Trin"),
            *tips,
        ],
    )
    return _finish(
        chart.properties(width=WIDTH, height=HEIGHT),
        "Pilotprojektet 2022: 50 borgere",
        "Kun internt: piloten vises aldrig opdelt for partnere",
    )


# ---- 10. context ------------------------------------------------------------------------


def homeless_count_chart(table: pa.Table) -> Spec:
    """VIVE's counts of homeless citizens in Copenhagen. Columns: `figure_year`,
    `figure_value`, `source`."""
    cols = ["figure_year", "figure_value", "source"]
    _check(table, cols, "hjemløsetællinger")
    return Spec(_homeless_count_shape(), _rows(table, cols))


@_shape
def _homeless_count_shape() -> alt.TopLevelMixin:
    base, tips = _tooltips(
        alt.Chart(TABLE),
        [("figure_value", "Hjemløse borgere", INTEGER)],
    )
    chart = base.mark_bar(color=COLOURS[0]).encode(
        x=alt.X("figure_year:O", title="Tællingsår"),
        y=alt.Y("figure_value:Q", title="Hjemløse borgere", axis=alt.Axis(format=INTEGER)),
        tooltip=[
            alt.Tooltip("figure_year:O", title="År"),
            *tips,
            alt.Tooltip("source:N", title="Kilde"),
        ],
    )
    return _finish(
        chart.properties(width=WIDTH, height=200),
        "Hjemløse i København (VIVE's tællinger)",
        "Offentliggjorte tal til sammenhæng; ikke beregnet her",
    )
