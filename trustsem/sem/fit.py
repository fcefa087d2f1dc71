"""``sem()`` and ``cfa()``: lavaan-compatible maximum-likelihood SEM.

The numbers equal lavaan 0.6's ``sem()``/``cfa()`` with default options on
the same data (validated against committed lavaan fixtures, see
``tests/reference``): ML with the N-divisor sample covariance, expected
information for complete data, observed information for FIML, listwise
deletion by default, fixed exogenous covariates (``fixed.x = TRUE``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, stats
from threadpoolctl import threadpool_limits

from ..exceptions import (
    CONVERGENCE_DOCS,
    ConvergenceWarning,
    EstimationError,
    IdentificationWarning,
    SpecificationError,
)
from .context import FitContext
from .engine import fitmeasures as fm
from .engine import robust_fit
from .engine.estimate import (
    FIMLObjective,
    MLObjective,
    em_saturated,
    fiml_loglik,
    make_patterns,
    minimize,
    numerical_hessian,
)
from .engine.partable import ParTable, apply_equality_constraints, param_names
from .engine.partable import param_names as _param_names  # noqa: F401  (earlier import path)
from .engine.ram import GroupStats, RamModel
from .engine.rows import RowEvaluator
from .engine.start import start_values
from .options import (
    check_continuous_options,
    check_estimator_options,
    check_group_options,
    check_wlsmv_options,
)
from .prepare import likert_note, prepare_cov, prepare_data
from .results import SEMResult
from .scaled import robust_vcov, scaled_measures
from .solution import delta_se, heywood_checks, r_squared, versions
from .spec import ModelSpec, build_partable
from .wlsmv import fit_wlsmv

__all__ = ["cfa", "sem"]



def sem(
    model: str | ModelSpec,
    data: pd.DataFrame | None = None,
    *,
    estimator: str | None = None,
    missing: str = "listwise",
    ordered: bool | Sequence[str] | None = None,
    parameterization: str | None = None,
    sample_cov: pd.DataFrame | None = None,
    sample_nobs: int | None = None,
    sample_mean: pd.Series | None = None,
    sample_sd: pd.Series | Sequence[float] | None = None,
    group: str | None = None,
    group_equal: Sequence[str] = (),
    group_partial: Sequence[str] = (),
    se: str = "standard",
    bootstrap: int = 1000,
    seed: int | None = None,
    std_lv: bool = False,
    fixed_x: bool = True,
    information: str | None = None,
    meanstructure: bool | None = None,
    strict: bool = False,
    ci_type: str = "perc",
    level: float = 0.95,
    n_jobs: int | None = None,
    progress: bool = True,
) -> SEMResult:
    """Fit a structural equation model written in lavaan syntax.

    Parameters
    ----------
    model : str or ModelSpec
        lavaan syntax (``=~``, ``~``, ``~~``, ``~ 1``, ``:=``, ``==``, labels
        ``a*x``, fixed values ``1*x``, ``NA*x``).
    data : DataFrame, optional
        One row per respondent. Either ``data`` or ``sample_cov`` is required.
    estimator : {"ML", "MLR", "MLM", "WLSMV"}, optional
        ``"ML"`` (normal theory; the default for continuous items), ``"MLR"``
        (robust Huber-White SEs, Yuan-Bentler scaled test; works with FIML),
        ``"MLM"`` (robust SEs, Satorra-Bentler test; complete data) or
        ``"WLSMV"`` (ordered items; the default when ``ordered`` is given).
    missing : {"listwise", "fiml", "fiml.x", "pairwise"}
        ``"listwise"`` drops incomplete rows and reports how many; ``"fiml"``
        uses every observed value (lavaan ``missing = "ml"``), except that rows
        with a missing fixed exogenous covariate are dropped with a
        :class:`MissingDataWarning`; ``"fiml.x"`` keeps those rows too, the
        covariates entering the likelihood (lavaan ``missing = "ml.x"``);
        ``"pairwise"`` is for WLSMV only and is reported with the N per pair.
        NaNs are never handled by pairwise deletion unless asked. ``"ml"`` and
        ``"ml.x"`` are accepted as lavaan's names.
    ordered : True or list of str, optional
        Items to treat as ordered categories (WLSMV). ``True``: all items.
        The other observed variables are continuous (polyserial and Pearson
        correlations). With ``group``, add
        ``"thresholds"`` to ``group_equal`` to hold thresholds equal (lavaan
        then frees scale factors and latent means in groups 2+); compare nested
        WLSMV fits with :func:`trustsem.sem.wlsmv.difference_test`.
    parameterization : {"delta", "theta"}, optional
        WLSMV only (lavaan's ``parameterization``): ``"delta"`` (default)
        fixes the scale factors of the latent responses, ``"theta"`` their
        residual variances (both freed in groups 2+ when thresholds are held
        equal). Same fit, different scaling of the estimates.
    sample_cov : DataFrame, optional
        Covariance matrix with variable names on both axes (the unbiased,
        N-1 estimate, as published), or a correlation matrix together with
        ``sample_sd``. Rescaled by (N-1)/N as lavaan does.
    sample_nobs : int, optional
        Sample size behind ``sample_cov``.
    sample_mean : Series, optional
        Means to go with ``sample_cov`` (needed for a mean structure).
    sample_sd : Series or sequence, optional
        Standard deviations that turn a correlation matrix into covariances.
    group : str, optional
        Column defining groups for a multi-group model.
    group_equal : sequence of str
        Needs ``group``. Parameter kinds held equal across groups: ``loadings``,
        ``intercepts``, ``means``, ``residuals``, ``residual.covariances``,
        ``lv.variances``, ``lv.covariances``, ``regressions``.
    group_partial : sequence of str
        Parameters exempt from ``group_equal`` (needs it), e.g. ``["visual=~x2"]``.
    se : {"standard", "bootstrap", "none"}
        Standard errors from the information matrix, from a nonparametric
        bootstrap (``bootstrap`` draws), or none.
    bootstrap : int
        Number of bootstrap draws when ``se="bootstrap"`` (another count
        without it is a :class:`SpecificationError`).
    seed : int, optional
        Seed for the bootstrap; results do not depend on ``n_jobs``. Like
        ``n_jobs`` and ``progress`` it is read only with ``se="bootstrap"``.
    std_lv : bool
        Identify factors by fixing their variances to 1 instead of the first
        loading.
    fixed_x : bool
        Treat exogenous observed covariates as fixed (lavaan's default).
    information : {"expected", "observed"}, optional
        Information matrix for SEs (and the robust test of MLM/MLR); default
        expected for complete data and observed for FIML (lavaan's defaults).
        With ML and ``se`` other than ``"standard"`` it has no effect and is
        refused.
    meanstructure : bool, optional
        Estimate intercepts; implied by FIML and by multi-group models (where
        ``False`` is refused).
    strict : bool
        Raise :class:`EstimationError` instead of warning on non-convergence,
        Heywood cases, non-positive-definite matrices and unidentified
        parameters.
    ci_type : {"perc", "bc", "bca"}
        Bootstrap confidence intervals: percentile, bias-corrected, or
        bias-corrected and accelerated (jackknife acceleration). Only with
        ``se="bootstrap"``; otherwise another type is a
        :class:`SpecificationError`.
    level : float
        Confidence level of the intervals: Wald intervals est ± z se with
        standard SEs (lavaan ``parameterEstimates(level =)``), bootstrap
        intervals with ``se="bootstrap"``.
    n_jobs : int, optional
        Worker processes for the bootstrap (-1: all cores). By default one
        process for small models (starting workers costs more than a draw)
        and all cores otherwise; results are identical either way.
    progress : bool
        Show a progress bar during the bootstrap.

    Returns
    -------
    SEMResult
        ``estimates``, ``fit_measures``, ``r2``, ``converged``, ``notes``,
        ``summary()``.

    Raises
    ------
    SpecificationError
        Bad syntax, variables not in the data, unidentified model (df < 0),
        and options that would have no effect (``group_equal`` without
        ``group``, ``ci_type`` or ``bootstrap`` without ``se="bootstrap"``,
        ``sample_nobs``/``sample_mean``/``sample_sd`` with raw ``data``).
    DataError
        Text in item columns, constant or empty items, too few respondents,
        singular covariance matrix.
    EstimationError
        With ``strict=True``, any estimation problem.

    Warns
    -----
    MissingDataWarning
        Rows dropped by listwise deletion, or under ``missing="fiml"`` for a
        missing fixed covariate (the count is also in ``notes``).
    ConvergenceWarning, HeywoodCaseWarning, IdentificationWarning
        Estimation problems, naming the parameter or variable.

    Notes
    -----
    Validated against lavaan 0.6 (``tests/reference``): estimates and
    standardized estimates within 1e-3, SEs within 1 %, fit measures within
    1e-3, df exact.

    Examples
    --------
    >>> import trustsem as ts
    >>> hs = ts.load_example("holzinger_swineford_1939")
    >>> fit = ts.cfa("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\n"
    ...              "speed =~ x7 + x8 + x9", hs)
    >>> round(fit.fit_measures["chisq"], 3)
    85.306
    """
    spec = ModelSpec(model)
    estimator, missing = check_estimator_options(estimator, ordered, missing)
    group_equal, group_partial = check_group_options(group, group_equal, group_partial)
    if estimator == "WLSMV" or ordered not in (None, False):
        level, parameterization = check_wlsmv_options(
            estimator=estimator, data=data, se=se, information=information,
            meanstructure=meanstructure, ci_type=ci_type, missing=missing, level=level,
            parameterization=parameterization)
        notes: list[str] = []
        if ordered in (None, False):
            ordered = True
        opts = dict(estimator="WLSMV", missing=missing, se="standard", std_lv=std_lv,
                    group=group, fixed_x=False, level=level)
        with threadpool_limits(limits=1, user_api="blas"):
            return fit_wlsmv(spec, data, ordered=ordered, missing=missing, options=opts,
                             notes=notes, strict=strict, std_lv=std_lv, group=group,
                             group_equal=group_equal, group_partial=group_partial,
                             level=level, parameterization=parameterization)
    checked = check_continuous_options(
        estimator=estimator, data=data, sample_cov=sample_cov, sample_nobs=sample_nobs,
        sample_mean=sample_mean, sample_sd=sample_sd, missing=missing, group=group,
        parameterization=parameterization, se=se, bootstrap=bootstrap, ci_type=ci_type,
        level=level, n_jobs=n_jobs, information=information, meanstructure=meanstructure)
    return _sem_continuous(
        spec, data, estimator=estimator, missing=missing, sample_cov=sample_cov,
        sample_nobs=sample_nobs, sample_mean=sample_mean, sample_sd=sample_sd, group=group,
        group_equal=group_equal, group_partial=group_partial, seed=seed, std_lv=std_lv,
        fixed_x=fixed_x, meanstructure=meanstructure, strict=strict, progress=progress,
        **checked)


def _sem_continuous(spec: ModelSpec, data: pd.DataFrame | None, *, estimator: str, missing: str,
                    sample_cov, sample_nobs, sample_mean, sample_sd, group: str | None,
                    group_equal: list[str], group_partial: list[str], se: str, bootstrap: int,
                    seed: int | None, std_lv: bool, fixed_x: bool, information: str | None,
                    meanstructure: bool | None, strict: bool, ci_type: str, level: float,
                    n_jobs: int | None, progress: bool) -> SEMResult:
    """ML, MLM or MLR on raw data or a covariance matrix, options already checked."""
    # fiml: rows with a missing fixed covariate are dropped (lavaan "ml");
    # fiml.x: they are kept and the covariates enter the likelihood ("ml.x")
    missing_x = None
    if missing in ("fiml", "fiml.x"):
        missing_x = "fiml" if missing == "fiml.x" else "listwise"
        missing = "fiml"
    exogenous = spec.exogenous_observed if fixed_x else []

    notes: list[str] = []
    if data is not None:
        with threadpool_limits(limits=1, user_api="blas"):
            stats_list, group_labels, n_rows, X_groups = prepare_data(
                spec, data, missing=missing, group=group, notes=notes,
                drop_missing_x=exogenous if missing_x == "listwise" else [], stacklevel=4)
    else:
        if missing == "fiml":
            raise SpecificationError("`missing='fiml'` needs raw `data`, not `sample_cov`.")
        if group is not None:
            raise SpecificationError("Multi-group models need raw `data` in this version.")
        stats_list = [prepare_cov(spec, sample_cov, sample_nobs, sample_mean, sample_sd, notes)]
        group_labels = ["1"]
        n_rows = stats_list[0].nobs
        X_groups = None

    if meanstructure is None:
        meanstructure = missing == "fiml"
    if missing == "fiml":
        meanstructure = True
    if data is None and meanstructure and sample_mean is None:
        raise SpecificationError("A mean structure needs `sample_mean` with `sample_cov`.")

    pt = build_partable(
        spec, ngroups=len(stats_list), group_labels=group_labels,
        meanstructure=meanstructure, std_lv=std_lv, fixed_x=fixed_x,
        group_equal=group_equal, group_partial=group_partial,
    )
    apply_equality_constraints(pt)
    if estimator == "MLM" and missing == "fiml":
        raise SpecificationError(
            "estimator='MLM' (Satorra-Bentler) needs complete data; use estimator='MLR' with"
            " missing='fiml' for robust estimation with missing values.")
    if estimator != "ML" and pt.exogenous:
        raise SpecificationError(
            f"estimator={estimator!r} with fixed exogenous covariates {pt.exogenous} is not"
            " supported; pass fixed_x=False to treat them as random variables.")
    if information is None:
        information = ("observed" if (missing == "fiml" or estimator == "MLR") else "expected")

    options = dict(
        estimator=estimator, missing=missing, missing_x=missing_x, information=information, se=se,
        std_lv=std_lv, fixed_x=fixed_x, group=group, group_labels=list(group_labels),
        group_equal=list(group_equal), group_partial=list(group_partial),
        meanstructure=pt.meanstructure, bootstrap=bootstrap, seed=seed,
        n_rows=n_rows, nobs=[s.nobs for s in stats_list],
        se_label={"standard": (f"{information} information" if estimator == "ML" else
                               f"robust sandwich ({information} information)"), "none": "none",
                  "bootstrap": f"bootstrap ({bootstrap} draws, {ci_type} CIs)"}[se],
        ci_type=ci_type, level=level, n_jobs=n_jobs, progress=progress,
    )
    if X_groups is not None:
        note = likert_note(X_groups, spec.observed, estimator)
        if note:
            notes.append(note)
    # The matrices here are small: multi-threaded BLAS only adds contention
    # (5x slower on two cores), so the fit runs single-threaded. SciPy's
    # ill-conditioning warnings are not passed on: trustsem checks the
    # information matrix itself and names unidentified parameters.
    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        return _fit(spec, pt, stats_list, options, notes, strict=strict, X_groups=X_groups)


def cfa(model: str | ModelSpec, data: pd.DataFrame | None = None, **kwargs: Any) -> SEMResult:
    """Confirmatory factor analysis; same defaults and signature as :func:`sem`.

    As in lavaan, ``cfa()`` and ``sem()`` differ only in name: both fix the
    first loading of each factor to 1 and free the covariances of exogenous
    latent variables.
    """
    return sem(model, data, **kwargs)


# ---------------------------------------------------------------------------
# fitting and assembling the result
# ---------------------------------------------------------------------------

def _fit(spec: ModelSpec, pt: ParTable, stats_list: list[GroupStats], options: dict,
         notes: list[str], *, strict: bool, X_groups) -> SEMResult:
    """Estimate, then assemble estimates, fit measures and checks into a result."""
    model = RamModel(pt, stats_list)
    df = _degrees_of_freedom(pt, model, stats_list)
    missing = options["missing"]
    obj = FIMLObjective(model, stats_list) if missing == "fiml" else MLObjective(model, stats_list)
    theta0 = start_values(model, stats_list)
    opt = minimize(obj, theta0)
    theta = opt.theta
    N = obj.N
    problems: list[tuple[type, str]] = []
    if not opt.converged:
        problems.append((ConvergenceWarning,
                         f"The optimizer did not converge ({opt.message}). Results are not"
                         " trustworthy. " + CONVERGENCE_DOCS))
    vcov, robust = _covariance_of_estimates(pt, model, obj, opt, stats_list, X_groups, options,
                                            df, problems)
    rows = _estimate_rows(pt, model, theta, stats_list, vcov, options)
    boot_info = None
    if options["se"] == "bootstrap":
        rows, boot_info = _bootstrap_rows(rows, pt, model, obj, theta, stats_list, X_groups,
                                          options, spec)
        notes.append(boot_info.describe())
        notes.append("With the bootstrap, z and p-values are est / bootstrap SE (as lavaan); read"
                     " significance from the bootstrap intervals, which need no normality.")
        if boot_info.n_failed > 0.1 * boot_info.n_requested:
            problems.append((ConvergenceWarning,
                             f"{boot_info.n_failed} of {boot_info.n_requested} bootstrap draws"
                             " failed"
                             f" ({boot_info.failures}); the bootstrap results rest on"
                             f" {boot_info.n_ok} draws."))
    Sig_list = [model.implied(theta, g)[0] for g in range(pt.ngroups)]
    S_list = [s.cov for s in stats_list]
    fit = _fit_statistics(spec, pt, model, theta, opt, stats_list, X_groups, options, df,
                          robust, Sig_list)
    r2 = r_squared(pt, model, theta)

    # estimation problems ---------------------------------------------------
    problems += heywood_checks(rows, pt, model, theta)
    for cls, msg in problems:
        notes.append(msg)
        if strict:
            raise EstimationError(msg)
        warnings.warn(msg, cls, stacklevel=4)

    ov = pt.observed
    implied = {pt.group_labels[g]: pd.DataFrame(Sig_list[g], index=ov, columns=ov)
               for g in range(pt.ngroups)}
    sample = {pt.group_labels[g]: pd.DataFrame(S_list[g], index=ov, columns=ov)
              for g in range(pt.ngroups)}
    pnames = param_names(pt)
    vc = pd.DataFrame(vcov, index=pnames, columns=pnames)
    ctx = FitContext(spec, pt, model, stats_list, theta, obj, options)
    return SEMResult(
        estimates=rows.reset_index(drop=True), fit_measures=pd.Series(fit, dtype=float), r2=r2,
        spec=spec, n_obs=int(N), estimator=options["estimator"], converged=bool(opt.converged),
        notes=tuple(notes), versions=versions(), options=options, vcov=vc,
        implied=implied, sample=sample, bootstrap=boot_info, context=ctx,
    )


def _degrees_of_freedom(pt: ParTable, model: RamModel, stats_list: list[GroupStats]) -> int:
    """Sample moments minus free parameters; a negative df is refused."""
    p = model.p
    nx = len(pt.exogenous)
    ndat = 0
    for _ in stats_list:
        ndat += p * (p + 1) // 2 - nx * (nx + 1) // 2
        if pt.meanstructure:
            ndat += p - nx
    npar = model.q
    df = ndat - npar
    if df < 0:
        raise SpecificationError(
            f"The model is not identified: it has {npar} free parameters but only {ndat}"
            f" sample moments (df = {df}). Fix more parameters or add indicators.")
    return df


def _covariance_of_estimates(pt, model, obj, opt, stats_list, X_groups, options, df,
                             problems) -> tuple[np.ndarray, dict | None]:
    """Covariance matrix of the free parameters and, for MLM/MLR, the robust parts.

    Information-based (expected or observed), a sandwich for MLM/MLR, NaN when
    ``se`` is not ``"standard"``. Problems found are appended to ``problems``.
    """
    missing = options["missing"]
    theta, N = opt.theta, obj.N
    q = model.q
    vcov = np.full((q, q), np.nan)
    info = None
    # the information matrix also carries the robust (scaled) test of MLM/MLR,
    # which is reported whatever the standard errors
    robust_est = options["estimator"] in ("MLM", "MLR")
    if (options["se"] == "standard" or robust_est) and np.isfinite(opt.fmin):
        if options["information"] == "expected":
            info = obj.expected_information(theta) if missing == "fiml" else obj.information(theta)
        else:
            info = 0.5 * numerical_hessian(obj, theta)
        if not np.isfinite(info).all():
            problems.append((ConvergenceWarning,
                             "The information matrix could not be computed at the estimates"
                             " (the implied covariance matrix is not positive definite next to"
                             " them), so standard errors are not reported. " + CONVERGENCE_DOCS))
            info = None
        else:
            vcov, bad = _invert_information(info, N)
        if info is not None and bad and options["se"] == "standard":
            names = param_names(pt)
            who = ", ".join(names[k] for k in bad[:4])
            problems.append((IdentificationWarning,
                             f"The information matrix is singular: {who} may not be identified"
                             " (empirical under-identification). Their SEs are not reported."
                             " Fix or constrain them, or check for (near-)collinear factors."))
    robust = None
    if options["estimator"] in ("MLM", "MLR") and info is not None and np.isfinite(vcov).all():
        robust = robust_vcov(options, model, obj, stats_list, X_groups, theta, info, vcov, N, df)
        vcov = robust["vcov"]
    if options["se"] != "standard":
        vcov = np.full((q, q), np.nan)
    return vcov, robust


def _estimate_rows(pt: ParTable, model: RamModel, theta: np.ndarray,
                   stats_list: list[GroupStats], vcov: np.ndarray, options: dict) -> pd.DataFrame:
    """The estimates table: every row with SE, z, p, Wald CI and standardized values.

    ``:=`` rows get delta-method SEs from the same row functions.
    """
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None))
    se_free[~np.isfinite(np.diag(vcov))] = np.nan
    tab = pt.table
    rowev = RowEvaluator(pt, model)
    est_all, slv_all, sall_all = rowev.all_values(theta, stats_list)
    ntab = len(tab)
    free = rowev.free
    se = np.zeros(ntab)
    se[free > 0] = se_free[free[free > 0] - 1]
    rows = pd.DataFrame({
        "lhs": tab["lhs"], "op": tab["op"], "rhs": tab["rhs"].fillna(""),
        "group": tab["group"], "label": tab["label"].replace("", np.nan),
        "est": est_all[:ntab], "se": se,
        "std_lv": slv_all[:ntab], "std_all": sall_all[:ntab],
    })

    # defined parameters: delta method on the same row functions -------------
    if pt.defined:
        def_se = delta_se(lambda th: rowev.defined_values(rowev.estimates(th, stats_list)),
                           theta, vcov)
        def_rows = pd.DataFrame({
            "lhs": [n for n, _ in pt.defined], "op": ":=", "rhs": [e for _, e in pt.defined],
            "group": np.nan, "label": [n for n, _ in pt.defined], "est": est_all[ntab:],
            "se": def_se, "std_lv": slv_all[ntab:], "std_all": sall_all[ntab:],
        })
        rows = pd.concat([rows, def_rows], ignore_index=True)
    free_mask = np.concatenate([free > 0, np.ones(len(rows) - ntab, bool)])
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(free_mask & (rows["se"] > 0), rows["est"] / rows["se"], np.nan)
    rows["z"] = z
    rows["pvalue"] = 2 * stats.norm.sf(np.abs(z))
    # Wald intervals at the requested level (lavaan parameterEstimates(level =))
    zcrit = float(stats.norm.ppf(0.5 + 0.5 * options["level"]))
    rows["ci_lower"] = rows["est"] - zcrit * rows["se"]
    rows["ci_upper"] = rows["est"] + zcrit * rows["se"]
    cols = ["lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue",
            "ci_lower", "ci_upper", "std_lv", "std_all"]
    rows = rows[cols]
    if pt.ngroups == 1:
        rows = rows.drop(columns="group")
    else:
        glab = pt.group_labels
        rows["group"] = [glab[int(g) - 1] if pd.notna(g) else "" for g in rows["group"]]
    return rows


def _fit_statistics(spec, pt, model, theta, opt, stats_list, X_groups, options, df, robust,
                    Sig_list) -> dict:
    """lavaan's fit measures, with the scaled/robust ones for MLM, MLR and FIML."""
    N = sum(s.nobs for s in stats_list)
    ms = pt.meanstructure
    p, nx = model.p, len(pt.exogenous)
    mu_list = [model.implied(theta, g)[1] for g in range(pt.ngroups)]
    n_list = [s.nobs for s in stats_list]
    S_list = [s.cov for s in stats_list]
    logl, h1, chisq, baseline_chisq, fmin = _likelihoods(pt, model, opt, stats_list, X_groups,
                                                         options["missing"], Sig_list, mu_list)
    npar = model.q
    missing = options["missing"]
    baseline_df = pt.ngroups * (p * (p - 1) // 2 - nx * (nx - 1) // 2)
    fit = fm.compute(chisq=chisq, df=df, baseline_chisq=baseline_chisq, baseline_df=baseline_df,
                     npar=npar, ntotal=N, ngroups=pt.ngroups, logl=logl, h1_logl=h1, fmin=fmin,
                     S_list=S_list, Sigma_list=Sig_list, n_list=n_list,
                     m_list=[s.mean for s in stats_list] if ms else None,
                     mu_list=mu_list if ms else None)
    if robust is not None:
        fit.update(scaled_measures(fit, robust, X_groups, pt, model, options, df, baseline_df, N))
    if missing == "fiml":
        # robust CFI/TLI/RMSEA from lavaan's FIML-corrected statistic (ML and MLR)
        fit.update(robust_fit.fiml_measures(
            model, theta, stats_list, X_groups, scaled=options["estimator"] == "MLR", df=df,
            baseline_df=baseline_df, N=N, x_vars=spec.exogenous_observed,
            fixed_x=bool(pt.exogenous), expected=options["information"] == "expected"))
    return fit


def _likelihoods(pt, model, opt, stats_list, X_groups, missing, Sig_list, mu_list):
    """Log-likelihoods of the model and the saturated model, chi-squares and fmin.

    With fixed exogenous covariates the likelihoods are conditional on them, as
    lavaan reports them.
    """
    N = sum(s.nobs for s in stats_list)
    ms = pt.meanstructure
    p, nx = model.p, len(pt.exogenous)
    logdet = lambda M: np.linalg.slogdet(M)[1]
    if missing == "fiml":
        logl = -0.5 * N * opt.fmin
        h1 = sum(s.h1_logl for s in stats_list)
        chisq = max(2 * (h1 - logl), 0.0)
        base_ll = sum(_fiml_baseline_logl(Xg, pt, model) for Xg in X_groups)
        baseline_chisq = 2 * (h1 - base_ll)
        fmin = chisq / (2 * N)
    else:
        logl = 0.0
        h1 = 0.0
        baseline_chisq = 0.0
        for s, Sig, mu in zip(stats_list, Sig_list, mu_list):
            Si = np.linalg.inv(Sig)
            d = s.mean - mu if ms else np.zeros(p)
            logl += -0.5 * s.nobs * (p * np.log(2 * np.pi) + logdet(Sig) + np.sum(s.cov * Si)
                                     + d @ Si @ d)
            h1 += -0.5 * s.nobs * (p * np.log(2 * np.pi) + logdet(s.cov) + p)
            Sb = _baseline_cov(s.cov, pt, model)
            baseline_chisq += s.nobs * (logdet(Sb) - logdet(s.cov))
        chisq = max(N * opt.fmin, 0.0)
        fmin = 0.5 * opt.fmin
    if nx:
        # lavaan (fixed.x) reports the likelihood of the model conditional on the
        # exogenous covariates: remove their marginal log-likelihood, at the
        # model's fixed values for logl and at the sample (pairwise) covariance
        # for the unrestricted logl; the two coincide unless covariates are missing
        xi = [model.index[v] for v in pt.exogenous]
        for g, s in enumerate(stats_list):
            Sxx = s.cov[np.ix_(xi, xi)]
            logl -= -0.5 * s.nobs * (nx * np.log(2 * np.pi) + logdet(Sxx) + nx)
            if missing == "fiml":
                Sxx = _pairwise_cov(X_groups[g][:, xi])
            h1 -= -0.5 * s.nobs * (nx * np.log(2 * np.pi) + logdet(Sxx) + nx)
    return logl, h1, chisq, baseline_chisq, fmin


def _invert_information(info: np.ndarray, N: int):
    q = len(info)
    if q == 0:
        return np.zeros((0, 0)), []
    w, V = np.linalg.eigh(info)
    tol = 1e-9 * max(abs(w[-1]), 1e-300)
    bad_dirs = np.where(w < tol)[0]
    bad: list[int] = []
    if len(bad_dirs):
        for k in bad_dirs:
            order = np.argsort(-np.abs(V[:, k]))
            bad.extend(int(i) for i in order[:2] if int(i) not in bad)
        vcov = np.full((q, q), np.nan)
        return vcov, bad
    vcov = linalg.inv(info * N)
    return 0.5 * (vcov + vcov.T), bad


def _row_names(rows: pd.DataFrame) -> list[str]:
    g = rows["group"].astype(str) if "group" in rows.columns else None
    names = []
    for i, r in enumerate(rows.itertuples(index=False)):
        rhs = "1" if r.op == "~1" else r.rhs
        op = "~" if r.op == "~1" else r.op
        name = f"{r.lhs} {op} {rhs}"
        if g is not None and r.op != ":=":
            name += f" [{g.iloc[i]}]"
        names.append(name)
    return names


def _bootstrap_rows(rows, pt, model, obj, theta, stats_list, X_groups, options, spec):
    from .bootstrap import bootstrap_ci, run_bootstrap

    info = obj.information(theta) if options["missing"] != "fiml" else obj.scoring(theta)
    names = _row_names(rows)
    ctx = FitContext(spec, pt, model, stats_list, theta, obj, options)
    n_jobs = options["n_jobs"]
    if n_jobs is None:
        # a draw of a small model takes ~1 ms: worker start-up would dominate
        n_jobs = 1 if model.p * model.q < 400 else -1
    binfo, jack = run_bootstrap(
        ctx, X_groups, B=options["bootstrap"], seed=options["seed"], n_jobs=n_jobs,
        progress=options["progress"], ci_type=options["ci_type"], level=options["level"],
        info=info, row_names=names)
    rows = rows.copy()
    est = rows["est"].to_numpy(float)
    ntab = len(pt.table)
    random = np.concatenate([pt.table["free"].to_numpy() > 0, np.ones(len(rows) - ntab, bool)])
    E = binfo.est.to_numpy(float)
    Sd = binfo.std_all.to_numpy(float)
    se = np.where(random, np.nanstd(E, axis=0, ddof=1) if len(E) > 1 else np.nan, 0.0)
    lo, hi = bootstrap_ci(E, est, ci_type=options["ci_type"], level=options["level"],
                          jack=None if jack is None else jack[0])
    slo, shi = bootstrap_ci(Sd, rows["std_all"].to_numpy(float), ci_type=options["ci_type"],
                            level=options["level"], jack=None if jack is None else jack[1])
    rows["se"] = se
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(random & (se > 0), est / se, np.nan)
    rows["z"] = z
    rows["pvalue"] = 2 * stats.norm.sf(np.abs(z))
    rows["ci_lower"] = np.where(random, lo, est)
    rows["ci_upper"] = np.where(random, hi, est)
    sall = rows["std_all"].to_numpy(float)
    rows["std_all_ci_lower"] = np.where(random, slo, sall)
    rows["std_all_ci_upper"] = np.where(random, shi, sall)
    return rows, binfo


def _baseline_cov(S: np.ndarray, pt: ParTable, model: RamModel) -> np.ndarray:
    Sb = np.diag(np.diag(S))
    xi = [model.index[v] for v in pt.exogenous]
    if xi:
        Sb[np.ix_(xi, xi)] = S[np.ix_(xi, xi)]
    return Sb


def _fiml_baseline_logl(X: np.ndarray, pt: ParTable, model: RamModel) -> float:
    total = 0.0
    xi = [model.index[v] for v in pt.exogenous]
    for j in range(X.shape[1]):
        if j in xi:
            continue
        x = X[:, j]
        x = x[~np.isnan(x)]
        n = len(x)
        var = x.var()
        total += -0.5 * n * (np.log(2 * np.pi) + np.log(var) + 1)
    if xi:
        # the covariates' block is fixed at their sample moments (observed means,
        # pairwise covariances), as in lavaan's baseline model; with complete
        # covariates these are the maximum-likelihood values
        Xx = X[:, xi]
        pats = make_patterns(Xx)
        ll = fiml_loglik(np.nanmean(Xx, axis=0), _pairwise_cov(Xx), pats)
        if not np.isfinite(ll):
            mu, Sig, ll, _ = em_saturated(Xx, pats)
        total += ll
    return total


def _pairwise_cov(X: np.ndarray) -> np.ndarray:
    """Pairwise-complete covariances (divisor n_pair - 1) rescaled by (N - 1) / N.

    lavaan's sample covariance of fixed covariates (``cov(use = "pairwise")``
    with ``sample.cov.rescale``); with complete columns the ML covariance.
    """
    N, k = X.shape
    C = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ok = ~np.isnan(X[:, i]) & ~np.isnan(X[:, j])
            a, b = X[ok, i], X[ok, j]
            n = len(a)
            C[i, j] = C[j, i] = ((a - a.mean()) @ (b - b.mean()) / (n - 1)) if n > 1 else np.nan
    return C * (N - 1) / N
