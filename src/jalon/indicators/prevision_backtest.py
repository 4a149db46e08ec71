"""The forecast's backtest: every finished phase of the store cut after each of its months, each
region's forecast compared with the entries it finally counted.

For each phase, number of months observed and region, three intervals
(`jalon.indicators.projection`) are measured: « autres régions », calibrated on the errors of
the other regions on the same phase (leave one region out: never the region's own outcome);
« en temps réel », what `compute_prevision` had at the cut (calibrated on the phases already
finished then, or the model alone without a probability); « seul modèle », the model alone with
its probability. Scores: mean absolute percentage error of the projection, share of regions whose
entries fall inside the 80 % interval, its mean width and the Brier score of the probability of
reaching the target. Reads the store through `jalon.indicators.prevision`; written to
`docs/indicateurs.md` by `jalon indicateurs --markdown --backtest BASE` and by
`bench/backtest_prevision.py`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import duckdb
import ibis

from jalon.formatting import nombre, pourcentage
from jalon.indicators.arret import data_cutoffs, month_end
from jalon.indicators.bilan import targets_of
from jalon.indicators.prevision import (
    METHOD,
    Series,
    finished_phases,
    phase_series,
    published_forecast,
    region_errors,
)
from jalon.indicators.projection import MIN_CALIBRATION, forecast
from jalon.plan import Plan
from jalon.reference import regions

START, END = "<!-- backtest-prevision:debut -->", "<!-- backtest-prevision:fin -->"


@dataclass(frozen=True)
class Score:
    """One calibration's interval over the regions, for one number of months observed."""

    coverage: float  # share of regions whose final entries fall inside the interval
    width: float  # mean width of the interval, as a share of the final entries
    brier: float | None  # mean squared error of the probability of reaching the target
    calibrated: int  # regions whose interval was calibrated (the others: the model alone)


@dataclass(frozen=True)
class Row:
    phase: str
    months: int
    months_total: int
    regions: int
    error: float  # mean absolute percentage error of the projection
    others: Score
    real_time: Score
    model: Score  # the model alone, with the probability `compute_prevision` withholds


@dataclass(frozen=True)
class _Case:
    error: float
    covered: bool
    width: float
    brier: float | None
    calibrated: bool


def _case(
    series: Series, months: int, target: int | None, errors: list[float], published: bool = True
) -> _Case:
    """One region's forecast scored: as `compute_prevision` publishes it, or (`published`
    False) with the model's probability that it withholds."""
    actual = sum(series.entries)
    observed, reference = series.entries[:months], series.reference
    f = (
        published_forecast(observed, reference, target, errors)
        if published
        else forecast(observed, reference, target, errors)
    )
    brier = None
    if target is not None and f.probability is not None:
        brier = (f.probability - float(actual >= target)) ** 2
    return _Case(
        abs(f.projection - actual) / actual,
        f.low <= actual <= f.high,
        (f.high - f.low) / actual,
        brier,
        len(errors) >= MIN_CALIBRATION,
    )


def _score(cases: list[_Case]) -> Score:
    briers = [c.brier for c in cases if c.brier is not None]
    return Score(
        sum(c.covered for c in cases) / len(cases),
        statistics.fmean(c.width for c in cases),
        statistics.fmean(briers) if briers else None,
        sum(c.calibrated for c in cases),
    )


