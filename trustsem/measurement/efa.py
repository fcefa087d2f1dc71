"""Exploratory factor analysis: KMO, Bartlett's test, parallel analysis, EFA.

The numbers equal the R package psych (2.2.9), checked in
``tests/reference`` (``measurement_<data>.R``):

==========================  ===============================================
function                    R equivalent
==========================  ===============================================
:func:`kmo`                 ``psych::KMO(X)``
:func:`bartlett`            ``psych::cortest.bartlett(cor(X), n = nrow(X))``
:func:`parallel_analysis`   ``psych::fa.parallel(X, fm = "minres")`` (the
                            simulated-normal-data part)
:func:`efa`                 ``psych::fa(X, nfactors, fm, rotate)`` with
                            ``fm = "ml"``/``"minres"`` and ``rotate =
                            "none"``/``"varimax"``/``"oblimin"``/``"promax"``
==========================  ===============================================

Extraction and rotation are implemented here (numpy/scipy): factor_analyzer
0.5.1 cannot fit with scikit-learn >= 1.8 (its ``check_array`` call uses the
removed ``force_all_finite`` argument), and its promax differs from psych's
(psych applies Kaiser normalization around its ``Promax``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._validation import (
    check_dataframe,
    check_interval,
    check_option,
    check_positive_int,
    format_value,
)
from ..exceptions import (
    ConvergenceWarning,
    DataError,
    HeywoodCaseWarning,
    MissingDataWarning,
    SpecificationError,
)
from ..sem.results import Summary
from .core import (
    _check_singular,
    _cov_to_cor,
    _em_cov,
    _numeric_items,
    _single_thread,
)

__all__ = [
    "BartlettResult",
    "EFAResult",
    "KMOResult",
    "ParallelResult",
    "bartlett",
    "efa",
    "kmo",
    "parallel_analysis",
]

_LOWER = 0.005          # psych's lower bound for uniquenesses
_KMO_LABELS = [(0.90, "marvelous"), (0.80, "meritorious"), (0.70, "middling"),
               (0.60, "mediocre"), (0.50, "miserable"), (-np.inf, "unacceptable")]


def _kmo_label(v: float) -> str:
    for cut, lab in _KMO_LABELS:
        if v >= cut:
            return lab
    return "unacceptable"


# ---------------------------------------------------------------------------
# input
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
        raise SpecificationError(f"`items` must name at least two columns; got {format_value(items)}.")
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


# ---------------------------------------------------------------------------
# KMO and Bartlett
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy.

    Attributes
    ----------
    overall : float
        Overall MSA.
    label : str
        Kaiser's (1974) label for ``overall``.
    table : pandas.DataFrame
        ``item, msa, label`` (per-item MSA).
    n_obs : int
    notes : tuple of str
    """

    overall: float
    label: str
    table: pd.DataFrame
    n_obs: int
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        """Text/HTML summary."""
        return Summary("Kaiser-Meyer-Olkin sampling adequacy",
                       [("Overall MSA", self.overall), ("Label", self.label),
                        ("Observations", self.n_obs)],
                       [("Per item", self.table)],
                       list(self.notes) + [("Kaiser (1974): >= .90 marvelous, .80"
                                           " meritorious, .70 middling, .60 mediocre, .50"
                                           " miserable, below .50 unacceptable.")])

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


