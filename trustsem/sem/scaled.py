"""MLM and MLR: sandwich standard errors, scaled test statistics and robust fit indices.

The robust covariance of the estimates (Huber-White sandwich from casewise
scores), the scaling trace of the Satorra-Bentler (MLM) and Yuan-Bentler (MLR)
statistics, and the scaled and robust CFI/TLI/RMSEA (Brosseau-Liard & Savalei
2014; Savalei 2018) as lavaan reports them. Used by :mod:`trustsem.sem.fit`.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from .engine import fitmeasures as fm
from .engine import robust as rb
from .engine import robust_fit

__all__ = ["robust_vcov", "scaled_measures"]


def robust_vcov(options, model, obj, stats_list, X_groups, theta, info, vcov, N, df) -> dict:
    """Sandwich covariance and the scaling trace (see trustsem/sem/engine/robust.py)."""
    fiml = options["missing"] == "fiml"
    scores = rb.casewise_scores(model, stats_list, X_groups, theta, fiml,
                                sample_center=options["estimator"] == "MLM")
    B0 = rb.first_order(scores, N, center=options["estimator"] == "MLM")
    Einv = vcov * N                       # vcov = (N E)^-1
    V = Einv @ B0 @ Einv / N
    h0 = float(np.sum(B0 * Einv.T))
    h1 = 0.0
    for g, (st, X) in enumerate(zip(stats_list, X_groups)):
        if fiml:
            h1 += rb.h1_trace_fiml(X, st.patterns, st.mean, st.cov)
        else:
            Sig = model.implied(theta, g)[0] if options["estimator"] == "MLM" else st.cov
            h1 += rb.h1_trace_complete(X, Sig, model.meanstructure)
    trace = h1 - h0
    c = trace / df if df > 0 else np.nan
    return {"vcov": 0.5 * (V + V.T), "trace": trace, "c": c, "h1": h1, "h0": h0}


def scaled_measures(fit, robust, X_groups, pt, model, options, df, baseline_df, N) -> dict:
    """Scaled test, baseline and CFI/TLI/RMSEA (and robust indices) for MLM and MLR."""
    G = pt.ngroups
    chisq, c = fit["chisq"], robust["c"]
    out: dict[str, float] = {}
    if df <= 0:
        # saturated model: nothing to scale (lavaan reports NA as well)
        names = ["chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor",
                 "baseline_chisq_scaled", "baseline_df_scaled", "baseline_pvalue_scaled",
                 "baseline_chisq_scaling_factor", "cfi_scaled", "tli_scaled", "rmsea_scaled",
                 "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled", "rmsea_pvalue_scaled",
                 "cfi_robust", "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust",
                 "rmsea_ci_upper_robust", "rmsea_pvalue_robust"]
        out = {k: np.nan for k in names}
        out.update(chisq_scaled=chisq, df_scaled=df)
        return out
    scaled = chisq / c if df > 0 and c > 0 else np.nan
    out.update(chisq_scaled=scaled, df_scaled=df,
               pvalue_scaled=float(stats.chi2.sf(scaled, df)) if df > 0 else np.nan,
               chisq_scaling_factor=c)
    # independence model: closed-form h0 part; its h1 part is the model's for
    # MLR (saturated weight) and is re-evaluated at diag(S) for MLM (structured)
    h0_b = sum(rb.baseline_trace(X, model.meanstructure) for X in X_groups)
    h1_b = robust["h1"]
    if options["estimator"] == "MLM":
        h1_b = sum(rb.h1_trace_complete(X, np.diag(np.diag(np.cov(X.T, bias=True))),
                                        model.meanstructure) for X in X_groups)
    cb = (h1_b - h0_b) / baseline_df if baseline_df > 0 else np.nan
    xb = fit["baseline_chisq"]
    xb_scaled = xb / cb
    out.update(baseline_chisq_scaled=xb_scaled, baseline_df_scaled=baseline_df,
               baseline_pvalue_scaled=float(stats.chi2.sf(xb_scaled, baseline_df)),
               baseline_chisq_scaling_factor=cb)
    # scaled: the usual formulas on the scaled statistics
    t1 = max(scaled - df, 0.0)
    t2 = max(scaled - df, xb_scaled - baseline_df, 0.0)
    out["cfi_scaled"] = 1 - t1 / t2 if t2 > 0 else 1.0
    out["tli_scaled"] = (((xb_scaled / baseline_df) - (scaled / df))
                         / ((xb_scaled / baseline_df) - 1))
    # lavaan: the unscaled statistic with df replaced by tr(U Gamma) = c df
    trace = robust["trace"]
    out["rmsea_scaled"] = fm.rmsea(chisq, trace, N, G)
    lo, hi = fm.rmsea_ci(chisq, trace, N, G)
    out["rmsea_ci_lower_scaled"], out["rmsea_ci_upper_scaled"] = lo, hi
    out["rmsea_pvalue_scaled"] = fm.rmsea_pvalue(chisq, trace, N, G, 0.05, close=True)
    # robust (Brosseau-Liard & Savalei 2014; Savalei 2018): unscaled statistics
    # with the scaling factors in place of 1
    if options["missing"] == "fiml":
        # FIML: robust indices from the FIML-corrected statistic, set by the fit
        return out
    parts = robust_fit.RobustParts(chisq, df, c, xb, baseline_df, cb)
    out.update(robust_fit.robust_indices(parts, df=df, baseline_df=baseline_df, N=N, G=G))
    return out