def backtest(con: duckdb.DuckDBPyConnection, plan: Plan) -> list[Row]:
    """Every finished phase with entries, cut after 1, 2, … all but one of its months."""
    by_phase = {p.code: phase_series(con, plan, p.code) for p in plan.phases}
    last = data_cutoffs(ibis.duckdb.from_connection(con)).get(None)
    rows = []
    for phase in plan.phases:
        series = by_phase[phase.code]
        if last is None or phase.end > last:
            continue
        for k in range(1, len(series[None].months)):
            cut = month_end(series[None].months[k - 1])
            earlier = [
                e for p in finished_phases(plan, cut, k) for e in region_errors(by_phase[p.code], k)
            ]
            others, real_time, model, errors = [], [], [], []
            for reg in regions():
                found = series.get(reg.code)
                if found is None or not sum(found.entries):
                    continue
                target = targets_of(plan, phase.code, reg.code)[1]
                loro = region_errors(series, k, skip=reg.code)
                others.append(_case(found, k, target, loro))
                real_time.append(_case(found, k, target, earlier))
                model.append(_case(found, k, target, [], published=False))
                errors.append(others[-1].error)
            if others:
                rows.append(
                    Row(
                        phase.code,
                        k,
                        len(series[None].months),
                        len(others),
                        statistics.fmean(errors),
                        _score(others),
                        _score(real_time),
                        _score(model),
                    )
                )
    return rows


def _cells(score: Score) -> str:
    brier = "–" if score.brier is None else nombre(score.brier, 3)
    return f"{pourcentage(score.coverage)} | {pourcentage(score.width, 1)} | {brier}"


def _summary(rows: list[Row]) -> str:
    def span(values: list[float]) -> str:
        low, high = pourcentage(min(values)), pourcentage(max(values))
        return low if low == high else f"de {low} à {high}"

    others = span([r.others.coverage for r in rows])
    real_time = span([r.real_time.coverage for r in rows])
    model = span([r.model.coverage for r in rows])
    calibrated = sum(r.real_time.calibrated for r in rows)
    return (
        f"Couverture selon le nombre de mois observés : {others} avec les erreurs des autres "
        f"régions, {real_time} en temps réel (intervalle calibré dans {nombre(calibrated)} cas "
        f"sur {nombre(sum(r.regions for r in rows))}), {model} avec le seul modèle."
    )


