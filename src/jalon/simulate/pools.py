"""Small pools of fake values that the vectorised writers index with random integers.

Everything here is built once per process (cached), in pure Python, from Faker's French locale
seeded with a constant, so that the pools — hence the generated files — are identical from run to
run. Names are Faker's; e-mail domains are reserved test domains (`exemple.test`,
`example.org`, ...); phone numbers are in the ranges ARCEP reserves for fiction (06 39 98 ...), so
nothing can reach a real person.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
from faker import Faker

POOL_SEED = 20160118
IDENTITY_POOL_SIZE = 20_000
ORGANISME_POOL_SIZE = 3_000
MAIL_DOMAINS = ("exemple.test", "example.org", "example.net", "exemple.invalid")


@dataclass(frozen=True)
class Training:
    """One kind of training in the catalogue the simulator draws sessions from."""

    label: str
    formacode: str
    nsf: str
    rome: str
    hours: int
    certification: str
    certifinfo: int
    level: int = 0

    @property
    def niveau_sortie(self) -> int:
        """Level the training leads to (LHEO dict-niveaux): explicit, else V (4) when
        certifying and "sans niveau spécifique" (1) otherwise."""
        if self.level:
            return self.level
        return 4 if self.certifinfo else 1


# Kinds of training commonly bought for job seekers (labels and codes are representative, not an
# official nomenclature extract). `hours` is the typical centre + company duration; the mean over
# the catalogue weights below is calibrated in `calibration.py`.
TRAININGS: tuple[Training, ...] = (
    Training("Soudeur TIG", "22854", "254", "H2913", 560, "Titre professionnel soudeur", 54913),
    Training(
        "Agent de propreté et d'hygiène",
        "42052",
        "343",
        "K2204",
        420,
        "Titre professionnel agent de propreté et d'hygiène",
        81273,
    ),
    Training(
        "Assistant de vie aux familles",
        "44028",
        "330",
        "K1302",
        630,
        "Titre professionnel assistant de vie aux familles",
        82541,
    ),
    Training(
        "Cariste d'entrepôt", "31812", "311", "N1101", 175, "CACES R389 catégories 1, 3, 5", 80371
    ),
    Training(
        "Préparateur de commandes",
        "31854",
        "311",
        "N1103",
        350,
        "Titre professionnel préparateur de commandes",
        84109,
    ),
    Training(
        "Conducteur de transport routier de marchandises",
        "31811",
        "311",
        "N4101",
        490,
        "Titre professionnel conducteur du transport routier sur porteur",
        81932,
    ),
    Training(
        "Secrétaire assistant",
        "35054",
        "324",
        "M1607",
        770,
        "Titre professionnel secrétaire assistant",
        85327,
        5,
    ),
    Training(
        "Comptable assistant",
        "32663",
        "314",
        "M1203",
        840,
        "Titre professionnel comptable assistant",
        86104,
        5,
    ),
    Training(
        "Employé commercial en magasin",
        "34566",
        "312",
        "D1507",
        490,
        "Titre professionnel employé commercial en magasin",
        83211,
    ),
    Training(
        "Vendeur conseil en magasin",
        "34561",
        "312",
        "D1214",
        560,
        "Titre professionnel vendeur conseil en magasin",
        84321,
    ),
    Training("Cuisinier", "42752", "221", "G1602", 840, "Titre professionnel cuisinier", 83907),
    Training(
        "Serveur en restauration",
        "42781",
        "334",
        "G1803",
        630,
        "Titre professionnel serveur en restauration",
        84780,
    ),
    Training("Maçon", "22454", "232", "F1703", 700, "Titre professionnel maçon", 82660),
    Training(
        "Électricien d'équipement du bâtiment",
        "22252",
        "255",
        "F1602",
        800,
        "Titre professionnel électricien d'équipement du bâtiment",
        84520,
    ),
    Training("Plaquiste", "22662", "233", "F1604", 630, "Titre professionnel plaquiste", 83750),
    Training(
        "Peintre en bâtiment",
        "22678",
        "233",
        "F1606",
        630,
        "Titre professionnel peintre en bâtiment",
        82910,
    ),
    Training(
        "Technicien d'assistance en informatique",
        "31028",
        "326",
        "I1401",
        910,
        "Titre professionnel technicien d'assistance en informatique",
        85672,
        5,
    ),
    Training(
        "Développeur web et web mobile",
        "31054",
        "326",
        "M1805",
        980,
        "Titre professionnel développeur web et web mobile",
        86840,
        5,
    ),
    Training(
        "Aide-soignant", "43436", "331", "J1501", 1435, "Diplôme d'État d'aide-soignant", 54664
    ),
    Training(
        "Auxiliaire de puériculture",
        "43441",
        "331",
        "J1304",
        1435,
        "Diplôme d'État d'auxiliaire de puériculture",
        54665,
    ),
    Training(
        "Agent de sécurité",
        "42866",
        "344",
        "K2503",
        175,
        "Certificat de qualification professionnelle agent de prévention et de sécurité",
        82202,
    ),
    Training(
        "Ouvrier du paysage",
        "21046",
        "214",
        "A1203",
        700,
        "Certificat de spécialisation ouvrier du paysage",
        83341,
    ),
    Training(
        "Usineur sur machines à commande numérique",
        "23654",
        "251",
        "H2903",
        840,
        "Titre professionnel technicien d'usinage",
        85091,
        5,
    ),
    Training(
        "Opérateur régleur en plasturgie",
        "23054",
        "225",
        "H3203",
        420,
        "Certificat de qualification professionnelle opérateur régleur",
        83402,
    ),
    Training("Remise à niveau, savoirs de base", "15041", "415", "", 280, "", 0),
    Training("Français langue étrangère", "15235", "136", "", 300, "", 0),
    Training("Préparation à l'entrée en formation qualifiante", "15061", "415", "", 420, "", 0),
    Training("Savoirs de base et compétences clés", "15043", "415", "", 350, "", 0),
    Training("Élaboration du projet professionnel", "15081", "415", "", 140, "", 0),
    Training("Découverte des métiers du bâtiment", "15084", "230", "", 280, "", 0),
    Training("Bureautique (Word, Excel)", "70322", "326", "", 105, "", 0),
    Training("Anglais professionnel", "15254", "136", "", 120, "", 0),
    Training("Habilitation électrique", "24054", "255", "", 35, "", 0),
    Training("Sauveteur secouriste du travail", "42829", "344", "", 14, "", 0),
    Training("Permis C (poids lourd)", "31833", "311", "N4101", 140, "Permis C", 3501),
    Training("Hygiène alimentaire en restauration commerciale", "42811", "221", "", 14, "", 0),
    Training("Agent d'accueil et d'information", "42654", "334", "M1601", 420, "", 0),
    Training(
        "Agent de maintenance des bâtiments",
        "22094",
        "230",
        "I1203",
        630,
        "Titre professionnel agent de maintenance des bâtiments",
        82370,
    ),
    Training(
        "Gestionnaire de paie",
        "32688",
        "315",
        "M1501",
        840,
        "Titre professionnel gestionnaire de paie",
        86220,
        5,
    ),
    Training("Créateur d'entreprise (formation à la gestion)", "32047", "310", "", 140, "", 0),
)

ORIGINES = ("CARIF", "PE", "REGION")
DISPOSITIFS = ("AFC", "AIF", "POEI", "POEC", "CR")


def strip_accents(text: str) -> str:
    """ASCII-fold a name for use in an e-mail address."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum() or ch == "-")


