"""Exploratory factor analysis: extraction, rotation and the EFA result.

The numbers equal the R package psych (2.2.9), checked in
``tests/reference`` (``measurement_<data>.R``):

==========================  ===============================================
function                    R equivalent
==========================  ===============================================
:func:`efa`                 ``psych::fa(X, nfactors, fm, rotate)`` with
                            ``fm = "ml"``/``"minres"`` and ``rotate =
                            "none"``/``"varimax"``/``"oblimin"``/``"promax"``
==========================  ===============================================

Whether factor analysis is appropriate and how many factors to keep (KMO,
Bartlett's test, parallel analysis) is :mod:`trustsem.measurement.factorability`;
those names stay importable from here as well.

Extraction and rotation are implemented here and in ``_extraction``
(numpy/scipy): factor_analyzer 0.5.1 cannot fit with scikit-learn >= 1.8 (its
``check_array`` call uses the removed ``force_all_finite`` argument), and its
promax differs from psych's (psych applies Kaiser normalization around its
``Promax``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._display import Summary, SummaryDisplay
from .._validation import check_option, check_positive_int
from ..exceptions import ConvergenceWarning, HeywoodCaseWarning, SpecificationError
from ._extraction import _LOWER, _extract
from ._structure import _corr_input, _single_thread
from .factorability import (  # noqa: F401  (kept importable from trustsem.measurement.efa)
    BartlettResult,
    KMOResult,
    ParallelResult,
    bartlett,
    kmo,
    parallel_analysis,
)

__all__ = ["EFAResult", "efa"]


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
class EFAResult(SummaryDisplay):
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

