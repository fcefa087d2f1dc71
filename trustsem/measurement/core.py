"""Measurement-model checks: reliability, item analysis and discriminant validity.

Every statistic states its formula and the R function whose number it equals.
All functions take the raw ``data`` and a model in lavaan syntax; only the
measurement part of the model (its ``=~`` lines, plus ``~~`` lines) is used.

================================  ==============================================
function                          R equivalent (validated in tests/reference)
================================  ==============================================
:func:`reliability`               ``psych::alpha()``, ``semTools::compRelSEM()``,
                                  ``semTools::AVE()``
:func:`item_analysis`             ``psych::alpha()$item.stats``/``$alpha.drop``,
                                  ``psych::describe(type = 3)``
:func:`htmt`                      ``semTools::htmt()`` (both versions)
:func:`fornell_larcker`           ``sqrt(semTools::AVE())`` vs ``lavInspect(fit, "cor.lv")``
:func:`cross_loadings`            ``cor(items, rowMeans(construct items))``
:func:`measurement_report`        all of the above + KMO/Bartlett + CMB battery
================================  ==============================================

Warnings are raised for data problems only (reverse-keyed items, dropped rows).
Low reliability or validity is never a warning: it is flagged in the tables.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .._validation import (
    check_columns,
    check_dataframe,
    check_interval,
    check_numeric_columns,
    check_option,
    check_positive_int,
    format_value,
)
from ..exceptions import (
    DataError,
    DataQualityWarning,
    MissingDataWarning,
    SpecificationError,
    TrustsemError,
    TrustsemWarning,
)
from ..sem.results import SEMResult, Summary
from ..sem.spec import ModelSpec

__all__ = [
    "AVE_THRESHOLD",
    "HTMT_THRESHOLDS",
    "LOADING_THRESHOLDS",
    "RELIABILITY_THRESHOLD",
    "CrossLoadingsResult",
    "FornellLarckerResult",
    "HTMTResult",
    "ItemAnalysisResult",
    "MeasurementReport",
    "ReliabilityResult",
    "cross_loadings",
    "fornell_larcker",
    "htmt",
    "item_analysis",
    "measurement_report",
    "reliability",
]

#: alpha / omega / CR below this are flagged (Nunnally & Bernstein 1994).
RELIABILITY_THRESHOLD = 0.70
#: AVE below this is flagged (Fornell & Larcker 1981).
AVE_THRESHOLD = 0.50
#: Standardized loadings below these are flagged (Hair et al.).
LOADING_THRESHOLDS = (0.50, 0.70)
#: HTMT cut-offs: conservative .85 (Kline) and liberal .90 (Gold et al.),
#: Henseler, Ringle & Sarstedt (2015).
HTMT_THRESHOLDS = (0.85, 0.90)

_MISSING = ["listwise", "fiml", "ml"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _single_thread(fn: _F) -> _F:
    """Run with single-threaded BLAS: on these small matrices a threaded BLAS is
    up to 100x slower (thread start-up per call), see engine-notes."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# model structure and data helpers (shared with trustsem.measurement.efa and trustsem.measurement.cmb)
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Structure:
    """The measurement structure of a model."""

    spec: ModelSpec                         # measurement part only
    constructs: dict[str, list[str]]        # every factor -> its indicators
    first_order: dict[str, list[str]]       # factors measured by >= 2 observed items
    single: dict[str, list[str]]            # factors with one observed item
    higher: dict[str, list[str]]            # factors with latent indicators
    items: list[str]                        # observed indicators, model order

    def skip_notes(self, what: str) -> list[str]:
        notes = []
        for f, ind in self.single.items():
            notes.append(f"Construct {f!r} has a single item ({ind[0]}): {what} needs at"
                         " least two items, so it is left out.")
        for f, ind in self.higher.items():
            notes.append(f"Construct {f!r} is a higher-order factor (indicators"
                         f" {', '.join(ind)}): {what} is reported for its first-order"
                         " factors only, so it is left out.")
        return notes


def _structure(model: str | ModelSpec | SEMResult) -> _Structure:
    if isinstance(model, SEMResult):
        model = model.spec
    if not isinstance(model, (str, ModelSpec)):
        raise SpecificationError(
            f"`model` must be lavaan model syntax (str) or a ModelSpec; got"
            f" {type(model).__name__}.")
    spec = ModelSpec(model)
    latent = set(spec.latent)
    constructs: dict[str, list[str]] = {}
    for s in spec.statements:
        if s.op == "=~":
            constructs.setdefault(s.lhs, [])
            if s.rhs not in constructs[s.lhs]:
                constructs[s.lhs].append(s.rhs)
    if not constructs:
        raise SpecificationError(
            "The model has no measurement part: write each construct as"
            " 'construct =~ item1 + item2 + item3'.")
    first, single, higher = {}, {}, {}
    for f, ind in constructs.items():
        if any(i in latent for i in ind):
            higher[f] = ind
        elif len(ind) == 1:
            single[f] = ind
        else:
            first[f] = ind
    items: list[str] = []
    for ind in constructs.values():
        for i in ind:
            if i not in latent and i not in items:
                items.append(i)
    return _Structure(spec.measurement(), constructs, first, single, higher, items)


def _numeric_items(data: Any, items: Sequence[str], what: str = "Items") -> pd.DataFrame:
    """Validated float copy of ``data[items]``.

    Raises SpecificationError for unknown items and DataError for text, empty
    or constant items.
    """
    data = check_dataframe(data)
    check_columns(data, list(items), what)
    X = check_numeric_columns(data, list(items))
    for col in items:
        s = X[col]
        if s.notna().sum() == 0:
            raise DataError(f"Item {col!r} has no observed values (every answer is"
                            " missing). Remove it from the model.")
        if s.nunique(dropna=True) < 2:
            raise DataError(
                f"Item {col!r} is constant (every answer is {format_value(s.dropna().iloc[0])}):"
                " its correlations are undefined. Remove it from the model or check"
                " the data.")
    return X