def backtest_markdown(con: duckdb.DuckDBPyConnection, plan: Plan) -> str:
    """The generated section of `docs/indicateurs.md` that explains the forecast's interval and
    records its backtest, between its markers."""
    rows = backtest(con, plan)
    lines = [
        START,
        "# Prévision : erreur mesurée (backtest)",
        "",
        f"**Projection.** {METHOD[0].upper()}{METHOD[1:]}. Les entrées déjà observées sont "
        "acquises ; seules les entrées encore à venir sont incertaines.",
        "",
        "**Intervalle à 80 %.** Il dit : « si la projection se trompe cette fois comme elle "
        "s'est trompée ailleurs, au même nombre de mois observés, les entrées de fin de phase "
        "tomberont dans l'intervalle au moins 8 fois sur 10 ». Il est tiré des erreurs "
        "mesurées, non d'une formule : pour chaque région d'une phase terminée, on refait la "
        "projection à partir de ses seuls premiers mois et on note son erreur, rapportée aux "
        "entrées qu'elle projetait encore à venir. Rangées, ces erreurs donnent les bornes "
        "(méthode conforme : une nouvelle erreur tombe entre la i-ième et la j-ième de m "
        "erreurs rangées avec la probabilité (j − i) / (m + 1) ; on prend l'écart le plus court "
        "qui atteint 80 %, les rangs restants partagés entre les deux côtés), appliquées aux "
        "entrées encore à venir de la région prévue ; l'intervalle contient toujours la "
        "projection et les entrées déjà observées. Il n'est donc pas centré : pendant une "
        "montée en charge, la projection, qui suppose que le rapport aux mois de référence "
        "reste celui des derniers mois, sous-estime, et l'intervalle se place au-dessus d'elle. "
        "En exploitation, `jalon prevision` prend les erreurs des phases du plan terminées à la "
        f"date d'arrêt (au moins {nombre(MIN_CALIBRATION)} cas) : elles ne valent que si ces "
        "phases ont suivi un chemin semblable (les erreurs d'une phase de montée en charge, "
        "reportées sur une phase de rythme stable, portent l'intervalle trop haut : la "
        "colonne « en temps réel » du premier semestre 2017, calibré sur 2016, en a couvert "
        "moins de la moitié avant que Jalon ne publie l'enveloppe) ; l'intervalle publié est "
        "donc la plus petite enveloppe de celui-ci et de la fourchette du modèle (dispersion "
        "des derniers rapports mensuels et aléa de comptage, loi normale), et la probabilité "
        "d'atteindre l'objectif lit le côté de l'enveloppe tourné vers l'objectif comme la "
        "borne à 80 % d'une loi normale : elle n'est jamais plus assurée que la plus prudente "
        "des deux sources. L'intervalle se resserre à mesure que les mois s'accumulent, et "
        "s'élargit quand la projection s'est beaucoup trompée au même stade. Pour la première "
        "phase d'un plan, aucune erreur n'est encore mesurée : Jalon ne donne alors que la "
        "fourchette du seul modèle (dispersion des derniers rapports mensuels et aléa de "
        "comptage, loi normale), qu'il "
        "appelle « fourchette du modèle, non calibrée » et jamais « intervalle à 80 % », "
        "puisque le backtest la trouve bien trop étroite en début de phase ; la méthode "
        "affichée le dit, et la probabilité d'atteindre l'objectif n'est pas donnée : sans "
        "erreurs mesurées, rien ne dit qu'elle soit juste (voir la colonne « seul modèle » "
        "ci-dessous).",
        "",
        "**Backtest.** Chaque phase terminée de la base de démonstration (`jalon demo`) est "
        "coupée après son premier mois, ses deux premiers, … jusqu'à l'avant-dernier ; la "
        "projection de chaque région est comparée aux entrées qu'elle a finalement comptées. "
        "Trois intervalles : « autres régions » prend les erreurs des autres régions de la même "
        "phase (jamais celle de la région prévue) ; « en temps réel », ce que `jalon "
        "prevision` avait à la date de coupe (phases déjà terminées, sinon le seul modèle, "
        "sans probabilité : Brier « – ») ; « seul modèle », l'intervalle et la probabilité "
        "du modèle sans calibration (`jalon prevision` en donne l'intervalle, mais non la "
        "probabilité, pour la première phase d'un plan). "
        "Erreur : moyenne de l'erreur absolue de la projection, en part des entrées finales. "
        "Couverture : part des régions dont les entrées finales tombent dans l'intervalle "
        "(cible : 80 %). Largeur : moyenne de l'intervalle, en part des entrées finales. "
        "Brier : écart quadratique moyen entre la probabilité annoncée d'atteindre l'objectif "
        "et ce qui est arrivé (0 : parfait ; 0,25 : une probabilité de 50 % à chaque fois). "
        "Les données de démonstration sont simulées : toutes les régions y suivent la même "
        "montée en charge, ce qui favorise la calibration par les autres régions ; une surprise "
        "commune à toutes les régions ne se lit pas dans leurs erreurs. Section régénérée par "
        "`bench/backtest_prevision.py` ou `jalon indicateurs --markdown --backtest BASE`.",
    ]
    for phase in plan.phases:
        chosen = [r for r in rows if r.phase == phase.code]
        if not chosen:
            continue
        lines += [
            "",
            f"## {phase.label} ({nombre(chosen[0].months_total)} mois, {nombre(chosen[0].regions)} "
            "régions)",
            "",
            "| Mois observés | Erreur | Autres régions : couverture | largeur | Brier "
            "| En temps réel : couverture | largeur | Brier | Seul modèle : couverture | largeur "
            "| Brier |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in chosen:
            lines.append(
                f"| {r.months} | {pourcentage(r.error, 1)} | {_cells(r.others)} | "
                f"{_cells(r.real_time)} | {_cells(r.model)} |"
            )
        lines += ["", _summary(chosen)]
    lines.append(END)
    return "\n".join(lines) + "\n"
