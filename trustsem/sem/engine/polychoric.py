"""Thresholds and polychoric correlations of ordered items (the pairwise first step).

The univariate and bivariate pieces of lavaan's (0.6-14) WLSMV first stage,
used by :mod:`trustsem.sem.engine.ordinal` for the moments and their Gamma:

1. **Thresholds** per item (lavaan ``lav_uvord``): the univariate probit ML,
   which for one item without covariates has the closed form
   ``tau_m = Phi^-1(cumulative proportion of categories 1..m)``, computed on the
   item's available values.
2. **Polychoric correlations** per pair (lavaan ``lav_bvord``, two-step): the ML
   estimate of rho for thresholds held fixed at step 1, from the pair's
   contingency table (rows observed on both items). Optimised for all pairs at
   once by a safeguarded Newton iteration on rho in [-0.999, 0.999] (lavaan's
   bounds), with the analytic gradient and Hessian (Olsson 1979).

The bivariate normal density and CDF (Genz's BVND) and the two-step polyserial
correlation of an ordered and a continuous variable are here too. Zero
frequencies are handled as in lavaan; see :mod:`trustsem.sem.engine.ordinal`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from ...exceptions import ConvergenceWarning, DataError, DataQualityWarning

__all__ = ["bvn_cdf", "bvn_pdf", "polychoric", "thresholds"]

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


# ---------------------------------------------------------------------------
# casewise scores
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
# pairs of mixed ordered and continuous variables
# ---------------------------------------------------------------------------

@dataclass
class _Margins:
    """First step of :func:`mixed_moments` per variable, and where each sits in the score matrix.

    Ordered items: category codes and thresholds; continuous variables: values,
    mean, ML variance and SD. ``th_cols``/``var_col`` give the columns of a
    variable's threshold (or mean) and variance scores.
    """

    names: list
    codes: dict
    ths: dict
    Y: dict
    mus: dict
    vs: dict
    sd: dict
    th_cols: dict
    var_col: dict


def _ordinal_pair(mg: _Margins, k: int, j: int, i: int, both, SC_cor, A21) -> float:
    """Polychoric correlation of two ordered items, its scores and A21 row ``k``."""
    vj, vi = mg.names[j], mg.names[i]
    codes, ths, th_cols = mg.codes, mg.ths, mg.th_cols
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
    SC_cor[both, k] = (s_r)
    for m in range(K1 - 1):
        d = np.where(a == m, Z1a[0][a, b], 0.0) - np.where(a == m + 1, Z2a[0][a, b], 0.0)
        A21[k, th_cols[j][m]] = s_r @ d
    for m in range(K2 - 1):
        d = np.where(b == m, Z1b[0][a, b], 0.0) - np.where(b == m + 1, Z2b[0][a, b], 0.0)
        A21[k, th_cols[i][m]] = s_r @ d
    return rho


def _polyserial_pair(mg: _Margins, k: int, j: int, i: int, both, SC_cor, A21, H21,
                     H22, ordset) -> float:
    """Polyserial correlation of an ordered and a continuous variable, scores, A21 and H rows."""
    vj, vi = mg.names[j], mg.names[i]
    codes, ths, Y, mus, vs, sd = mg.codes, mg.ths, mg.Y, mg.mus, mg.vs, mg.sd
    th_cols, var_col, names = mg.th_cols, mg.var_col, mg.names
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
    SC_cor[both, k] = (s_rho)
    A21[k, th_cols[jn][0]] = s_rho @ dmu
    A21[k, var_col[vn]] = s_rho @ dvar
    for m in range(th.size):
        dth = (np.where(c == m, d1, 0.0) - np.where(c == m + 1, d2, 0.0)) / R * inv
        A21[k, th_cols[jo][m]] = s_rho @ dth
    H21[k, var_col[vn]] = rho / (2 * sd[vn])
    H22[k] = sd[vn]
    return rho


def _pearson_pair(mg: _Margins, k: int, j: int, i: int, both, SC_cor, A21, H21, H22) -> float:
    """Pearson correlation of two continuous variables (two-step ML with missing values)."""
    from scipy.optimize import minimize_scalar

    vj, vi = mg.names[j], mg.names[i]
    Y, mus, vs, sd = mg.Y, mg.mus, mg.vs, mg.sd
    th_cols, var_col = mg.th_cols, mg.var_col
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
    SC_cor[both, k] = (s_rho)
    A21[k, th_cols[j][0]] = s_rho @ (g1 / sd[vj])
    A21[k, th_cols[i][0]] = s_rho @ (g2 / sd[vi])
    A21[k, var_col[vj]] = s_rho @ (-1 / (2 * vs[vj]) + g1 * z1 / (2 * vs[vj]))
    A21[k, var_col[vi]] = s_rho @ (-1 / (2 * vs[vi]) + g2 * z2 / (2 * vs[vi]))
    H21[k, var_col[vj]] = sd[vi] * rho / (2 * sd[vj])
    H21[k, var_col[vi]] = sd[vj] * rho / (2 * sd[vi])
    H22[k] = sd[vj] * sd[vi]
    return rho
