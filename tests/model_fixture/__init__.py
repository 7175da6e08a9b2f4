"""A hand-made landing folder for the dbt models: a few rows per source, every one chosen so
that the marts' answers can be worked out by hand (tests/test_models.py states them).

Report date: 2024-06-30. Three departments: FSB-0101 (fsb, Østerbro, 100 dwellings), KAB-0202
(KAB, Valby, 60), AAB-0303 (AAB, Nørrebro, 40; shielded in March 2024). Ten dwellings B01-B10,
ten citizens P1-P10 (CPR numbers below are made up; only their pseudonyms reach the warehouse).
"""

from __future__ import annotations

from pathlib import Path

from tests.sourcefiles import allocation, dwelling, returned, shelter_stay, write_csv, write_xlsx

AS_OF = "2024-06-30"

CPR = {
    "P1": "010190-1235",
    "P2": "020290-2235",
    "P3": "030390-3235",
    "P4": "040490-4235",
    "P5": "050590-5235",
    "P6": "060690-6235",
    "P7": "070790-7235",
    "P8": "080890-8235",
    "P9": "090990-9235",
    "P10": "101090-1035",
}

DEPARTMENTS = {
    "FSB-0101": ("fsb", "Østerbro", "Ærøgården", 100),
    "KAB-0202": ("KAB", "Valby", "Valbyparken", 60),
    "AAB-0303": ("AAB", "Nørrebro", "Mjølnerparken", 40),
}


def _dwelling(
    bolig_id: str, department: str, boligtype: str, rent: str, received: str, opdateret: str
) -> dict[str, object]:
    org, district, _, _ = DEPARTMENTS[department]
    return dwelling(
        bolig_id,
        boligorganisation=org,
        afdeling_id=department,
        bydel=district,
        boligtype=boligtype,
        husleje_kr=rent,
        modtaget_dato=received,
        svarfrist_dato=received,
        opdateret=opdateret,
    )


def _case(
    anvisning_id: str,
    person: str,
    boligtype: str,
    ability: str,
    recommended: str,
    **overrides: object,
) -> dict[str, object]:
    return allocation(
        anvisning_id,
        cpr=CPR[person],
        boligtype_behov=boligtype,
        betalingsevne_kr=ability,
        indstillet_dato=recommended,
        **overrides,
    )


def _rent_class(
    klasse: str, low: str, high: str | None, valid_from: str, valid_to: str | None
) -> dict[str, object]:
    return {
        "klasse": klasse,
        "navn": f"{low}-{high or ''} kr.",
        "min_kr": low,
        "max_kr": high,
        "gyldig_fra": valid_from,
        "gyldig_til": valid_to,
    }


def _department_month(
    department: str, month: str, vacancies: int, allocated: int, shielded: int = 0
) -> dict[str, object]:
    org, district, name, size = DEPARTMENTS[department]
    return {
        "afdeling_id": department,
        "boligorganisation": org,
        "afdeling_navn": name,
        "bydel": district,
        "antal_boliger": size,
        "skaermet": shielded,
        "maaned": month,
        "ledige_boliger": vacancies,
        "udlejet_venteliste": 0,
        "udlejet_fleksibel": 0,
        "anvist_kommune": allocated,
    }


def _support(
    forloeb_id: str,
    person: str,
    indsats: str,
    start: str,
    end: str | None,
    opdateret: str,
    slettet: str = "0",
) -> dict[str, object]:
    return {
        "forloeb_id": forloeb_id,
        "cpr": CPR[person],
        "indsats": indsats,
        "leverandoer": "kommunal",
        "team": "Team Nord",
        "bevilget_dato": start,
        "start_dato": start,
        "slut_dato": end,
        "slut_aarsag": "maal_naaet" if end else None,
        "opdateret": opdateret,
        "slettet": slettet,
    }


