"""Column tables of simulated training actions, sessions and entries, drawn with numpy.

A `SessionTable` holds one row per session (what the LHEO catalogue and every trainee export of
that session share); an `EntreeTable` one row per trainee line of an export. All columns are numpy
arrays, so drawing millions of rows costs a few vectorised calls; the writers turn them into text.
Actions are drawn first (`draw_actions`: kind of training, organisation, place, hours, funding),
then given sessions with their own dates (`schedule`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from jalon.simulate.calibration import COMPANY_WEEKLY_HOURS
from jalon.simulate.pools import ORGANISME_POOL_SIZE, TRAININGS

# LHEO financeur lists as written in `liste_financeur`; entries and sessions index this tuple.
FINANCEUR_COMBOS: tuple[str, ...] = (
    "4",
    "2",
    "2;4",
    "2;3",
    "4;16",
    "11",
    "16",
    "3",
    "5",
    "10",
    "0",
    "4;7",
    "2;4;7",
    "2;7",
)
COMBO_INDEX = {combo: i for i, combo in enumerate(FINANCEUR_COMBOS)}
COMBO_CODES: tuple[tuple[int, ...], ...] = tuple(
    tuple(int(c) for c in combo.split(";")) for combo in FINANCEUR_COMBOS
)

_HOURS = np.array([t.hours for t in TRAININGS], dtype=np.float64)
_CERT_ARR = np.array([t.certifinfo for t in TRAININGS], dtype=np.int64)
_NIVEAU_SORTIE = np.array([t.niveau_sortie for t in TRAININGS], dtype=np.int8)
CERTIFYING_KIND = _CERT_ARR > 0
_CERT_KINDS = np.flatnonzero(CERTIFYING_KIND)
_OTHER_KINDS = np.flatnonzero(~CERTIFYING_KIND)


def _stratified_flags(rng: np.random.Generator, entries: np.ndarray, share: float) -> np.ndarray:
    """Flag actions, in random order, until their entries reach `share` of all entries (an
    action is in when its midpoint is): the entry-weighted share is exact to half an action."""
    order = rng.permutation(len(entries))
    before = np.cumsum(entries[order]) - entries[order] / 2
    flags = np.zeros(len(entries), dtype=bool)
    flags[order] = before < share * entries.sum()
    return flags


@dataclass
class SessionTable:
    """One row per session (or per action before `schedule`). Days are `datetime64[D]`; -1 in
    `carif_session` / `carif_action` means no Carif number; `financeurs` indexes
    `FINANCEUR_COMBOS`; `places` are the places financed for the session."""

    session_id: np.ndarray
    action: np.ndarray
    training: np.ndarray
    certifinfo: np.ndarray
    organisme: np.ndarray
    commune: np.ndarray
    start: np.ndarray
    end: np.ndarray
    hours_centre: np.ndarray
    hours_entreprise: np.ndarray
    hebdo: np.ndarray
    carif_session: np.ndarray
    carif_action: np.ndarray
    niveau_entree: np.ndarray
    niveau_sortie: np.ndarray
    origine: np.ndarray
    dispositif: np.ndarray
    financeurs: np.ndarray
    places: np.ndarray

    def __len__(self) -> int:
        return len(self.session_id)

    def take(self, idx: np.ndarray) -> SessionTable:
        return SessionTable(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    @staticmethod
    def concat(tables: list[SessionTable]) -> SessionTable:
        return SessionTable(
            **{
                f.name: np.concatenate([getattr(t, f.name) for t in tables])
                for f in fields(SessionTable)
            }
        )


@dataclass
class EntreeTable:
    """One row per trainee line: person number, row in a `SessionTable`, financeur combo and
    the `dc_aes_recue|dc_referencement` flags (0–3)."""

    person: np.ndarray
    session: np.ndarray
    financeurs: np.ndarray
    aes: np.ndarray

    def __len__(self) -> int:
        return len(self.person)

    def take(self, idx: np.ndarray) -> EntreeTable:
        return EntreeTable(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})


def draw_actions(
    rng: np.random.Generator,
    communes: np.ndarray,
    *,
    certifying_share: float,
    mean_hours: float,
    combo_p: np.ndarray,
    entries: np.ndarray | None = None,
    weekly_hours: tuple[int, int] = (28, 35),
    organismes: np.ndarray | None = None,
) -> SessionTable:
    """Draw one action per item of `communes` (its place of training), run by one of
    `organismes` (rows of the organisation pool; the first ones are the largest).

    `entries` (trainees per action, default one each) weights the calibration: the actions of
    certifying kinds of training receive `certifying_share` of the entries, and hours (the
    kind's typical hours times a log-normal factor) are scaled so that their mean over the
    entries is `mean_hours`. Dates, ids and places are left empty until `schedule`."""
    m = len(communes)
    weight = np.ones(m) if entries is None else entries.astype(np.float64)
    if organismes is None:
        organismes = np.arange(ORGANISME_POOL_SIZE)
    org_w = 1.0 / np.arange(1, len(organismes) + 1) ** 0.8
    certifying = _stratified_flags(rng, weight, certifying_share)
    training = np.where(
        certifying,
        rng.choice(_CERT_KINDS, size=m),
        rng.choice(_OTHER_KINDS, size=m),
    )
    raw = _HOURS[training] * rng.lognormal(-0.045, 0.3, m)
    scale = mean_hours * weight.sum() / (weight @ raw) if weight.sum() > 0 else 1.0
    hours = np.maximum(np.round(raw * scale / 7.0) * 7.0, 7.0).astype(np.int64)
    company_share = np.where(hours >= 280, rng.uniform(0.1, 0.3, m), 0.0)
    hours_entreprise = (np.round(hours * company_share / 7.0) * 7.0).astype(np.int64)
    niveau_sortie = _NIVEAU_SORTIE[training]
    empty = np.zeros(m, dtype=np.int64)
    nat = np.full(m, np.datetime64("NaT"), dtype="datetime64[D]")
    return SessionTable(
        session_id=empty,
        action=empty,
        training=training.astype(np.int32),
        certifinfo=_CERT_ARR[training],
        organisme=rng.choice(organismes, size=m, p=org_w / org_w.sum()).astype(np.int32),
        commune=communes.astype(np.int32),
        start=nat,
        end=nat,
        hours_centre=hours - hours_entreprise,
        hours_entreprise=hours_entreprise,
        hebdo=rng.integers(weekly_hours[0], weekly_hours[1] + 1, m).astype(np.int64),
        carif_session=empty,
        carif_action=empty,
        niveau_entree=np.where(niveau_sortie >= 4, niveau_sortie - 1, 1).astype(np.int8),
        niveau_sortie=niveau_sortie,
        origine=rng.choice(3, size=m, p=[0.7, 0.2, 0.1]).astype(np.int8),
        dispositif=rng.choice(5, size=m, p=[0.45, 0.25, 0.1, 0.1, 0.1]).astype(np.int8),
        financeurs=rng.choice(len(FINANCEUR_COMBOS), size=m, p=combo_p / combo_p.sum()),
        places=empty,
    )


def schedule(
    actions: SessionTable,
    action_of_session: np.ndarray,
    starts: np.ndarray,
    *,
    first_action_id: int,
    first_session_id: int,
    no_carif: np.ndarray,
) -> SessionTable:
    """Sessions of `actions`: session i belongs to action `action_of_session[i]` and starts on
    `starts[i]`; it ends on the last week of its hours, the centre hours at the action's
    weekly pace and the company hours at `COMPANY_WEEKLY_HOURS`. Actions flagged in `no_carif`
    get no Carif number."""
    s = actions.take(action_of_session)
    n = len(s)
    weeks = np.ceil(s.hours_centre / s.hebdo + s.hours_entreprise / COMPANY_WEEKLY_HOURS)
    weeks = weeks.astype(np.int64)
    start = starts.astype("datetime64[D]")
    end = start + (weeks * 7 - 3).astype("timedelta64[D]")
    ids = np.arange(n, dtype=np.int64) + first_session_id
    action_id = action_of_session.astype(np.int64) + first_action_id
    missing = no_carif[action_of_session]
    return replace(
        s,
        session_id=ids + 3_000_000,
        action=action_id,
        start=start,
        end=end,
        carif_session=np.where(missing, -1, ids + 100_000),
        carif_action=np.where(missing, -1, action_id + 40_000),
    )
