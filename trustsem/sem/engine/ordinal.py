"""Ordinal first stage of WLSMV: thresholds, polychoric correlations and Gamma.

This module mirrors the two-step sample statistics that lavaan (0.6-14) computes
for ``estimator = "WLSMV"`` when every observed variable is ordered and there
are no exogenous covariates:

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
from scipy.special import ndtr, ndtri

from ..._validation import format_value
from ...exceptions import (
    ConvergenceWarning,
    DataError,
    DataQualityWarning,
    MissingDataWarning,
    SpecificationError,
)

__all__ = [
    "OrdinalMoments",
    "bvn_cdf",
    "bvn_pdf",
    "ordinal_moments",
    "polychoric",
    "thresholds",
]

#: lavaan's floor for cell probabilities (``sqrt(.Machine$double.eps)``).
_SQRT_EPS = float(np.sqrt(np.finfo(float).eps))
#: lavaan's finite stand-in for -inf/+inf as outer category bounds in scores.
_BORDER = 100.0
#: lavaan's bounds for rho (nlminb lower/upper).
_RHO_BOUND = 0.999
_TWO_PI = 2.0 * np.pi
#: Gauss-Legendre rules used by Genz's BVND: 6 points for |r| < 0.3, 12 for
#: |r| < 0.75, 20 otherwise (error about 1e-15 in each range).
_GL = {n: np.polynomial.legendre.leggauss(n) for n in (6, 12, 20)}
_GL_X, _GL_W = _GL[20]
#: pairs handled per block in the vectorised polychoric solver (memory bound).
_PAIR_BLOCK = 4096
#: rows handled per block when accumulating tables and Gamma (memory bound).
_ROW_BLOCK = 4096


# ---------------------------------------------------------------------------
# bivariate normal
# ---------------------------------------------------------------------------

def bvn_pdf(x, y, rho):
    """Standard bivariate normal density phi2(x, y; rho) (vectorised, finite x, y)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    rho = np.asarray(rho, float)
    r2 = 1.0 - rho * rho
    return np.exp(-(x * x - 2.0 * rho * x * y + y * y) / (2.0 * r2)) / (
        _TWO_PI * np.sqrt(r2))


def _bvn_upper(h, k, r):
    """P(X > h, Y > k) for finite 1-D arrays h, k, r (Genz 2004, BVND).

    Drezner & Wesolowsky (1990) with Genz's refinements: Gauss-Legendre
    quadrature (6, 12 or 20 points by |r|) of Plackett's identity for
    |r| < 0.925, and of the series expansion around |r| = 1 otherwise (20
    points). The absolute error is about 1e-15 everywhere.
    """
    out = np.empty(h.shape)
    ar = np.abs(r)
    for npt, sel in ((6, ar < 0.3), (12, (ar >= 0.3) & (ar < 0.75)),
                     (20, (ar >= 0.75) & (ar < 0.925))):
        if not sel.any():
            continue
        gx, gw = _GL[npt]
        hh, kk, rr = h[sel], k[sel], r[sel]
        hk = hh * kk
        hs = 0.5 * (hh * hh + kk * kk)
        asr = np.arcsin(rr)
        sn = np.sin(asr[:, None] * (1.0 + gx) * 0.5)
        s = np.exp((sn * hk[:, None] - hs[:, None]) / (1.0 - sn * sn)) @ gw
        out[sel] = s * asr / (2.0 * _TWO_PI) + ndtr(-hh) * ndtr(-kk)
    large = ar >= 0.925
    if large.any():
        hh, kk, rr = h[large], k[large], r[large]
        neg = rr < 0
        kk = np.where(neg, -kk, kk)
        hk = hh * kk
        bvn = np.zeros(hh.shape)
        inner = np.abs(rr) < 1.0
        if inner.any():
            hi, ki, ri, hki = hh[inner], kk[inner], rr[inner], hk[inner]
            as_ = (1.0 - ri) * (1.0 + ri)
            a = np.sqrt(as_)
            bs = (hi - ki) ** 2
            c = (4.0 - hki) / 8.0
            d = (12.0 - hki) / 16.0
            v = a * np.exp(-(bs / as_ + hki) / 2.0) * (
                1.0 - c * (bs - as_) * (1.0 - d * bs / 5.0) / 3.0 + c * d * as_ * as_ / 5.0)
            ok = hki > -160.0
            if ok.any():
                b = np.sqrt(bs[ok])
                v[ok] -= (np.exp(-hki[ok] / 2.0) * np.sqrt(_TWO_PI) * ndtr(-b / a[ok]) * b
                          * (1.0 - c[ok] * bs[ok] * (1.0 - d[ok] * bs[ok] / 5.0) / 3.0))
            a2 = a / 2.0
            xs = (a2[:, None] * (_GL_X + 1.0)) ** 2
            rs = np.sqrt(1.0 - xs)
            with np.errstate(under="ignore", divide="ignore"):
                term = (np.exp(-bs[:, None] / (2.0 * xs) - hki[:, None] / (1.0 + rs)) / rs
                        - np.exp(-(bs[:, None] / xs + hki[:, None]) / 2.0)
                        * (1.0 + c[:, None] * xs * (1.0 + d[:, None] * xs)))
            v += a2 * (term @ _GL_W)
            bvn[inner] = -v / _TWO_PI
        pos = ~neg
        bvn[pos] += ndtr(-np.maximum(hh[pos], kk[pos]))
        if neg.any():
            hn, kn = hh[neg], kk[neg]
            vn = -bvn[neg]
            add = kn > hn
            lower = add & (hn < 0)
            upper = add & ~(hn < 0)
            vn[lower] += ndtr(kn[lower]) - ndtr(hn[lower])
            vn[upper] += ndtr(-hn[upper]) - ndtr(-kn[upper])
            bvn[neg] = vn
        out[large] = bvn
    return out


