"""Shared ground of the measurement checks: model structure, item data, CFA helpers.

Every module of :mod:`trustsem.measurement` reads a model's measurement part,
validates the item columns and fits the measurement CFA through the helpers
here; nothing in this module imports the checks themselves.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .._validation import (
    check_columns,
    check_dataframe,
    check_numeric_columns,
    check_option,
    format_value,
)
from ..exceptions import (
    DataError,
    DataQualityWarning,
    MissingDataWarning,
    SpecificationError,
    TrustsemWarning,
)
from ..sem.results import SEMResult
from ..sem.spec import ModelSpec

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
# model structure and data helpers
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



def _r_drop(C: np.ndarray, j: int) -> float:
    """Correlation of item j with the sum of the other items (psych r.drop)."""
    others = [i for i in range(C.shape[0]) if i != j]
    v_rest = C[np.ix_(others, others)].sum()
    c = C[j, others].sum()
    return float(c / np.sqrt(C[j, j] * v_rest))


# ---------------------------------------------------------------------------
# correlation input of the factor-analytic checks
# ---------------------------------------------------------------------------

def _corr_input(data: pd.DataFrame, items: Sequence[str] | None,
                missing: str) -> tuple[np.ndarray, int, list[str], list[str]]:
    """Correlation matrix, n, item names and notes; validated and non-singular."""
    data = check_dataframe(data)
    missing = check_option("missing", missing, ["listwise", "pairwise", "fiml", "ml"])
    if missing == "ml":
        missing = "fiml"
    if items is None:
        items = [str(c) for c in data.columns]
    elif isinstance(items, str):
        items = [items]
    items = list(items)
    if len(items) < 2:
        raise SpecificationError(
            f"`items` must name at least two columns; got {format_value(items)}.")
    X = _numeric_items(data, items)
    notes: list[str] = []
    if missing == "listwise":
        Xc = X.dropna()
        if len(Xc) < len(X):
            msg = (f"Listwise deletion for the item correlations: used {len(Xc)} of"
                   f" {len(X)} rows ({len(X) - len(Xc)} with missing answers dropped)."
                   " Use missing='fiml' (EM) or 'pairwise' to keep them.")
            notes.append(msg)
            warnings.warn(msg, MissingDataWarning, stacklevel=4)
        for col in items:
            if Xc[col].nunique() < 2:
                raise DataError(f"Item {col!r} is constant among the complete rows.")
        if len(Xc) < 3:
            raise DataError(f"Only {len(Xc)} complete row(s); at least 3 are needed.")
        R = np.corrcoef(Xc.to_numpy(float), rowvar=False)
        n = len(Xc)
    elif missing == "pairwise":
        R = X.corr(min_periods=3).to_numpy(float)
        if np.isnan(R).any():
            i, j = np.argwhere(np.isnan(R))[0]
            raise DataError(f"Items {items[i]!r} and {items[j]!r} are answered together"
                            " by fewer than 3 respondents; their correlation is undefined.")
        n = len(X)
        notes.append(f"Pairwise-complete correlations; n = {n} (all rows, as psych uses).")
    else:
        S, n, ok = _em_cov(X)
        R = _cov_to_cor(S)
        notes.append(f"Item correlations: EM (saturated FIML) estimate from {n} rows.")
        if not ok:
            notes.append("The EM algorithm did not fully converge.")
    _check_singular(R, items, "")
    return R, n, items, notes
