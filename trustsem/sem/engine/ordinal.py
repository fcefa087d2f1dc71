"""Ordinal first stage of WLSMV: thresholds, polychoric correlations and Gamma.

This module mirrors the two-step sample statistics that lavaan (0.6-14) computes
for ``estimator = "WLSMV"`` when every observed variable is ordered and there
are no exogenous covariates. Steps 1 and 2 (and the casewise scores of each
item and pair) are in :mod:`trustsem.sem.engine.polychoric`; this module reads
the data, assembles the moments and computes Gamma:

1. **Thresholds** per item (lavaan ``lav_uvord``): the univariate probit ML,
   which for one item without covariates has the closed form
   ``tau_m = Phi^-1(cumulative proportion of categories 1..m)``, computed on the
   item's available values.
2. **Polychoric correlations** per pair (lavaan ``lav_bvord``, two-step): the ML
   estimate of rho for thresholds held fixed at step 1, from the pair's
   contingency table (rows observed on both items). Optimised for all pairs at
   once by a safeguarded Newton iteration on rho in [-0.999, 0.999] (lavaan's
   bounds), with the analytic gradient and Hessian (Olsson 1979).
3. **Gamma** (lavaan ``NACOV``, ``lavInspect(fit, "gamma")``), the asymptotic
   covariance matrix of ``sqrt(N) * (thresholds, correlations)``, from casewise
   scores as in Muthen (1984) / lavaan's ``muthen1984()``: with SC the N x q
   matrix of casewise scores (univariate threshold scores, then the bivariate
   scores with respect to each rho), INNER = SC'SC, A11 the block-diagonal
   (per item) part of INNER for the thresholds, A22 = diag of the rho block,
   A21 = sum over cases of (rho score) x (bivariate threshold scores), and
   B = [[A11, 0], [A21, A22]], Gamma = N * B^-1 INNER B^-T.

Order of the Gamma vector (lavaan's ``WLS.obs`` order): first the thresholds,
item by item in the column order of the data, ``x1|t1, x1|t2, ..., x2|t1, ...``;
then the correlations of the strict lower triangle taken column by column,
``(x2, x1), (x3, x1), ..., (xp, x1), (x3, x2), ..., (xp, xp-1)``, labelled
``"x1~~x2"`` etc. as lavaan does.

Zero frequencies, as in lavaan:

* Categories are the *observed* values of an item, numbered consecutively
  (lavaan recodes declared-ordered columns with ``as.numeric(as.factor(x))``).
  A value of the scale that nobody chose is not an error: the neighbouring
  categories simply share one threshold fewer. ``notes`` says so.
* An item with fewer than two observed categories is an error (lavaan: "ordered
  variable(s) has/have only 1 level").
* Empty cells of a bivariate table larger than 2 x 2 get nothing added
  (``zero.add = c(0.5, 0.0)``); cell probabilities are floored at
  sqrt(machine eps) in the likelihood, and cells whose probability is at or
  below that floor are left out of gradients and scores. A 2 x 2 table with one
  empty cell gets 0.5 added to that cell with the margins kept
  (``zero.keep.margins = TRUE``); with two empty cells rho is +-1.

Missing values: ``missing="pairwise"`` uses every available value (thresholds
from each item's non-missing values, each correlation from the rows observed on
both items, scores of unobserved cells set to zero) and drops only rows that are
empty on every item. ``N`` in Gamma is that number of rows. ``"listwise"``
(lavaan's default for categorical data) keeps complete rows only.

``mixed_moments`` handles ordered and continuous variables together (listwise
or pairwise): means and ML variances of the continuous variables, two-step polyserial
correlations (lavaan ``lav_bvmix``) and Pearson correlations, and their NACOV
from the same casewise-score construction, rescaled to covariances (lavaan's
``H`` matrix) with the mean entries sign-flipped as in lavaan's ``WLS.obs``.
Exogenous covariates are out of scope.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..._validation import format_value
from ...exceptions import (
    DataError,
    DataQualityWarning,
    MissingDataWarning,
    SpecificationError,
)
from .polychoric import (
    _PAIR_BLOCK,
    _bivariate_cell_scores,
    _Margins,
    _ordinal_pair,
    _pad_thresholds,
    _pearson_pair,
    _polyserial_pair,
    _solve_pairs,
    _th_from_freq,
    _uni_scores,
    bvn_cdf,
    bvn_pdf,
    polychoric,
    thresholds,
)

__all__ = [
    "OrdinalMoments",
    "bvn_cdf",
    "bvn_pdf",
    "ordinal_moments",
    "polychoric",
    "thresholds",
]

#: rows handled per block when accumulating tables and Gamma (memory bound).
_ROW_BLOCK = 4096


# ---------------------------------------------------------------------------
# result and driver
# ---------------------------------------------------------------------------

@dataclass
class OrdinalMoments:
    """First-stage sample statistics of ordered items (lavaan WLSMV, no covariates).

    Attributes
    ----------
    names : list of str
        Item names, in the column order used for every array below.
    thresholds : dict
        Item name -> increasing thresholds (``levels - 1`` values).
    cor : numpy.ndarray (p, p)
        Polychoric correlation matrix (unit diagonal).
    gamma : numpy.ndarray (q, q) or None
        Asymptotic covariance matrix of ``sqrt(N) (thresholds, correlations)``
        = lavaan ``lavInspect(fit, "gamma")`` (``NACOV``). Order: see
        :attr:`labels` (thresholds item by item, then the lower-triangle
        correlations column by column). ``None`` if ``gamma=False`` was asked.
    n_pairs : numpy.ndarray (p, p) of int
        Rows observed on both items (diagonal: on the item).
    nobs : int
        N used for Gamma: rows with at least one observed item (pairwise) or
        the complete rows (listwise).
    notes : list of str
        Plain-language notes: missing-data handling and N range, unobserved
        scale values merged, tables with empty cells.
    levels : dict
        Item name -> the observed values that define its categories.
    missing : str
        ``"pairwise"`` or ``"listwise"``.
    n_rows : int
        Rows in the input data.
    zero_cell_pairs : list of tuple
        Pairs whose bivariate table has at least one empty cell.
    """

    names: list[str]
    thresholds: dict[str, np.ndarray]
    cor: np.ndarray
    gamma: np.ndarray | None
    n_pairs: np.ndarray
    nobs: int
    notes: list[str] = field(default_factory=list)
    levels: dict[str, np.ndarray] = field(default_factory=dict)
    missing: str = "pairwise"
    n_rows: int = 0
    zero_cell_pairs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def th_labels(self) -> list[str]:
        """lavaan threshold labels ``item|t1``, ... in Gamma order."""
        return [f"{v}|t{m + 1}" for v in self.names for m in range(self.thresholds[v].size)]

    @property
    def cor_labels(self) -> list[str]:
        """lavaan labels ``a~~b`` of the lower-triangle correlations, column by column."""
        p = len(self.names)
        return [f"{self.names[j]}~~{self.names[i]}" for j in range(p) for i in range(j + 1, p)]

    @property
    def labels(self) -> list[str]:
        """Row/column labels of :attr:`gamma` (thresholds, then correlations)."""
        return self.th_labels + self.cor_labels

    @property
    def th_vector(self) -> np.ndarray:
        """All thresholds, concatenated in Gamma order."""
        return np.concatenate([self.thresholds[v] for v in self.names])

    @property
    def cor_vector(self) -> np.ndarray:
        """Lower-triangle correlations, column by column (Gamma order)."""
        j, i = np.triu_indices(len(self.names), k=1)   # (j < i) in row-major = column-major lower
        return self.cor[i, j]

    @property
    def wls_obs(self) -> np.ndarray:
        """The sample statistics vector (thresholds, correlations) Gamma refers to."""
        return np.concatenate([self.th_vector, self.cor_vector])


def _column_codes(name, col):
    """Recode one column to 0-based codes of its observed values (lavaan's as.factor)."""
    import pandas as pd

    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy().astype(np.int64)
        cats = np.asarray(col.cat.categories)
        vals = codes[codes >= 0]
        used = np.unique(vals)
        remap = np.full(cats.size, -1, dtype=np.int64)
        remap[used] = np.arange(used.size)
        out = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        gap = used.size < cats.size
        return out, cats[used], gap
    if col.dtype == bool:
        col = col.astype(np.int64)
    if not (pd.api.types.is_numeric_dtype(col.dtype)):
        bad = col.dropna()
        ex = repr(bad.iloc[0]) if len(bad) else "?"
        raise DataError(f"column {name!r} is not numeric (e.g. {ex}); ordered items must hold "
                        "integer category values")
    x = col.to_numpy(dtype=float, na_value=np.nan)
    obs = ~np.isnan(x)
    xv = x[obs]
    if np.any(~np.isfinite(xv)):
        raise DataError(f"column {name!r} contains infinite values")
    nonint = xv != np.round(xv)
    if np.any(nonint):
        raise DataError(f"column {name!r} has non-integer values (e.g. {format_value(xv[nonint][0])}); "
                        "ordered items must hold integer categories")
    vals, inv = np.unique(xv, return_inverse=True)
    out = np.full(x.shape, -1, dtype=np.int64)
    out[obs] = inv
    gap = vals.size >= 2 and (vals[-1] - vals[0] + 1) > vals.size
    return out, vals, gap


def _fmt_vals(v) -> str:
    return "[" + ", ".join(str(int(a)) if float(a).is_integer() else str(a)
                           for a in np.asarray(v, float)) + "]"


def ordinal_moments(data, ordered=True, *, missing: str = "pairwise",
                    gamma: bool = True) -> OrdinalMoments:
    """Thresholds, polychoric correlations and Gamma of ordered items (lavaan WLSMV stage 1).

    Parameters
    ----------
    data : pandas.DataFrame (or 2-D array)
        One column per item; integer category values (any integers, e.g. 1..5),
        NaN = missing. Columns define the variables and their order.
    ordered : True or sequence of str
        ``True`` declares every column ordered. A list (or one name) must name
        every column of ``data``: continuous columns are not supported, and a
        column left out raises :class:`~trustsem.exceptions.DataError`.
    missing : {"pairwise", "listwise"}
        ``"pairwise"`` uses all available information (lavaan ``missing =
        "pairwise"``); ``"listwise"`` keeps complete rows only (lavaan's default
        for categorical data).
    gamma : bool, default True
        Compute the asymptotic covariance matrix Gamma.

    Returns
    -------
    OrdinalMoments
    """
    if missing not in ("pairwise", "listwise"):
        raise SpecificationError(f"missing must be 'pairwise' or 'listwise', not {missing!r}")
    df, names = _item_frame(data, ordered)
    p = len(names)
    if p < 1:
        raise DataError("no items given")
    n_rows = len(df)
    notes: list[str] = []

    # --- rows -----------------------------------------------------------------
    isna = df.isna().to_numpy()
    if missing == "listwise":
        keep = ~isna.any(axis=1)
        if (~keep).sum():
            notes.append(f"Listwise deletion: {int((~keep).sum())} of {n_rows} rows with a missing "
                         f"item were dropped; N = {int(keep.sum())}.")
    else:
        keep = ~isna.all(axis=1)
        if (~keep).sum():
            notes.append(f"{int((~keep).sum())} row(s) with no observed item were ignored "
                         "(as lavaan does with empty cases).")
    df = df.loc[keep]
    n = len(df)
    if n == 0:
        raise DataError("no rows left to analyse")

    # --- codes ------------------------------------------------------------------
    C, levels, Ks = _category_codes(df, names, notes)

    # --- step 1: thresholds -----------------------------------------------------
    Kmax = int(Ks.max())
    obs = C >= 0
    T = _all_tables(C, Kmax)
    th_list = []
    for j in range(p):
        freq = T[j, :Ks[j], j, :Ks[j]].diagonal()
        th_list.append(_th_from_freq(freq))
    n_item = obs.sum(axis=0)
    n_pairs = (obs.T.astype(np.int64) @ obs.astype(np.int64))

    # --- step 2: polychorics ------------------------------------------------------
    jj, ii = np.triu_indices(p, k=1)   # pairs (j < i), column-major lower-triangle order
    P = jj.size
    R, zero_pairs = _polychoric_matrix(T, th_list, Ks, n_pairs, names, n, notes)

    if missing == "pairwise":
        if bool(isna[keep].any()):
            offd = n_pairs[jj, ii] if P else n_item
            notes.append(
                "Pairwise deletion (lavaan missing = 'pairwise'): thresholds use each item's "
                f"available values (N = {int(n_item.min())}-{int(n_item.max())}), each polychoric "
                f"correlation the rows observed on both items (N = {int(offd.min())}-"
                f"{int(offd.max())}), and Gamma all {n} rows with pairwise information.")
        else:
            notes.append("No missing values: every threshold and correlation uses all "
                         f"N = {n} rows.")

    th_dict = {v: th_list[j] for j, v in enumerate(names)}
    out = OrdinalMoments(names=names, thresholds=th_dict, cor=R, gamma=None,
                         n_pairs=n_pairs, nobs=int(n), notes=notes, levels=levels,
                         missing=missing, n_rows=int(n_rows), zero_cell_pairs=zero_pairs)
    if gamma:
        out.gamma = _gamma(C, Ks, th_list, T, jj, ii, R[ii, jj] if P else np.zeros(0), Kmax)
    return out


def _item_frame(data, ordered):
    """``data`` as a DataFrame of items and its column names, refusing undeclared columns."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        df = data
    elif isinstance(data, Mapping):
        df = pd.DataFrame(data)
    else:
        arr = np.asarray(data)
        if arr.ndim != 2:
            raise DataError("data must be a DataFrame or a 2-D array (rows x items)")
        df = pd.DataFrame(arr, columns=[f"x{j + 1}" for j in range(arr.shape[1])])
    names = [str(c) for c in df.columns]
    if len(set(names)) != len(names):
        raise DataError("column names must be unique")
    if ordered is True:
        pass
    elif ordered is False or ordered is None:
        raise SpecificationError("ordinal_moments needs ordered items: pass ordered=True or "
                                 "the list of ordered column names")
    else:
        ordl = [ordered] if isinstance(ordered, str) else [str(o) for o in ordered]
        unknown = [o for o in ordl if o not in names]
        if unknown:
            raise DataError(f"ordered names not found in the data: {', '.join(unknown)}")
        cont = [v for v in names if v not in ordl]
        if cont:
            raise DataError(
                f"column(s) {', '.join(cont)} are not declared ordered; only ordered items are "
                "supported here (Pearson/polyserial correlations for continuous columns are not "
                "implemented): pass only the ordered columns or declare them ordered")
    return df, names


def _category_codes(df, names, notes):
    """Codes 0..K-1 of each item's observed categories (-1 missing), the categories, K."""
    n, p = df.shape
    C = np.empty((n, p), dtype=np.int64)
    levels: dict[str, np.ndarray] = {}
    Ks = np.empty(p, dtype=np.int64)
    for j, v in enumerate(names):
        codes, vals, gap = _column_codes(v, df.iloc[:, j])
        K = vals.size
        if K == 0:
            raise DataError(f"column {v!r} has no observed values")
        if K < 2:
            raise DataError(f"column {v!r} has only one observed category ({format_value(vals[0])}); an "
                            "ordered item needs at least 2 (lavaan: 'ordered variable(s) has/have "
                            "only 1 level')")
        if K > 12:
            warnings.warn(f"ordered item {v!r} has {K} categories (more than 12); is it "
                          "really ordinal? (lavaan warns as well)", DataQualityWarning,
                          stacklevel=3)
        if gap:
            numeric = np.issubdtype(np.asarray(vals).dtype, np.number)
            shown = _fmt_vals(vals) if numeric else list(vals)
            notes.append(f"{v}: observed categories {shown}; unobserved values inside the "
                         f"range are not categories, so the item has {K} categories and "
                         f"{K - 1} thresholds (lavaan recodes the observed values the same "
                         "way).")
        C[:, j] = codes
        levels[v] = vals
        Ks[j] = K
    if len(set(Ks.tolist())) > 1:
        notes.append("Items differ in their number of observed categories: "
                     + ", ".join(f"{v} {int(k)}" for v, k in zip(names, Ks)) + ".")
    return C, levels, Ks


def _polychoric_matrix(T, th_list, Ks, n_pairs, names, n, notes):
    """Correlation matrix of all pairs (two-step polychorics) and the pairs with empty cells."""
    p = len(names)
    Kmax = int(Ks.max())
    jj, ii = np.triu_indices(p, k=1)   # pairs (j < i), column-major lower-triangle order
    P = jj.size
    R = np.eye(p)
    zero_pairs: list[tuple[str, str]] = []
    if P:
        npair = n_pairs[jj, ii]
        if np.any(npair == 0):
            q = int(np.flatnonzero(npair == 0)[0])
            raise DataError(f"items {names[jj[q]]} and {names[ii[q]]} are never observed together; "
                            "their polychoric correlation cannot be estimated")
        low = npair < 0.1 * n
        if np.any(low):
            q = int(np.flatnonzero(low)[0])
            warnings.warn(f"pairwise coverage below 10% for {int(low.sum())} pair(s), e.g. "
                          f"{names[jj[q]]} x {names[ii[q]]} (N = {int(npair[q])} of {n})",
                          MissingDataWarning, stacklevel=3)
        freq = T[jj, :, ii, :]                         # (P, Kmax, Kmax): rows item j, cols item i
        thp = _pad_thresholds(th_list, Kmax)
        t1, t2 = thp[jj], thp[ii]
        nth = Ks - 1
        labels = [(names[a], names[b]) for a, b in zip(jj, ii)]
        rho, empty = _solve_pairs(freq, t1, t2, nth[jj], nth[ii], labels)
        R[ii, jj] = rho
        R[jj, ii] = rho
        zero_pairs = [labels[q] for q in np.flatnonzero(empty)]
        big = np.flatnonzero(np.abs(rho) > 0.99)
        for q in big:
            warnings.warn(f"polychoric correlation between {names[ii[q]]} and {names[jj[q]]} is "
                          f"(nearly) 1.0 ({rho[q]:.4f})", DataQualityWarning, stacklevel=3)
        if zero_pairs:
            notes.append(f"{len(zero_pairs)} of {P} bivariate tables have empty cells; as in "
                         "lavaan nothing is added to them (except a 2 x 2 table with one empty "
                         "cell, which gets 0.5 added with its margins kept).")
    return R, zero_pairs


def _all_tables(C, Kmax):
    """Every univariate and bivariate frequency table at once: T[j, a, i, b]."""
    n, p = C.shape
    T = np.zeros((p * Kmax, p * Kmax))
    for s in range(0, n, _ROW_BLOCK):
        Cb = C[s:s + _ROW_BLOCK]
        O = np.zeros((Cb.shape[0], p, Kmax))
        rr, cc = np.nonzero(Cb >= 0)
        O[rr, cc, Cb[rr, cc]] = 1.0
        O = O.reshape(Cb.shape[0], p * Kmax)
        T += O.T @ O
    return T.reshape(p, Kmax, p, Kmax)


def _gamma(C, Ks, th_list, T, jj, ii, rho, Kmax):
    """lavaan's NACOV: N * B^-1 (SC'SC) B^-T from casewise scores (muthen1984).

    Every score depends on a row only through its category (univariate) or its
    cell (bivariate), so A11, A21 and A22 are sums over table cells; only
    INNER = SC'SC needs the rows. With M = SC B^-T,
    M_th = SC_th A11^-1 and M_cor = (SC_cor - M_th A21') A22^-1, Gamma = N M'M,
    accumulated over blocks of rows.
    """
    n, p = C.shape
    nth = Ks - 1
    th_off = np.concatenate(([0], np.cumsum(nth)))
    q_th = int(th_off[-1])
    P = jj.size

    # univariate cell scores and A11^-1 (block diagonal, one block per item)
    S_ext = []
    A11_inv = np.zeros((q_th, q_th))
    for j in range(p):
        S = _uni_scores(th_list[j])                          # (K, K-1)
        S_ext.append(np.vstack((S, np.zeros((1, S.shape[1])))))  # code -1 -> zero row
        cnt = T[j, :Ks[j], j, :Ks[j]].diagonal()
        A = (S * cnt[:, None]).T @ S
        try:
            A_inv = np.linalg.inv(A)
        except np.linalg.LinAlgError:
            warnings.warn("trouble constructing the weight matrix: generalized inverse used for "
                          "the threshold block (A11)", DataQualityWarning, stacklevel=3)
            A_inv = np.linalg.pinv(A)
        A11_inv[th_off[j]:th_off[j + 1], th_off[j]:th_off[j + 1]] = A_inv

    # bivariate cell scores, A21 and A22
    s_rho = np.zeros((P, Kmax, Kmax))
    A21 = np.zeros((P, q_th))
    A22 = np.zeros(P)
    thp = _pad_thresholds(th_list, Kmax)
    for s in range(0, P, _PAIR_BLOCK):
        sl = slice(s, min(P, s + _PAIR_BLOCK))
        jb, ib = jj[sl], ii[sl]
        freq = T[jb, :, ib, :]
        sr, Z1a, Z2a, Z1b, Z2b, _ = _bivariate_cell_scores(thp[jb], thp[ib], rho[sl])
        s_rho[sl] = sr
        W = freq * sr                                  # n_ab * s_rho(a, b)
        A22[sl] = (W * sr).sum(axis=(1, 2))
        # item j (rows a): score of tau_m in cell (a, b) = 1{a = m} Z1a - 1{a = m + 1} Z2a
        ga = (W * Z1a).sum(axis=2)[:, :-1] - (W * Z2a).sum(axis=2)[:, 1:]
        gb = (W * Z1b).sum(axis=1)[:, :-1] - (W * Z2b).sum(axis=1)[:, 1:]
        rows = np.arange(sl.start, sl.stop)
        for m in range(Kmax - 1):
            va = m < nth[jb]
            A21[rows[va], th_off[jb[va]] + m] = ga[va, m]
            vb = m < nth[ib]
            A21[rows[vb], th_off[ib[vb]] + m] = gb[vb, m]

    bad = A22 <= 0
    if np.any(bad):
        warnings.warn("trouble constructing the weight matrix: zero score variance for "
                      f"{int(bad.sum())} correlation(s); generalized inverse used (A22)",
                      DataQualityWarning, stacklevel=3)
    a22_inv = np.where(bad, 0.0, 1.0 / np.where(bad, 1.0, A22))
    A21t = A21.T.copy()

    # INNER, transformed: Gamma = N * sum over rows of m m'
    KK = Kmax * Kmax
    flat = np.concatenate((s_rho.reshape(-1), [0.0]))
    base = np.arange(P) * KK
    G = np.zeros((q_th + P, q_th + P))
    for s in range(0, n, _ROW_BLOCK):
        Cb = C[s:s + _ROW_BLOCK]
        SC_th = np.empty((Cb.shape[0], q_th))
        for j in range(p):
            SC_th[:, th_off[j]:th_off[j + 1]] = S_ext[j][Cb[:, j]]
        M_th = SC_th @ A11_inv
        if P:
            a = Cb[:, jj]
            b = Cb[:, ii]
            idx = base[None, :] + a * Kmax + b
            idx[(a < 0) | (b < 0)] = P * KK
            M_cor = (flat[idx] - M_th @ A21t) * a22_inv[None, :]
            M = np.hstack((M_th, M_cor))
        else:
            M = M_th
        G += M.T @ M
    G *= n
    return 0.5 * (G + G.T)


# ---------------------------------------------------------------------------
# ordered and continuous variables together (complete data)
# ---------------------------------------------------------------------------

@dataclass
class MixedMoments:
    """First stage of WLSMV with ordered and continuous variables (lavaan muthen1984).

    ``th_vector`` holds, variable by variable, the thresholds of an ordered
    item or minus the mean of a continuous one (lavaan's ``x~1`` entries of
    ``WLS.obs``); ``cor_vector`` the variances of the continuous variables
    followed by the strict lower triangle (column by column) of ``cov``: the
    polychoric correlations, polyserial correlations times the SD of the
    continuous variable, and covariances (divisor N) of continuous pairs.
    ``gamma`` is lavaan's NACOV of ``sqrt(N)`` times that whole vector.
    """

    names: list
    numeric: list
    th_vector: np.ndarray
    th_labels: list
    th_item: np.ndarray            # variable index of each th_vector entry
    var_vector: np.ndarray
    cor: np.ndarray                # correlations (polychoric, polyserial, Pearson)
    cov: np.ndarray                # cor rescaled by the SDs of the continuous variables
    cor_vector: np.ndarray         # variances of numerics, then lower-triangle cov
    gamma: np.ndarray
    nobs: int
    notes: list
    levels: dict


def mixed_moments(data, ordered: Sequence[str], *, missing: str = "listwise") -> MixedMoments:
    """Thresholds, means, variances, polychoric/polyserial/Pearson correlations and Gamma.

    ``missing="listwise"`` (lavaan's default) keeps complete rows;
    ``"pairwise"`` uses each variable's and each pair's available values
    (scores of unobserved values are zero) and drops only empty rows. Equals
    lavaan 0.6-14 ``lavInspect(fit, "wls.obs")`` and ``lavInspect(fit,
    "gamma")`` for a WLSMV fit with ``ordered =`` naming some of the variables
    and no covariates.
    """
    df = data.dropna() if missing == "listwise" else data.dropna(how="all")
    names = [str(c) for c in df.columns]
    n, p = df.shape
    ordset = set(ordered)
    numeric = [v for v in names if v not in ordset]
    notes: list[str] = []
    if missing == "pairwise" and df.isna().any().any():
        npair = (df.notna().astype(int).T @ df.notna().astype(int)).to_numpy()
        notes.append(f"Pairwise deletion in the first stage: N per pair {int(npair.min())} to"
                     f" {int(npair.max())}; N = {n}.")
    levels: dict = {}
    codes, ths, Y, mus, vs, obs = {}, {}, {}, {}, {}, {}
    th_vector, th_labels, th_item, sc_th = [], [], [], []
    th_cols: dict[int, list[int]] = {}
    for j, v in enumerate(names):
        col = df.iloc[:, j]
        obs[v] = col.notna().to_numpy()
        if v in ordset:
            c, vals, _ = _column_codes(v, col)
            if vals.size < 2:
                raise DataError(f"ordered item {v!r} has only one observed category")
            levels[v] = vals
            freq = np.bincount(c[c >= 0], minlength=vals.size).astype(float)
            th = _th_from_freq(freq)
            codes[v], ths[v] = c, th
            S = _uni_scores(th)
            S = np.vstack((S, np.zeros((1, S.shape[1]))))[c]     # code -1: zero scores
            th_cols[j] = list(range(len(th_vector), len(th_vector) + th.size))
            th_vector += list(th)
            th_labels += [f"{v}|t{m + 1}" for m in range(th.size)]
            th_item += [j] * th.size
            sc_th.append(S)
        else:
            y = col.to_numpy(float)
            yo = y[obs[v]]
            mu, var = yo.mean(), yo.var()
            Y[v], mus[v], vs[v] = y, mu, var
            th_cols[j] = [len(th_vector)]
            th_vector.append(mu)                               # sign flipped at the end
            th_labels.append(f"{v}~1")
            th_item.append(j)
            sc_th.append(np.where(obs[v], (y - mu) / var, 0.0)[:, None])
    q_th = len(th_vector)
    SC_var = np.column_stack([np.where(obs[v], -1 / (2 * vs[v]) + (Y[v] - mus[v]) ** 2
                                       / (2 * vs[v] ** 2), 0.0)
                              for v in numeric]) if numeric else np.zeros((n, 0))
    var_col = {v: q_th + k for k, v in enumerate(numeric)}
    nA = q_th + len(numeric)
    jj, ii = np.triu_indices(p, k=1)
    P = jj.size
    COR = np.eye(p)
    SC_cor = np.zeros((n, P))
    A21 = np.zeros((P, nA))
    H21 = np.zeros((P, nA))
    H22 = np.ones(P)
    sd = {v: np.sqrt(vs[v]) for v in numeric}
    mg = _Margins(names=names, codes=codes, ths=ths, Y=Y, mus=mus, vs=vs, sd=sd, th_cols=th_cols,
                  var_col=var_col)
    for k, (j, i) in enumerate(zip(jj, ii)):
        vj, vi = names[j], names[i]
        both = obs[vj] & obs[vi]
        if vj in ordset and vi in ordset:
            rho = _ordinal_pair(mg, k, j, i, both, SC_cor, A21)
        elif vj in ordset or vi in ordset:
            rho = _polyserial_pair(mg, k, j, i, both, SC_cor, A21, H21, H22, ordset)
        else:
            rho = _pearson_pair(mg, k, j, i, both, SC_cor, A21, H21, H22)
        COR[i, j] = COR[j, i] = rho
    SC = np.hstack([np.hstack(sc_th), SC_var, SC_cor])
    INNER = SC.T @ SC
    A11 = np.zeros((nA, nA))
    for j, v in enumerate(names):
        idx = th_cols[j] + ([var_col[v]] if v in var_col else [])
        A11[np.ix_(idx, idx)] = INNER[np.ix_(idx, idx)]
    A11_inv = np.linalg.inv(A11)
    A22_inv = np.diag(1.0 / np.sum(SC_cor * SC_cor, axis=0))
    Binv = np.block([[A11_inv, np.zeros((nA, P))], [-A22_inv @ A21 @ A11_inv, A22_inv]])
    W = Binv @ INNER @ Binv.T
    H = np.block([[np.eye(nA), np.zeros((nA, P))], [H21, np.diag(H22)]])
    W = H @ W @ H.T
    num_th = [th_cols[names.index(v)][0] for v in numeric]
    W[num_th, :] *= -1
    W[:, num_th] *= -1
    th_vec = np.array(th_vector)
    th_vec[num_th] *= -1
    sds = np.array([sd[v] if v in sd else 1.0 for v in names])
    COV = COR * sds[:, None] * sds[None, :]
    var_vector = np.array([vs[v] for v in numeric])
    cor_vector = np.concatenate([var_vector, COV[ii, jj]])
    gamma = n * 0.5 * (W + W.T)
    return MixedMoments(names=names, numeric=numeric, th_vector=th_vec, th_labels=th_labels,
                        th_item=np.array(th_item, dtype=int), var_vector=var_vector, cor=COR,
                        cov=COV, cor_vector=cor_vector, gamma=gamma, nobs=int(n), notes=notes,
                        levels=levels)