def _complete(X: pd.DataFrame, notes: list[str] | None, where: str) -> pd.DataFrame:
    """Complete rows of X; records how many were dropped; checks for constants."""
    keep = X.dropna()
    if notes is not None and len(keep) < len(X):
        notes.append(f"{where}: used the {len(keep)} of {len(X)} rows that answered all"
                     f" of its items ({len(X) - len(keep)} incomplete row(s) left out).")
    if len(keep) < 3:
        raise DataError(f"{where}: only {len(keep)} complete row(s); at least 3 are"
                        " needed.")
    for col in keep.columns:
        if keep[col].nunique() < 2:
            raise DataError(f"Item {col!r} is constant among the complete rows used for"
                            f" {where}. Remove it or use more data.")
    return keep


def _check_singular(R: np.ndarray, names: Sequence[str], where: str) -> None:
    w, V = np.linalg.eigh(R)
    if w[0] <= 1e-10 * max(w[-1], 1e-300):
        v = np.abs(V[:, 0])
        culprits = [names[i] for i in np.argsort(-v)[:6] if v[i] > 0.1]
        raise DataError(
            f"The correlation matrix of the items{where} is singular: {culprits} are"
            " (nearly) linearly dependent (duplicate items, a sum score among the"
            " items, or more items than respondents). Remove one of them.")


def _em_cov(X: pd.DataFrame) -> tuple[np.ndarray, int, bool]:
    """EM (saturated-model ML) covariance of X with missing cells; N divisor."""
    from ..sem.engine.estimate import em_saturated, make_patterns

    A = X.to_numpy(float)
    A = A[~np.isnan(A).all(axis=1)]
    pats = make_patterns(A)
    _mu, Sig, _logl, ok = em_saturated(A, pats)
    return Sig, len(A), ok


def _cov_to_cor(S: np.ndarray) -> np.ndarray:
    d = 1.0 / np.sqrt(np.diag(S))
    R = S * np.outer(d, d)
    np.fill_diagonal(R, 1.0)
    return R


def _item_correlation(X: pd.DataFrame, missing: str, notes: list[str],
                      where: str) -> tuple[np.ndarray, int]:
    """Item correlation matrix and n: listwise complete rows, or EM under FIML."""
    if missing == "listwise":
        Xc = _complete(X, notes, where)
        R = np.corrcoef(Xc.to_numpy(float), rowvar=False)
        return R, len(Xc)
    S, n, ok = _em_cov(X)
    nmiss = int(X.isna().to_numpy().sum())
    notes.append(f"{where}: item correlations are the EM (saturated FIML) estimate from"
                 f" {n} rows with {nmiss} missing cell(s).")
    if not ok:
        notes.append(f"{where}: the EM algorithm did not fully converge.")
    return _cov_to_cor(S), n


def _unit_scores(X: pd.DataFrame, constructs: dict[str, list[str]]) -> pd.DataFrame:
    """Unit-weighted construct scores: the mean of each construct's items."""
    return pd.DataFrame({f: X[ind].mean(axis=1) for f, ind in constructs.items()},
                        index=X.index)


def _fit_measurement(struct: _Structure, data: pd.DataFrame, missing: str) -> SEMResult:
    from ..sem.fit import cfa

    return cfa(struct.spec, data, missing=missing)


def _single_group(fit: SEMResult) -> None:
    if len(fit.implied) != 1:
        raise SpecificationError(
            "Reliability and validity from a multi-group fit are not supported; fit"
            " each group separately (one cfa() per group) and call this per group.")


def _latent_cov(fit: SEMResult, notes: list[str] | None = None) -> pd.DataFrame:
    """Model-implied covariance matrix of the latent variables (lavaan ``cov.lv``).

    Phi = (I - B)^-1 Psi (I - B)^-T, where B holds latent-on-latent loadings
    (higher-order factors) and regressions, Psi the latent (residual)
    (co)variances.
    """
    _single_group(fit)
    lv = list(fit.spec.latent)
    pos = {v: i for i, v in enumerate(lv)}
    k = len(lv)
    B = np.zeros((k, k))
    Psi = np.zeros((k, k))
    covariate = False
    for r in fit.estimates.itertuples(index=False):
        if r.op == "=~" and r.lhs in pos and r.rhs in pos:
            B[pos[r.rhs], pos[r.lhs]] = r.est
        elif r.op == "~" and r.lhs in pos:
            if r.rhs in pos:
                B[pos[r.lhs], pos[r.rhs]] = r.est
            else:
                covariate = True
        elif r.op == "~~" and r.lhs in pos and r.rhs in pos:
            Psi[pos[r.lhs], pos[r.rhs]] = Psi[pos[r.rhs], pos[r.lhs]] = r.est
    if covariate and notes is not None:
        notes.append("Some latent variables are regressed on observed covariates; their"
                     " implied variances here leave out the covariates' contribution.")
    A = np.linalg.inv(np.eye(k) - B)
    return pd.DataFrame(A @ Psi @ A.T, index=lv, columns=lv)


def _loading_matrix(fit: SEMResult, items: Sequence[str],
                    factors: Sequence[str]) -> pd.DataFrame:
    L = pd.DataFrame(0.0, index=list(items), columns=list(factors))
    for r in fit.estimates.itertuples(index=False):
        if r.op == "=~" and r.lhs in L.columns and r.rhs in L.index:
            L.loc[r.rhs, r.lhs] = r.est
    return L


def _only(d: dict) -> Any:
    return next(iter(d.values()))