@_single_thread
def kmo(data: pd.DataFrame, items: Sequence[str] | None = None, *,
        missing: str = "listwise") -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    Parameters
    ----------
    data : pandas.DataFrame
    items : sequence of str, optional
        Columns to use (default: every column, which must then be numeric).
    missing : {"listwise", "pairwise", "fiml"}
        Complete rows (default), pairwise-complete correlations (what
        ``psych::KMO()`` does with raw data containing NAs) or the EM
        correlation matrix.

    Returns
    -------
    KMOResult
        ``overall``, ``label``, ``table`` (item, msa, label), ``notes``.

    Raises
    ------
    SpecificationError
        Columns not in the data.
    DataError
        Text, empty or constant items; a singular correlation matrix (naming
        the items involved).

    Warns
    -----
    MissingDataWarning
        Rows dropped by listwise deletion.

    Notes
    -----
    With R the item correlations and A the anti-image (partial) correlations,
    ``a_ij = -q_ij / sqrt(q_ii q_jj)`` from ``Q = R^-1``:
    ``MSA_i = sum_j r_ij^2 / (sum_j r_ij^2 + sum_j a_ij^2)`` (j != i) and the
    overall MSA is the same ratio summed over all i != j. Equals
    ``psych::KMO()`` (psych 2.2.9) to 1e-6.

    References
    ----------
    Kaiser (1970) Psychometrika 35:401-415; Kaiser (1974) Psychometrika
    39:31-36.

    Examples
    --------
    >>> from trustsem.data.datasets import load_example
    >>> from trustsem.measurement.efa import kmo
    >>> hs = load_example("holzinger_swineford_1939")
    >>> res = kmo(hs, [f"x{i}" for i in range(1, 10)])
    >>> round(res.overall, 3), res.label
    (0.752, 'middling')
    """
    R, n, names, notes = _corr_input(data, items, missing)
    Q = np.linalg.inv(R)
    d = 1.0 / np.sqrt(np.diag(Q))
    A = Q * np.outer(d, d)
    r2 = R ** 2
    a2 = A ** 2
    np.fill_diagonal(r2, 0.0)
    np.fill_diagonal(a2, 0.0)
    msa_i = r2.sum(axis=0) / (r2.sum(axis=0) + a2.sum(axis=0))
    overall = float(r2.sum() / (r2.sum() + a2.sum()))
    tab = pd.DataFrame({"item": names, "msa": msa_i,
                        "label": [_kmo_label(v) for v in msa_i]})
    return KMOResult(overall=overall, label=_kmo_label(overall), table=tab, n_obs=int(n),
                     notes=tuple(notes))


@dataclass(frozen=True, slots=True, eq=False)
class BartlettResult:
    """Bartlett's test of sphericity (is R an identity matrix?).

    Attributes
    ----------
    chisq, df, pvalue : float
    n_obs : int
    verdict : str
    notes : tuple of str
    """

    chisq: float
    df: int
    pvalue: float
    n_obs: int
    verdict: str
    notes: tuple[str, ...]

    @property
    def table(self) -> pd.DataFrame:
        """One-row DataFrame: ``chisq, df, pvalue, n_obs, verdict``."""
        return pd.DataFrame([{"chisq": self.chisq, "df": self.df, "pvalue": self.pvalue,
                              "n_obs": self.n_obs, "verdict": self.verdict}])

    def summary(self) -> Summary:
        """Text/HTML summary."""
        return Summary("Bartlett's test of sphericity",
                       [("Chi-square", self.chisq), ("df", self.df),
                        ("p-value", self.pvalue), ("Observations", self.n_obs)],
                       [], list(self.notes) + [self.verdict])

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


@_single_thread
def bartlett(data: pd.DataFrame, items: Sequence[str] | None = None, *,
             missing: str = "listwise", alpha: float = 0.05) -> BartlettResult:
    """Bartlett's test that the item correlation matrix is an identity matrix.

    Parameters
    ----------
    data : pandas.DataFrame
    items : sequence of str, optional
        Columns to use (default: every column).
    missing : {"listwise", "pairwise", "fiml"}
        As in :func:`kmo`. With ``"pairwise"`` n is the number of rows, as in
        ``psych::cortest.bartlett()`` on raw data.
    alpha : float
        Significance level for the verdict.

    Returns
    -------
    BartlettResult
        ``chisq``, ``df``, ``pvalue``, ``n_obs``, ``verdict``, ``table``.

    Raises
    ------
    SpecificationError, DataError
        As in :func:`kmo`.

    Notes
    -----
    ``chisq = -(n - 1 - (2p + 5) / 6) ln det R`` with ``df = p (p - 1) / 2``
    = ``psych::cortest.bartlett(R, n)`` (psych 2.2.9; 1e-6). A significant
    test means the items share enough variance for factor analysis.

    References
    ----------
    Bartlett (1950) British Journal of Psychology 3:77-85.
    """
    alpha = check_interval("alpha", alpha, 0.0, 1.0)
    R, n, names, notes = _corr_input(data, items, missing)
    p = len(names)
    _sign, logdet = np.linalg.slogdet(R)
    chisq = float(-logdet * (n - 1 - (2 * p + 5) / 6))
    df = p * (p - 1) // 2
    pval = float(stats.chi2.sf(chisq, df))
    verdict = (f"The items are correlated (p {'<' if pval < alpha else '>='} {alpha:g}):"
               + (" factor analysis is appropriate." if pval < alpha else
                  " the correlation matrix is close to an identity matrix; factor"
                  " analysis is not appropriate."))
    return BartlettResult(chisq=chisq, df=df, pvalue=pval, n_obs=int(n), verdict=verdict,
                          notes=tuple(notes))


# ---------------------------------------------------------------------------
# extraction
# ---------------------------------------------------------------------------

def _top_eig(S: np.ndarray, nf: int) -> tuple[np.ndarray, np.ndarray]:
    w, V = np.linalg.eigh(S)
    return w[::-1][:nf], V[:, ::-1][:, :nf]


def _minres_parts(psi: np.ndarray, R: np.ndarray,
                  nf: int) -> tuple[np.ndarray, np.ndarray]:
    S = R - np.diag(psi)
    w, V = _top_eig(S, nf)
    L = V * np.sqrt(np.maximum(w, 0.0))
    E = S - L @ L.T
    return L, E


def _minres_fg(psi: np.ndarray, R: np.ndarray, nf: int) -> tuple[float, np.ndarray]:
    # ULS concentrated over the loadings: F = 1/2 ||R - Psi - LL'||^2; dF/dpsi_i = -E_ii.
    _L, E = _minres_parts(psi, R, nf)
    return 0.5 * float((E ** 2).sum()), -np.diag(E).copy()


def _ml_parts(psi: np.ndarray, R: np.ndarray, nf: int) -> tuple[np.ndarray, np.ndarray]:
    s = 1.0 / np.sqrt(psi)
    w, V = np.linalg.eigh(R * np.outer(s, s))
    w, V = w[::-1], V[:, ::-1]
    L = (np.sqrt(psi)[:, None] * V[:, :nf]) * np.sqrt(np.maximum(w[:nf] - 1.0, 0.0))
    return L, w


def _ml_fg(psi: np.ndarray, R: np.ndarray, nf: int) -> tuple[float, np.ndarray]:
    # Concentrated ML discrepancy (as in factanal / psych FAfn) and its gradient.
    L, w = _ml_parts(psi, R, nf)
    e = w[nf:]
    f = -float(np.sum(np.log(e) - e)) - nf + R.shape[0]
    g = (np.sum(L ** 2, axis=1) + psi - np.diag(R)) / psi ** 2
    return f, g


def _extract(R: np.ndarray, nf: int, method: str) -> tuple[np.ndarray, np.ndarray, bool, float]:
    """Unrotated loadings, uniquenesses, convergence flag and objective."""
    p = R.shape[0]
    smc = 1.0 - 1.0 / np.diag(np.linalg.inv(R))
    start = np.clip(1.0 - smc, _LOWER, 1.0)
    fg = _minres_fg if method == "minres" else _ml_fg
    res = optimize.minimize(fg, start, args=(R, nf), jac=True, method="L-BFGS-B",
                            bounds=[(_LOWER, 1.0)] * p,
                            options={"maxiter": 10000, "ftol": 1e-15, "gtol": 1e-10,
                                     "maxcor": 20})
    psi = res.x
    # L-BFGS-B may stop on "abnormal line search" at an optimum it cannot improve;
    # accept that when the projected gradient is ~0.
    ok = bool(res.success) or bool(
        np.max(np.abs(_projected_grad(fg, psi, R, nf))) < 1e-6)
    if method == "minres":
        L, _E = _minres_parts(psi, R, nf)
    else:
        L, _w = _ml_parts(psi, R, nf)
    return L, psi, ok, float(res.fun)


def _projected_grad(fg: Any, psi: np.ndarray, R: np.ndarray, nf: int) -> np.ndarray:
    g = fg(psi, R, nf)[1]
    at_lo = (psi <= _LOWER + 1e-10) & (g > 0)
    at_hi = (psi >= 1.0 - 1e-10) & (g < 0)
    g = g.copy()
    g[at_lo | at_hi] = 0.0
    return g


# ---------------------------------------------------------------------------
# rotation
# ---------------------------------------------------------------------------

def _varimax(L: np.ndarray, normalize: bool = True, eps: float = 1e-12,
             maxit: int = 5000) -> tuple[np.ndarray, np.ndarray]:
    """Kaiser's varimax (SVD iteration); returns rotated loadings and T (L @ T)."""
    p, k = L.shape
    sc = np.sqrt((L ** 2).sum(axis=1)) if normalize else np.ones(p)
    A = L / sc[:, None]
    T = np.eye(k)
    d = 0.0
    for _ in range(maxit):
        Z = A @ T
        B = A.T @ (Z ** 3 - Z * ((Z ** 2).sum(axis=0) / p))
        u, s, vt = np.linalg.svd(B)
        T = u @ vt
        d_old, d = d, s.sum()
        if d < d_old * (1 + eps):
            break
    return (A @ T) * sc[:, None], T


