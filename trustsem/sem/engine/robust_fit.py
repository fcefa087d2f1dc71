"""Robust CFI, TLI, RMSEA (and its CI and p-values) as lavaan 0.6-14 computes them.

The "robust" indices estimate the population value of a fit index that the
sample statistic would have under normality and complete data (Brosseau-Liard,
Savalei & Li 2012; Brosseau-Liard & Savalei 2014). Every variant is built from
the same six numbers (:class:`RobustParts`): a test statistic ``T`` of the
model with its df and a scaling factor ``c = k / df``, and the same three for
the independence (baseline) model. From them (``N`` the total sample size as
lavaan counts it, ``G`` the number of groups):

- cfi_robust = 1 - max(T - c df, 0) / max(T - c df, T_b - c_b df_b, 0)
- tli_robust = nnfi_robust = 1 - ((T - c df) df_b) / ((T_b - c_b df_b) df)
- rni_robust = 1 - (T - c df) / (T_b - c_b df_b)
- rmsea_robust = sqrt(G) sqrt(max(T / (N df) - c / N, 0))
- its 90% CI: the noncentrality limits lambda of the scaled statistic T / c,
  turned into sqrt(G) sqrt(c lambda / (N df));
- rmsea_pvalue_robust (notclose): P(chi2_df(ncp) >= (<=) T / c) with
  ncp = N df h0^2 / (c G), h0 = .05 (.08).

What ``T`` and ``c`` are depends on the estimator:

- Complete-data MLM/MLR: ``T`` the ML chi-square and ``c`` the Satorra-Bentler
  / Yuan-Bentler scaling factor (computed in ``trustsem/sem.py``).
- FIML (ML or MLR, :func:`fiml_corrected`): Savalei's FIML-corrected statistic
  (Zhang & Savalei 2023, "FIML-C"). The model is re-evaluated, at the FIML
  estimates, as a complete-data ML fit to the saturated EM moments (that is
  ``T``); ``k`` corrects for the missing information, with the saturated
  observed information ``Wm`` under missing data, the complete-data one ``Wc``
  at the EM moments and ``U = Wm - Wm D (D' Wm D)^-1 D' Wm`` (``D`` the model
  Jacobian of the moments):
  ``k = tr(Wc Wm^-1 U Wm^-1)`` for ML (lavaan's version "V6") and
  ``k = tr(U Wm^-1 Wc Wm^-1 U Gamma)`` with ``Gamma = Wm^-1 J Wm^-1`` (``J``
  the first-order information of the saturated model) for MLR ("V3").
  The baseline is the independence model at the available-case means and
  variances, treated the same way.
- WLSMV (:func:`catml`): Savalei's (2021) catML. ``T`` is the ML statistic of
  the DWLS estimates against the polychoric correlation matrix,
  ``N (log|Sigma| + tr(R Sigma^-1) - log|R| - p)``; with ``W`` the DWLS weight,
  ``V`` the normal-theory ML weight of the correlations at Sigma and ``Gamma``
  the asymptotic covariance of the polychorics,
  ``k = tr(M' V M Gamma)``, ``M = I - D (D' W D)^-1 D' W``. The baseline is
  ``T_b = -N log|R|`` with ``k_b = tr(Gamma)``. lavaan gives up (NA) when R is
  not positive definite, and so do these functions.

Multi-group fits: ``T`` and ``k`` are summed over groups, with the weights of
group g scaled by its share n_g / N as lavaan does.

Validated against lavaan 0.6-14 ``fitMeasures()`` (tests/test_robust_fit.py).

References
----------
Brosseau-Liard, P. E., & Savalei, V. (2014). Adjusting incremental fit indices
for nonnormality. Multivariate Behavioral Research, 49, 460-470.
Savalei, V. (2018). On the computation of the RMSEA and CFI from the
mean-and-variance corrected test statistic with nonnormal data in SEM.
Multivariate Behavioral Research, 53, 419-429.
Savalei, V. (2021). Improving fit indices in structural equation modeling with
categorical data. Multivariate Behavioral Research, 56, 390-407.
Zhang, X., & Savalei, V. (2023). New computations for RMSEA and CFI following
FIML and TS estimation with missing data. Psychological Methods, 28, 263-283.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import linalg

from . import fitmeasures as fm
from .ram import Pattern
from .robust import _h1_scores_fiml, h1_observed_info_fiml

ROBUST_NAMES = ("cfi_robust", "tli_robust", "nnfi_robust", "rni_robust", "rmsea_robust",
                "rmsea_ci_lower_robust", "rmsea_ci_upper_robust", "rmsea_pvalue_robust",
                "rmsea_notclose_pvalue_robust")


@dataclass(frozen=True)
class RobustParts:
    """Test statistic, df and scaling factor of the model and of its baseline."""

    chisq: float
    df: float
    c: float
    baseline_chisq: float = np.nan
    baseline_df: float = np.nan
    baseline_c: float = np.nan

    @property
    def chisq_scaled(self) -> float:
        return self.chisq / self.c


NA_PARTS = RobustParts(np.nan, np.nan, np.nan)


def robust_indices(parts: RobustParts, *, df: float, baseline_df: float, N: float,
                   G: int = 1, ci_level: float = 0.90, close_h0: float = 0.05,
                   notclose_h0: float = 0.08) -> dict[str, float]:
    """The robust fit indices from :class:`RobustParts` (see the module docstring).

    ``df`` and ``baseline_df`` are the model's and the baseline's degrees of
    freedom; ``N`` is lavaan's N for the RMSEA family (the total sample size
    for ML, minus the number of groups for WLSMV).
    """
    T, c, Tb, cb = parts.chisq, parts.c, parts.baseline_chisq, parts.baseline_c
    df3 = parts.df
    out = dict.fromkeys(ROBUST_NAMES, np.nan)
    incremental = np.all(np.isfinite([T, df, Tb, baseline_df, c, cb]))
    if incremental:
        # lavaan falls back to the unscaled df when a factor is exactly 1
        k, kb = (c, cb) if (df > 0 and c != 1 and cb != 1) else (1.0, 1.0)
        t1 = max(T - k * df, 0.0)
        t2 = max(T - k * df, Tb - kb * baseline_df, 0.0)
        out["cfi_robust"] = 1.0 if (np.isclose(t1, 0) and np.isclose(t2, 0)) else 1 - t1 / t2
        a = (T - k * df) * baseline_df
        b = (Tb - kb * baseline_df) * df
        out["tli_robust"] = out["nnfi_robust"] = 1 - a / b if (df > 0 and abs(b) > 0) else 1.0
        d = Tb - kb * baseline_df
        out["rni_robust"] = np.nan if np.isclose(d, 0) else 1 - (T - k * df) / d
    if not np.all(np.isfinite([T, df3, c, N])):
        return out
    if df3 <= 0:
        out["rmsea_robust"] = 0.0
        return out
    out["rmsea_robust"] = float(np.sqrt(max(T / N / df3 - c / N, 0.0)) * np.sqrt(G))
    if not c > 0:
        # a non-positive scaling factor (tiny samples): lavaan's interval is NaN too
        return out
    Ts = T / c
    lo, hi = fm.rmsea_ci(Ts, df3, N, 1, level=ci_level)
    out["rmsea_ci_lower_robust"] = float(lo * np.sqrt(c * G))
    out["rmsea_ci_upper_robust"] = float(hi * np.sqrt(c * G))
    out["rmsea_pvalue_robust"] = fm.rmsea_pvalue(Ts, df3, N, G * c, close_h0, close=True)
    out["rmsea_notclose_pvalue_robust"] = fm.rmsea_pvalue(Ts, df3, N, G * c, notclose_h0,
                                                          close=False)
    return out


# ---------------------------------------------------------------------------
# FIML: the FIML-corrected statistic
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FimlGroup:
    """What :func:`fiml_corrected` needs from one group of a FIML fit.

    ``delta`` is the Jacobian of (mu, vech Sigma) with respect to the free
    parameters, in the order of :func:`moment_jacobian` (means first, then the
    lower triangle of Sigma row by row).
    """

    X: np.ndarray              # raw data with NaN for missing values
    patterns: Sequence[Pattern]
    h1_mean: np.ndarray        # EM (saturated) estimates
    h1_cov: np.ndarray
    mu: np.ndarray             # model-implied at the FIML estimates
    Sigma: np.ndarray
    delta: np.ndarray


def moment_jacobian(dS: np.ndarray, dmu: np.ndarray) -> np.ndarray:
    """Stack d mu / d theta and d vech(Sigma) / d theta (rows) for ``q`` parameters."""
    il = np.tril_indices(dS.shape[1])
    return np.vstack([dmu.T, dS[:, il[0], il[1]].T])


def _ml_discrepancy(S: np.ndarray, m: np.ndarray | None, Sigma: np.ndarray,
                    mu: np.ndarray | None) -> float:
    """log|Sigma| + tr(S Sigma^-1) - log|S| - p (+ mean part): twice the ML fit function."""
    Si = np.linalg.inv(Sigma)
    f = (np.linalg.slogdet(Sigma)[1] + np.sum(S * Si) - np.linalg.slogdet(S)[1] - len(S))
    if m is not None:
        d = m - mu
        f += d @ Si @ d
    return float(f)


def _complete_info(mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Normal-theory information (per case) of (mu, vech Sigma) at the sample moments."""
    p = len(mean)
    pat = Pattern(obs=np.arange(p), n=1, mean=mean, cov=cov)
    return h1_observed_info_fiml([pat], mean, cov, 1)