def write_landing(landing: Path) -> None:
    """Write every source file of the fixture into `landing`."""
    # Rent classes. The old file has open-ended K classes; the newest file (which replaces it)
    # ends them on 2024-01-01 and adds H1-H3. Were the old file used, every 2024 dwelling would
    # get K1/K2.
    write_csv(
        landing,
        "huslejeklasser_20230101.csv",
        [
            _rent_class("K1", "0", "4.000", "01-01-2023", None),
            _rent_class("K2", "4.000", None, "01-01-2023", None),
        ],
    )
    write_csv(
        landing,
        "huslejeklasser_20240101.csv",
        [
            _rent_class("K1", "0", "4.000", "01-01-2023", "01-01-2024"),
            _rent_class("K2", "4.000", None, "01-01-2023", "01-01-2024"),
            _rent_class("H1", "0", "3.500", "01-01-2024", None),
            _rent_class("H2", "3.500", "5.000", "01-01-2024", None),
            _rent_class("H3", "5.000", None, "01-01-2024", None),
        ],
    )

    # Dwellings received (delta). B10 first arrives with rent 4.900 (H2), then is corrected to
    # 5.500 (H3) in a later file.
    write_csv(
        landing,
        "ledige_boliger_20231110.csv",
        [
            _dwelling(
                "B05", "FSB-0101", "familie", "4.500,00", "10-11-2023", "10-11-2023 08:00:00"
            ),
        ],
    )
    write_xlsx(
        landing,
        "ledige_boliger_20240112.xlsx",
        [
            _dwelling(
                "B01", "FSB-0101", "familie", "5.200,00", "10-01-2024", "10-01-2024 08:00:00"
            ),
            _dwelling(
                "B02", "FSB-0101", "familie", "6.000,00", "12-01-2024", "12-01-2024 08:00:00"
            ),
        ],
    )
    write_csv(
        landing,
        "ledige_boliger_20240220.csv",
        [
            _dwelling("B03", "KAB-0202", "ungdom", "3.000", "05-02-2024", "05-02-2024 08:00:00"),
            _dwelling("B04", "KAB-0202", "ungdom", "3.600", "20-02-2024", "20-02-2024 08:00:00"),
        ],
    )
    write_csv(
        landing,
        "ledige_boliger_20240315.csv",
        [
            _dwelling("B06", "AAB-0303", "familie", "4.200", "03-03-2024", "03-03-2024 08:00:00"),
            _dwelling("B07", "KAB-0202", "aeldre", "4.800", "15-03-2024", "15-03-2024 08:00:00"),
        ],
        encoding="cp1252",
    )
    write_csv(
        landing,
        "ledige_boliger_20240415.csv",
        [
            _dwelling("B08", "FSB-0101", "skaev", "2.500", "02-04-2024", "02-04-2024 08:00:00"),
            _dwelling("B09", "KAB-0202", "ungdom", "3.200", "10-04-2024", "10-04-2024 08:00:00"),
            _dwelling("B10", "FSB-0101", "familie", "4.900", "15-04-2024", "15-04-2024 08:00:00"),
        ],
    )
    write_csv(
        landing,
        "ledige_boliger_20240416.csv",
        [
            _dwelling("B10", "FSB-0101", "familie", "5.500", "15-04-2024", "16-04-2024 08:00:00"),
        ],
        delimiter=",",
    )

    # Returns (delta). B02 is first recorded as 'andet', then corrected to high rent.
    write_csv(
        landing,
        "returnerede_boliger_20240126.csv",
        [
            returned(
                "B02", returneret_dato="26-01-2024", aarsag="andet", opdateret="26-01-2024 09:00:00"
            ),
        ],
    )
    write_csv(
        landing,
        "returnerede_boliger_20240127.csv",
        [
            returned(
                "B02",
                returneret_dato="26-01-2024",
                aarsag="husleje_for_hoej",
                opdateret="27-01-2024 09:00:00",
            ),
        ],
    )
    write_csv(
        landing,
        "returnerede_boliger_20240430.csv",
        [
            returned("B04", returneret_dato="05-03-2024", opdateret="05-03-2024 09:00:00"),
            returned(
                "B07",
                returneret_dato="01-04-2024",
                aarsag="stoerrelse",
                opdateret="01-04-2024 09:00:00",
            ),
            returned("B10", returneret_dato="30-04-2024", opdateret="30-04-2024 09:00:00"),
        ],
    )

    # Allocation cases (delta).
    write_csv(
        landing,
        "anvisninger_20240101.csv",
        [
            _case(
                "A04",
                "P4",
                "familie",
                "4.600",
                "01-10-2023",
                bolig_id="B05",
                tilbudt_dato="15-11-2023",
                status="indflyttet",
                indflytning_dato="01-12-2023",
                opdateret="01-12-2023 10:00:00",
            ),
            _case("A01", "P1", "familie", "4.800", "01-12-2023", opdateret="01-12-2023 10:00:00"),
            _case("A02", "P2", "familie", "5.300", "05-12-2023", opdateret="05-12-2023 10:00:00"),
            _case("A10", "P10", "familie", "3.000", "01-01-2024", opdateret="01-01-2024 10:00:00"),
        ],
    )
    write_csv(
        landing,
        "anvisninger_20240201.csv",
        [
            _case(
                "A01",
                "P1",
                "familie",
                "4.800",
                "01-12-2023",
                bolig_id="B01",
                tilbudt_dato="15-01-2024",
                status="afslaaet",
                opdateret="16-01-2024 10:00:00",
            ),
            _case(
                "A02",
                "P2",
                "familie",
                "5.300",
                "05-12-2023",
                bolig_id="B01",
                tilbudt_dato="20-01-2024",
                status="indflyttet",
                indflytning_dato="01-02-2024",
                opdateret="01-02-2024 10:00:00",
            ),
            # A07 first with ability 4.500; corrected to 5.000 in the next file
            _case("A07", "P7", "familie", "4.500", "05-01-2024", opdateret="05-01-2024 10:00:00"),
            _case("A08", "P8", "ungdom", "2.800", "15-01-2024", opdateret="15-01-2024 10:00:00"),
            _case("A11", "P1", "familie", "4.800", "16-01-2024", opdateret="16-01-2024 10:00:00"),
            _case("A03", "P3", "ungdom", "3.100", "10-01-2024", opdateret="10-01-2024 10:00:00"),
            # A10 deleted at the source
            _case(
                "A10",
                "P10",
                "familie",
                "3.000",
                "01-01-2024",
                slettet="1",
                opdateret="20-01-2024 10:00:00",
            ),
        ],
    )
    write_csv(
        landing,
        "anvisninger_20240301.csv",
        [
            _case("A07", "P7", "familie", "5.000", "05-01-2024", opdateret="01-02-2024 10:00:00"),
            _case(
                "A08",
                "P8",
                "ungdom",
                "2.800",
                "15-01-2024",
                status="annulleret",
                opdateret="25-02-2024 10:00:00",
            ),
            _case(
                "A05",
                "P5",
                "familie",
                "4.300",
                "01-02-2024",
                bolig_id="B06",
                tilbudt_dato="10-03-2024",
                status="tilbudt",
                opdateret="10-03-2024 10:00:00",
            ),
            _case("A09", "P9", "aeldre", "4.000", "01-02-2024", opdateret="01-02-2024 10:00:00"),
            _case("A06", "P6", "ungdom", "3.300", "01-03-2024", opdateret="01-03-2024 10:00:00"),
        ],
        encoding="utf-8-sig",
    )
    write_csv(
        landing,
        "anvisninger_20240501.csv",
        [
            _case(
                "A03",
                "P3",
                "ungdom",
                "3.100",
                "10-01-2024",
                bolig_id="B03",
                tilbudt_dato="08-02-2024",
                status="fraflyttet",
                indflytning_dato="01-03-2024",
                fraflytning_dato="01-05-2024",
                fraflytning_aarsag="udsat",
                opdateret="01-05-2024 10:00:00",
            ),
            _case(
                "A06",
                "P6",
                "ungdom",
                "3.300",
                "01-03-2024",
                bolig_id="B09",
                tilbudt_dato="12-04-2024",
                status="accepteret",
                opdateret="13-04-2024 10:00:00",
            ),
        ],
    )

    # Shelter stays (delta). H4 is deleted at the source.
    write_csv(
        landing,
        "herbergsophold_20240301.csv",
        [
            shelter_stay(
                "H1",
                cpr=CPR["P2"],
                indskrevet_dato="01-09-2023",
                udskrevet_dato="01-02-2024",
                udskrevet_til="egen_bolig",
                opdateret="01-02-2024 12:00:00",
            ),
            shelter_stay(
                "H2",
                cpr=CPR["P3"],
                indskrevet_dato="02-01-2024",
                udskrevet_dato="01-03-2024",
                udskrevet_til="egen_bolig",
                opdateret="01-03-2024 12:00:00",
            ),
            shelter_stay(
                "H4", cpr=CPR["P7"], indskrevet_dato="01-01-2024", opdateret="01-01-2024 12:00:00"
            ),
            shelter_stay(
                "H5",
                cpr=CPR["P9"],
                indskrevet_dato="10-02-2024",
                handleplan_dato="01-03-2024",
                opdateret="01-03-2024 12:00:00",
            ),
        ],
    )
    write_csv(
        landing,
        "herbergsophold_20240601.csv",
        [
            shelter_stay(
                "H3", cpr=CPR["P3"], indskrevet_dato="20-05-2024", opdateret="20-05-2024 12:00:00"
            ),
            shelter_stay(
                "H4",
                cpr=CPR["P7"],
                indskrevet_dato="01-01-2024",
                slettet="1",
                opdateret="02-01-2024 12:00:00",
            ),
        ],
    )

    # Support episodes (delta).
    write_csv(
        landing,
        "bostotte_20240501.csv",
        [
            _support("F1", "P2", "CTI", "20-02-2024", None, "20-02-2024 09:00:00"),
            _support("F2", "P3", "ICM", "15-04-2024", None, "15-04-2024 09:00:00"),
            _support("F3", "P4", "SEL85", "01-11-2023", "30-11-2023", "30-11-2023 09:00:00"),
        ],
    )

    # Departments (full, monthly). The February file holds the whole history of FSB-0101 from
    # April 2023; the March file corrects FSB-0101's January (1/1 -> 2 vacancies, 1 allocated).
    history = [_department_month("FSB-0101", "2023-04", 6, 0)]
    history += [_department_month("FSB-0101", f"2023-{m:02d}", 0, 0) for m in range(5, 13)]
    write_xlsx(
        landing,
        "afdelinger_20240201.xlsx",
        [
            *history,
            _department_month("FSB-0101", "2024-01", 1, 1),
            _department_month("KAB-0202", "2024-01", 3, 1),
            _department_month("AAB-0303", "2024-01", 0, 0),
        ],
    )
    write_xlsx(
        landing,
        "afdelinger_20240301.xlsx",
        [
            _department_month("FSB-0101", "2024-01", 2, 1),
            _department_month("FSB-0101", "2024-02", 1, 1),
            _department_month("KAB-0202", "2024-02", 0, 1),
            _department_month("AAB-0303", "2024-02", 1, 0),
        ],
    )
    write_xlsx(
        landing,
        "afdelinger_20240401.xlsx",
        [
            _department_month("FSB-0101", "2024-03", 0, 0),
            _department_month("KAB-0202", "2024-03", 2, 0),
            _department_month("AAB-0303", "2024-03", 1, 0, shielded=1),
        ],
    )
    write_xlsx(
        landing,
        "afdelinger_20240501.xlsx",
        [
            _department_month("FSB-0101", "2024-04", 3, 1),
            _department_month("KAB-0202", "2024-04", 1, 0),
            _department_month("AAB-0303", "2024-04", 0, 0),
        ],
    )
