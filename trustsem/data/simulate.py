"""Simulate trust-survey data with known population values.

The generator follows the trustsem research model (``research-model.md``):
seven antecedents (platform reputation, platform assurance, merchant
reputation, product quality, information transparency, social
recommendation, usage experience) raise TRUST, a second-order factor over
functional (TF), affective (TA) and institutional (TI) trust; TRUST drives
purchase intention (PI).  Module B adds perceived precision-marketing fit
(PMF) and loyalty (LOY).  All path values are *extrapolated* calibrations
(the source documents give signs only); see ``population`` of the result for
the exact values used.

The questionnaire itself (constructs, bilingual item wording, modules) is
defined in :mod:`trustsem.models.instrument`; ``CONSTRUCTS``,
``TRUST_SPECIFICATIONS`` and ``item_bank`` are importable from here as well.

Examples
--------
>>> from trustsem.data.simulate import simulate_survey
>>> sim = simulate_survey(200, seed=1)
>>> sim.data.shape[0]
200
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from scipy.special import expit, ndtri

from .._validation import check_interval, check_option, check_positive_int, format_value
from ..exceptions import SpecificationError
from ..models.instrument import (
    BACKGROUND_COLUMNS,
    CONSTRUCTS,
    ITEMS,
    OUTCOME_COLUMNS,
    SCALE_MIN,
    SCALE_POINTS,
    TRUST_DIMENSIONS,
    TRUST_SPECIFICATIONS,
    construct_of,
    item_bank,
)

__all__ = [
    "CONSTRUCTS",
    "TRUST_SPECIFICATIONS",
    "SimulatedSurvey",
    "item_bank",
    "simulate_survey",
]


# Standardized loadings of each item on its (first-order) factor, .65-.85.
_LOADINGS: dict[str, tuple[float, ...]] = {
    "PREP": (0.78, 0.72, 0.68, 0.80),
    "PASS": (0.76, 0.80, 0.74, 0.70, 0.68),
    "MREP": (0.78, 0.74, 0.80, 0.68),
    "PQ": (0.82, 0.80, 0.72),
    "INFO": (0.74, 0.70, 0.78, 0.76),
    "SOC": (0.70, 0.76, 0.80, 0.72),
    "EXP": (0.76, 0.82, 0.80),
    "TF": (0.82, 0.78, 0.80),
    "TA": (0.84, 0.80, 0.74),
    "TI": (0.80, 0.76, 0.82),
    "PI": (0.80, 0.78, 0.74, 0.70),
    "PC": (0.78, 0.82, 0.72, 0.80),
    "PMF": (0.80, 0.76, 0.74, 0.72),
    "LOY": (0.84, 0.80, 0.76),
}

_ITEM_LOADING = {
    item: lam for c, lams in _LOADINGS.items() for item, lam in zip(CONSTRUCTS[c], lams)
}

# Second-order loadings TRUST =~ TF + TA + TI.
_SECOND_ORDER = {"TF": 0.82, "TA": 0.76, "TI": 0.80}

# Exogenous factors and their correlations (anything not listed is 0.40 among
# the seven antecedents).  PC is a negatively valenced moderator: it correlates
# weakly and negatively with the antecedents rather than at +.3-.5.
_EXOGENOUS = ("PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP", "PC", "PMF")
_PHI = {
    ("PREP", "PASS"): 0.50, ("PREP", "MREP"): 0.45, ("PREP", "PQ"): 0.40,
    ("PREP", "INFO"): 0.40, ("PREP", "SOC"): 0.35, ("PREP", "EXP"): 0.40,
    ("PASS", "MREP"): 0.40, ("PASS", "PQ"): 0.35, ("PASS", "INFO"): 0.50,
    ("PASS", "SOC"): 0.30, ("PASS", "EXP"): 0.35,
    ("MREP", "PQ"): 0.50, ("MREP", "INFO"): 0.40, ("MREP", "SOC"): 0.35,
    ("MREP", "EXP"): 0.35,
    ("PQ", "INFO"): 0.45, ("PQ", "SOC"): 0.30, ("PQ", "EXP"): 0.40,
    ("INFO", "SOC"): 0.35, ("INFO", "EXP"): 0.30,
    ("SOC", "EXP"): 0.30,
    ("PMF", "PREP"): 0.30, ("PMF", "PASS"): 0.30, ("PMF", "MREP"): 0.30,
    ("PMF", "PQ"): 0.35, ("PMF", "INFO"): 0.40, ("PMF", "SOC"): 0.45,
    ("PMF", "EXP"): 0.35,
    ("PC", "PREP"): -0.15, ("PC", "PASS"): -0.20, ("PC", "MREP"): -0.15,
    ("PC", "PQ"): -0.10, ("PC", "INFO"): -0.15, ("PC", "SOC"): -0.10,
    ("PC", "EXP"): -0.15, ("PC", "PMF"): -0.10,
}  # fmt: skip

# Share of respondents exposed to precision marketing, and the exposed-minus-
# unexposed difference in TRUST in within-group SD units (Cohen's d).
_PM_P = 0.5
_PM_D = 0.5
_PM_SHIFT = _PM_D / np.sqrt(1.0 + _PM_D**2 * _PM_P * (1 - _PM_P))

# Antecedent -> trust paths (standardized).  H13a: PC x PMF -> trust.
_TRUST_PATHS = {
    "PREP": 0.14, "PASS": 0.17, "MREP": 0.12, "PQ": 0.13, "INFO": 0.17,
    "SOC": 0.12, "EXP": 0.10, "PMF": 0.12, "PC:PMF": -0.10,
}  # fmt: skip
# Dimension-specific paths for the correlated-factors population
# (H2 strongest on TI, H5 strongest on TF, H6 strongest on TA).
_DIM_PATHS = {
    "TF": {"PREP": 0.14, "PASS": 0.14, "MREP": 0.12, "PQ": 0.14, "INFO": 0.28,
           "SOC": 0.05, "EXP": 0.10, "PMF": 0.10, "PC:PMF": -0.10},
    "TA": {"PREP": 0.12, "PASS": 0.08, "MREP": 0.12, "PQ": 0.10, "INFO": 0.08,
           "SOC": 0.30, "EXP": 0.12, "PMF": 0.12, "PC:PMF": -0.10},
    "TI": {"PREP": 0.12, "PASS": 0.30, "MREP": 0.10, "PQ": 0.12, "INFO": 0.10,
           "SOC": 0.05, "EXP": 0.08, "PMF": 0.08, "PC:PMF": -0.08},
}  # fmt: skip
_DIM_RESID_CORR = 0.55

# Cumulative category probabilities of a standard-normal item response: mild
# negative skew, mode at "agree", as in typical satisfaction/trust Likert data.
_CUMPROB = {
    5: (0.04, 0.13, 0.38, 0.78),
    7: (0.02, 0.06, 0.14, 0.30, 0.56, 0.84),
}
# Item-specific location shifts (added to thresholds), cycling within a construct.
_ITEM_SHIFT = (0.0, 0.12, -0.10, 0.06, -0.06)
# Category chosen by straight-liners.
_STRAIGHT = {
    5: (0.05, 0.10, 0.40, 0.25, 0.20),
    7: (0.03, 0.05, 0.07, 0.40, 0.20, 0.10, 0.15),
}

_AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+")
_AGE_P = (0.24, 0.34, 0.21, 0.13, 0.08)
_GENDERS = ("female", "male", "other")
_GENDER_P = (0.53, 0.45, 0.02)
_PLATFORMS = ("C2C", "B2C", "O2O")
_PLATFORM_P = (0.30, 0.50, 0.20)

#: Codebook columns (the format read by ``trustsem.data.io``).
CODEBOOK_COLUMNS = (
    "item",
    "construct",
    "type",
    "label_en",
    "label_zh",
    "scale_min",
    "scale_max",
    "reverse",
    "missing_codes",
)


@dataclass(frozen=True, slots=True)
class SimulatedSurvey:
    """A simulated trust survey and the population it was drawn from.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per respondent: ``resp_id``, demographics, Likert items (float,
        ``NaN`` for missing answers) and behavioural outcomes.
    codebook : pandas.DataFrame
        One row per column of ``data`` with columns ``item, construct, type,
        label_en, label_zh, scale_min, scale_max, reverse, missing_codes``.
    population : pandas.DataFrame
        Standardized population values in lavaan orientation, columns ``lhs, op,
        rhs, value``.  ``op`` is ``=~`` (loadings, including ``TRUST =~ TF``),
        ``~`` (regressions; ``A:B`` is the standardized product of A and B),
        ``~~`` (factor correlations, residual (co)variances) or ``r2``.
    latent_scores : pandas.DataFrame
        True latent scores (each with population variance 1) and ``z_trust``,
        the standardized trust score driving ``repurchase`` and ``shares``.
    seed : int
        Seed that reproduces the draw.
    careless : pandas.Series
        Respondent type per row: ``"attentive"``, ``"straightliner"`` or
        ``"speeder"``.
    """

    data: pd.DataFrame
    codebook: pd.DataFrame
    population: pd.DataFrame
    latent_scores: pd.DataFrame
    seed: int
    careless: pd.Series

    def __repr__(self) -> str:
        return (
            f"SimulatedSurvey(n={self.data.shape[0]}, columns={self.data.shape[1]},"
            f" seed={self.seed})"
        )


# ---------------------------------------------------------------------------
# Population: structural equations and exact standardization
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Equation:
    lhs: str
    terms: tuple[tuple[str, float], ...]  # (predictor, standardized coefficient)
    loading: bool = False  # True for TF ~ TRUST written as TRUST =~ TF


@dataclass(frozen=True, slots=True)
class _Population:
    exogenous: tuple[str, ...]
    phi: np.ndarray
    equations: tuple[_Equation, ...]
    resid_corr: dict[tuple[str, str], float]
    indicators: dict[str, tuple[str, ...]]  # latent -> items
    products: dict[str, tuple[float, float]]  # "A:B" -> (mean, sd) of A*B
    psi: dict[str, float]  # residual variance of each endogenous latent
    trust_sd: float  # SD of the raw trust composite (1 unless composite)
    trust_parts: tuple[str, ...]  # latents summed into z_trust
    table: pd.DataFrame


def _equations(trust: str, module_b: bool) -> list[_Equation]:
    """Structural equations of the population, in causal order."""

    def keep(paths: dict[str, float]) -> tuple[tuple[str, float], ...]:
        out = [(k, v) for k, v in paths.items() if module_b or "PMF" not in k]
        return tuple(out) + (("pm_exposed", _PM_SHIFT),)

    eqs: list[_Equation] = []
    pi_terms: list[tuple[str, float]]
    loy_terms: tuple[tuple[str, float], ...]
    if trust in ("second_order", "unidimensional"):
        eqs.append(_Equation("TRUST", keep(_TRUST_PATHS)))
        if trust == "second_order":
            eqs += [
                _Equation(d, (("TRUST", lam),), loading=True)
                for d, lam in _SECOND_ORDER.items()
            ]
        pi_terms = [("TRUST", 0.50), ("INFO", 0.10), ("SOC", 0.10)]
        if module_b:
            pi_terms.append(("PMF", 0.10))
        pi_terms.append(("PASS:TRUST", 0.08))
        loy_terms = (("TRUST", 0.55),)
    elif trust == "correlated":
        eqs += [_Equation(d, keep(_DIM_PATHS[d])) for d in TRUST_DIMENSIONS]
        pi_terms = [("TF", 0.20), ("TA", 0.15), ("TI", 0.20),
                    ("INFO", 0.10), ("SOC", 0.10)]  # fmt: skip
        if module_b:
            pi_terms.append(("PMF", 0.10))
        pi_terms.append(("PASS:TI", 0.08))
        loy_terms = (("TF", 0.15), ("TA", 0.25), ("TI", 0.20))
    else:  # chain: TF -> TA -> TI
        eqs.append(_Equation("TF", keep(_TRUST_PATHS)))
        eqs.append(_Equation("TA", (("TF", 0.70),)))
        eqs.append(_Equation("TI", (("TA", 0.70),)))
        pi_terms = [("TI", 0.45), ("INFO", 0.12), ("SOC", 0.12)]
        if module_b:
            pi_terms.append(("PMF", 0.10))
        pi_terms.append(("PASS:TI", 0.08))
        loy_terms = (("TI", 0.55),)
    eqs.append(_Equation("PI", tuple(pi_terms)))
    if module_b:
        eqs.append(_Equation("LOY", loy_terms))
    return eqs


class _Moments:
    """Exact moments of polynomials in jointly normal variables and one
    independent centred Bernoulli variable (Isserlis' theorem)."""

    def __init__(self, cov: np.ndarray, p: float) -> None:
        self.cov = cov
        self.pm = cov.shape[0]  # index of the centred Bernoulli variable
        self.p = p
        self._cache: dict[tuple[int, ...], float] = {}

    def _gauss(self, idx: tuple[int, ...]) -> float:
        if not idx:
            return 1.0
        if len(idx) % 2:
            return 0.0
        hit = self._cache.get(idx)
        if hit is not None:
            return hit
        first, rest = idx[0], idx[1:]
        total = 0.0
        for j, k in enumerate(rest):
            c = self.cov[first, k]
            if c != 0.0:
                total += c * self._gauss(rest[:j] + rest[j + 1 :])
        self._cache[idx] = total
        return total

    def mono(self, idx: tuple[int, ...]) -> float:
        k = idx.count(self.pm)
        p = self.p
        bern = p * (1 - p) ** k + (1 - p) * (-p) ** k
        return bern * self._gauss(tuple(i for i in idx if i != self.pm))

    def mean(self, poly: dict[tuple[int, ...], float]) -> float:
        return sum(c * self.mono(m) for m, c in poly.items())

    def cov_of(self, a: dict, b: dict) -> float:
        return self.mean(_pmul(a, b)) - self.mean(a) * self.mean(b)


def _padd(*pairs: tuple[float, dict]) -> dict[tuple[int, ...], float]:
    out: dict[tuple[int, ...], float] = {}
    for w, poly in pairs:
        for m, c in poly.items():
            out[m] = out.get(m, 0.0) + w * c
    return out


def _pmul(a: dict, b: dict) -> dict[tuple[int, ...], float]:
    out: dict[tuple[int, ...], float] = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = tuple(sorted(ma + mb))
            out[m] = out.get(m, 0.0) + ca * cb
    return out


@cache
def _population(trust: str, module_b: bool) -> _Population:
    exo = tuple(e for e in _EXOGENOUS if module_b or e != "PMF")
    k = len(exo)
    phi = np.eye(k)
    for (a, b), r in _PHI.items():
        if a in exo and b in exo:
            i, j = exo.index(a), exo.index(b)
            phi[i, j] = phi[j, i] = r
    eqs = _equations(trust, module_b)
    endo = [e.lhs for e in eqs]
    resid_corr: dict[tuple[str, str], float] = {}
    if trust == "correlated":
        for i, a in enumerate(TRUST_DIMENSIONS):
            for b in TRUST_DIMENSIONS[i + 1 :]:
                resid_corr[(a, b)] = _DIM_RESID_CORR
    # Gaussian base variables: exogenous factors, then one disturbance per
    # endogenous latent; the centred Bernoulli pm_exposed comes last.
    cov = np.eye(k + len(endo))
    cov[:k, :k] = phi
    for (a, b), r in resid_corr.items():
        i, j = k + endo.index(a), k + endo.index(b)
        cov[i, j] = cov[j, i] = r
    mom = _Moments(cov, _PM_P)
    polys: dict[str, dict] = {name: {(i,): 1.0} for i, name in enumerate(exo)}
    polys["pm_exposed"] = {(mom.pm,): 1.0}
    products: dict[str, tuple[float, float]] = {}
    psi: dict[str, float] = {}
    for n_eq, eq in enumerate(eqs):
        parts = []
        for term, beta in eq.terms:
            if ":" in term and term not in polys:
                a, b = term.split(":")
                prod = _pmul(polys[a], polys[b])
                m = mom.mean(prod)
                sd = float(np.sqrt(mom.cov_of(prod, prod)))
                products[term] = (m, sd)
                polys[term] = _padd((1 / sd, prod), (-m / sd, {(): 1.0}))
            parts.append((beta, polys[term]))
        pred = _padd(*parts)
        var_pred = mom.cov_of(pred, pred)
        zeta = {(k + n_eq,): 1.0}
        if abs(mom.cov_of(pred, zeta)) > 1e-12 or var_pred >= 1.0:
            raise SpecificationError(  # pragma: no cover - design guard
                f"Population equation for {eq.lhs} is not admissible."
            )
        psi[eq.lhs] = 1.0 - var_pred
        polys[eq.lhs] = _padd((1.0, pred), (np.sqrt(psi[eq.lhs]), zeta))
    if trust in ("second_order", "unidimensional"):
        parts_t: tuple[str, ...] = ("TRUST",)
        trust_sd = 1.0
    else:
        parts_t = TRUST_DIMENSIONS
        comp = _padd(*[(1.0, polys[d]) for d in parts_t])
        trust_sd = float(np.sqrt(mom.cov_of(comp, comp)))

    indicators = {
        c: CONSTRUCTS[c] for c in exo + tuple(e for e in endo if e in CONSTRUCTS)
    }
    if trust == "unidimensional":
        indicators["TRUST"] = sum((CONSTRUCTS[d] for d in TRUST_DIMENSIONS), ())
    loadings = _ITEM_LOADING

    rows: list[tuple[str, str, str, float]] = []
    for lat, items in indicators.items():
        rows += [(lat, "=~", it, loadings[it]) for it in items]
    for eq in eqs:
        if eq.loading:
            rows.append((eq.terms[0][0], "=~", eq.lhs, eq.terms[0][1]))
    for eq in eqs:
        if eq.loading:
            continue
        for term, beta in eq.terms:
            value = (
                beta * np.sqrt(_PM_P * (1 - _PM_P)) if term == "pm_exposed" else beta
            )
            rows.append((eq.lhs, "~", term, float(value)))
    for i, a in enumerate(exo):
        for j in range(i, k):
            rows.append((a, "~~", exo[j], float(phi[i, j])))
    for e in endo:
        rows.append((e, "~~", e, float(psi[e])))
    for (a, b), r in resid_corr.items():
        rows.append((a, "~~", b, float(r * np.sqrt(psi[a] * psi[b]))))
    for lat, items in indicators.items():
        rows += [(it, "~~", it, 1.0 - loadings[it] ** 2) for it in items]
    for e in endo:
        rows.append((e, "r2", e, float(1.0 - psi[e])))
    table = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "value"])
    return _Population(
        exogenous=exo,
        phi=phi,
        equations=tuple(eqs),
        resid_corr=resid_corr,
        indicators=indicators,
        products=products,
        psi=psi,
        trust_sd=trust_sd,
        trust_parts=parts_t,
        table=table,
    )


