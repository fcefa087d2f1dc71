"""DWLS on polychoric correlations (lavaan WLSMV, delta parameterization).

The latent response variables y* have unit variance, so residual variances
of ordered items are not parameters: they are 1 minus the explained variance.
Only the off-diagonal model-implied correlations enter the fit, so the model
is fitted with those residual variances held at zero and they are filled in
afterwards. In a single group without constraints on thresholds, the model
thresholds equal the sample thresholds and contribute nothing to the fit.

    F = (r - rho(theta))' W_c (r - rho(theta)),   W = diag(Gamma)^-1
    chisq = N F (lavaan's 2 N fmin)
    V = A^-1 (Delta' W Gamma W Delta) A^-1 / N,   A = Delta' W Delta
    U = W - W Delta A^-1 Delta' W
    scaled-shifted: a = sqrt(df / tr((U Gamma)^2)),
                    T = a chisq + (df - a tr(U Gamma))
"""

from __future__ import annotations

import numpy as np

from .ram import RamModel


class DWLSObjective:
    """DWLS discrepancy on the correlations over the structural parameters."""

    kind = "dwls"

    def __init__(self, model: RamModel, r: np.ndarray, w: np.ndarray, rows: np.ndarray,
                 cols: np.ndarray, struct_idx: np.ndarray):
        self.model = model
        self.r = r
        self.w = w
        self.rows, self.cols = rows, cols
        self.struct_idx = struct_idx
        self.N = 1

    def full(self, ts: np.ndarray) -> np.ndarray:
        th = np.zeros(self.model.q)
        th[self.struct_idx] = ts
        return th

    def value(self, ts: np.ndarray) -> float:
        try:
            Sigma, _ = self.model.implied(self.full(ts), 0)
        except np.linalg.LinAlgError:
            return np.inf
        e = self.r - Sigma[self.rows, self.cols]
        return float(e @ (self.w * e))

    def value_grad(self, ts: np.ndarray):
        try:
            Sigma, _, dS, _ = self.model.derivatives(self.full(ts), 0)
        except np.linalg.LinAlgError:
            return np.inf, np.zeros(len(ts)), None
        e = self.r - Sigma[self.rows, self.cols]
        D = dS[:, self.rows, self.cols][self.struct_idx].T      # n_cor x q_struct
        f = float(e @ (self.w * e))
        g = -2.0 * D.T @ (self.w * e)
        return f, g, D

    def gradient(self, ts: np.ndarray):
        return self.value_grad(ts)[1]

    def scoring(self, ts: np.ndarray, cache=None) -> np.ndarray:
        D = cache if cache is not None else self.value_grad(ts)[2]
        return D.T @ (self.w[:, None] * D)


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