def bvn_cdf(x, y, rho):
    """Standard bivariate normal CDF P(X <= x, Y <= y; rho), vectorised.

    ``x``, ``y`` and ``rho`` broadcast against each other; infinite bounds are
    allowed (``Phi2(+inf, y) = Phi(y)``, ``Phi2(-inf, y) = 0``), NaN gives NaN.
    Accuracy is about 1e-15 (Genz's algorithm with 20-point Gauss-Legendre).
    """
    x, y, r = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float),
                                  np.asarray(rho, float))
    shape = x.shape
    x, y, r = x.ravel(), y.ravel(), r.ravel()
    out = np.empty(x.size)
    fin = np.isfinite(x) & np.isfinite(y) & np.isfinite(r)
    if fin.any():
        out[fin] = _bvn_upper(-x[fin], -y[fin], r[fin])
    nf = ~fin
    if nf.any():
        xn, yn = x[nf], y[nf]
        v = np.full(xn.shape, np.nan)
        zero = (xn == -np.inf) | (yn == -np.inf)
        v[zero] = 0.0
        xinf = (xn == np.inf) & ~zero
        v[xinf] = ndtr(yn[xinf])          # Phi(y); Phi(+inf) = 1
        yinf = (yn == np.inf) & ~zero & ~(xn == np.inf)
        v[yinf] = ndtr(xn[yinf])
        bad = np.isnan(xn) | np.isnan(yn) | np.isnan(r[nf])
        v[bad] = np.nan
        out[nf] = v
    out = np.clip(out, 0.0, 1.0)
    return out.reshape(shape)


# ---------------------------------------------------------------------------
# step 1: thresholds
# ---------------------------------------------------------------------------

def _codes_matrix(X) -> np.ndarray:
    """Integer code matrix (0-based categories, -1 = missing) from ints or floats."""
    A = np.asarray(X)
    if A.dtype.kind == "f":
        miss = ~np.isfinite(A)
        out = np.where(miss, -1, A)
        if np.any(out != np.round(out)):
            raise DataError("category codes must be whole numbers (0, 1, ...; -1 or NaN = missing)")
        out = out.astype(np.int64)
    elif A.dtype.kind in "iub":
        out = A.astype(np.int64)
    else:
        raise DataError("category codes must be integers (0, 1, ...; -1 or NaN = missing)")
    out[out < 0] = -1
    return out


def _item_label(names, j) -> str:
    return str(names[j]) if names is not None else f"column {j}"