# ---------------------------------------------------------------------------
# Public generator
# ---------------------------------------------------------------------------


def simulate_survey(
    n: int = 5000,
    *,
    seed: int | None = None,
    scale_points: int = 5,
    module_b: bool = True,
    careless_rate: float = 0.02,
    missing_rate: float = 0.01,
    trust: str = "second_order",
) -> SimulatedSurvey:
    """Simulate a trust-factor Likert survey with known population values.

    Parameters
    ----------
    n : int, default 5000
        Number of respondents (n = 5000 follows the [003] ch5 study).
    seed : int, optional
        Seed for :func:`numpy.random.default_rng`.  The same seed and arguments
        give identical output.  When omitted a fresh seed is drawn and stored in
        the result.
    scale_points : {5, 7}, default 5
        Number of Likert categories (1 = strongly disagree ... 5 or 7).
    module_b : bool, default True
        Add module B: perceived precision-marketing fit (PMF, antecedent of
        trust and direct predictor of PI, H14) and loyalty (LOY ~ TRUST, H15).
    careless_rate : float, default 0.02
        Share of careless respondents; half are straight-liners (one answer on
        every item) and half speeders (random answers, very short
        ``duration_sec``).
    missing_rate : float, default 0.01
        Probability that any Likert answer is missing (MCAR, set to ``NaN``).
        Ids, demographics and outcomes are never missing.
    trust : {"second_order", "unidimensional", "correlated", "chain"}
        Population structure of trust (research-model.md "Alternative trust
        specifications"): a second-order TRUST over TF, TA, TI (default); one
        TRUST factor with all nine trust items; three correlated first-order
        factors with dimension-specific antecedent paths (H2 strongest on TI, H5
        on TF, H6 on TA); or the chain TF -> TA -> TI.

    Returns
    -------
    SimulatedSurvey
        Frozen result with ``data``, ``codebook``, ``population``,
        ``latent_scores``, ``seed`` and ``careless``.

    Raises
    ------
    SpecificationError
        If an argument is out of range.

    Notes
    -----
    Latent model (standardized; every latent has population variance exactly
    1, residual variances solved with exact Gaussian moments, Isserlis'
    theorem, including the product terms):

    * Exogenous factors PREP, PASS, MREP, PQ, INFO, SOC, EXP, PMF correlate
      .30-.50; PC correlates -.10 to -.20 with them.
    * TRUST ~ .14 PREP + .17 PASS + .12 MREP + .13 PQ + .17 INFO + .12 SOC
      + .10 EXP (H1-H7) + .12 PMF (H14) - .10 PC:PMF (H13a) + pm_exposed;
      R2(TRUST) = .60 with module B, .49 without.  TRUST =~ .82 TF + .76 TA +
      .80 TI.
    * PI ~ .50 TRUST (H8) + .10 INFO (H9a) + .10 SOC (H9b) + .10 PMF (H14)
      + .08 PASS:TRUST (H11); R2(PI) = .46.  LOY ~ .55 TRUST (H15).
      The other trust structures use the paths listed in ``population``.
    * ``A:B`` is the standardized product ``(A*B - E[A*B]) / SD(A*B)``.
    * ``pm_exposed`` (p = .5) is independent of the other exogenous factors
      and shifts TRUST by d = 0.5 within-group SD.  [003] ch5 reports means of
      70 vs 85 on a 0-100 scale (d of about 1.0-1.25 for SD 12-15); this
      simulation deliberately tempers that to d = 0.5.

    Items: ``y* = lambda * eta + e`` with standardized loadings .68-.84, cut
    into categories with thresholds giving mild negative skew (5-point
    category shares about 4/9/25/40/22 %).  No item is reverse-keyed.  The
    loadings in ``population`` refer to the continuous ``y*``; loadings of the
    categorized items are attenuated (by roughly 5-10 %).

    Observed covariates: ``tenure_years`` (log-normal, corr(log, EXP) = .55),
    ``purchases_12m`` (negative binomial, log mean 2.3 + .35 EXP),
    ``repurchase`` with logit P = 0.22 + 0.38 z_trust (N10), ``shares`` Poisson
    with log mean log(1.2) + 0.30 z_trust (N11), ``duration_sec`` (about 7 s per
    item; speeders 1-2.2 s per item).  ``age_band``, ``gender`` and
    ``platform_type`` are drawn independently of the latent variables.

    All magnitudes are extrapolated calibrations of unsourced numbers in the
    source documents, never findings.

    Examples
    --------
    >>> from trustsem.data.simulate import simulate_survey
    >>> sim = simulate_survey(1000, seed=42)
    >>> sim.population.query("lhs == 'PI' and rhs == 'TRUST'")["value"].item()
    0.5
    """
    n = check_positive_int("n", n, minimum=1)
    scale_points = int(check_option("scale_points", scale_points, list(SCALE_POINTS)))
    careless_rate = check_interval("careless_rate", careless_rate, 0.0, 1.0, "both")
    missing_rate = check_interval("missing_rate", missing_rate, 0.0, 1.0, "left")
    trust = check_option("trust", trust, TRUST_SPECIFICATIONS)
    if not isinstance(module_b, (bool, np.bool_)):
        raise SpecificationError(f"`module_b` must be True or False; got {format_value(module_b)}.")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    else:
        seed = check_positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    pop = _population(trust, bool(module_b))

    # Latent variables ----------------------------------------------------
    k = len(pop.exogenous)
    endo = [eq.lhs for eq in pop.equations]
    base_cov = np.eye(k + len(endo))
    base_cov[:k, :k] = pop.phi
    for (a, b), r in pop.resid_corr.items():
        i, j = k + endo.index(a), k + endo.index(b)
        base_cov[i, j] = base_cov[j, i] = r
    chol = np.linalg.cholesky(base_cov)
    base = rng.standard_normal((n, base_cov.shape[0])) @ chol.T
    pm_exposed = (rng.random(n) < _PM_P).astype(np.int64)
    values: dict[str, np.ndarray] = {e: base[:, i] for i, e in enumerate(pop.exogenous)}
    values["pm_exposed"] = pm_exposed - _PM_P
    for n_eq, eq in enumerate(pop.equations):
        eta = np.sqrt(pop.psi[eq.lhs]) * base[:, k + n_eq]
        for term, beta in eq.terms:
            if term in pop.products:
                a, b = term.split(":")
                m, sd = pop.products[term]
                eta = eta + beta * (values[a] * values[b] - m) / sd
            else:
                eta = eta + beta * values[term]
        values[eq.lhs] = eta
    z_trust = sum(values[p] for p in pop.trust_parts) / pop.trust_sd
    latent_names = list(pop.exogenous) + endo
    latent_scores = pd.DataFrame({c: values[c] for c in latent_names})
    latent_scores["z_trust"] = z_trust

    # Likert items ----------------------------------------------------------
    item_latent = [(it, lat) for lat, its in pop.indicators.items() for it in its]
    order = {it: i for i, (it, *_r) in enumerate(ITEMS)}
    item_latent.sort(key=lambda x: order[x[0]])
    items = [it for it, _ in item_latent]
    n_items = len(items)
    lam = np.array([_ITEM_LOADING[it] for it in items])
    eta_items = np.column_stack([values[lat] for _, lat in item_latent])
    ystar = eta_items * lam + rng.standard_normal((n, n_items)) * np.sqrt(1 - lam**2)
    tau = ndtri(np.array(_CUMPROB[scale_points]))
    answers = np.empty((n, n_items), dtype=np.float64)
    for j, it in enumerate(items):
        pos = CONSTRUCTS[construct_of(it)].index(it)
        thr = tau + _ITEM_SHIFT[pos % len(_ITEM_SHIFT)]
        answers[:, j] = np.searchsorted(thr, ystar[:, j]) + 1

    # Covariates and outcomes -------------------------------------------------
    age_band = rng.choice(np.array(_AGE_BANDS, dtype=object), size=n, p=_AGE_P)
    gender = rng.choice(np.array(_GENDERS, dtype=object), size=n, p=_GENDER_P)
    platform = rng.choice(np.array(_PLATFORMS, dtype=object), size=n, p=_PLATFORM_P)
    exp_ = values["EXP"]
    r_ten = 0.55
    log_ten = np.log(2.5) + 0.55 * (
        r_ten * exp_ + np.sqrt(1 - r_ten**2) * rng.standard_normal(n)
    )
    tenure = np.maximum(np.round(np.exp(log_ten), 1), 0.1)
    mu_buy = np.exp(2.3 + 0.35 * exp_) * rng.gamma(2.0, 0.5, size=n)
    purchases = rng.poisson(mu_buy).astype(np.int64)
    repurchase = (rng.random(n) < expit(0.22 + 0.38 * z_trust)).astype(np.int64)
    shares = rng.poisson(np.exp(np.log(1.2) + 0.30 * z_trust)).astype(np.int64)
    duration = n_items * 7.0 * np.exp(0.35 * rng.standard_normal(n))

    # Careless respondents ----------------------------------------------------
    n_care = round(careless_rate * n)
    who = rng.choice(n, size=n_care, replace=False)
    straight, speed = who[: n_care // 2], who[n_care // 2 :]
    kind = np.full(n, "attentive", dtype=object)
    kind[straight] = "straightliner"
    kind[speed] = "speeder"
    sl_cat = rng.choice(scale_points, size=straight.size, p=_STRAIGHT[scale_points]) + 1
    answers[straight, :] = sl_cat[:, None]
    duration[straight] = (
        n_items * 3.5 * np.exp(0.3 * rng.standard_normal(straight.size))
    )
    answers[speed, :] = rng.integers(1, scale_points + 1, size=(speed.size, n_items))
    duration[speed] = n_items * rng.uniform(1.0, 2.2, size=speed.size)

    # Missing answers (MCAR, items only) ---------------------------------------
    if missing_rate > 0:
        answers[rng.random((n, n_items)) < missing_rate] = np.nan

    data = pd.DataFrame(
        {
            "resp_id": np.arange(1, n + 1, dtype=np.int64),
            "age_band": pd.Series(age_band, dtype="str"),
            "gender": pd.Series(gender, dtype="str"),
            "platform_type": pd.Series(platform, dtype="str"),
            "tenure_years": tenure,
            "purchases_12m": purchases,
            "pm_exposed": pm_exposed,
        }
    )
    data = pd.concat([data, pd.DataFrame(answers, columns=items)], axis=1)
    data["repurchase"] = repurchase
    data["shares"] = shares
    data["duration_sec"] = np.round(duration).astype(np.int64)

    return SimulatedSurvey(
        data=data,
        codebook=_codebook(items, scale_points),
        population=pop.table.copy(),
        latent_scores=latent_scores,
        seed=int(seed),
        careless=pd.Series(kind, name="careless", dtype="str"),
    )


def _codebook(items: Sequence[str], scale_points: int) -> pd.DataFrame:
    """Codebook rows (one per data column) in the trustsem codebook format."""
    bank = {it: (en, zh) for it, en, zh in ITEMS}
    rows = [(c, "", t, en, zh, pd.NA, pd.NA, 0, "") for c, t, en, zh in BACKGROUND_COLUMNS]
    rows += [
        (it, construct_of(it), "likert", *bank[it], SCALE_MIN, scale_points, 0, "")
        for it in items
    ]
    rows += [(c, "", t, en, zh, pd.NA, pd.NA, 0, "") for c, t, en, zh in OUTCOME_COLUMNS]
    out = pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))
    out["scale_min"] = out["scale_min"].astype("Int64")
    out["scale_max"] = out["scale_max"].astype("Int64")
    out["reverse"] = out["reverse"].astype("int64")
    return out
