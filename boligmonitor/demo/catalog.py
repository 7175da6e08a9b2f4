"""Fixed Danish names the demo draws from: organisations, streets, departments, shelters, teams.

All names are fictional or generic; only the district names come from the contract. Every
string here is encodable in Windows-1252, so any source may be exported in that encoding.
"""

from __future__ import annotations

# (code used in ids, display name). Scaled runs add more organisations after these.
ORGANISATIONS: tuple[tuple[str, str], ...] = (
    ("FSB", "fsb"),
    ("KAB", "KAB"),
    ("AAB", "AAB"),
    ("3B", "3B"),
    ("LEJ", "Lejerbo"),
    ("SAB", "SAB"),
    ("VIBO", "VIBO"),
    ("FA09", "FA09"),
)

EXTRA_ORGANISATION_WORDS: tuple[str, ...] = (
    "Lindely",
    "Fælledhus",
    "Søbo",
    "Engbo",
    "Havebyen",
    "Kløverbo",
    "Bøgely",
    "Åbo",
    "Strandly",
    "Mosebo",
)

# Relative weight of each district among the departments (almene boliger are unevenly spread).
DISTRICT_WEIGHTS: dict[str, float] = {
    "Indre By": 0.3,
    "Østerbro": 0.6,
    "Nørrebro": 1.4,
    "Vesterbro/Kongens Enghave": 1.1,
    "Valby": 1.1,
    "Vanløse": 0.7,
    "Brønshøj-Husum": 1.3,
    "Bispebjerg": 1.6,
    "Amager Øst": 0.8,
    "Amager Vest": 1.3,
}

STREETS: dict[str, tuple[str, ...]] = {
    "Indre By": ("Sølvgade", "Store Kongensgade", "Rømersgade", "Nansensgade", "Åbenrå"),
    "Østerbro": ("Lyngbyvej", "Ryesgade", "Vognmandsmarken", "Ribegade", "Svanemøllevej"),
    "Nørrebro": ("Mjølnerparken", "Tagensvej", "Heimdalsgade", "Fuglevænget", "Ørstedsgade"),
    "Vesterbro/Kongens Enghave": (
        "Sydhavnsgade",
        "Mozartsvej",
        "Enghavevej",
        "Sønder Boulevard",
        "Frederiksholms Kanal",
    ),
    "Valby": (
        "Folehaven",
        "Lyshøjgårdsvej",
        "Gammel Køge Landevej",
        "Sjælør Boulevard",
        "Toftegårds Allé",
    ),
    "Vanløse": ("Jydeholmen", "Ålekistevej", "Grøndals Parkvej", "Hyltebjerg Allé"),
    "Brønshøj-Husum": (
        "Tingbjerg Allé",
        "Husum Torv",
        "Frederikssundsvej",
        "Gadelandet",
        "Bystævneparken",
    ),
    "Bispebjerg": (
        "Bispeparken",
        "Tuborgvej",
        "Lersø Parkallé",
        "Utterslevvej",
        "Frederiksborgvej",
    ),
    "Amager Øst": ("Øresundsvej", "Amagerbrogade", "Løjtegårdsvej", "Strandlodsvej", "Kastrupvej"),
    "Amager Vest": (
        "Urbanplanen",
        "Hørgården",
        "Gyldenrisparken",
        "Røde Mellemvej",
        "Ørestads Boulevard",
    ),
}

DEPARTMENT_PREFIXES: tuple[str, ...] = (
    "Linde",
    "Bøge",
    "Birke",
    "Ege",
    "Kastanje",
    "Hyld",
    "Rønne",
    "Sol",
    "Sø",
    "Fugle",
    "Kløver",
    "Hvede",
    "Ly",
    "Å",
    "Mølle",
    "Strand",
    "Enge",
    "Fælled",
    "Skov",
    "Bakke",
    "Grøn",
    "Hjorte",
    "Tårn",
    "Kilde",
)
DEPARTMENT_SUFFIXES: tuple[str, ...] = (
    "gården",
    "parken",
    "haven",
    "bakken",
    "høj",
    "lund",
    "vænget",
    "toften",
    "hegnet",
    "kollegiet",
    "stien",
    "husene",
)

# Shelters by type; the first municipal shelter is Sundholm (the 2022 pilot's shelter).
SHELTERS: dict[str, tuple[tuple[str, float], ...]] = {
    "kommunal": (
        ("Sundholm", 0.40),
        ("Herberget Nørrebro", 0.25),
        ("Herberget Amager", 0.20),
        ("Natcaféen Valby", 0.15),
    ),
    "driftsoverenskomst": (
        ("Mændenes Hjem", 0.25),
        ("Kirkens Korshærs Herberg", 0.2),
        ("Lindevangen", 0.2),
        ("Hjemmet for Kvinder", 0.1),
        ("Søndergården", 0.15),
        ("Stenhuset", 0.1),
    ),
    "ekstern": (
        ("Forsorgshjemmet i Roskilde", 0.4),
        ("Herberget i Hillerød", 0.3),
        ("Østervang i Køge", 0.3),
    ),
}

# Support teams by method: (team, provider).
TEAMS: dict[str, tuple[tuple[str, str], ...]] = {
    "CTI": (("CTI-teamet Nord", "kommunal"), ("CTI-teamet Syd", "kommunal")),
    "ICM": (("ICM-teamet", "kommunal"), ("ICM Amager", "kommunal")),
    "ACT": (("ACT-teamet København", "kommunal"),),
    "SEL85": (
        ("Bostøtten Nørrebro/Bispebjerg", "kommunal"),
        ("Bostøtten Amager", "kommunal"),
        ("Støttehuset ApS", "privat"),
    ),
    "SEL99": (("Kontaktpersonordningen", "kommunal"), ("Projekt Udenfor", "ngo")),
    "boligraadgiver": (("Boligrådgiverne", "kommunal"),),
    "ngo": (("Kirkens Korshær Bostøtte", "ngo"), ("Frelsens Hær Bostøtte", "ngo")),
}

# Short remarks a case worker writes when handing a dwelling back, by reason.
REMARKS: dict[str, tuple[str, ...]] = {
    "husleje_for_hoej": (
        "Huslejen er for høj til målgruppen.",
        "Ingen borgere på ventelisten kan betale huslejen.",
        "For dyr, også med boligstøtte.",
        "Husleje over betalingsevne for alle indstillede.",
    ),
    "stoerrelse": ("Boligen er for stor til en enlig.", "For lille til familien, kun ét værelse."),
    "beliggenhed": (
        "Borgeren ønsker ikke at bo i området.",
        "Beliggenheden er uhensigtsmæssig for borgerens netværk.",
    ),
    "afdeling_skaermet": ("Afdelingen er skærmet i år.", "Skærmet afdeling, må ikke anvises."),
    "ingen_match_inden_frist": (
        "Ingen match inden svarfristen.",
        "Kunne ikke finde en egnet borger før fristen.",
    ),
    "boligens_stand": ("Boligen trænger til istandsættelse.", "Fugt i badeværelset."),
    "andet": ("Se mail fra boligselskabet.", "Aftalt med afdelingen.", "Øvrige forhold."),
}

# Remarks that mention a citizen by CPR number, as case workers sometimes do ({cpr} filled in).
CPR_REMARKS: tuple[str, ...] = (
    "Borger {cpr} ønskede ikke boligen.",
    "Tilbudt til {cpr}, men for dyr.",
    "Talt med {cpr} om boligen, afslået.",
)
