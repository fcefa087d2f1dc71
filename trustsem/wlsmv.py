"""WLSMV for ordered (Likert) items: two-step polychorics, DWLS, robust SEs, scaled-shifted test.

Equals lavaan ``sem(..., ordered = TRUE, estimator = "WLSMV")`` with its
defaults (delta parameterization, listwise or pairwise first stage): see
``trustsem/_engine/ordinal.py`` for the first stage and
``trustsem/_engine/dwls.py`` for the second. Validated against lavaan 0.6-14
(tests/reference/*_wlsmv_*).

Supported: single-group models whose observed variables are all ordered.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import linalg, stats

from ._engine import fitmeasures as fm
from ._engine.dwls import DWLSObjective, scaled_shifted, u_matrix
from ._engine.estimate import minimize
from ._engine.ordinal import ordinal_moments
from ._engine.ram import GroupStats, RamModel
from ._engine.rows import RowEvaluator
from ._engine.start import start_values
from ._validation import check_dataframe, check_numeric_columns
from .exceptions import (
    CONVERGENCE_DOCS,
    ConvergenceWarning,
    EstimationError,
    IdentificationWarning,
    SpecificationError,
)
from .results import SEMResult
from .spec import ModelSpec, build_partable

_Z975 = stats.norm.ppf(0.975)


def fit_wlsmv(spec: ModelSpec, data: pd.DataFrame, *, ordered, missing: str, options: dict,
              notes: list[str], strict: bool, std_lv: bool) -> SEMResult:
    from .sem import (
        FitContext,
        _apply_equality_constraints,
        _heywood_checks,
        _param_names,
        _r_squared,
        _versions,
    )

    data = check_dataframe(data)
    spec.check_data(data.columns)
    ov = spec.observed
    if ordered is True:
        ordered_set = list(ov)
    else:
        ordered_set = [ordered] if isinstance(ordered, str) else list(ordered)
        unknown = [v for v in ordered_set if v not in ov]
        if unknown:
            raise SpecificationError(f"`ordered` names variables that are not in the model: {unknown}.")
    continuous = [v for v in ov if v not in ordered_set]
    if continuous:
        raise SpecificationError(
            f"WLSMV here needs every observed variable ordered; {continuous} are not. Declare"
            " them with ordered=True (Likert items) or use estimator='MLR' for continuous data.")
    if missing not in ("listwise", "pairwise"):
        raise SpecificationError(
            "WLSMV supports missing='listwise' (lavaan's default for ordered data) or"
            f" missing='pairwise'; got {missing!r}. FIML is not defined for WLSMV.")
    X = check_numeric_columns(data, ov)
    om = ordinal_moments(X, ordered=True, missing=missing)
    notes.extend(om.notes)
    N = om.nobs
    if missing == "listwise" and N < len(X):
        from .exceptions import MissingDataWarning

        warnings.warn(f"Listwise deletion: used {N} of {len(X)} rows for WLSMV; use"
                      " missing='pairwise' to keep the incomplete ones.", MissingDataWarning,
                      stacklevel=4)
    p = len(ov)
    pt = build_partable(spec, std_lv=std_lv, fixed_x=False)
    if pt.exogenous:
        raise SpecificationError("Ordered items as predictors are not supported with WLSMV.")
    _apply_equality_constraints(pt)
    st = GroupStats(nobs=N, cov=om.cor.copy(), mean=np.zeros(p))
    model = RamModel(pt, [st])
    tab = pt.table
    is_res = ((tab["op"] == "~~") & (tab["lhs"] == tab["rhs"]) & tab["lhs"].isin(ov)).to_numpy()
    res_params = sorted({int(k) - 1 for k in tab.loc[is_res & (tab["free"] > 0), "free"]})
    struct_idx = np.array([k for k in range(model.q) if k not in res_params], dtype=int)
    jj, ii = np.triu_indices(p, k=1)
    rows_i, cols_j = ii, jj                       # lower triangle, column by column
    # lavaan weights and sandwiches with N/(N-1) times the first-stage Gamma
    # (its NACOV with the unbiased divisor); without it chisq and SEs are off
    # by exactly that factor
    Gamma = om.gamma * N / (N - 1)
    nth = len(om.th_vector)
    w_full = 1.0 / np.diag(Gamma)
    w_c = w_full[nth:]
    r = om.cor_vector
    obj = DWLSObjective(model, r, w_c, rows_i, cols_j, struct_idx)
    theta0 = start_values(model, [st])[struct_idx]
    opt = minimize(obj, theta0)
    problems: list[tuple[type, str]] = []
    if not opt.converged:
        problems.append((ConvergenceWarning, f"The optimizer did not converge ({opt.message}). "
                         + CONVERGENCE_DOCS))
    theta = obj.full(opt.theta)
    Sigma0 = model.implied(theta, 0)[0]
    for k in res_params:
        var = tab.loc[(tab["free"] == k + 1) & is_res, "lhs"].iloc[0]
        i = ov.index(var)
        theta[k] = 1.0 - Sigma0[i, i]
    D = obj.value_grad(opt.theta)[2]
    qs = len(struct_idx)
    Delta = np.zeros((nth + len(r), nth + qs))
    Delta[:nth, :nth] = np.eye(nth)
    Delta[nth:, nth:] = D
    WD = w_full[:, None] * Delta
    A = Delta.T @ WD
    Ainv = linalg.inv(A)
    Bm = WD.T @ Gamma @ WD
    V = Ainv @ Bm @ Ainv / N
    V = 0.5 * (V + V.T)
    ev = np.linalg.eigvalsh(V)
    if ev[0] < 1e-8 * max(ev[-1], 1e-300) or ev[0] < 1e-12:
        problems.append((IdentificationWarning,
                         f"The covariance matrix of the estimates is not positive definite (smallest"
                         f" eigenvalue {ev[0]:.2g}). With ordered items this often comes from"
                         " categories chosen by very few respondents (a near-singular Gamma);"
                         " consider merging sparse categories. lavaan warns here too."))
    se_all = np.sqrt(np.clip(np.diag(V), 0, None))
    se_th, se_struct = se_all[:nth], se_all[nth:]

    # test statistics ---------------------------------------------------------
    chisq = N * opt.fmin
    df = len(r) - qs
    U = u_matrix(w_full, Delta)
    sc, a, shift, t1, t2 = scaled_shifted(chisq, df, U, Gamma)
    Tb = N * float(np.sum(w_c * r**2))
    dfb = len(r)
    Ub = np.diag(np.concatenate([np.zeros(nth), w_c]))
    scb, ab, shiftb, _, _ = scaled_shifted(Tb, dfb, Ub, Gamma)
    fit = _fit_measures(chisq, df, sc, a, shift, Tb, dfb, scb, ab, N, nth + qs, opt.fmin,
                        om.cor, Sigma0)

    # estimates table -----------------------------------------------------------
    rowev = RowEvaluator(pt, model)
    est = rowev.estimates(theta, [st])
    slv, sall = rowev.standardized(theta, est)
    se = np.zeros(len(tab))
    free = tab["free"].to_numpy().astype(int)
    pos = {k: n for n, k in enumerate(struct_idx)}
    for n_, k in enumerate(free):
        if k > 0 and (k - 1) in pos:
            se[n_] = se_struct[pos[k - 1]]
    rows = pd.DataFrame({"lhs": tab["lhs"], "op": tab["op"], "rhs": tab["rhs"].fillna(""),
                         "label": tab["label"].replace("", np.nan), "est": est, "se": se,
                         "std_lv": slv, "std_all": sall, "_free": (free > 0) & ~is_res})
    th_rows = pd.DataFrame({
        "lhs": [lab.split("|")[0] for lab in om.th_labels], "op": "|",
        "rhs": [lab.split("|")[1] for lab in om.th_labels], "label": np.nan,
        "est": om.th_vector, "se": se_th, "std_lv": om.th_vector, "std_all": om.th_vector,
        "_free": True})
    extra = pd.DataFrame(
        [{"lhs": v, "op": "~*~", "rhs": v, "est": 1.0, "se": 0.0, "std_lv": 1.0, "std_all": 1.0,
          "_free": False} for v in ov]
        + [{"lhs": v, "op": "~1", "rhs": "", "est": 0.0, "se": 0.0, "std_lv": 0.0, "std_all": 0.0,
            "_free": False} for v in ov + pt.latent])
    n_load = int((rows["op"] == "=~").sum())
    rows = pd.concat([rows.iloc[:n_load], th_rows, rows.iloc[n_load:], extra], ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(rows["_free"] & (rows["se"] > 0), rows["est"] / rows["se"], np.nan)
    rows["z"] = z
    rows["pvalue"] = 2 * stats.norm.sf(np.abs(z))
    rows["ci_lower"] = rows["est"] - _Z975 * rows["se"]
    rows["ci_upper"] = rows["est"] + _Z975 * rows["se"]
    rows = rows[["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper",
                 "std_lv", "std_all"]]

    problems += _heywood_checks(rows[rows["op"] != "|"], pt, model, theta)
    for cls, msg in problems:
        notes.append(msg)
        if strict:
            raise EstimationError(msg)
        warnings.warn(msg, cls, stacklevel=4)
    notes.append(f"WLSMV: DWLS on {len(r)} polychoric correlations and {nth} thresholds"
                 f" (delta parameterization), robust SEs, scaled-shifted test; N = {N}.")
    names = om.th_labels + [_param_names(pt)[k] for k in struct_idx]
    vc = pd.DataFrame(V, index=names, columns=names)
    options = dict(options, estimator="WLSMV", information="expected", se_label="robust (sandwich)",
                   nobs=[N], n_rows=len(X), ordered=list(ov), missing=missing, group_labels=["1"])
    ctx = FitContext(spec, pt, model, [st], theta, obj, options)
    return SEMResult(
        estimates=rows, fit_measures=pd.Series(fit, dtype=float), r2=_r_squared(pt, model, theta),
        spec=spec, n_obs=int(N), estimator="WLSMV", converged=bool(opt.converged),
        notes=tuple(notes), versions=_versions(), options=options, vcov=vc,
        implied={"1": pd.DataFrame(Sigma0 + np.diag(1 - np.diag(Sigma0)), index=ov, columns=ov)},
        sample={"1": pd.DataFrame(om.cor, index=ov, columns=ov)}, _context=ctx)


def _fit_measures(chisq, df, sc, a, shift, Tb, dfb, scb, ab, N, npar, F, R, Sigma0) -> dict:
    out: dict[str, float] = {"npar": npar, "nobs": N, "ntotal": N, "fmin": 0.5 * F,
                             "chisq": chisq, "df": df,
                             "pvalue": float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan,
                             "chisq_scaled": sc, "df_scaled": df,
                             "pvalue_scaled": float(stats.chi2.sf(sc, df)) if df > 0 else np.nan,
                             "chisq_scaling_factor": 1.0 / a, "chisq_shift_parameter": shift,
                             "baseline_chisq": Tb, "baseline_df": dfb,
                             "baseline_pvalue": float(stats.chi2.sf(Tb, dfb)),
                             "baseline_chisq_scaled": scb, "baseline_df_scaled": dfb,
                             "baseline_pvalue_scaled": float(stats.chi2.sf(scb, dfb)),
                             "baseline_chisq_scaling_factor": 1.0 / ab}

    def cfi(x, d, xb, db):
        t1 = max(x - d, 0.0)
        t2 = max(x - d, xb - db, 0.0)
        return 1.0 if t2 == 0 else 1 - t1 / t2

    def tli(x, d, xb, db):
        return ((xb / db) - (x / d)) / ((xb / db) - 1) if d > 0 else 1.0

    out["cfi"] = cfi(chisq, df, Tb, dfb)
    out["tli"] = tli(chisq, df, Tb, dfb)
    out["cfi_scaled"] = cfi(sc, df, scb, dfb)
    out["tli_scaled"] = tli(sc, df, scb, dfb)
    # lavaan uses N - 1 in the RMSEA family when the estimator is not ML
    n1 = N - 1
    out["rmsea"] = fm.rmsea(chisq, df, n1)
    out["rmsea_ci_lower"], out["rmsea_ci_upper"] = fm.rmsea_ci(chisq, df, n1)
    out["rmsea_pvalue"] = fm.rmsea_pvalue(chisq, df, n1)
    out["rmsea_scaled"] = fm.rmsea(sc, df, n1)
    out["rmsea_ci_lower_scaled"], out["rmsea_ci_upper_scaled"] = fm.rmsea_ci(sc, df, n1)
    out["rmsea_pvalue_scaled"] = fm.rmsea_pvalue(sc, df, n1)
    Sig = Sigma0 + np.diag(1 - np.diag(Sigma0))
    out["srmr"] = fm.residual_means([R], [Sig], [N])
    # lavaan's robust CFI/RMSEA for categorical data (catML approach) are not
    # implemented: reported as missing, never approximated
    for k in ("cfi_robust", "tli_robust", "rmsea_robust"):
        out[k] = np.nan
    for k in ("logl", "unrestricted_logl", "aic", "bic"):
        out[k] = np.nan
    return out
