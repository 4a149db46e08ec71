"""Session dates: the calendar duration follows the hours, centre hours at the session's weekly
pace and company hours at the company's working week."""

from __future__ import annotations

import numpy as np

from jalon.simulate import calibration as cal
from jalon.simulate.sessions import FINANCEUR_COMBOS, SessionTable, draw_actions, schedule


def _scheduled(centre: list[int], entreprise: list[int], hebdo: list[int]) -> SessionTable:
    n = len(centre)
    actions = draw_actions(
        np.random.default_rng(1),
        np.zeros(n, dtype=np.int64),
        certifying_share=0.5,
        mean_hours=400.0,
        combo_p=np.ones(len(FINANCEUR_COMBOS)),
    )
    actions.hours_centre = np.array(centre, dtype=np.int64)
    actions.hours_entreprise = np.array(entreprise, dtype=np.int64)
    actions.hebdo = np.array(hebdo, dtype=np.int64)
    monday = np.datetime64("2016-09-05")
    return schedule(
        actions,
        np.arange(n),
        np.full(n, monday),
        first_action_id=0,
        first_session_id=0,
        no_carif=np.zeros(n, dtype=bool),
    )


def test_company_hours_run_at_the_company_week() -> None:
    assert cal.COMPANY_WEEKLY_HOURS == 35
    # 300 h at 30 h a week, then 70 h in a company at 35 h: 10 + 2 = 12 weeks, ending on the
    # Friday of the twelfth week; the same 370 h all in the centre take 13 weeks.
    s = _scheduled([300, 370, 7], [70, 0, 0], [30, 30, 30])
    weeks = (s.end - s.start + 3).astype(np.int64) / 7
    assert weeks.tolist() == [12, 13, 1]
    assert ((s.end.astype(np.int64) - 4) % 7 == 4).all()  # Fridays; 1970-01-01 was a Thursday
    # A partial week counts as a week: 301 h at 30 h a week take 11 weeks.
    assert (_scheduled([301], [0], [30]).end == np.datetime64("2016-11-18")).all()