def thresholds(X_int, levels, *, names: Sequence[str] | None = None):
    """Thresholds of each ordered item: ``Phi^-1`` of the cumulative proportions.

    This is lavaan's univariate probit ML (``lav_uvord_fit``), which has this
    closed form for a single item without covariates.

    Parameters
    ----------
    X_int : array (n,) or (n, p)
        Category codes ``0 .. levels[j] - 1``; ``-1`` (or NaN) marks a missing
        value. Proportions use each item's non-missing values.
    levels : int or sequence of int
        Number of categories of each item (one value for all items, or one per
        column). Every category must occur at least once.
    names : sequence of str, optional
        Item names, used in error messages.

    Returns
    -------
    list of numpy.ndarray
        One array of ``levels[j] - 1`` increasing thresholds per item (a single
        array when ``X_int`` is 1-D).
    """
    C = _codes_matrix(X_int)
    one = C.ndim == 1
    if one:
        C = C[:, None]
    if C.ndim != 2:
        raise DataError("X_int must be a 1-D or 2-D array of category codes")
    p = C.shape[1]
    lev = np.broadcast_to(np.asarray(levels, dtype=np.int64), (p,))
    out = []
    for j in range(p):
        K = int(lev[j])
        col = C[:, j]
        col = col[col >= 0]
        if K < 2:
            raise DataError(f"item {_item_label(names, j)} needs at least 2 categories "
                            f"(levels = {K})")
        if col.size and col.max() >= K:
            raise DataError(f"item {_item_label(names, j)} has a code >= levels ({K})")
        freq = np.bincount(col, minlength=K)
        if np.any(freq == 0):
            raise DataError(
                f"item {_item_label(names, j)}: categories {np.flatnonzero(freq == 0).tolist()} "
                f"are empty (frequencies {freq.tolist()}); recode to the observed categories")
        out.append(_th_from_freq(freq))
    return out[0] if one else out


def _th_from_freq(freq: np.ndarray) -> np.ndarray:
    prop = freq / freq.sum()
    return ndtri(np.cumsum(prop)[:-1])


# ---------------------------------------------------------------------------
# step 2: polychoric correlations
# ---------------------------------------------------------------------------

