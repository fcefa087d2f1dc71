"""Fit measures with lavaan's names and definitions (``fitMeasures()``).

Definitions (lavaan 0.6, ML with ``likelihood = "normal"``):

- chisq = N F_ML (complete data) or 2 (logl_h1 - logl_h0) (FIML); df = number
  of sample moments (minus those of fixed exogenous covariates) minus npar.
- baseline: independence model (free variances, free means when the model has a
  mean structure; exogenous covariates saturated when fixed.x).
- cfi = 1 - max(chisq - df, 0) / max(chisq - df, chisq_b - df_b, 0);
  tli = ((chisq_b/df_b) - (chisq/df)) / ((chisq_b/df_b) - 1).
- rmsea = sqrt(max(chisq/N/df - 1/N, 0)) * sqrt(G) with N the total sample
  size; the 90% CI inverts the noncentral chi-square; rmsea_pvalue is
  P(RMSEA <= .05) (test of close fit).
- srmr: Bentler's standardized root mean square residual (residuals scaled by
  the observed standard deviations, diagonal included; with a mean structure
  the standardized mean residuals are included too), weighted by group sizes
  (lavaan's default ``srmr``; ``srmr_bentler_nomean`` leaves the means out).
- logl, unrestricted_logl, aic = -2 logl + 2 npar, bic = -2 logl + npar log N,
  bic2 = -2 logl + npar log((N + 2) / 24).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats


def rmsea(chisq: float, df: float, n: float, g: int = 1) -> float:
    if df <= 0:
        return 0.0
    return float(np.sqrt(max(chisq / n / df - 1.0 / n, 0.0)) * np.sqrt(g))


def _ncx2_cdf(x: float, df: float, nc: float) -> float:
    if nc <= 0:
        return float(stats.chi2.cdf(x, df))
    return float(stats.ncx2.cdf(x, df, nc))


def rmsea_ci(chisq: float, df: float, n: float, g: int = 1, level: float = 0.90):
    if not (np.isfinite(chisq) and df >= 1):
        return (0.0, 0.0) if df < 1 else (np.nan, np.nan)
    upper_p = 1 - (1 - level) / 2
    lower_p = (1 - level) / 2

    def lo(lam):
        return _ncx2_cdf(chisq, df, lam) - upper_p

    def hi(lam):
        return _ncx2_cdf(chisq, df, lam) - lower_p

    if lo(0.0) < 0:
        lower = 0.0
    else:
        try:
            lam = optimize.brentq(lo, 0.0, max(chisq, 1e-8), xtol=1e-12)
            lower = np.sqrt(lam / (n * df)) * np.sqrt(g)
        except ValueError:
            lower = np.nan
    n_r = max(n, chisq * 4)
    if hi(n_r) > 0 or hi(0.0) < 0:
        upper = 0.0
    else:
        try:
            lam = optimize.brentq(hi, 0.0, n_r, xtol=1e-12)
            upper = np.sqrt(lam / (n * df)) * np.sqrt(g)
        except ValueError:
            upper = np.nan
    return float(lower), float(upper)


def rmsea_pvalue(chisq: float, df: float, n: float, g: int = 1, h0: float = 0.05,
                 close: bool = True) -> float:
    if df <= 0:
        return np.nan
    ncp = n * df * h0**2 / g
    c = _ncx2_cdf(chisq, df, ncp)
    return float(1 - c) if close else float(c)


def residual_means(S_list, Sigma_list, n_list, m_list=None, mu_list=None,
                   standardize: bool = True) -> float:
    """(S)RMR over the covariance residuals, plus the mean residuals if given.

    With ``standardize`` residuals are divided by the observed SDs (Bentler's
    SRMR, lavaan's ``srmr``/``srmr_bentler``); the result is averaged over
    groups weighted by group size.
    """
    N = sum(n_list)
    total = 0.0
    for g, (S, Sigma, n) in enumerate(zip(S_list, Sigma_list, n_list)):
        sd = np.sqrt(np.diag(S)) if standardize else np.ones(len(S))
        R = (S - Sigma) / np.outer(sd, sd)
        iu = np.triu_indices(len(S))
        sq = list(R[iu] ** 2)
        if m_list is not None:
            sq += list(((m_list[g] - mu_list[g]) / sd) ** 2)
        total += n / N * np.sqrt(np.mean(sq))
    return float(total)


def compute(*, chisq: float, df: int, baseline_chisq: float, baseline_df: int,
            npar: int, ntotal: int, ngroups: int, logl: float, h1_logl: float,
            fmin: float, S_list, Sigma_list, n_list, m_list=None,
            mu_list=None) -> dict[str, float]:
    """Assemble the fit-measure dictionary (lavaan names with '.' -> '_')."""
    N = ntotal
    out: dict[str, float] = {}
    out["npar"] = npar
    out["nobs"] = N
    out["ntotal"] = N
    out["fmin"] = fmin
    out["chisq"] = chisq
    out["df"] = df
    out["pvalue"] = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    out["baseline_chisq"] = baseline_chisq
    out["baseline_df"] = baseline_df
    out["baseline_pvalue"] = float(stats.chi2.sf(baseline_chisq, baseline_df)) if baseline_df > 0 else np.nan
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, baseline_chisq - baseline_df, 0.0)
    out["cfi"] = 1.0 if t1 == 0 and t2 == 0 else (1 - t1 / t2 if t2 > 0 else 1.0)
    if df > 0 and baseline_df > 0:
        tli = ((baseline_chisq / baseline_df) - (chisq / df)) / ((baseline_chisq / baseline_df) - 1)
    else:
        tli = 1.0
    out["tli"] = tli
    out["nnfi"] = tli
    out["rfi"] = ((baseline_chisq / baseline_df) - (chisq / df)) / (baseline_chisq / baseline_df) \
        if df > 0 and baseline_df > 0 else np.nan
    out["nfi"] = (baseline_chisq - chisq) / baseline_chisq if baseline_chisq > 0 else np.nan
    out["pnfi"] = (df / baseline_df) * out["nfi"] if baseline_df > 0 else np.nan
    out["ifi"] = (baseline_chisq - chisq) / (baseline_chisq - df) if baseline_chisq != df else np.nan
    rni_den = baseline_chisq - baseline_df
    out["rni"] = 1 - (chisq - df) / rni_den if rni_den != 0 else np.nan
    out["logl"] = logl
    out["unrestricted_logl"] = h1_logl
    out["aic"] = -2 * logl + 2 * npar
    out["bic"] = -2 * logl + npar * np.log(N)
    out["bic2"] = -2 * logl + npar * np.log((N + 2) / 24)
    out["rmsea"] = rmsea(chisq, df, N, ngroups)
    lo, hi = rmsea_ci(chisq, df, N, ngroups)
    out["rmsea_ci_lower"] = lo
    out["rmsea_ci_upper"] = hi
    out["rmsea_ci_level"] = 0.90
    out["rmsea_pvalue"] = rmsea_pvalue(chisq, df, N, ngroups, 0.05, close=True)
    out["rmsea_close_h0"] = 0.05
    out["rmsea_notclose_pvalue"] = rmsea_pvalue(chisq, df, N, ngroups, 0.08, close=False)
    out["rmsea_notclose_h0"] = 0.08
    out["rmr"] = residual_means(S_list, Sigma_list, n_list, m_list, mu_list, standardize=False)
    out["rmr_nomean"] = residual_means(S_list, Sigma_list, n_list, standardize=False)
    out["srmr"] = residual_means(S_list, Sigma_list, n_list, m_list, mu_list)
    out["srmr_bentler"] = out["srmr"]
    out["srmr_bentler_nomean"] = residual_means(S_list, Sigma_list, n_list)
    out["ecvi"] = chisq / N + 2 * npar / N
    out["mfi"] = float(np.exp(-0.5 * (chisq - df) / N))
    return out
