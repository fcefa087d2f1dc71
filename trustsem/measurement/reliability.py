"""Reliability and convergent validity: alpha, omega, composite reliability, AVE.

================================  ==============================================
function                          R equivalent (validated in tests/reference)
================================  ==============================================
:func:`reliability`               ``psych::alpha()``, ``semTools::compRelSEM()``,
                                  ``semTools::AVE()``
:func:`ordinal_reliability`       ``psych::alpha(lavCor(ordered))``,
                                  ``compRelSEM(fit, ord.scale = FALSE)``
================================  ==============================================

Warnings are raised for data problems only (reverse-keyed items, dropped rows).
Low reliability is never a warning: it is flagged in the tables.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._display import Summary, SummaryDisplay
from .._validation import check_interval, check_positive_int
from ..exceptions import (
    MissingDataWarning,
    SpecificationError,
    TrustsemError,
    TrustsemWarning,
)
from ..sem.results import SEMResult
from ..sem.spec import ModelSpec
from ._structure import (
    _alpha_pair,
    _check_fit,
    _check_missing,
    _complete,
    _complete_cases_note,
    _fit_measurement,
    _fit_reliability,
    _numeric_items,
    _percentile_ci,
    _reverse_key_check,
    _single_thread,
    _Structure,
    _structure,
    _summary_table,
)

__all__ = [
    "AVE_THRESHOLD",
    "RELIABILITY_THRESHOLD",
    "OrdinalReliabilityResult",
    "ReliabilityResult",
    "ordinal_reliability",
    "reliability",
]

RELIABILITY_THRESHOLD = 0.70
#: AVE below this is flagged (Fornell & Larcker 1981).
AVE_THRESHOLD = 0.50


@dataclass(frozen=True, slots=True, eq=False)
class ReliabilityResult(SummaryDisplay):
    """Internal-consistency reliability and convergent validity per construct.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by ``construct``. Columns: ``n_items``, ``n_complete`` (rows
        used for alpha), ``alpha``, ``alpha_std``, ``omega``, ``cr``, ``ave``,
        ``low_reliability`` (alpha or CR < .70), ``low_ave`` (AVE < .50);
        with a bootstrap also ``<stat>_ci_lower``/``<stat>_ci_upper`` for
        each statistic.
    notes : tuple of str
        Constructs left out and why, rows used, bootstrap failures.
    n_obs : int
        Respondents used by the CFA.
    options : dict
        ``missing``, ``bootstrap``, ``seed``, ``level``.
    fit : SEMResult
        The CFA the model-based statistics come from.
    """

    table: pd.DataFrame
    notes: tuple[str, ...]
    n_obs: int
    options: dict
    fit: SEMResult = field(repr=False)

    def summary(self) -> Summary:
        """Text/HTML summary: the table and its notes."""
        head = [("Constructs", len(self.table)), ("CFA observations", self.n_obs),
                ("Missing data (CFA)", self.options.get("missing", "")),
                ("Bootstrap draws", self.options.get("bootstrap", 0))]
        notes = list(self.notes) + [
            ("alpha = psych::alpha raw_alpha; alpha_std = std.alpha; omega ="
            " semTools::compRelSEM(fit) (observed total variance); cr ="
            " compRelSEM(fit, obs.var = FALSE) (Joreskog's rho_c); ave = semTools::AVE(fit)."),
            f"Flags: alpha or CR < {RELIABILITY_THRESHOLD:.2f}; AVE < {AVE_THRESHOLD:.2f}."]
        return Summary("Reliability and convergent validity", head,
                       [("Reliability", _summary_table(self.table))], notes)


def _alpha_table(X: pd.DataFrame, struct: _Structure,
                 notes: list[str] | None) -> pd.DataFrame:
    rows = {}
    for f, ind in struct.first_order.items():
        Xc = _complete(X[ind], None, f"Alpha of {f!r}")
        C = np.cov(Xc.to_numpy(float), rowvar=False)
        raw, std = _alpha_pair(C)
        rows[f] = {"n_items": len(ind), "n_complete": len(Xc), "alpha": raw,
                   "alpha_std": std}
    out = pd.DataFrame.from_dict(rows, orient="index")
    if notes is not None:
        _complete_cases_note(notes, "Alpha", out["n_complete"], len(X))
    return out


@_single_thread
def reliability(
    data: pd.DataFrame,
    model: str | ModelSpec | None = None,
    *,
    missing: str = "listwise",
    fit: SEMResult | None = None,
    bootstrap: int = 0,
    seed: int | None = None,
    level: float = 0.95,
) -> ReliabilityResult:
    """Cronbach's alpha, omega, composite reliability and AVE per construct.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, one column per item.
    model : str or ModelSpec, optional
        lavaan syntax. Only the measurement part (``=~`` and ``~~`` lines)
        is used; a CFA of it is fitted with :func:`trustsem.cfa`. May be
        left out when ``fit`` is given (the fit's model is used).
    missing : {"listwise", "fiml"}
        Missing-data handling of the CFA. Alpha always uses the complete
        cases of each construct's own items (as ``psych::alpha(na.omit(x))``).
    fit : SEMResult, optional
        An already fitted CFA/SEM to take omega, CR and AVE from (no refit).
    bootstrap : int
        Number of bootstrap draws for percentile confidence intervals (0 =
        none). Each draw resamples respondents and refits the CFA, so this
        costs ``bootstrap`` CFA fits.
    seed : int, optional
        Seed of the bootstrap's random generator.
    level : float
        Confidence level of the percentile intervals.

    Returns
    -------
    ReliabilityResult
        ``table`` indexed by construct with columns ``n_items, n_complete,
        alpha, alpha_std, omega, cr, ave, low_reliability, low_ave`` (and CI
        columns with a bootstrap), ``notes``, ``summary()``.

    Raises
    ------
    SpecificationError
        Items not in the data, a model without ``=~`` lines.
    DataError
        Text, empty or constant items.

    Warns
    -----
    DataQualityWarning
        An item correlates negatively with the rest of its construct
        (probably reverse-keyed).
    MissingDataWarning
        From the CFA, when listwise deletion drops rows.

    Notes
    -----
    For construct *f* with k items, item covariance matrix C (N-1 divisor,
    complete cases), correlation matrix R, unstandardized loadings lambda,
    factor variance phi (model-implied), sample covariance S (N divisor;
    the EM estimate under FIML) and implied covariance Sigma:

    - ``alpha = k/(k-1) (1 - tr C / 1'C1)`` = ``psych::alpha()$total$raw_alpha``
    - ``alpha_std = k/(k-1) (1 - k / 1'R1)`` = ``$total$std.alpha``
    - ``omega = (sum lambda)^2 phi / 1'S1`` = ``semTools::compRelSEM(fit)``
      (default ``obs.var = TRUE``)
    - ``cr = (sum lambda)^2 phi / 1'Sigma 1`` = ``compRelSEM(fit, obs.var =
      FALSE)``; without residual covariances this is Joreskog's rho_c
      ``(sum lambda)^2 phi / ((sum lambda)^2 phi + sum theta)``
    - ``ave = sum(lambda^2) phi / tr S`` = ``semTools::AVE(fit)``; with
      standardized loadings and no cross-loadings, the mean squared loading.

    Constructs with one item, and higher-order factors, are left out with a
    note. Validated against psych 2.2.9 / semTools 0.5-6 / lavaan 0.6-14 to
    1e-3 (alpha to 1e-6).

    References
    ----------
    Cronbach (1951) Psychometrika 16:297-334; Joreskog (1971) Psychometrika
    36:109-133; Fornell & Larcker (1981) JMR 18:39-50.

    Examples
    --------
    >>> from trustsem.data.datasets import load_example
    >>> from trustsem.measurement import reliability
    >>> hs = load_example("holzinger_swineford_1939")
    >>> rel = reliability(hs, "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6")
    >>> round(float(rel.table.loc["textual", "alpha"]), 3)
    0.883
    """
    missing = _check_missing(missing)
    fit = _check_fit(fit)
    bootstrap = check_positive_int("bootstrap", bootstrap, minimum=0)
    level = check_interval("level", level, 0.0, 1.0)
    if model is None and fit is None:
        raise SpecificationError("Give `model` (lavaan syntax) or a fitted `fit`.")
    struct = _structure(model if model is not None else fit)  # type: ignore[arg-type]
    if not struct.first_order:
        raise SpecificationError(
            "No construct has two or more observed items, so no reliability can be"
            " computed. " + " ".join(struct.skip_notes("reliability")))
    X = _numeric_items(data, struct.items)
    notes = struct.skip_notes("reliability")
    _reverse_key_check(X, struct)
    tab = _alpha_table(X, struct, notes)
    if fit is None:
        fit = _fit_measurement(struct, data, missing)
    else:
        missing = str(fit.options.get("missing", missing))
        missing_items = [i for i in struct.items if i not in fit.spec.observed]
        if missing_items:
            raise SpecificationError(
                f"Items {missing_items} of `model` are not in `fit`; pass the model the"
                " fit was made from.")
    if not fit.converged:
        notes.append("The CFA did not converge; omega, CR and AVE are unreliable.")
    if fit.estimator == "WLSMV":
        notes.append(
            "The fit is WLSMV: omega, CR and AVE are on the latent-response (polychoric) scale,"
            " as semTools::compRelSEM(fit, ord.scale = FALSE); compRelSEM's default for ordered"
            " items (ord.scale = TRUE, Green & Yang 2009) is on the observed-score scale and"
            " differs. Alpha is computed from the observed item scores.")
    tab = tab.join(_fit_reliability(fit, struct, notes))
    tab.index.name = "construct"

    if bootstrap:
        tab = _bootstrap_reliability(tab, data, struct, fit, missing, bootstrap, seed,
                                     level, notes)
    tab["low_reliability"] = (tab["alpha"] < RELIABILITY_THRESHOLD) | (
        tab["cr"] < RELIABILITY_THRESHOLD)
    tab["low_ave"] = tab["ave"] < AVE_THRESHOLD
    cols = ["n_items", "n_complete", "alpha", "alpha_std", "omega", "cr", "ave",
            "low_reliability", "low_ave"]
    tab = tab[cols + [c for c in tab.columns if c not in cols]]
    tab["n_items"] = tab["n_items"].astype(int)
    tab["n_complete"] = tab["n_complete"].astype(int)
    return ReliabilityResult(
        table=tab, notes=tuple(dict.fromkeys(notes)), n_obs=int(fit.n_obs),
        options={"missing": missing, "bootstrap": bootstrap, "seed": seed, "level": level},
        fit=fit)


def _bootstrap_reliability(tab: pd.DataFrame, data: pd.DataFrame, struct: _Structure,
                           fit: SEMResult, missing: str, B: int, seed: int | None,
                           level: float, notes: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    stats = ["alpha", "alpha_std", "omega", "cr", "ave"]
    cons = list(tab.index)
    draws = np.full((B, len(cons), len(stats)), np.nan)
    model_spec = fit.spec.measurement() if fit is not None else struct.spec
    data = data.reset_index(drop=True)
    failed = 0
    warned = 0
    n = len(data)
    from ..sem.fit import cfa

    for b in range(B):
        idx = rng.integers(0, n, n)
        db = data.iloc[idx].reset_index(drop=True)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                Xb = db[struct.items].astype(float)
                a = _alpha_table(Xb, struct, None)
                fb = cfa(model_spec, db, missing=missing)
                rb = _fit_reliability(fb, struct, None)
            if any(issubclass(w.category, TrustsemWarning) and
                   not issubclass(w.category, MissingDataWarning) for w in caught):
                warned += 1
            if not fb.converged:
                failed += 1
                continue
        except (TrustsemError, np.linalg.LinAlgError, ValueError):
            failed += 1
            continue
        full = a.join(rb)
        draws[b] = full.loc[cons, stats].to_numpy(float)
    ok = B - failed
    notes.append(f"Percentile bootstrap: {ok} of {B} draws used (respondents resampled"
                 f" with replacement, CFA refitted each time, missing = {missing!r}).")
    if failed:
        notes.append(f"{failed} bootstrap draw(s) failed (constant item in the resample,"
                     " non-convergence or a singular matrix) and were left out.")
    if warned:
        notes.append(f"{warned} bootstrap draw(s) produced estimation warnings (e.g."
                     " Heywood cases); they were kept.")
    if ok < 2:
        raise TrustsemError("Fewer than two bootstrap draws succeeded; no intervals can"
                            " be computed.")
    lo, hi = _percentile_ci(draws, level)
    for k, s in enumerate(stats):
        tab[f"{s}_ci_lower"] = lo[:, k]
        tab[f"{s}_ci_upper"] = hi[:, k]
    return tab



@dataclass(frozen=True)
class OrdinalReliabilityResult(SummaryDisplay):
    """Ordinal alpha and omega per construct (immutable).

    Attributes
    ----------
    table : DataFrame
        Indexed by construct: ``n_items, ordinal_alpha, ordinal_omega``.
    fit : SEMResult
        The WLSMV CFA the omegas come from.
    notes : tuple of str
    """

    table: pd.DataFrame
    fit: SEMResult
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        return Summary("Ordinal reliability", [("Estimator", "WLSMV (polychoric correlations)")],
                       [("Reliability", self.table.reset_index())], list(self.notes))


def ordinal_reliability(data: pd.DataFrame, model: str | ModelSpec, *,
                        missing: str = "listwise",
                        fit: SEMResult | None = None) -> OrdinalReliabilityResult:
    """Ordinal alpha and omega for Likert items treated as ordered categories.

    - ``ordinal_alpha``: Cronbach's alpha of the polychoric correlation matrix
      (Zumbo, Gadermann & Zeisser, 2007) = ``psych::alpha(lavCor(items,
      ordered = items))$total$raw_alpha``.
    - ``ordinal_omega``: (sum lambda)^2 psi / sum(R_items), loadings from a
      WLSMV CFA and R the polychoric correlations of the construct's items,
      i.e. omega on the latent-response scale = ``semTools::compRelSEM(fit,
      ord.scale = FALSE)``.

    Parameters
    ----------
    data : DataFrame
    model : str or ModelSpec
        Measurement model (only its ``=~`` lines are used).
    missing : {"listwise", "pairwise"}
        First-stage missing-data handling of WLSMV.
    fit : SEMResult, optional
        A WLSMV fit of the same measurement model to reuse.

    Notes
    -----
    Validated against psych 2.2.9 / semTools 0.5-6 on the TikTok Shop data
    (tests/reference/tiktok__ordinal_reliability.csv).
    """
    spec = ModelSpec(model)
    meas = spec.measurement()
    if fit is None:
        from ..sem.fit import cfa

        fit = cfa(meas, data, ordered=True, missing=missing)
    if fit.estimator != "WLSMV":
        raise SpecificationError("`fit` must be a WLSMV fit (ordered items).")
    R = fit.sample["1"]
    est = fit.estimates
    rows, notes = [], []
    for f in meas.latent:
        load = est[(est["lhs"] == f) & (est["op"] == "=~")]
        items = [v for v in load["rhs"] if v in R.index]
        if len(items) < 2:
            notes.append(f"{f}: fewer than two ordered items; left out.")
            continue
        lam = load.set_index("rhs").loc[items, "est"].to_numpy(float)
        psi = float(est[(est["lhs"] == f) & (est["op"] == "~~") & (est["rhs"] == f)]["est"].iloc[0])
        Rs = R.loc[items, items].to_numpy(float)
        k = len(items)
        alpha = k / (k - 1) * (1 - np.trace(Rs) / Rs.sum())
        omega = lam.sum() ** 2 * psi / Rs.sum()
        rows.append({"construct": f, "n_items": k, "ordinal_alpha": alpha, "ordinal_omega": omega})
    table = pd.DataFrame(rows).set_index("construct")
    notes.append("Ordinal alpha: alpha of the polychoric correlations (Zumbo et al., 2007);"
                 " ordinal omega: latent-response scale (semTools compRelSEM, ord.scale = FALSE).")
    return OrdinalReliabilityResult(table=table, fit=fit, notes=tuple(notes))