def _grid_cdf(t1: np.ndarray, t2: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Cell probabilities (P, K, K) from padded thresholds (P, K-1) (+inf = pad)."""
    P, m = t1.shape
    K = m + 1
    BI = np.zeros((P, K + 1, K + 1))
    BI[:, 1:K, 1:K] = bvn_cdf(t1[:, :, None], t2[:, None, :], rho[:, None, None])
    BI[:, 1:K, K] = ndtr(t1)
    BI[:, K, 1:K] = ndtr(t2)
    BI[:, K, K] = 1.0
    return BI[:, 1:, 1:] - BI[:, 1:, :-1] - BI[:, :-1, 1:] + BI[:, :-1, :-1]


def _grid_phi(t1, t2, rho, second: bool = False):
    """Rectangle differences of phi2 (d PI / d rho) and optionally of phi2 * guv."""
    P, m = t1.shape
    K = m + 1
    X = t1[:, :, None]
    Y = t2[:, None, :]
    r = rho[:, None, None]
    fin = np.isfinite(X) & np.isfinite(Y)
    Xf = np.where(fin, X, 0.0)
    Yf = np.where(fin, Y, 0.0)
    dens = np.where(fin, bvn_pdf(Xf, Yf, r), 0.0)
    D = np.zeros((P, K + 1, K + 1))
    D[:, 1:K, 1:K] = dens
    phi = D[:, 1:, 1:] - D[:, :-1, 1:] - D[:, 1:, :-1] + D[:, :-1, :-1]
    if not second:
        return phi, None
    R = 1.0 - r * r
    guv = (Xf * Yf * R - r * (Xf * Xf - 2.0 * r * Xf * Yf + Yf * Yf) + r * R) / (R * R)
    G = np.zeros((P, K + 1, K + 1))
    G[:, 1:K, 1:K] = dens * guv
    gn = G[:, 1:, 1:] - G[:, :-1, 1:] - G[:, 1:, :-1] + G[:, :-1, :-1]
    return phi, gn


def _grad_hess(freq, t1, t2, rho):
    PI = _grid_cdf(t1, t2, rho)
    phi, gn = _grid_phi(t1, t2, rho, second=True)
    good = (PI > _SQRT_EPS) & (freq > 0)
    PIs = np.where(good, PI, 1.0)
    fp = np.where(good, freq * phi / PIs, 0.0)
    g = fp.sum(axis=(1, 2))
    H = (np.where(good, freq * gn / PIs, 0.0)
         - fp * np.where(good, phi / PIs, 0.0)).sum(axis=(1, 2))
    return g, H


def _newton_rho(freq, t1, t2, start, *, tol=1e-11, maxit=200):
    """Maximise the two-step polychoric likelihood for all pairs at once."""
    P = freq.shape[0]
    lo = np.full(P, -_RHO_BOUND)
    hi = np.full(P, _RHO_BOUND)
    rho = np.clip(start, -0.99, 0.99)
    done = np.zeros(P, bool)
    for _ in range(maxit):
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        r = rho[act]
        g, H = _grad_hess(freq[act], t1[act], t2[act], r)
        lo_a, hi_a = lo[act], hi[act]
        lo_a = np.where(g > 0, r, lo_a)
        hi_a = np.where(g < 0, r, hi_a)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(H < 0, -g / H, np.nan)
        newt = r + step
        finished = (g == 0) | (np.isfinite(step) & (np.abs(step) < tol)) | (hi_a - lo_a < tol)
        ok = np.isfinite(newt) & (newt > lo_a) & (newt < hi_a)
        new = np.where(ok, newt, 0.5 * (lo_a + hi_a))
        new = np.where(finished & np.isfinite(newt), np.clip(newt, lo_a, hi_a), new)
        edge = np.where(g > 0, hi_a, np.where(g < 0, lo_a, r))
        new = np.where(finished & ~np.isfinite(newt), edge, new)
        rho[act] = new
        lo[act], hi[act] = lo_a, hi_a
        done[act] = finished
    return np.clip(rho, -_RHO_BOUND, _RHO_BOUND), done


def _pearson_from_tables(freq):
    """Pearson correlation of the category codes, from the tables (lavaan's start)."""
    K = freq.shape[1]
    a = np.arange(K, dtype=float)
    n = freq.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        r1 = freq.sum(2)
        c1 = freq.sum(1)
        m1 = r1 @ a / n
        m2 = c1 @ a / n
        v1 = r1 @ (a * a) / n - m1 ** 2
        v2 = c1 @ (a * a) / n - m2 ** 2
        cxy = np.einsum("pab,a,b->p", freq, a, a) / n - m1 * m2
        r = cxy / np.sqrt(v1 * v2)
    return np.where(np.isfinite(r) & (np.abs(r) < 1.0), r, 0.0)


def _solve_pairs(freq, t1, t2, nth1, nth2, labels=None):
    """Polychoric rho for P pairs: tables (P, K, K), padded thresholds (P, K-1).

    Returns rho (P,) and a flag array (P,) of tables that had empty cells.
    """
    P = freq.shape[0]
    rho = np.zeros(P)
    start = _pearson_from_tables(freq)
    K = freq.shape[1]
    real = ((np.arange(K)[None, :, None] <= nth1[:, None, None])
            & (np.arange(K)[None, None, :] <= nth2[:, None, None]))
    empty = np.any(real & (freq == 0), axis=(1, 2))
    fit_freq = freq.copy()
    special = np.zeros(P, bool)
    # 2 x 2 tables: lavaan's zero-cell correction and closed forms
    for q in np.flatnonzero((nth1 == 1) & (nth2 == 1)):
        f = fit_freq[q, :2, :2].copy()
        z = np.flatnonzero(f.ravel() == 0)
        if z.size == 2:
            lab = f" for {labels[q][0]} x {labels[q][1]}" if labels else ""
            warnings.warn(f"two empty cells in the 2 x 2 table{lab}: polychoric "
                          "(tetrachoric) correlation set to +-1, as lavaan does",
                          DataQualityWarning, stacklevel=3)
            rho[q] = 1.0 if f[0, 0] > 0 else -1.0
            special[q] = True
            continue
        if z.size == 1:
            if z[0] in (0, 3):       # main diagonal: add there, keep margins
                f += np.array([[0.5, -0.5], [-0.5, 0.5]])
            else:
                f += np.array([[-0.5, 0.5], [0.5, -0.5]])
            fit_freq[q, :2, :2] = f
        if f[0, 0] * f[1, 1] == f[0, 1] * f[1, 0]:
            rho[q] = 0.0
            special[q] = True
        elif t1[q, 0] == 0.0 and t2[q, 0] == 0.0:
            rho[q] = -np.cos(_TWO_PI * f[0, 0] / f.sum())
            special[q] = True
    todo = np.flatnonzero(~special)
    notconv = []
    for s in range(0, todo.size, _PAIR_BLOCK):
        idx = todo[s:s + _PAIR_BLOCK]
        r, ok = _newton_rho(fit_freq[idx], t1[idx], t2[idx], start[idx])
        rho[idx] = r
        notconv.extend(idx[~ok].tolist())
    if notconv:
        which = (", ".join(f"{labels[q][0]} x {labels[q][1]}" for q in notconv[:10])
                 if labels else "")
        warnings.warn(f"polychoric correlation did not converge for {len(notconv)} pair(s)"
                      + (f": {which}" if which else ""), ConvergenceWarning, stacklevel=3)
    return rho, empty


def _pad_thresholds(th_list, K):
    out = np.full((len(th_list), K - 1), np.inf)
    for i, t in enumerate(th_list):
        out[i, :t.size] = t
    return out


def polychoric(x, y, tx, ty) -> float:
    """Two-step ML polychoric correlation of two ordered items for fixed thresholds.

    Parameters
    ----------
    x, y : array (n,)
        Category codes ``0 .. len(tx)`` and ``0 .. len(ty)``; ``-1`` or NaN =
        missing. Only rows observed on both items enter the table.
    tx, ty : array
        Thresholds of x and y (e.g. from :func:`thresholds`), held fixed.

    Returns
    -------
    float
        The ML estimate of rho in [-0.999, 0.999] (lavaan's bounds), with
        lavaan's treatment of empty cells (see the module docstring).
    """
    cx = _codes_matrix(x).ravel()
    cy = _codes_matrix(y).ravel()
    tx = np.atleast_1d(np.asarray(tx, float))
    ty = np.atleast_1d(np.asarray(ty, float))
    if cx.shape != cy.shape:
        raise DataError("x and y must have the same length")
    K1, K2 = tx.size + 1, ty.size + 1
    if cx.max(initial=-1) >= K1 or cy.max(initial=-1) >= K2:
        raise DataError("a category code exceeds the number of thresholds")
    both = (cx >= 0) & (cy >= 0)
    if not both.any():
        raise DataError("x and y have no row observed on both")
    K = max(K1, K2)
    tab = np.zeros((1, K, K))
    np.add.at(tab[0], (cx[both], cy[both]), 1.0)
    t1 = _pad_thresholds([tx], K)
    t2 = _pad_thresholds([ty], K)
    rho, _ = _solve_pairs(tab, t1, t2, np.array([K1 - 1]), np.array([K2 - 1]))
    return float(rho[0])


# ---------------------------------------------------------------------------
# scores and Gamma
# ---------------------------------------------------------------------------

def _uni_scores(th: np.ndarray) -> np.ndarray:
    """Cell scores (K, K-1): d log P(category c) / d tau_m, lavaan's lav_uvord."""
    K = th.size + 1
    TH = np.concatenate(([-_BORDER], th, [_BORDER]))
    z1 = TH[1:]       # upper bound of category c
    z2 = TH[:-1]      # lower bound
    pi = ndtr(z1) - ndtr(z2)
    large = z2 > 1.0
    pi[large] = ndtr(-z2[large]) - ndtr(-z1[large])
    p1 = np.exp(-0.5 * z1 * z1) / np.sqrt(_TWO_PI)
    p2 = np.exp(-0.5 * z2 * z2) / np.sqrt(_TWO_PI)
    S = np.zeros((K, K - 1))
    m = np.arange(K - 1)
    S[m, m] += p1[m] / pi[m]                 # category c = m: upper bound tau_m
    S[m + 1, m] -= p2[m + 1] / pi[m + 1]     # category c = m + 1: lower bound tau_m
    return S


def _bivariate_cell_scores(t1, t2, rho):
    """Per-cell bivariate scores for P pairs at rho (lavaan lav_bvord_cor_scores).

    Returns (s_rho, Z1a, Z2a, Z1b, Z2b, lik_ok) where s_rho = (dPI/drho)/PI and the
    Z arrays are the un-normalised threshold-score pieces for item 1 (rows) and
    item 2 (columns); cells with PI <= sqrt(eps) are flagged in lik_ok = False.
    """
    PI = _grid_cdf(t1, t2, rho)
    PI = np.maximum(PI, _SQRT_EPS)
    ok = PI > _SQRT_EPS
    phi, _ = _grid_phi(t1, t2, rho)
    lik = np.where(ok, PI, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        s_rho = np.where(ok, phi / lik, 0.0)
    s_rho[~np.isfinite(s_rho)] = 0.0      # lavaan: NA scores are skipped (na.rm)

    def bounds(t):
        tt = np.where(np.isfinite(t), t, _BORDER)
        P = t.shape[0]
        U = np.concatenate((tt, np.full((P, 1), _BORDER)), axis=1)   # upper of category
        L = np.concatenate((np.full((P, 1), -_BORDER), tt), axis=1)  # lower
        return U, L

    U1, L1 = bounds(t1)
    U2, L2 = bounds(t2)
    r = rho[:, None, None]
    R = np.sqrt(1.0 - rho * rho)[:, None, None]

    def dens(z):
        return np.exp(-0.5 * z * z) / np.sqrt(_TWO_PI)

    zeroR = R == 0.0
    Rs = np.where(zeroR, 1.0, R)

    def piece(za, zb_u, zb_l):
        # d(za) * [Phi((zb_u - rho za)/R) - Phi((zb_l - rho za)/R)]
        v = ndtr((zb_u - r * za) / Rs) - ndtr((zb_l - r * za) / Rs)
        return dens(za) * np.where(zeroR, 0.5, v)

    Z = [piece(U1[:, :, None], U2[:, None, :], L2[:, None, :]),
         piece(L1[:, :, None], U2[:, None, :], L2[:, None, :]),
         piece(U2[:, None, :], U1[:, :, None], L1[:, :, None]),
         piece(L2[:, None, :], U1[:, :, None], L1[:, :, None])]
    out = []
    for z in Z:
        z = np.where(ok, z / lik, 0.0)
        z[~np.isfinite(z)] = 0.0
        out.append(z)
    return (s_rho, *out, ok)


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
    import pandas as pd

    if missing not in ("pairwise", "listwise"):
        raise SpecificationError(f"missing must be 'pairwise' or 'listwise', not {missing!r}")
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
                          stacklevel=2)
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
                          MissingDataWarning, stacklevel=2)
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
                          f"(nearly) 1.0 ({rho[q]:.4f})", DataQualityWarning, stacklevel=2)
        if zero_pairs:
            notes.append(f"{len(zero_pairs)} of {P} bivariate tables have empty cells; as in "
                         "lavaan nothing is added to them (except a 2 x 2 table with one empty "
                         "cell, which gets 0.5 added with its margins kept).")

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