def _fit_reliability(fit: SEMResult, struct: _Structure,
                     notes: list[str] | None) -> pd.DataFrame:
    """omega (observed denominator), CR (implied denominator) and AVE per construct.

    omega_f = (sum lambda)^2 phi_ff / 1'S_f 1    semTools::compRelSEM(fit)
    cr_f    = (sum lambda)^2 phi_ff / 1'Sigma_f 1  compRelSEM(fit, obs.var = FALSE)
    ave_f   = sum(lambda^2) phi_ff / tr(S_f)      semTools::AVE(fit)
    """
    _single_group(fit)
    phi = _latent_cov(fit, notes)
    S = _only(fit.sample)
    Sigma = _only(fit.implied)
    cons = list(struct.first_order)
    L = _loading_matrix(fit, struct.items, list(fit.spec.latent))
    rows = {}
    for f in cons:
        ind = struct.first_order[f]
        lam = L.loc[ind, f].to_numpy(float)
        common = lam.sum() ** 2 * phi.loc[f, f]
        So = S.loc[ind, ind].to_numpy(float)
        Si = Sigma.loc[ind, ind].to_numpy(float)
        cross = [i for i in ind if (L.loc[i].abs() > 1e-12).sum() > 1]
        if cross:
            ave = np.nan
            if notes is not None:
                notes.append(f"AVE of {f!r} is not computed: {cross} load on more than one"
                             " factor (semTools::AVE() returns NA in this case).")
        else:
            ave = float((lam ** 2).sum() * phi.loc[f, f] / np.trace(So))
        rows[f] = {"omega": float(common / So.sum()), "cr": float(common / Si.sum()),
                   "ave": ave}
    return pd.DataFrame.from_dict(rows, orient="index")


def _alpha_pair(C: np.ndarray) -> tuple[float, float]:
    """Cronbach's alpha from a covariance matrix (raw) and its correlations (std)."""
    k = C.shape[0]
    raw = k / (k - 1) * (1.0 - np.trace(C) / C.sum())
    R = _cov_to_cor(C)
    std = k / (k - 1) * (1.0 - k / R.sum())
    return float(raw), float(std)