@dataclass(frozen=True)
class IdentityPool:
    """Fake identities: `segment` is `nom|prénom|e-mail|tél1|tél2|validité` per identity;
    `nom` is upper-case (as in Pôle emploi files), `nom_usuel` as usually written."""

    nom: list[str]
    nom_usuel: list[str]
    prenom: list[str]
    email: list[str]
    telephone: list[str]
    segment: pa.StringArray


@dataclass(frozen=True)
class OrganismePool:
    """Fake training organisations: SIRET, Pôle emploi id, label and legal name."""

    siret: list[str]
    pe_id: list[str]
    label: list[str]
    raison_sociale: list[str]


def _luhn_complete(digits: str) -> str:
    """Append the check digit that makes `digits` Luhn-valid (as real SIRETs are)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


@lru_cache(maxsize=1)
def identity_pool() -> IdentityPool:
    fake = Faker("fr_FR")
    fake.seed_instance(POOL_SEED)
    rng = np.random.default_rng(POOL_SEED)
    nom: list[str] = []
    nom_usuel: list[str] = []
    prenom: list[str] = []
    email: list[str] = []
    phone: list[str] = []
    segments: list[str] = []
    for i in range(IDENTITY_POOL_SIZE):
        last = fake.last_name()
        first = fake.first_name()
        nom.append(last.upper())
        nom_usuel.append(last)
        prenom.append(first)
        kind = int(rng.integers(0, 20))
        if kind < 3:
            mail = "NULL"
        else:
            mail = (
                f"{strip_accents(first)}.{strip_accents(last)}{i % 97}"
                f"@{MAIL_DOMAINS[i % len(MAIL_DOMAINS)]}"
            )
        email.append(mail)
        tel1 = f"063998{int(rng.integers(0, 10_000)):04d}"
        tel2 = f"0199{int(rng.integers(0, 1_000_000)):06d}" if kind >= 16 else "NULL"
        phone.append(tel1)
        validite = "NULL" if mail == "NULL" else ("1" if kind < 18 else "2")
        segments.append(f"{nom[-1]}|{first}|{mail}|{tel1}|{tel2}|{validite}")
    return IdentityPool(nom, nom_usuel, prenom, email, phone, pa.array(segments, pa.string()))


@lru_cache(maxsize=1)
def organisme_pool() -> OrganismePool:
    fake = Faker("fr_FR")
    fake.seed_instance(POOL_SEED + 1)
    rng = np.random.default_rng(POOL_SEED + 1)
    kinds = ("Centre de formation", "Institut", "Atelier", "École", "Groupement", "Association")
    forms = ("SARL", "SAS", "Association", "GIP", "SA")
    siret: list[str] = []
    pe_id: list[str] = []
    label: list[str] = []
    raison: list[str] = []
    seen: set[str] = set()
    while len(siret) < ORGANISME_POOL_SIZE:
        body = "9" + "".join(str(int(d)) for d in rng.integers(0, 10, 12))
        s = _luhn_complete(body)
        if s in seen:
            continue
        seen.add(s)
        i = len(siret)
        last = fake.last_name()
        siret.append(s)
        pe_id.append(f"OF{i + 10_000:06d}")
        label.append(f"{kinds[i % len(kinds)]} {last} Formation")
        raison.append(f"{last} Formation {forms[i % len(forms)]}")
    return OrganismePool(siret, pe_id, label, raison)