def _promax(L: np.ndarray, m: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """psych's promax: Kaiser-normalize rows, varimax, power target, rescale rows.

    Returns pattern loadings and factor correlations Phi.
    """
    h = np.sqrt((L ** 2).sum(axis=1))
    W = L / h[:, None]
    V, Tv = _varimax(W, normalize=True)
    Q = V * np.abs(V) ** (m - 1)
    U = np.linalg.lstsq(V, Q, rcond=None)[0]
    d = np.diag(np.linalg.inv(U.T @ U))
    U = U * np.sqrt(d)
    Z = V @ U
    Ui = np.linalg.inv(Tv @ U)
    return Z * h[:, None], Ui @ Ui.T


def _quartimin(L: np.ndarray) -> tuple[float, np.ndarray]:
    L2 = L ** 2
    k = L.shape[1]
    X = L2 @ (np.ones((k, k)) - np.eye(k))
    return float((L2 * X).sum() / 4.0), L * X


def _oblimin(A: np.ndarray, eps: float = 1e-6,
             maxit: int = 5000) -> tuple[np.ndarray, np.ndarray, bool]:
    """Direct quartimin (oblimin, gamma = 0) by gradient projection.

    Bernaards & Jennrich (2005) GPFoblq without row normalization, as
    GPArotation::oblimin() defaults. Returns loadings, Phi, converged.
    """
    k = A.shape[1]
    T = np.eye(k)
    al = 1.0
    L = A @ np.linalg.inv(T).T
    f, Gq = _quartimin(L)
    G = -(L.T @ Gq @ np.linalg.inv(T)).T
    converged = False
    for _ in range(maxit + 1):
        Gp = G - T * (T * G).sum(axis=0)
        s = float(np.sqrt((Gp ** 2).sum()))
        if s < eps:
            converged = True
            break
        al *= 2.0
        for _i in range(11):
            X = T - al * Gp
            Tt = X / np.sqrt((X ** 2).sum(axis=0))
            L = A @ np.linalg.inv(Tt).T
            ft, Gqt = _quartimin(L)
            if f - ft > 0.5 * s ** 2 * al:
                break
            al /= 2.0
        T = Tt
        f = ft
        G = -(L.T @ Gqt @ np.linalg.inv(T)).T
    return L, T.T @ T, converged


# ---------------------------------------------------------------------------
# EFA
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class EFAResult:
    """An exploratory factor analysis (immutable).

    Attributes
    ----------
    loadings : pandas.DataFrame
        Pattern loadings, indexed by item, columns ``F1..Fk`` ordered by
        variance explained (as psych orders them).
    structure : pandas.DataFrame
        Structure loadings (``loadings @ phi``); equal to ``loadings`` for
        orthogonal solutions.
    phi : pandas.DataFrame or None
        Factor correlations (oblique rotations only).
    communalities : pandas.DataFrame
        ``item, communality, uniqueness``.
    variance : pandas.DataFrame
        ``factor, ss_loadings, proportion, cumulative``.
    method, rotation : str
    n_factors, n_obs : int
    converged : bool
    objective : float
        Value of the extraction criterion at the solution.
    notes : tuple of str
    """

    loadings: pd.DataFrame
    structure: pd.DataFrame
    phi: pd.DataFrame | None
    communalities: pd.DataFrame
    variance: pd.DataFrame
    method: str
    rotation: str
    n_factors: int
    n_obs: int
    converged: bool
    objective: float
    notes: tuple[str, ...] = field(default=())

    @property
    def table(self) -> pd.DataFrame:
        """Long loadings: ``item, factor, loading``."""
        t = self.loadings.reset_index().melt(id_vars="item", var_name="factor",
                                             value_name="loading")
        return t

    def summary(self, *, cut: float = 0.0) -> Summary:
        """Text/HTML summary; loadings with |value| < ``cut`` are blanked."""
        L = self.loadings.copy()
        if cut > 0:
            L = L.where(L.abs() >= cut)
        blocks = [("Loadings", L.reset_index()),
                  ("Communalities", self.communalities),
                  ("Variance explained", self.variance)]
        if self.phi is not None:
            blocks.append(("Factor correlations", self.phi.reset_index()))
        head = [("Extraction", self.method), ("Rotation", self.rotation),
                ("Factors", self.n_factors), ("Observations", self.n_obs),
                ("Converged", self.converged)]
        notes = list(self.notes)
        if cut > 0:
            notes.append(f"Loadings below {cut:g} in absolute value are not shown.")
        return Summary("Exploratory factor analysis", head, blocks, notes)

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


@_single_thread
def efa(
    data: pd.DataFrame,
    n_factors: int,
    *,
    items: Sequence[str] | None = None,
    method: str = "minres",
    rotation: str | None = "oblimin",
    missing: str = "listwise",
) -> EFAResult:
    """Exploratory factor analysis of the item correlation matrix.

    Parameters
    ----------
    data : pandas.DataFrame
    n_factors : int
        Number of factors to extract.
    items : sequence of str, optional
        Columns to analyse (default: every column).
    method : {"minres", "ml"}
        Minimum residual (= unweighted least squares; psych's default) or
        maximum likelihood.
    rotation : {"oblimin", "promax", "varimax", None}
        ``None`` (or ``"none"``) leaves the solution unrotated.
    missing : {"listwise", "pairwise", "fiml"}
        How the correlation matrix is formed (see :func:`kmo`).

    Returns
    -------
    EFAResult
        ``loadings`` (pattern), ``structure``, ``phi``, ``communalities``,
        ``variance``, ``summary()``.

    Raises
    ------
    SpecificationError
        Unknown columns, bad options, ``n_factors`` not below the number of
        items.
    DataError
        Text, empty or constant items; a singular correlation matrix.

    Warns
    -----
    HeywoodCaseWarning
        A uniqueness reached its lower bound .005 (communality near 1).
    ConvergenceWarning
        The extraction or the rotation did not converge.

    Notes
    -----
    Extraction minimizes, over the uniquenesses psi in [.005, 1] (psych's
    bounds):

    - minres: ``1/2 ||R - Psi - LL'||^2`` with L the top-k eigenvectors of
      ``R - Psi`` scaled by the root eigenvalues (equivalent to psych's
      off-diagonal residual criterion at an interior solution);
    - ml: ``sum_{j>k} (e_j - log e_j) - (p - k)`` with e the eigenvalues of
      ``Psi^-1/2 R Psi^-1/2`` (the ``factanal`` criterion), loadings
      ``Psi^1/2 V (E - 1)^1/2``.

    Rotations, as ``psych::fa()`` applies them: varimax = ``stats::varimax``
    (Kaiser-normalized); oblimin = ``GPArotation::oblimin`` (quartimin,
    gamma = 0, gradient projection, no normalization); promax =
    ``psych::kaiser(L, "Promax")`` (rows normalized, varimax, target
    ``L |L|^3``, rows rescaled). Columns are then signed to positive sums and
    ordered by variance explained (``diag(Phi L'L)``), as psych does.
    Validated against psych 2.2.9 / GPArotation: loadings and communalities
    within 1e-3, up to column order and sign.

    References
    ----------
    Harman & Jones (1966) Psychometrika 31:351-368; Joreskog (1967)
    Psychometrika 32:443-482; Kaiser (1958) Psychometrika 23:187-200;
    Jennrich (2002) Psychometrika 67:7-19; Hendrickson & White (1964) British
    Journal of Statistical Psychology 17:65-70.

    Examples
    --------
    >>> from trustsem.data.datasets import load_example
    >>> from trustsem.measurement.efa import efa
    >>> hs = load_example("holzinger_swineford_1939")
    >>> res = efa(hs, 3, items=[f"x{i}" for i in range(1, 10)], rotation="oblimin")
    >>> res.loadings.round(2).loc["x5"].tolist()   # psych::fa(): 0.89 -0.06 0.01
    [0.89, -0.06, 0.01]
    """
    method = check_option("method", method, ["minres", "ml"])
    rot = "none" if rotation is None else check_option(
        "rotation", rotation, ["oblimin", "promax", "varimax", "none"])
    R, n, names, notes = _corr_input(data, items, missing)
    p = len(names)
    nf = check_positive_int("n_factors", n_factors)
    if nf >= p:
        raise SpecificationError(f"`n_factors` must be below the number of items ({p});"
                                 f" got {nf}.")
    dof = ((p - nf) ** 2 - (p + nf)) / 2
    if dof < 0:
        notes.append(f"{nf} factors for {p} items leave negative degrees of freedom"
                     f" ({dof:g}): the solution is not identified; extract fewer factors.")
    L, psi, ok, obj = _extract(R, nf, method)
    if not ok:
        msg = f"EFA ({method}) extraction did not converge; the loadings are unreliable."
        notes.append(msg)
        warnings.warn(msg, ConvergenceWarning, stacklevel=3)
    heywood = [names[i] for i in np.where(psi <= _LOWER * (1 + 1e-6))[0]]
    if heywood:
        msg = (f"Heywood case in the EFA: the uniqueness of {heywood} reached its lower"
               " bound .005 (communality near 1). Extract fewer factors or check these"
               " items for redundancy.")
        notes.append(msg)
        warnings.warn(msg, HeywoodCaseWarning, stacklevel=3)
    # sign so that column sums are positive (psych does this before rotating)
    sgn = np.sign(L.sum(axis=0))
    sgn[sgn == 0] = 1.0
    L = L * sgn
    Phi = None
    if nf > 1 and rot != "none":
        if rot == "varimax":
            L, _T = _varimax(L)
        elif rot == "promax":
            L, Phi = _promax(L)
        else:
            L, Phi, rok = _oblimin(L)
            if not rok:
                msg = "The oblimin rotation did not converge."
                notes.append(msg)
                warnings.warn(msg, ConvergenceWarning, stacklevel=3)
                ok = False
    sgn = np.sign(L.sum(axis=0))
    sgn[sgn == 0] = 1.0
    L = L * sgn
    if Phi is not None:
        Phi = Phi * np.outer(sgn, sgn)
    ss = np.diag(Phi @ L.T @ L) if Phi is not None else (L ** 2).sum(axis=0)
    order = np.argsort(-ss, kind="stable")
    L = L[:, order]
    ss = ss[order]
    if Phi is not None:
        Phi = Phi[np.ix_(order, order)]
    facs = [f"F{j + 1}" for j in range(nf)]
    idx = pd.Index(names, name="item")
    h2 = np.diag(L @ (Phi if Phi is not None else np.eye(nf)) @ L.T)
    S = L @ Phi if Phi is not None else L
    return EFAResult(
        loadings=pd.DataFrame(L, index=idx, columns=facs),
        structure=pd.DataFrame(S, index=idx, columns=facs),
        phi=None if Phi is None else pd.DataFrame(
            Phi, index=pd.Index(facs, name="factor"), columns=facs),
        communalities=pd.DataFrame({"item": names, "communality": h2,
                                    "uniqueness": 1.0 - h2}),
        variance=pd.DataFrame({"factor": facs, "ss_loadings": ss, "proportion": ss / p,
                               "cumulative": np.cumsum(ss) / p}),
        method=method, rotation=rot, n_factors=nf, n_obs=int(n), converged=ok,
        objective=obj, notes=tuple(notes))


# ---------------------------------------------------------------------------
# parallel analysis
# ---------------------------------------------------------------------------

def _fa_values(R: np.ndarray) -> np.ndarray:
    """Eigenvalues of R with 1-factor minres communalities on the diagonal.

    = ``psych::fa(R, nfactors = 1, fm = "minres")$values``.
    """
    L, _psi, _ok, _obj = _extract(R, 1, "minres")
    S = R.copy()
    np.fill_diagonal(S, (L ** 2).sum(axis=1))
    return np.linalg.eigvalsh(S)[::-1]


@dataclass(frozen=True, slots=True, eq=False)
class ParallelResult:
    """Parallel analysis (Horn 1965) against random normal data.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per factor number: ``factor, pc_observed, pc_sim_mean,
        pc_sim_quantile`` and (unless ``kind="pc"``) ``fa_observed,
        fa_sim_mean, fa_sim_quantile``.
    n_components, n_factors : int or None
        Suggested numbers: leading observed eigenvalues above the simulated
        quantile (None when that kind was not computed).
    n_iter : int
    quantile : float
    n_obs : int
    notes : tuple of str
    """

    table: pd.DataFrame
    n_components: int | None
    n_factors: int | None
    n_iter: int
    quantile: float
    n_obs: int
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        """Text/HTML summary."""
        head = [("Suggested components", self.n_components),
                ("Suggested factors", self.n_factors), ("Iterations", self.n_iter),
                ("Quantile", self.quantile), ("Observations", self.n_obs)]
        return Summary("Parallel analysis", head, [("Eigenvalues", self.table)],
                       list(self.notes))

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _leading_above(obs: np.ndarray, ref: np.ndarray) -> int:
    below = np.where(~(obs > ref))[0]
    return int(below[0]) if len(below) else len(obs)


@_single_thread
def parallel_analysis(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    n_iter: int = 20,
    seed: int | None = None,
    quantile: float = 0.95,
    kind: str = "both",
    missing: str = "listwise",
) -> ParallelResult:
    """Horn's parallel analysis: observed eigenvalues vs random normal data.

    Parameters
    ----------
    data : pandas.DataFrame
    items : sequence of str, optional
        Columns to analyse (default: every column).
    n_iter : int
        Number of simulated data sets (psych's default 20).
    seed : int, optional
        Seed of the random generator.
    quantile : float
        Quantile of the simulated eigenvalues used for the suggestion
        (psych's default .95).
    kind : {"both", "pc", "fa"}
        Principal-component eigenvalues, common-factor eigenvalues, or both.
    missing : {"listwise", "pairwise", "fiml"}
        How the observed correlation matrix is formed (see :func:`kmo`).

    Returns
    -------
    ParallelResult
        ``table`` of observed and simulated eigenvalues, ``n_components``,
        ``n_factors``, ``notes``.

    Notes
    -----
    Observed: ``pc`` = eigenvalues of R (= ``fa.parallel()$pc.values``);
    ``fa`` = eigenvalues of R with the communalities of a one-factor minres
    solution on its diagonal (= ``$fa.values``). Simulated: the same for the
    correlation matrices of ``n_iter`` samples of n independent standard
    normal variables (psych's ``sim = TRUE`` part; psych also resamples the
    data, which is not done here). The suggested number is the count of
    leading observed eigenvalues above the simulated ``quantile`` (psych's
    rule). Observed eigenvalues equal psych 2.2.9 to 1e-6 (pc) and 1e-3 (fa);
    the simulated ones are random.

    References
    ----------
    Horn (1965) Psychometrika 30:179-185; Glorfeld (1995) Educational and
    Psychological Measurement 55:377-393.
    """
    n_iter = check_positive_int("n_iter", n_iter)
    quantile = check_interval("quantile", quantile, 0.0, 1.0)
    kind = check_option("kind", kind, ["both", "pc", "fa"])
    R, n, names, notes = _corr_input(data, items, missing)
    p = len(names)
    rng = np.random.default_rng(seed)
    do_pc = kind in ("both", "pc")
    do_fa = kind in ("both", "fa")
    pc_sim = np.empty((n_iter, p))
    fa_sim = np.empty((n_iter, p))
    for it in range(n_iter):
        Rs = np.asarray(np.corrcoef(rng.standard_normal((n, p)), rowvar=False))
        if do_pc:
            pc_sim[it] = np.linalg.eigvalsh(Rs)[::-1]
        if do_fa:
            fa_sim[it] = _fa_values(Rs)
    tab = pd.DataFrame({"factor": np.arange(1, p + 1)})
    ncomp = nfact = None
    if do_pc:
        obs = np.linalg.eigvalsh(R)[::-1]
        q = np.quantile(pc_sim, quantile, axis=0)
        tab["pc_observed"] = obs
        tab["pc_sim_mean"] = pc_sim.mean(axis=0)
        tab["pc_sim_quantile"] = q
        ncomp = _leading_above(obs, q)
    if do_fa:
        obs = _fa_values(R)
        q = np.quantile(fa_sim, quantile, axis=0)
        tab["fa_observed"] = obs
        tab["fa_sim_mean"] = fa_sim.mean(axis=0)
        tab["fa_sim_quantile"] = q
        nfact = _leading_above(obs, q)
    notes.append(f"{n_iter} simulated normal data sets of {n} x {p}; suggestion = leading"
                 f" observed eigenvalues above the {quantile:g} quantile.")
    return ParallelResult(table=tab, n_components=ncomp, n_factors=nfact, n_iter=n_iter,
                          quantile=quantile, n_obs=int(n), notes=tuple(notes))