def _percentile_ci(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    a = (1.0 - level) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo = np.nanquantile(draws, a, axis=0)
        hi = np.nanquantile(draws, 1.0 - a, axis=0)
    return lo, hi


def _check_missing(missing: str) -> str:
    m = check_option("missing", missing, _MISSING)
    return "fiml" if m == "ml" else m


def _check_fit(fit: Any) -> SEMResult | None:
    if fit is None:
        return None
    if not isinstance(fit, SEMResult):
        raise SpecificationError(
            f"`fit` must be a result of trustsem.cfa() or trustsem.sem(); got"
            f" {type(fit).__name__}.")
    return fit


def _quiet(fn: Callable[[], Any]) -> tuple[Any, list[tuple[str, type[Warning]]]]:
    """Run fn; return its value and the (message, class) of trustsem warnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    msgs: list[tuple[str, type[Warning]]] = []
    for w in caught:
        if issubclass(w.category, TrustsemWarning):
            msgs.append((str(w.message), w.category))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return out, msgs


def _summary_table(df: pd.DataFrame) -> pd.DataFrame:
    return df.reset_index() if df.index.name else df


# ---------------------------------------------------------------------------
# reliability
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class ReliabilityResult:
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

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


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


def _complete_cases_note(notes: list[str], what: str, n: pd.Series, total: int) -> None:
    if (n < total).any():
        notes.append(f"{what} uses the complete cases of each construct's own items: n = "
                     + ", ".join(f"{k} {int(v)}" for k, v in n.items())
                     + f" of {total} rows.")


def _reverse_key_check(X: pd.DataFrame, struct: _Structure) -> None:
    """Warn about items that look reverse-keyed.

    As psych::alpha() does, an item is suspect when its loading on the first
    principal component of its construct's correlations has the opposite sign
    of the majority (the component is signed to a positive loading sum).
    """
    for f, ind in struct.first_order.items():
        Xc = X[ind].dropna()
        if len(Xc) < 3 or (Xc.nunique() < 2).any():
            continue
        C = np.cov(Xc.to_numpy(float), rowvar=False)
        _w, V = np.linalg.eigh(_cov_to_cor(C))
        v = V[:, -1] * (1.0 if V[:, -1].sum() >= 0 else -1.0)
        for j, item in enumerate(ind):
            if v[j] < 0:
                warnings.warn(
                    f"Item {item!r} correlates negatively with the rest of construct"
                    f" {f!r} (corrected item-total r = {_r_drop(C, j):.3f}; negative"
                    " loading on the construct's first principal component); it probably"
                    " needs reverse coding (trustsem.data.prep.reverse_code) before computing"
                    " reliability.", DataQualityWarning, stacklevel=4)


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


# ---------------------------------------------------------------------------
# item analysis
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class ItemAnalysisResult:
    """Per-item statistics and response distributions.

    Attributes
    ----------
    items : pandas.DataFrame
        One row per item: ``construct, item, n, n_missing, mean, sd, min,
        max, skew, kurtosis, r_drop, alpha_if_deleted, alpha_std_if_deleted,
        loading, loading_below_50, loading_below_70``.
    responses : pandas.DataFrame
        Long response distribution: ``item, value, n, pct`` (pct of the
        item's answered cases, 0-100; unanswered cases are ``n_missing`` in
        ``items``).
    notes : tuple of str
    """

    items: pd.DataFrame
    responses: pd.DataFrame
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        """Text/HTML summary of the item table."""
        notes = list(self.notes) + [
            ("skew/kurtosis: psych::describe type 3 (b1 = m3/s^3, b2 = m4/s^4 - 3, s ="
            " SD with N-1); r_drop = corrected item-total correlation; loading ="
            " standardized CFA loading (std_all).")]
        return Summary("Item analysis", [("Items", len(self.items))],
                       [("Items", self.items)], notes)

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _r_drop(C: np.ndarray, j: int) -> float:
    """Correlation of item j with the sum of the other items (psych r.drop)."""
    others = [i for i in range(C.shape[0]) if i != j]
    v_rest = C[np.ix_(others, others)].sum()
    c = C[j, others].sum()
    return float(c / np.sqrt(C[j, j] * v_rest))


def _moments(s: pd.Series) -> tuple[float, float]:
    """Skewness and excess kurtosis, psych::describe type 3 (SD with N-1)."""
    x = s.dropna().to_numpy(float)
    n = len(x)
    d = x - x.mean()
    sd = x.std(ddof=1)
    return float((d ** 3).sum() / (n * sd ** 3)), float((d ** 4).sum() / (n * sd ** 4) - 3)


def _response_table(X: pd.DataFrame) -> pd.DataFrame:
    vals = X.stack().to_numpy(float)
    integer = np.all(np.isclose(vals, np.round(vals)))
    uniq = np.unique(vals)
    if integer and uniq.max() - uniq.min() <= 20:
        levels = np.arange(uniq.min(), uniq.max() + 1)
    else:
        levels = uniq
    rows = []
    for col in X.columns:
        s = X[col].dropna()
        counts = s.value_counts()
        present = levels if integer else np.unique(s.to_numpy(float))
        for v in present:
            k = int(counts.get(v, 0))
            rows.append({"item": col, "value": float(v), "n": k,
                         "pct": 100.0 * k / len(s)})
    out = pd.DataFrame(rows, columns=["item", "value", "n", "pct"])
    if integer:
        out["value"] = out["value"].astype(int)
    return out


@_single_thread
def item_analysis(
    data: pd.DataFrame,
    model: str | ModelSpec,
    *,
    missing: str = "listwise",
    fit: SEMResult | None = None,
) -> ItemAnalysisResult:
    """Descriptives, item-total statistics and standardized loadings per item.

    Parameters
    ----------
    data : pandas.DataFrame
    model : str or ModelSpec
        lavaan syntax; only the measurement part is used.
    missing : {"listwise", "fiml"}
        Missing-data handling of the CFA that gives the loadings.
    fit : SEMResult, optional
        Fitted CFA/SEM to take the standardized loadings from (no refit).

    Returns
    -------
    ItemAnalysisResult
        ``items`` (one row per item), ``responses`` (item, value, n, pct),
        ``notes``.

    Raises
    ------
    SpecificationError
        Items not in the data.
    DataError
        Text, empty or constant items.

    Warns
    -----
    DataQualityWarning
        An item's corrected item-total correlation is negative (probably a
        reverse-keyed item), naming the item and construct.

    Notes
    -----
    - ``mean``, ``sd`` (N-1), ``skew`` = ``sum((x - m)^3) / (n s^3)`` and
      ``kurtosis`` = ``sum((x - m)^4) / (n s^4) - 3`` on each item's answered
      cases: ``psych::describe(type = 3)`` (scipy: ``skew(bias=True)`` times
      ``((n-1)/n)^1.5``; this is *not* the bias-corrected type 2 of SPSS).
    - ``r_drop``: correlation of the item with the sum of the other items of
      its construct (``psych::alpha()$item.stats$r.drop``).
    - ``alpha_if_deleted`` / ``alpha_std_if_deleted``: alpha of the construct
      without the item (``psych::alpha()$alpha.drop``); undefined (and left
      empty, with a note) for two-item constructs.
    - Item-total statistics use the complete cases of the construct's items.
    - ``loading``: standardized loading (lavaan ``std.all``) from the CFA of
      the measurement model; flags for loadings below .50 and .70.

    Validated against psych 2.2.9 (1e-6) and lavaan 0.6-14 (1e-3).
    """
    missing = _check_missing(missing)
    fit = _check_fit(fit)
    struct = _structure(model)
    X = _numeric_items(data, struct.items)
    notes = []
    _reverse_key_check(X, struct)
    if fit is None:
        fit = _fit_measurement(struct, data, missing)
    est = fit.estimates
    load = est[est["op"] == "=~"].set_index(["lhs", "rhs"])["std_all"]
    rows = []
    n_cc: dict[str, int] = {}
    for f, ind in struct.constructs.items():
        obs = [i for i in ind if i in struct.items]
        if not obs:
            continue
        stats: dict[str, tuple[float, float, float]] = {}
        if len(obs) >= 2 and f not in struct.higher:
            Xc = _complete(X[obs], None, f"Item-total statistics of {f!r}")
            n_cc[f] = len(Xc)
            C = np.cov(Xc.to_numpy(float), rowvar=False)
            for j, item in enumerate(obs):
                if len(obs) > 2:
                    keep = [i for i in range(len(obs)) if i != j]
                    a_raw, a_std = _alpha_pair(C[np.ix_(keep, keep)])
                else:
                    a_raw = a_std = np.nan
                stats[item] = (_r_drop(C, j), a_raw, a_std)
            if len(obs) == 2:
                notes.append(f"Construct {f!r} has two items: alpha if item deleted is"
                             " undefined (one item would remain) and is left empty.")
        elif len(obs) == 1:
            notes.append(f"Construct {f!r} has a single item ({obs[0]}): item-total"
                         " statistics are undefined and left empty.")
        for item in obs:
            s = X[item]
            sk, ku = _moments(s)
            r, a_raw, a_std = stats.get(item, (np.nan, np.nan, np.nan))
            lam = float(load.get((f, item), np.nan))
            rows.append({
                "construct": f, "item": item, "n": int(s.notna().sum()),
                "n_missing": int(s.isna().sum()), "mean": float(s.mean()),
                "sd": float(s.std(ddof=1)), "min": float(s.min()), "max": float(s.max()),
                "skew": sk, "kurtosis": ku, "r_drop": r, "alpha_if_deleted": a_raw,
                "alpha_std_if_deleted": a_std, "loading": lam,
                "loading_below_50": bool(lam < LOADING_THRESHOLDS[0]),
                "loading_below_70": bool(lam < LOADING_THRESHOLDS[1]),
            })
    items = pd.DataFrame(rows)
    _complete_cases_note(notes, "Item-total statistics (r_drop, alpha if deleted)",
                         pd.Series(n_cc, dtype=int), len(X))
    return ItemAnalysisResult(items=items, responses=_response_table(X[struct.items]),
                              notes=tuple(dict.fromkeys(notes)))


# ---------------------------------------------------------------------------
# HTMT
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class HTMTResult:
    """Heterotrait-monotrait ratios of correlations.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per pair of constructs: ``construct1, construct2, htmt``
        (classic, arithmetic means), ``htmt2`` (geometric means, the
        semTools default), ``below_85``, ``below_90`` (HTMT2 under the
        cut-off), with a bootstrap ``htmt_ci_lower, htmt_ci_upper,
        htmt2_ci_lower, htmt2_ci_upper, ci_below_90``, and ``verdict``.
    matrix : pandas.DataFrame
        Symmetric HTMT2 matrix (ones on the diagonal), like
        ``semTools::htmt()``.
    matrix_classic : pandas.DataFrame
        The same for the classic HTMT (``htmt(..., htmt2 = FALSE)``).
    n_obs : int
    notes : tuple of str
    """

    table: pd.DataFrame
    matrix: pd.DataFrame
    matrix_classic: pd.DataFrame
    n_obs: int
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        """Text/HTML summary of the pair table."""
        notes = list(self.notes) + [
            ("htmt: Henseler et al. (2015), arithmetic means of absolute item"
            " correlations; htmt2: Roemer et al. (2021), geometric means (semTools"
            " default). Verdicts use htmt2 with cut-offs .85 and .90.")]
        return Summary("Discriminant validity: HTMT", [("Observations", self.n_obs)],
                       [("HTMT", self.table)], notes)

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _htmt_matrices(R: np.ndarray, pos: dict[str, int],
                   cons: dict[str, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    A = np.abs(R)
    names = list(cons)
    k = len(names)
    idx = [np.array([pos[i] for i in cons[f]]) for f in names]
    with np.errstate(divide="ignore"):
        logA = np.log(A)
    mono_a = np.empty(k)
    mono_g = np.empty(k)
    for a, ia in enumerate(idx):
        sub = A[np.ix_(ia, ia)]
        iu = np.triu_indices(len(ia), 1)
        mono_a[a] = sub[iu].mean()
        mono_g[a] = np.exp(logA[np.ix_(ia, ia)][iu].mean())
    H = np.eye(k)
    H2 = np.eye(k)
    for a in range(k):
        for b in range(a + 1, k):
            het = A[np.ix_(idx[a], idx[b])]
            H[a, b] = H[b, a] = het.mean() / np.sqrt(mono_a[a] * mono_a[b])
            g = np.exp(logA[np.ix_(idx[a], idx[b])].mean())
            H2[a, b] = H2[b, a] = g / np.sqrt(mono_g[a] * mono_g[b])
    return H, H2


def _htmt_verdict(h2: float, hi: float | None) -> str:
    lo85, lo90 = HTMT_THRESHOLDS
    if h2 < lo85:
        v = "distinct (HTMT2 < .85)"
    elif h2 < lo90:
        v = "distinct only under the liberal cut-off (.85 <= HTMT2 < .90)"
    else:
        v = "not distinct (HTMT2 >= .90)"
    if hi is not None and not np.isnan(hi):
        v += "; CI upper bound " + ("< .90" if hi < lo90 else ">= .90")
    return v


@_single_thread
def htmt(
    data: pd.DataFrame,
    model: str | ModelSpec,
    *,
    missing: str = "listwise",
    bootstrap: int = 0,
    seed: int | None = None,
    level: float = 0.95,
) -> HTMTResult:
    """Heterotrait-monotrait ratio (classic HTMT and HTMT2) for every pair.

    Parameters
    ----------
    data : pandas.DataFrame
    model : str or ModelSpec
        lavaan syntax; the ``=~`` lines define the constructs.
    missing : {"listwise", "fiml"}
        Item correlations from the complete rows of all model items
        (``semTools::htmt()`` default), or the EM estimate of the saturated
        model (``htmt(..., missing = "ml")``).
    bootstrap : int
        Bootstrap draws for percentile intervals (0 = none). Cheap: no model
        is fitted.
    seed : int, optional
    level : float
        Confidence level of the intervals.

    Returns
    -------
    HTMTResult
        ``table`` (one row per pair, with verdicts), ``matrix`` (HTMT2),
        ``matrix_classic``, ``notes``.

    Raises
    ------
    SpecificationError
        Items not in the data; fewer than two constructs with two or more
        items.
    DataError
        Text, empty or constant items.

    Notes
    -----
    With absolute item correlations |r| (``semTools::htmt(absolute = TRUE)``,
    the default), for constructs i and j:

    - classic (Henseler, Ringle & Sarstedt 2015):
      ``HTMT_ij = mean(|r| between) / sqrt(mean(|r| within i) * mean(|r|
      within j))`` = ``semTools::htmt(model, data, htmt2 = FALSE)``.
    - HTMT2 (Roemer, Schuberth & Henseler 2021): the same with geometric
      means = ``semTools::htmt(model, data)`` (default ``htmt2 = TRUE``).

    Verdicts use HTMT2: below .85 distinct, .85-.90 distinct only under the
    liberal cut-off, .90 or more not distinct. With a bootstrap the upper
    bound of the percentile interval is compared with .90 as well. Constructs
    with a single item have no monotrait correlations and are left out.
    Validated against semTools 0.5-6 to 1e-6.

    References
    ----------
    Henseler, Ringle & Sarstedt (2015) J Academy of Marketing Science
    43:115-135; Roemer, Schuberth & Henseler (2021) Industrial Management &
    Data Systems 121:2637-2650.

    Examples
    --------
    >>> from trustsem.data.datasets import load_example
    >>> from trustsem.measurement import htmt
    >>> hs = load_example("holzinger_swineford_1939")
    >>> res = htmt(hs, "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6")
    >>> round(float(res.matrix.loc["visual", "textual"]), 3)   # semTools::htmt()
    0.384
    """
    missing = _check_missing(missing)
    bootstrap = check_positive_int("bootstrap", bootstrap, minimum=0)
    level = check_interval("level", level, 0.0, 1.0)
    struct = _structure(model)
    notes = struct.skip_notes("HTMT")
    cons = struct.first_order
    if len(cons) < 2:
        raise SpecificationError(
            "HTMT needs at least two constructs with two or more items each; the model"
            f" has {list(cons)}.")
    X = _numeric_items(data, struct.items)
    used = [i for i in struct.items if any(i in ind for ind in cons.values())]
    X = X[used]
    pos = {v: k for k, v in enumerate(used)}
    R, n = _item_correlation(X, missing, notes, "HTMT")
    neg = [(f, a, b) for f, ind in cons.items() for ai, a in enumerate(ind)
           for b in ind[ai + 1:] if R[pos[a], pos[b]] < 0]
    if neg:
        notes.append("Negative correlations within a construct ("
                     + ", ".join(f"{a}-{b} in {f}" for f, a, b in neg[:5])
                     + "): HTMT uses absolute values; check for reverse-keyed items.")
    H, H2 = _htmt_matrices(R, pos, cons)
    names = list(cons)
    pairs = [(a, b) for a in range(len(names)) for b in range(a + 1, len(names))]
    tab = pd.DataFrame({
        "construct1": [names[a] for a, _ in pairs],
        "construct2": [names[b] for _, b in pairs],
        "htmt": [H[a, b] for a, b in pairs],
        "htmt2": [H2[a, b] for a, b in pairs],
    })
    tab["below_85"] = tab["htmt2"] < HTMT_THRESHOLDS[0]
    tab["below_90"] = tab["htmt2"] < HTMT_THRESHOLDS[1]
    hi = [None] * len(pairs)
    if bootstrap:
        rng = np.random.default_rng(seed)
        base = X.reset_index(drop=True)
        if missing == "listwise":
            base = base.dropna().reset_index(drop=True)
        draws = np.full((bootstrap, len(pairs), 2), np.nan)
        failed = 0
        for b in range(bootstrap):
            xb = base.iloc[rng.integers(0, len(base), len(base))]
            try:
                if missing == "listwise":
                    with np.errstate(invalid="ignore", divide="ignore"):
                        Rb = np.corrcoef(xb.to_numpy(float), rowvar=False)
                else:
                    Rb = _cov_to_cor(_em_cov(xb)[0])
                if not np.all(np.isfinite(Rb)):
                    raise DataError("constant item in resample")
                hb, h2b = _htmt_matrices(Rb, pos, cons)
            except (TrustsemError, np.linalg.LinAlgError, ValueError):
                failed += 1
                continue
            draws[b, :, 0] = [hb[a, c] for a, c in pairs]
            draws[b, :, 1] = [h2b[a, c] for a, c in pairs]
        lo, up = _percentile_ci(draws, level)
        tab["htmt_ci_lower"], tab["htmt_ci_upper"] = lo[:, 0], up[:, 0]
        tab["htmt2_ci_lower"], tab["htmt2_ci_upper"] = lo[:, 1], up[:, 1]
        tab["ci_below_90"] = tab["htmt2_ci_upper"] < HTMT_THRESHOLDS[1]
        hi = list(tab["htmt2_ci_upper"])
        notes.append(f"Percentile bootstrap ({100 * level:g}%): {bootstrap - failed} of"
                     f" {bootstrap} draws used.")
        if failed:
            notes.append(f"{failed} draw(s) failed (a constant item in the resample) and"
                         " were left out.")
    tab["verdict"] = [_htmt_verdict(h, u) for h, u in zip(tab["htmt2"], hi)]
    return HTMTResult(
        table=tab,
        matrix=pd.DataFrame(H2, index=pd.Index(names, name="construct"), columns=names),
        matrix_classic=pd.DataFrame(H, index=pd.Index(names, name="construct"),
                                    columns=names),
        n_obs=int(n), notes=tuple(dict.fromkeys(notes)))


# ---------------------------------------------------------------------------
# Fornell-Larcker
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class FornellLarckerResult:
    """Fornell-Larcker criterion.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Indexed by construct: sqrt(AVE) on the diagonal, model-implied latent
        correlations off the diagonal (symmetric).
    table : pandas.DataFrame
        One row per construct: ``construct, sqrt_ave, max_correlation``
        (largest absolute correlation with another construct),
        ``max_with``, ``passed`` (sqrt_ave > max_correlation).
    notes : tuple of str
    """

    matrix: pd.DataFrame
    table: pd.DataFrame
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        """Text/HTML summary: the matrix and the per-construct verdicts."""
        return Summary("Discriminant validity: Fornell-Larcker", [],
                       [("sqrt(AVE) (diagonal) and latent correlations",
                         _summary_table(self.matrix)), ("Criterion", self.table)],
                       list(self.notes))

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


@_single_thread
def fornell_larcker(
    data: pd.DataFrame | SEMResult | None = None,
    model: str | ModelSpec | None = None,
    *,
    fit: SEMResult | None = None,
    missing: str = "listwise",
) -> FornellLarckerResult:
    """Fornell-Larcker criterion: sqrt(AVE) versus latent correlations.

    Parameters
    ----------
    data : pandas.DataFrame or SEMResult
        Raw data (then ``model`` is required and a CFA is fitted), or a
        fitted CFA/SEM (same as ``fit=``).
    model : str or ModelSpec, optional
        lavaan syntax; only the measurement part is used.
    fit : SEMResult, optional
        A fitted CFA/SEM; no refit.
    missing : {"listwise", "fiml"}
        Missing-data handling of the CFA when one is fitted.

    Returns
    -------
    FornellLarckerResult
        ``matrix`` (sqrt(AVE) on the diagonal), ``table`` with ``passed``
        per construct, ``notes``.

    Notes
    -----
    A construct passes when ``sqrt(AVE_f) > max_g |corr(f, g)|``. AVE is
    ``semTools::AVE(fit)`` (see :func:`reliability`); the correlations are
    the model-implied latent correlations (``lavInspect(fit, "cor.lv")``,
    equal to the ``std_all`` of the factor covariances in a CFA). Only
    first-order constructs with two or more items enter. Validated against
    lavaan 0.6-14 / semTools 0.5-6 to 1e-3.

    References
    ----------
    Fornell & Larcker (1981) Journal of Marketing Research 18:39-50.
    """
    if isinstance(data, SEMResult):
        fit, data = data, None
    fit = _check_fit(fit)
    missing = _check_missing(missing)
    if model is None and fit is None:
        raise SpecificationError("Give `model` (with `data`) or a fitted `fit`.")
    struct = _structure(model if model is not None else fit)  # type: ignore[arg-type]
    notes = struct.skip_notes("the Fornell-Larcker criterion")
    if fit is None:
        if data is None:
            raise SpecificationError("`data` is required when no `fit` is given.")
        _numeric_items(data, struct.items)
        fit = _fit_measurement(struct, data, missing)
    rel = _fit_reliability(fit, struct, notes)
    phi = _latent_cov(fit, notes)
    cons = list(struct.first_order)
    if len(cons) < 2:
        raise SpecificationError("The Fornell-Larcker criterion needs at least two"
                                 " constructs with two or more items each.")
    P = phi.loc[cons, cons].to_numpy(float)
    Rl = _cov_to_cor(P)
    sq = np.sqrt(rel.loc[cons, "ave"].to_numpy(float))
    M = Rl.copy()
    np.fill_diagonal(M, sq)
    rows = []
    for a, f in enumerate(cons):
        off = np.abs(Rl[a]).copy()
        off[a] = -np.inf
        b = int(np.argmax(off))
        rows.append({"construct": f, "sqrt_ave": sq[a], "max_correlation": off[b],
                     "max_with": cons[b], "passed": bool(sq[a] > off[b])})
        if np.isnan(sq[a]):
            notes.append(f"{f!r}: AVE undefined, so the criterion cannot be checked"
                         " (passed = False).")
    if not fit.converged:
        notes.append("The CFA did not converge; the criterion is unreliable.")
    return FornellLarckerResult(
        matrix=pd.DataFrame(M, index=pd.Index(cons, name="construct"), columns=cons),
        table=pd.DataFrame(rows), notes=tuple(dict.fromkeys(notes)))


# ---------------------------------------------------------------------------
# cross-loadings
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class CrossLoadingsResult:
    """Item correlations with every construct score.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Indexed by item, one column per construct: correlation of the item
        with the construct's unit-weighted score.
    table : pandas.DataFrame
        One row per item: ``item, construct, own`` (correlation with its own
        construct), ``max_other``, ``max_other_construct``, ``passed`` (own >
        every other).
    n_obs : int
    notes : tuple of str
    """

    matrix: pd.DataFrame
    table: pd.DataFrame
    n_obs: int
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        """Text/HTML summary of the cross-loading matrix and verdicts."""
        return Summary("Discriminant validity: cross-loadings", [("Observations", self.n_obs)],
                       [("Cross-loadings", _summary_table(self.matrix)),
                        ("Criterion", self.table)], list(self.notes))

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


@_single_thread
def cross_loadings(data: pd.DataFrame, model: str | ModelSpec) -> CrossLoadingsResult:
    """Correlations of every item with every construct's score.

    Parameters
    ----------
    data : pandas.DataFrame
    model : str or ModelSpec
        lavaan syntax; the ``=~`` lines define the constructs.

    Returns
    -------
    CrossLoadingsResult
        ``matrix`` (items x constructs), ``table`` with a verdict per item,
        ``notes``.

    Notes
    -----
    Construct scores are **unit-weighted means** of each construct's items
    (not factor scores), computed on the rows that answered every model item.
    As in PLS-SEM cross-loading tables, an item's own construct score
    contains the item itself, which inflates its own correlation a little
    (most for short scales). An item passes when it correlates more strongly
    with its own construct than with any other. Higher-order factors are left
    out (their first-order factors are shown). R equivalent: ``cor(items,
    sapply(constructs, function(it) rowMeans(data[, it])))``.
    """
    struct = _structure(model)
    X = _numeric_items(data, struct.items)
    notes = [f"Construct {f!r} is a higher-order factor; its first-order factors are"
             " shown instead." for f in struct.higher]
    Xc = _complete(X, notes, "Cross-loadings")
    cons = {f: ind for f, ind in struct.constructs.items() if f not in struct.higher}
    scores = _unit_scores(Xc, cons)
    Z = np.corrcoef(np.column_stack([Xc.to_numpy(float), scores.to_numpy(float)]),
                    rowvar=False)
    p = len(struct.items)
    M = pd.DataFrame(Z[:p, p:], index=pd.Index(struct.items, name="item"),
                     columns=list(cons))
    rows = []
    for f, ind in cons.items():
        for item in ind:
            others = M.loc[item].drop(f)
            if len(others) == 0:
                continue
            j = others.abs().idxmax()
            rows.append({"item": item, "construct": f, "own": M.loc[item, f],
                         "max_other": others[j], "max_other_construct": j,
                         "passed": bool(M.loc[item, f] > abs(others[j]))})
    return CrossLoadingsResult(matrix=M, table=pd.DataFrame(rows), n_obs=len(Xc),
                               notes=tuple(dict.fromkeys(notes)))


# ---------------------------------------------------------------------------
# report bundle
# ---------------------------------------------------------------------------

_REPORT_TITLES = {
    "reliability": "Reliability and convergent validity", "items": "Item analysis",
    "htmt": "Discriminant validity: HTMT",
    "fornell_larcker": "Fornell-Larcker: sqrt(AVE) (diagonal) and latent correlations",
    "fornell_larcker_table": "Fornell-Larcker criterion",
    "cross_loadings": "Cross-loadings (item x construct mean score)",
    "kmo": "Kaiser-Meyer-Olkin sampling adequacy", "bartlett": "Bartlett's test of sphericity",
    "cmb_verdicts": "Common-method bias",
}


@dataclass(frozen=True, slots=True, eq=False)
class MeasurementReport:
    """Every measurement-model table, ready for a report to render.

    Attributes
    ----------
    reliability : pandas.DataFrame
        :attr:`ReliabilityResult.table` (indexed by construct).
    items : pandas.DataFrame
        :attr:`ItemAnalysisResult.items`.
    responses : pandas.DataFrame
        :attr:`ItemAnalysisResult.responses`.
    htmt : pandas.DataFrame
        :attr:`HTMTResult.table`.
    fornell_larcker : pandas.DataFrame
        :attr:`FornellLarckerResult.matrix` (sqrt(AVE) on the diagonal).
    fornell_larcker_table : pandas.DataFrame
    cross_loadings : pandas.DataFrame
        :attr:`CrossLoadingsResult.matrix`.
    kmo : pandas.DataFrame
        Per-item MSA plus an ``overall`` row (:func:`trustsem.measurement.efa.kmo`).
    bartlett : pandas.DataFrame
        One row: ``chisq, df, pvalue, n_obs``.
    cmb : CMBResult or None
        The common-method-bias battery (:func:`trustsem.measurement.cmb.cmb_battery`).
    fit : SEMResult
        The CFA of the measurement model all CFA-based numbers come from.
    notes : tuple of str
        Notes of every part and every warning raised while computing them.
    """

    reliability: pd.DataFrame
    items: pd.DataFrame
    responses: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    fornell_larcker_table: pd.DataFrame
    cross_loadings: pd.DataFrame
    kmo: pd.DataFrame
    bartlett: pd.DataFrame
    cmb: Any
    fit: SEMResult = field(repr=False)
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables by name (for renderers)."""
        out = {
            "reliability": _summary_table(self.reliability), "items": self.items,
            "responses": self.responses, "htmt": self.htmt,
            "fornell_larcker": _summary_table(self.fornell_larcker),
            "fornell_larcker_table": self.fornell_larcker_table,
            "cross_loadings": _summary_table(self.cross_loadings), "kmo": self.kmo,
            "bartlett": self.bartlett,
        }
        if self.cmb is not None:
            out["cmb_verdicts"] = self.cmb.verdicts
        return out

    def summary(self) -> Summary:
        """Text/HTML summary of every table (response distribution left out)."""
        blocks = [(_REPORT_TITLES.get(k, k), v) for k, v in self.tables().items()
                  if k != "responses"]
        head = [("Observations (CFA)", self.fit.n_obs),
                ("Missing data", self.fit.options.get("missing", ""))]
        return Summary("Measurement model report", head, blocks, list(self.notes))

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


