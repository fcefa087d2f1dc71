"""DWLS on thresholds and polychoric correlations (lavaan WLSMV).

The model itself (delta parameterization, thresholds, scale factors, several
groups) is ``trustsem.sem.wlsmv.WLSMVModel``; this module holds the test-statistic
algebra. With groups g = 1..G, sample statistics s_g (thresholds, then the
lower-triangle correlations), their implied values m_g(x), Jacobians Delta_g,
Gamma_g (N_g/(N_g-1) times the first-stage NACOV), W_g = diag(Gamma_g)^-1 and
f_g = N_g / N::

    chisq = sum_g N_g (s_g - m_g)' W_g (s_g - m_g)           (lavaan's 2 N fmin)
    V = A^-1 B A^-1,  A = sum_g N_g Delta_g' W_g Delta_g,
                      B = sum_g N_g Delta_g' W_g Gamma_g W_g Delta_g
    U = W - W Delta (Delta' W Delta)^-1 Delta' W,   W = blockdiag(f_g W_g)
    scaled-shifted, with Gamma = blockdiag(Gamma_g / f_g):
        a = sqrt(df / tr((U Gamma)^2)),   T = a chisq + (df - a tr(U Gamma))
"""

from __future__ import annotations

import numpy as np


def scaled_shifted(chisq: float, df: int, U: np.ndarray, Gamma: np.ndarray):
    """(statistic, a, shift, tr(U Gamma), tr((U Gamma)^2)) of the scaled-shifted test."""
    UG = U @ Gamma
    t1 = float(np.trace(UG))
    t2 = float(np.sum(UG * UG.T))
    a = np.sqrt(df / t2) if t2 > 0 and df > 0 else np.nan
    shift = df - a * t1
    return a * chisq + shift, a, shift, t1, t2


def u_matrix(W: np.ndarray, Delta: np.ndarray) -> np.ndarray:
    """U = W - W Delta (Delta' W Delta)^-1 Delta' W for a diagonal W (given as a vector)."""
    WD = W[:, None] * Delta
    A = Delta.T @ WD
    return np.diag(W) - WD @ np.linalg.solve(A, WD.T)