def _baseline_moments(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Available-case means and ML variances: the FIML independence model's estimates."""
    mu = np.nanmean(X, axis=0)
    var = np.nanmean((X - mu) ** 2, axis=0)
    return mu, var


def fiml_corrected(groups: Sequence[FimlGroup], *, scaled: bool, df: float, baseline_df: float,
                   x_idx: Sequence[int] = (), fixed_x: bool = False,
                   expected: bool = False) -> RobustParts:
    """lavaan's FIML-corrected statistic for the robust indices (``scaled``: MLR, "V3").

    ``x_idx`` are the positions of the exogenous observed covariates (lavaan's
    ``ov.x``): lavaan's complete-data refit treats them as fixed, so their
    moments carry no weight in ``Wc`` whether or not the model fixed them
    (``fixed_x``; then they also drop out of ``Wm`` and ``J``, whose inverse
    is taken on the remaining moments, and the baseline keeps them at their
    sample moments).
    The information matrix in ``U`` is ``D' Wm D`` (lavaan's observed
    information of the "h1" kind); with ``expected`` (``information =
    "expected"``) it is ``D' We D`` with ``We`` the expected information of
    the saturated model under the missing-data patterns, at the EM moments.
    Returns :data:`NA_PARTS` when a saturated information matrix is singular.
    """
    N = sum(len(g.X) for g in groups)
    p = len(groups[0].h1_mean)
    il = np.tril_indices(p)
    diag_rows = p + np.flatnonzero(il[0] == il[1])
    xs = np.zeros(p, bool)
    xs[list(x_idx)] = True
    x_rows = np.concatenate([xs, xs[il[0]] & xs[il[1]]])
    free_b = np.flatnonzero(~xs) if fixed_x else np.arange(p)
    nb = 2 * len(free_b)
    fixed_rows = x_rows if fixed_x else np.zeros_like(x_rows)
    keep = np.flatnonzero(~fixed_rows)
    T = Tb = 0.0
    Wm, Wmi, Wc, Gam, D, Db = [], [], [], [], [], []
    We = []                          # expected saturated information (information="expected")
    for k, g in enumerate(groups):
        n = len(g.X)
        fg = n / N
        T += n * _ml_discrepancy(g.h1_cov, g.h1_mean, g.Sigma, g.mu)
        bm, bv = _baseline_moments(g.X)
        Tb += n * _ml_discrepancy(g.h1_cov, g.h1_mean, np.diag(bv), bm)
        W = h1_observed_info_fiml(g.patterns, g.h1_mean, g.h1_cov, n)
        if fixed_x:
            # fixed covariates: their moments drop out of the saturated information
            W[fixed_rows] = 0.0
            W[:, fixed_rows] = 0.0
        Wi = np.zeros_like(W)
        try:
            Wi[np.ix_(keep, keep)] = linalg.inv(W[np.ix_(keep, keep)])
        except linalg.LinAlgError:
            return NA_PARTS
        Wi = 0.5 * (Wi + Wi.T)
        Wm.append(fg * W)
        Wmi.append(Wi / fg)
        Wc_g = _complete_info(g.h1_mean, g.h1_cov)
        Wc_g[x_rows] = 0.0
        Wc_g[:, x_rows] = 0.0
        Wc.append(fg * Wc_g)
        if scaled:
            s = _h1_scores_fiml(g.X, g.patterns, g.h1_mean, g.h1_cov)
            J = s.T @ s / n
            J[fixed_rows] = 0.0
            J[:, fixed_rows] = 0.0
            Gam.append(Wi @ J @ Wi / fg)
        D.append(g.delta)
        # independence model: a free mean and variance per variable and group
        Dg = np.zeros((len(W), nb * len(groups)))
        j = np.arange(len(free_b))
        Dg[free_b, nb * k + j] = 1.0
        Dg[diag_rows[free_b], nb * k + len(free_b) + j] = 1.0
        Db.append(Dg)
        if expected:
            pats = [Pattern(obs=pt.obs, n=pt.n, mean=g.h1_mean[pt.obs],
                            cov=g.h1_cov[np.ix_(pt.obs, pt.obs)]) for pt in g.patterns]
            We_g = h1_observed_info_fiml(pats, g.h1_mean, g.h1_cov, n)
            if fixed_x:
                We_g[fixed_rows] = 0.0
                We_g[:, fixed_rows] = 0.0
            We.append(fg * We_g)
    Wm_all, Wmi_all, Wc_all = (linalg.block_diag(*M) for M in (Wm, Wmi, Wc))
    Gam_all = linalg.block_diag(*Gam) if scaled else None

    We_all = linalg.block_diag(*We) if expected else Wm_all

    def trace(Dall: np.ndarray) -> float:
        WD = Wm_all @ Dall
        E = Dall.T @ We_all @ Dall
        U = Wm_all - WD @ linalg.solve(E, WD.T, assume_a="sym")
        if scaled:
            return float(np.trace(U @ Wmi_all @ Wc_all @ Wmi_all @ U @ Gam_all))
        return float(np.trace(Wc_all @ Wmi_all @ U @ Wmi_all))

    df3, dfb = df, baseline_df
    try:
        c = trace(np.vstack(D)) / df3 if df3 > 0 else np.nan
        cb = trace(np.vstack(Db)) / dfb if dfb > 0 else np.nan
    except (linalg.LinAlgError, ValueError):
        return NA_PARTS
    return RobustParts(chisq=T, df=df3, c=c, baseline_chisq=Tb, baseline_df=dfb, baseline_c=cb)


def fiml_measures(model, theta: np.ndarray, stats: Sequence, X_groups: Sequence[np.ndarray], *,
                  scaled: bool, df: float, baseline_df: float, N: float,
                  x_vars: Sequence[str] = (), fixed_x: bool = False,
                  expected: bool = False) -> dict[str, float]:
    """The robust indices of a FIML fit from the engine's objects.

    ``model`` is the fitted :class:`~trustsem.sem.engine.ram.RamModel`, ``stats``
    its per-group :class:`~trustsem.sem.engine.ram.GroupStats` (EM moments and
    missing-data patterns), ``X_groups`` the raw data per group, ``x_vars``
    the exogenous observed covariates (lavaan's ``ov.x``) and ``fixed_x``
    whether the model fixed them at their sample moments; ``expected`` says
    the fit uses the expected information (``information="expected"``).
    """
    if df <= 0:
        return dict.fromkeys(ROBUST_NAMES, np.nan)
    groups = []
    for g, (st, X) in enumerate(zip(stats, X_groups)):
        Sigma, mu, dS, dmu = model.derivatives(theta, g)
        groups.append(FimlGroup(X=X, patterns=st.patterns, h1_mean=st.mean, h1_cov=st.cov,
                                mu=mu, Sigma=Sigma, delta=moment_jacobian(dS, dmu)))
    x_idx = [model.index[v] for v in x_vars]
    parts = fiml_corrected(groups, scaled=scaled, df=df, baseline_df=baseline_df, x_idx=x_idx,
                           fixed_x=fixed_x, expected=expected)
    return robust_indices(parts, df=df, baseline_df=baseline_df, N=N, G=len(groups))


# ---------------------------------------------------------------------------
# WLSMV: catML
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CatGroup:
    """What :func:`catml` needs from one group of a WLSMV fit.

    The sample vector of a group is (thresholds, correlations) with the
    correlations in one order throughout (lavaan's: the lower triangle column
    by column, given by ``rows``/``cols``). ``jacobian`` is the derivative of
    that vector with respect to all free parameters (shared across groups),
    ``w`` the DWLS weights (1 / diag Gamma) and ``gamma`` the asymptotic
    covariance matrix (NACOV) of the vector; ``nth`` counts the thresholds.
    """

    R: np.ndarray              # polychoric correlation matrix
    Sigma: np.ndarray          # model-implied correlation matrix (unit diagonal)
    jacobian: np.ndarray
    w: np.ndarray
    gamma: np.ndarray
    nobs: int
    nth: int
    rows: np.ndarray           # row index of each correlation in the vector
    cols: np.ndarray


def _correlation_weight(Sigma: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Normal-theory ML weight 0.5 D'(Sigma^-1 x Sigma^-1)D restricted to the correlations."""
    Q = np.linalg.inv(Sigma)
    i, j = rows, cols
    # element (ij, kl): Q_ik Q_jl + Q_il Q_jk (the 0.5 cancels the two symmetric halves)
    return Q[np.ix_(i, i)] * Q[np.ix_(j, j)] + Q[np.ix_(i, j)] * Q[np.ix_(j, i)]


def catml(groups: Sequence[CatGroup], *, df: int, check_pd: bool = True) -> RobustParts:
    """lavaan's catML statistic for the robust indices of a WLSMV fit.

    ``df`` is the catML model's: the number of correlations (all groups) minus
    the free parameters that are not thresholds.

    Returns :data:`NA_PARTS` when a polychoric matrix is not positive definite
    (lavaan's ``cat.check.pd = TRUE``) or the information matrix is singular.
    """
    N = sum(g.nobs for g in groups)
    T = Tb = 0.0
    W, V, Gam, D = [], [], [], []
    info = 0.0
    for g in groups:
        if check_pd and np.linalg.eigvalsh(g.R)[0] < np.sqrt(np.finfo(float).eps):
            return NA_PARTS
        fg = g.nobs / N
        T += g.nobs * _ml_discrepancy(g.R, None, g.Sigma, None)
        Tb += -g.nobs * np.linalg.slogdet(g.R)[1]
        info = info + fg * g.jacobian.T @ (g.w[:, None] * g.jacobian)
        W.append(fg * g.w[g.nth:])
        V.append(fg * _correlation_weight(g.Sigma, g.rows, g.cols))
        Gam.append(g.gamma[g.nth:, g.nth:] / fg)
        D.append(g.jacobian[g.nth:])
    W_all = np.concatenate(W)
    V_all, Gam_all = (linalg.block_diag(*M) for M in (V, Gam))
    D_all = np.vstack(D)
    try:
        Einv = linalg.inv(info)
    except (linalg.LinAlgError, ValueError):
        return NA_PARTS
    M = np.eye(len(W_all)) - D_all @ Einv @ D_all.T * W_all[None, :]
    pstar = len(W_all)
    df3 = df
    k = float(np.trace(M.T @ V_all @ M @ Gam_all))
    c = k / df3 if df3 > 0 else np.nan
    cb = float(np.trace(Gam_all)) / pstar
    return RobustParts(chisq=T, df=df3, c=c, baseline_chisq=Tb, baseline_df=pstar, baseline_c=cb)