@_single_thread
def measurement_report(
    data: pd.DataFrame,
    model: str | ModelSpec,
    *,
    missing: str = "listwise",
    bootstrap: int = 0,
    seed: int | None = None,
    marker: str | None = None,
    cmb: bool = True,
) -> MeasurementReport:
    """Run every measurement check once and collect the tables.

    Parameters
    ----------
    data : pandas.DataFrame
    model : str or ModelSpec
        lavaan syntax; only the measurement part is used.
    missing : {"listwise", "fiml"}
        Used by the CFA (reliability, loadings, Fornell-Larcker, CMB) and by
        the item correlations (HTMT, KMO, Bartlett: complete rows, or the EM
        estimate under FIML).
    bootstrap : int
        Bootstrap draws for the HTMT intervals (cheap) and the reliability
        intervals (one CFA refit per draw).
    seed : int, optional
    marker : str, optional
        Marker-variable column for the Lindell-Whitney adjustment.
    cmb : bool
        Run the common-method-bias battery (three extra CFA fits).

    Returns
    -------
    MeasurementReport
        Frozen bundle of DataFrames, the CFA, the CMB result and notes.

    Notes
    -----
    The CFA of the measurement model is fitted once and shared. Warnings
    raised by the parts are collected, de-duplicated, re-raised once each and
    copied into ``notes``.
    """
    from .cmb import cmb_battery
    from .efa import bartlett, kmo

    missing = _check_missing(missing)
    struct = _structure(model)
    _numeric_items(data, struct.items)
    messages: list[tuple[str, type[Warning]]] = []
    notes: list[str] = []

    def run(fn: Callable[[], Any]) -> Any:
        out, msgs = _quiet(fn)
        messages.extend(msgs)
        return out

    fit = run(lambda: _fit_measurement(struct, data, missing))
    rel = run(lambda: reliability(data, model, fit=fit, bootstrap=bootstrap, seed=seed))
    ia = run(lambda: item_analysis(data, model, fit=fit))
    ht = run(lambda: htmt(data, model, missing=missing, bootstrap=bootstrap, seed=seed))
    fl = run(lambda: fornell_larcker(fit=fit, model=model))
    cl = run(lambda: cross_loadings(data, model))
    cm = "fiml" if missing == "fiml" else "listwise"
    km = run(lambda: kmo(data, struct.items, missing=cm))
    bt = run(lambda: bartlett(data, struct.items, missing=cm))
    cb = None
    if cmb:
        try:
            cb = run(lambda: cmb_battery(data, model, marker=marker, missing=missing,
                                              fit=fit))
        except TrustsemError as err:
            notes.append(f"The common-method-bias battery could not be run: {err}")
    for part in (fit, rel, ia, ht, fl, cl, km, bt) + ((cb,) if cb is not None else ()):
        notes.extend(getattr(part, "notes", ()))
    seen = list(dict.fromkeys(messages))
    for msg, cat in seen:
        warnings.warn(msg, cat, stacklevel=3)
    notes.extend(msg for msg, _ in seen)
    kmo_tab = pd.concat([km.table, pd.DataFrame({"item": ["overall"], "msa": [km.overall],
                                                 "label": [km.label]})],
                        ignore_index=True)
    return MeasurementReport(
        reliability=rel.table, items=ia.items, responses=ia.responses, htmt=ht.table,
        fornell_larcker=fl.matrix, fornell_larcker_table=fl.table,
        cross_loadings=cl.matrix, kmo=kmo_tab, bartlett=bt.table, cmb=cb, fit=fit,
        notes=tuple(dict.fromkeys(notes)))



@dataclass(frozen=True)
class OrdinalReliabilityResult:
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

    def __str__(self) -> str:
        return self.summary().as_text()


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
