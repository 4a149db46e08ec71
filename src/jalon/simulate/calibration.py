"""Calibration constants of the simulator, each with the public figure it reproduces.

Pure data, except `counted_financeurs`, read from the default plan file. Counts are at scale 1
(the real size of the plan); the orchestrator multiplies them by `scale`. Sources are those of
DESIGN §4: the Occitanie protocol of 25 April 2016 and press invitation of 23 January 2017, the
national bilan of 7 March 2017, and the statistics office's figures on 2015–2016 entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jalon.plan import load_plan

PERIODS: tuple[str, ...] = ("2015", "2016", "2017S1")

# Entries with at least one financeur of the plan's counted set, by region (2016 map) and period,
# at scale 1. National 2016 total = 975 000 (bilan national, "formations régionalisées");
# 2016 / 2015 = 1.48 (statistics office, +48 %). Each region's 2016 entries are its total target
# of the plan file times a realisation rate (rule "entrees"), and the national rate without La
# Réunion and Auvergne-Rhône-Alpes is 94 % (bilan national). Choices per region:
# - 76 Occitanie: 60 000 in 2015 (protocol baseline) → 92 000 in 2016 (press invitation),
#   +32 000, the largest measured increase of all regions (press invitation: 1st region);
#   2017S1: 45 000, its extension target (15 000 over a 30 000 half-year base).
# - published total targets: 11 Île-de-France 118 600 (base 54 388), 75 Nouvelle-Aquitaine
#   65 498 (base 38 721), 28 Normandie 45 000 (base 30 000), 27 Bourgogne-Franche-Comté 32 681
#   (base 20 681), 32 Hauts-de-France 88 000: 2016 at 86 % to 99 % of the target. Their 2015 is
#   near the published base, except Île-de-France (74 000, 36 % above it): at its base, reaching
#   85 % of its target would add about 46 000 entries and take Occitanie's first place.
# - published additional targets only (44, 24, 53, 94, 01, 02) and no published target (93, 52,
#   04, 03, 06): 2015 and 2016 set first, the plan file's estimated total is 2016 / 0.925; the
#   2015 → 2016 increase is about the additional target where it is published.
# - 84 Auvergne-Rhône-Alpes: plan by Pôle emploi only (about 75 % of its counted entries carry
#   financeur 4): its Pôle emploi entries at 96 % of its estimated Pôle emploi target.
# - every increase other than Occitanie's stays at or under +29 500, so that Occitanie ranks first.
# 2017S1 is each region's extension target (total entries of phase 2017S1 in the plan file, half
# its 2016 total) times 0.90, Occitanie's at 1.00 (45 000, its published extension).
ENTREES_COUNTED: dict[str, tuple[int, int, int]] = {
    "01": (7_000, 11_800, 5_800),  # Guadeloupe
    "02": (6_000, 10_700, 5_200),  # Martinique
    "03": (4_000, 6_900, 3_400),  # Guyane
    "04": (28_000, 47_500, 23_100),  # La Réunion (excluded from the national rate)
    "06": (2_400, 4_300, 2_100),  # Mayotte
    "11": (74_000, 102_000, 53_400),  # Île-de-France
    "24": (27_000, 39_000, 19_000),  # Centre-Val de Loire
    "27": (21_500, 32_300, 14_700),  # Bourgogne-Franche-Comté
    "28": (30_500, 44_300, 20_200),  # Normandie
    "32": (56_000, 85_000, 39_600),  # Hauts-de-France
    "44": (62_800, 87_800, 42_700),  # Grand Est
    "52": (60_500, 90_000, 43_800),  # Pays de la Loire
    "53": (21_500, 40_400, 19_700),  # Bretagne (+18 900, its 18 896 additional target)
    "75": (38_721, 65_000, 29_500),  # Nouvelle-Aquitaine (ALPC base 38 721)
    "76": (60_000, 92_000, 45_000),  # Occitanie
    "84": (72_000, 99_000, 46_400),  # Auvergne-Rhône-Alpes (Pôle emploi only)
    "93": (84_000, 113_000, 55_000),  # Provence-Alpes-Côte d'Azur
    "94": (3_000, 4_000, 1_900),  # Corse
}

# Entries funded only by financeurs outside the counted set (entreprise 5, bénéficiaire 10,
# autre 0): 1 013 000 entries all financeurs (statistics office) − 975 000 counted = 3.75 %.
NON_COUNTED_SHARE = 0.0375

# Funding of sessions (LHEO financeur lists, shares of sessions). Not published: assumed from
# the plan's design (Pôle emploi and the Regions buying most trainings, some co-funded by the
# FSE (3), OPCA (16) or the State (11)). Agefiph (7) is added per disabled trainee (below).
COUNTED_COMBOS: dict[str, float] = {
    "4": 0.50,
    "2": 0.30,
    "2;4": 0.07,
    "2;3": 0.03,
    "4;16": 0.03,
    "11": 0.03,
    "16": 0.02,
    "3": 0.02,
}
# Auvergne-Rhône-Alpes ran the plan through Pôle emploi only: fewer regional orders.
COUNTED_COMBOS_PE_ONLY: dict[str, float] = {
    "4": 0.68,
    "2": 0.15,
    "2;4": 0.03,
    "4;16": 0.05,
    "11": 0.04,
    "16": 0.03,
    "3": 0.02,
}
NON_COUNTED_COMBOS: dict[str, float] = {"10": 0.5, "5": 0.35, "0": 0.15}

# Regions whose own export (region-stagiaires) is written in Latin-1 rather than UTF-8; 84 has
# no regional export (plan run by Pôle emploi only, regional orders reported by Pôle emploi).
LATIN1_REGIONS = frozenset({"02", "27", "44", "93"})
NO_REGION_EXPORT = frozenset({"84"})
# Regions whose export, from the month given, has no national job-seeker id (Île-de-France's
# layout of DESIGN §5): its persons cannot be matched with Pôle emploi's, so its entries from
# then on are the trainings the Region alone reports (no double count across sources). From
# 2017 only: local persons have no known employment spell, and Île-de-France's region-only
# leavers of 2016 would take about 2.5 points off the national rate of access to employment.
LOCAL_ID_REGIONS: dict[str, str] = {"11": "2017-01"}

# Monthly profile of entries (January … December) for an ordinary year: strong January and
# February, September peak, August trough (typical profile of job seekers' training entries).
SEASONALITY: tuple[float, ...] = (
    1.10,
    1.05,
    1.00,
    0.95,
    0.85,
    0.85,
    0.60,
    0.35,
    1.45,
    1.35,
    1.25,
    0.75,
)
# 2016 ramp-up after the plan's launch (18 January, conventions signed in spring): relative
# strength of the additional entries month by month (0 = none, 1 = full pace).
RAMP_2016: tuple[float, ...] = (0.0, 0.05, 0.15, 0.40, 0.70, 0.90, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
# Relative weight of session start days Monday … Sunday.
WEEKDAY_WEIGHTS: tuple[float, ...] = (5.0, 1.2, 1.0, 1.0, 0.5, 0.02, 0.01)

# Session sizes: mean trainees per session, and actions: mean sessions per action.
MEAN_SESSION_SIZE = 9.0
MEAN_SESSIONS_PER_ACTION = 1.8
# Places financed per session = trainees × U(low, high), rounded up (unfilled places).
PLACES_SLACK = (1.0, 1.08)
# Sessions outside the Carif catalogue: no Carif number (key falls back to SIRET + Formacode +
# start date) and absent from the LHEO file.
CARIF_MISSING_SHARE = 0.05

# Publics of 2016 entries (bilan national): 28 % low-qualified (niveau ≤ V, dict-niveaux 1–4),
# 29 % under 26, over 20 % aged 45+, about 20 % registered 12 months or more, 11 % disabled.
LEVEL_SHARES: dict[int, float] = {
    1: 0.03,
    2: 0.03,
    3: 0.06,
    4: 0.16,
    5: 0.35,
    6: 0.20,
    7: 0.10,
    8: 0.07,
}
YOUNG_SHARE = 0.292
SENIOR_SHARE = 0.22
LONG_TERM_SHARE = 0.17
DISABLED_SHARE = 0.11
QPV_SHARE = 0.12
FEMALE_SHARE = 0.48
# Share of disabled trainees whose entry is co-financed by Agefiph (financeur 7).
AGEFIPH_SHARE = 0.30

# Trainings: average 487 hours (centre + company) in 2016; over a third certifying.
MEAN_HOURS = 487.0
CERTIFYING_SHARE = 0.38
# Calendar durations, hence the stock of trainees at the end of 2016 (statistics office: about
# 340 000): the centre hours of a session run at its weekly hours, drawn uniformly in
# WEEKLY_HOURS; its company hours (the work placement of trainings of 280 h or more) at the
# company's working week, the legal 35 hours (Code du travail, L3121-27). Over 12 seeds at scale
# 1 the stock is 0.2 % under 340 000 on average (standard deviation 0.3 %); with company hours
# at the centre's pace it was 1.7 % over.
WEEKLY_HOURS = (27, 34)
COMPANY_WEEKLY_HOURS = 35.0

# Repeat trainings: share of entries that are a later training of a person already trained.
SECOND_TRAINING_SHARE = 0.05

# Reporting: share of Pôle emploi lines sent one month late, duplicates between Pôle emploi and
# the Region, malformed lines added to every trainee export.
LATE_SHARE = 0.02
DUPLICATE_REGION_ONLY_SHARE = 0.04  # region-only entries also reported by Pôle emploi
DUPLICATE_COFINANCED_SHARE = 0.40  # "2;4" entries also reported by the Region
MALFORMED_SHARE = 0.002
# Accepted lines of every trainee export given one imperfect value (a SIRET of 15 characters or
# with a wrong check digit, an unknown département, `-` as placeholder): the line still counts.
ANOMALIES_PER_FILE = 4
# In a re-sent export, share of lines missing from, and wrong in, the first version.
CORRECTION_MISSING_SHARE = 0.03
CORRECTION_WRONG_SHARE = 0.02

# Access rate (statistics office): distinct persons entering training in the year / job
# seekers with at least one month mainly unemployed in the year.
ACCESS_RATE: dict[int, float] = {2015: 0.105, 2016: 0.154, 2017: 0.154}

# Employment of leavers (DARES, 2016 leavers): 51.2 % with a job of one month or more starting
# within 6 months after the end; about 1 in 4 in durable employment.
EMPLOI_SHARE = 0.509  # per entry: persons leaving twice make the per-person rate 51.2 %
DURABLE_SHARE = 0.249

# Non-training actions (bilan national 2016) by type, nationally, per period; 2015 and 2017S1
# are estimates (the 2015 level of these measures and half the 2016 level).
ACTIONS_AGREGEES: dict[str, dict[str, int]] = {
    "2015": {
        "accompagnement-creation": 60_000,
        "contrat-professionnalisation": 72_000,
        "vae-collective": 6_000,
    },
    "2016": {
        "accompagnement-creation": 68_000,
        "contrat-professionnalisation": 76_000,
        "vae-collective": 7_000,
    },
    "2017S1": {
        "accompagnement-creation": 34_000,
        "contrat-professionnalisation": 38_000,
        "vae-collective": 3_500,
    },
}


@lru_cache(maxsize=1)
def counted_financeurs() -> frozenset[int]:
    """The plan's counted financeurs (rule `counted_financeurs` of the default plan file)."""
    return frozenset(load_plan().rules.counted_financeurs)


@dataclass(frozen=True)
class Expected:
    """National figures a generated data set should reproduce at scale 1 (for tests, demo)."""

    entrees_counted_2016: int = 975_000
    entrees_all_2016: int = 1_013_000
    growth_2016: float = 0.48
    occitanie_2015: int = 60_000
    occitanie_2016: int = 92_000
    occitanie_places_2016_min: int = 90_000
    low_qualified: float = 0.28
    young: float = 0.29
    senior_min: float = 0.20
    long_term: float = 0.20
    disabled: float = 0.11
    mean_hours: float = 487.0
    certifying_min: float = 1 / 3
    access_rate_2015: float = 0.105
    access_rate_2016: float = 0.154
    emploi: float = 0.512
    durable: float = 0.25
    stock_end_2016: int = 340_000


EXPECTED = Expected()
