"""Writer of LHEO 2.2 offer catalogues (`lheo` profile, docs/formats.md) from a region's
`SessionTable`.

Sessions with a Carif number are grouped into actions (their `carif_action`) and actions into
formations (same kind of training at the same organisation). Each action lists the places it
finances per financeur (`organisme-financeur`): the sum of its sessions' places, split between the
counted financeurs of the action's funding. Runs in plain Python over a few hundred thousand
actions at most; the text of repeated values is built once.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from jalon.simulate.calibration import counted_financeurs
from jalon.simulate.geo import geography
from jalon.simulate.pools import TRAININGS, organisme_pool
from jalon.simulate.sessions import COMBO_CODES, SessionTable

NAMESPACE = "http://www.lheo.org/2.2"
# Share of an action's places attributed to each financeur of a co-funded action (first code
# listed first); the rest goes to the last one.
_FIRST_SHARE = 0.6
UNKNOWN_END_SHARE = 0.01


def _ymd(days: np.ndarray) -> list[str]:
    return [d.replace("-", "") for d in days.astype(str)]


def _financeur_xml(codes: tuple[int, ...], places: int) -> str:
    counted = [c for c in codes if c in counted_financeurs() and c != 7]
    if not counted:
        return ""
    split: list[int] = []
    left = places
    for i, _code in enumerate(counted):
        if i == len(counted) - 1:
            split.append(left)
        else:
            part = round(places * _FIRST_SHARE / (len(counted) - 1))
            split.append(part)
            left -= part
    return "".join(
        f"<organisme-financeur><code-financeur>{code}</code-financeur>"
        f"<nb-places-financees>{n}</nb-places-financees></organisme-financeur>\n"
        for code, n in zip(counted, split, strict=True)
    )


def write_lheo(path: Path, sessions: SessionTable, region: str, rng: np.random.Generator) -> int:
    """Write the catalogue of `sessions` (those with a Carif number) to `path`; returns the
    number of sessions written."""
    geo = geography()
    orgs = organisme_pool()
    keep = np.flatnonzero(sessions.carif_session >= 0)
    s = sessions.take(keep)
    formation_key = s.training.astype(np.int64) * 100_000 + s.organisme
    order = np.lexsort((s.start, s.action, formation_key))
    s = s.take(order)
    formation_key = formation_key[order]
    debut = _ymd(s.start)
    fin = _ymd(s.end)
    unknown_end = rng.random(len(s)) < UNKNOWN_END_SHARE
    for j in np.flatnonzero(unknown_end).tolist():
        fin[j] = "00000000"
    org_names = [escape(x) for x in orgs.label]
    org_raison = [escape(x) for x in orgs.raison_sociale]
    communes = [escape(x) for x in geo.nom]

    # Boundaries of formations and actions in the sorted sessions.
    n = len(s)
    new_formation = np.ones(n, dtype=bool)
    new_formation[1:] = formation_key[1:] != formation_key[:-1]
    new_action = new_formation.copy()
    new_action[1:] |= s.action[1:] != s.action[:-1]
    action_starts = np.flatnonzero(new_action)
    action_places = np.add.reduceat(s.places, action_starts) if n else np.zeros(0, np.int64)
    action_rank = np.cumsum(new_action) - 1

    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<lheo xmlns="{NAMESPACE}">\n<offres>\n',
    ]
    tr_l = s.training.tolist()
    org_l = s.organisme.tolist()
    com_l = s.commune.tolist()
    act_l = s.carif_action.tolist()
    ses_l = s.carif_session.tolist()
    hc_l = s.hours_centre.tolist()
    he_l = s.hours_entreprise.tolist()
    niv_l = s.niveau_entree.tolist()
    fin_l = s.financeurs.tolist()
    cert_l = s.certifinfo.tolist()
    starts = set(action_starts.tolist())
    for i in range(n):
        if i in starts and i:
            n_places = int(action_places[action_rank[i - 1]])
            out.append(_action_tail(hc_l[i - 1], he_l[i - 1], fin_l[i - 1], n_places))
            if new_formation[i]:
                out.append(_formation_tail(org_l[i - 1], orgs.siret, org_names, org_raison))
        if new_formation[i]:
            out.append(_formation_head(formation_key[i], region, tr_l[i], cert_l[i], niv_l[i]))
        if i in starts:
            c = com_l[i]
            out.append(
                f"<action numero={quoteattr(f'AF_{act_l[i]:07d}')}>\n"
                "<rythme-formation>Temps plein</rythme-formation>\n"
                "<niveau-entree-obligatoire>0</niveau-entree-obligatoire>\n"
                "<modalites-enseignement>0</modalites-enseignement>\n"
                "<lieu-de-formation><coordonnees><adresse>"
                f"<codepostal>{geo.postcode[c]}</codepostal><ville>{communes[c]}</ville>"
                f"<code-INSEE-commune>{geo.insee[c]}</code-INSEE-commune>"
                "</adresse></coordonnees></lieu-de-formation>\n"
                "<modalites-entrees-sorties>0</modalites-entrees-sorties>\n"
            )
        out.append(
            f'<session numero="SE_{ses_l[i]:07d}"><periode><debut>{debut[i]}</debut>'
            f"<fin>{fin[i]}</fin></periode></session>\n"
        )
    if n:
        out.append(_action_tail(hc_l[-1], he_l[-1], fin_l[-1], int(action_places[-1])))
        out.append(_formation_tail(org_l[-1], orgs.siret, org_names, org_raison))
    out.append("</offres>\n</lheo>\n")
    Path(path).write_bytes("".join(out).encode("utf-8"))
    return n


def _formation_head(key: int, region: str, training: int, certifinfo: int, niveau: int) -> str:
    t = TRAININGS[training]
    label = escape(t.label)
    rome = f'<code-ROME ref="V3">{t.rome}</code-ROME>' if t.rome else ""
    certification = (
        f"<certification><code-CERTIFINFO>{certifinfo}</code-CERTIFINFO></certification>\n"
        if certifinfo > 0
        else ""
    )
    return (
        f'<formation numero="FO_{key:09d}_{region}">\n'
        f'<domaine-formation><code-FORMACODE ref="V12">{t.formacode}</code-FORMACODE>'
        f'<code-NSF ref="V1">{t.nsf}</code-NSF>{rome}</domaine-formation>\n'
        f"<intitule-formation>{label}</intitule-formation>\n"
        f"<objectif-formation>Acquérir les compétences du métier : {label}.</objectif-formation>\n"
        f"<certifiante>{1 if certifinfo > 0 else 0}</certifiante>\n"
        "<parcours-de-formation>1</parcours-de-formation>\n"
        f"<code-niveau-entree>{niveau}</code-niveau-entree>\n"
        f"{certification}"
    )


def _action_tail(hours_centre: int, hours_entreprise: int, combo: int, places: int) -> str:
    return (
        "<restauration>Non</restauration>\n"
        + _financeur_xml(COMBO_CODES[combo], places)
        + f"<nombre-heures-centre>{hours_centre}</nombre-heures-centre>\n"
        f"<nombre-heures-entreprise>{hours_entreprise}</nombre-heures-entreprise>\n"
        "</action>\n"
    )


def _formation_tail(org: int, sirets: list[str], names: list[str], raisons: list[str]) -> str:
    return (
        "<organisme-formation-responsable>"
        f"<SIRET-organisme-formation><SIRET>{sirets[org]}</SIRET></SIRET-organisme-formation>"
        f"<nom-organisme>{names[org]}</nom-organisme>"
        f"<raison-sociale>{raisons[org]}</raison-sociale>"
        "</organisme-formation-responsable>\n</formation>\n"
    )