def _polyserial(z, code, th):
    """Two-step polyserial correlation (lavaan lav_bvmix): ML of rho given the margins."""
    from scipy.optimize import minimize_scalar

    TH = np.concatenate(([-_BORDER], th, [_BORDER]))
    up, lo = TH[code + 1], TH[code]

    def nll(rho):
        R = np.sqrt(1 - rho * rho)
        p = ndtr((up - rho * z) / R) - ndtr((lo - rho * z) / R)
        return -np.sum(np.log(np.maximum(p, np.finfo(float).eps)))

    res = minimize_scalar(nll, bounds=(-0.995, 0.995), method="bounded",
                          options={"xatol": 1e-12})
    return float(res.x)


def mixed_moments(data, ordered: Sequence[str], *, missing: str = "listwise") -> MixedMoments:
    """Thresholds, means, variances, polychoric/polyserial/Pearson correlations and Gamma.

    ``missing="listwise"`` (lavaan's default) keeps complete rows;
    ``"pairwise"`` uses each variable's and each pair's available values
    (scores of unobserved values are zero) and drops only empty rows. Equals
    lavaan 0.6-14 ``lavInspect(fit, "wls.obs")`` and ``lavInspect(fit,
    "gamma")`` for a WLSMV fit with ``ordered =`` naming some of the variables
    and no covariates.
    """
    from scipy.optimize import minimize_scalar

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
    for k, (j, i) in enumerate(zip(jj, ii)):
        vj, vi = names[j], names[i]
        both = obs[vj] & obs[vi]

        def full(x):
            out = np.zeros(n)
            out[both] = x
            return out

        if vj in ordset and vi in ordset:
            K1, K2 = ths[vj].size + 1, ths[vi].size + 1
            Kmax = max(K1, K2)
            thp = _pad_thresholds([ths[vj], ths[vi]], Kmax)
            a, b = codes[vj][both], codes[vi][both]
            freq = np.zeros((1, Kmax, Kmax))
            np.add.at(freq[0], (a, b), 1.0)
            rho = float(_solve_pairs(freq, thp[[0]], thp[[1]], np.array([K1 - 1]),
                                     np.array([K2 - 1]), labels=[(vj, vi)])[0][0])
            sr, Z1a, Z2a, Z1b, Z2b, _ = _bivariate_cell_scores(thp[[0]], thp[[1]], np.array([rho]))
            s_r = sr[0][a, b]
            SC_cor[:, k] = full(s_r)
            for m in range(K1 - 1):
                d = np.where(a == m, Z1a[0][a, b], 0.0) - np.where(a == m + 1, Z2a[0][a, b], 0.0)
                A21[k, th_cols[j][m]] = s_r @ d
            for m in range(K2 - 1):
                d = np.where(b == m, Z1b[0][a, b], 0.0) - np.where(b == m + 1, Z2b[0][a, b], 0.0)
                A21[k, th_cols[i][m]] = s_r @ d
        elif vj in ordset or vi in ordset:
            vn, vo = (vi, vj) if vj in ordset else (vj, vi)
            jn, jo = names.index(vn), names.index(vo)
            z = (Y[vn][both] - mus[vn]) / sd[vn]
            c, th = codes[vo][both], ths[vo]
            rho = _polyserial(z, c, th)
            R = np.sqrt(1 - rho * rho)
            TH = np.concatenate(([-_BORDER], th, [_BORDER]))
            up, lo = TH[c + 1], TH[c]
            t1, t2 = (up - rho * z) / R, (lo - rho * z) / R
            d1 = np.exp(-0.5 * t1 * t1) / np.sqrt(_TWO_PI)
            d2 = np.exp(-0.5 * t2 * t2) / np.sqrt(_TWO_PI)
            pr = np.maximum(ndtr(t1) - ndtr(t2), np.finfo(float).eps)
            inv = 1 / pr
            dd = d1 - d2
            s_rho = inv / R ** 3 * (d1 * (up * rho - z) - d2 * (lo * rho - z))
            dmu = 1 / sd[vn] * (z + inv * (rho / R) * dd)
            dvar = 1 / (2 * vs[vn]) * ((z * z - 1) + inv * rho * z / R * dd)
            SC_cor[:, k] = full(s_rho)
            A21[k, th_cols[jn][0]] = s_rho @ dmu
            A21[k, var_col[vn]] = s_rho @ dvar
            for m in range(th.size):
                dth = (np.where(c == m, d1, 0.0) - np.where(c == m + 1, d2, 0.0)) / R * inv
                A21[k, th_cols[jo][m]] = s_rho @ dth
            H21[k, var_col[vn]] = rho / (2 * sd[vn])
            H22[k] = sd[vn]
        else:
            z1 = (Y[vj][both] - mus[vj]) / sd[vj]
            z2 = (Y[vi][both] - mus[vi]) / sd[vi]
            if both.all():
                rho = float(np.mean(z1 * z2))
            else:                    # two-step ML of rho for margins fitted on other rows
                def nll(r):
                    return np.sum(0.5 * np.log(1 - r * r)
                                  + (z1 * z1 - 2 * r * z1 * z2 + z2 * z2) / (2 * (1 - r * r)))

                rho = float(minimize_scalar(nll, bounds=(-0.995, 0.995), method="bounded",
                                            options={"xatol": 1e-12}).x)
            r2 = 1 - rho * rho
            Q = z1 * z1 - 2 * rho * z1 * z2 + z2 * z2
            s_rho = rho / r2 + z1 * z2 / r2 - rho * Q / r2 ** 2
            g1 = (z1 - rho * z2) / r2
            g2 = (z2 - rho * z1) / r2
            SC_cor[:, k] = full(s_rho)
            A21[k, th_cols[j][0]] = s_rho @ (g1 / sd[vj])
            A21[k, th_cols[i][0]] = s_rho @ (g2 / sd[vi])
            A21[k, var_col[vj]] = s_rho @ (-1 / (2 * vs[vj]) + g1 * z1 / (2 * vs[vj]))
            A21[k, var_col[vi]] = s_rho @ (-1 / (2 * vs[vi]) + g2 * z2 / (2 * vs[vi]))
            H21[k, var_col[vj]] = sd[vi] * rho / (2 * sd[vj])
            H21[k, var_col[vi]] = sd[vj] * rho / (2 * sd[vi])
            H22[k] = sd[vj] * sd[vi]
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
