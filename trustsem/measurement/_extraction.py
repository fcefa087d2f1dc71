"""Factor extraction shared by EFA, parallel analysis and Harman's test.

Minres (ULS) and ML extraction of unrotated loadings, as ``psych::fa()``
does, with the uniquenesses bounded below by psych's 0.005.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import optimize

_LOWER = 0.005          # psych's lower bound for uniquenesses


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
