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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, stats
from threadpoolctl import threadpool_limits

from .._meta import library_versions
from .._validation import (
    check_dataframe,
    check_interval,
    check_n_jobs,
    check_numeric_columns,
    check_option,
    check_positive_int,
    format_value,
)
from ..exceptions import (
    CONVERGENCE_DOCS,
    ConvergenceWarning,
    DataError,
    EstimationError,
    HeywoodCaseWarning,
    IdentificationWarning,
    MissingDataWarning,
    SpecificationError,
)
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
from .engine.ram import GroupStats, RamModel
from .engine.rows import RowEvaluator
from .engine.start import start_values
from .results import SEMResult
from .spec import ModelSpec, ParTable, build_partable

__all__ = ["cfa", "sem"]



@dataclass
class FitContext:
    """Everything needed to refit the same model on new moments (bootstrap)."""

    spec: ModelSpec
    pt: ParTable
    model: RamModel
    stats: list[GroupStats]
    theta: np.ndarray
    objective: Any
    options: dict


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
    if estimator is None:
        estimator = "WLSMV" if ordered not in (None, False) else "ML"
    estimator = check_option("estimator", estimator, ["ML", "MLM", "MLR", "WLSMV"])
    missing = check_option("missing", missing,
                           ["listwise", "fiml", "fiml.x", "ml", "ml.x", "pairwise"])
    missing = {"ml": "fiml", "ml.x": "fiml.x"}.get(missing, missing)
    group_equal, group_partial = _check_group_options(group, group_equal, group_partial)
    if estimator == "WLSMV" or ordered not in (None, False):
        if estimator != "WLSMV":
            raise SpecificationError(
                f"`ordered` items need estimator='WLSMV' (or leave estimator unset); got {format_value(estimator)}.")
        if data is None:
            raise SpecificationError(
                "WLSMV needs raw `data` (the polychoric correlations are computed from the"
                " answers), not `sample_cov`.")
        if se != "standard":
            raise SpecificationError(
                f"`se={se!r}` is not available with WLSMV; it reports robust (sandwich) SEs."
                " Leave `se` at 'standard', or use estimator='MLR' with se='bootstrap'.")
        if information is not None:
            raise SpecificationError(
                f"`information={information!r}` does not apply to WLSMV: its SEs always use the"
                " expected DWLS information in a sandwich (as lavaan). Leave `information` unset.")
        if meanstructure is not None:
            raise SpecificationError(
                "`meanstructure` does not apply to WLSMV: thresholds (and latent means in groups"
                " 2+) are always part of the model. Leave `meanstructure` unset.")
        if ci_type != "perc":
            raise SpecificationError(
                f"`ci_type={ci_type!r}` is for bootstrap intervals; WLSMV gives Wald intervals."
                " Leave `ci_type` unset and set the confidence with `level`.")
        if missing == "fiml":
            raise SpecificationError(
                "FIML (missing='fiml') is not defined for WLSMV. Use missing='pairwise' (all available"
                " pairs in the first stage) or 'listwise', or estimator='MLR' with"
                " missing='fiml' if the items can be treated as continuous.")
        level = check_interval("level", level, 0, 1)
        parameterization = check_option("parameterization", parameterization or "delta",
                                        ["delta", "theta"])
        from .wlsmv import fit_wlsmv

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
    if parameterization is not None:
        raise SpecificationError(
            "`parameterization` is for ordered items (WLSMV); continuous models have no"
            " scale factors. Drop it, or declare the items with `ordered=`.")
    if missing == "pairwise":
        raise SpecificationError(
            "missing='pairwise' is only for WLSMV (ordered items); use 'listwise' or 'fiml'.")
    se = check_option("se", se, ["standard", "none", "bootstrap"])
    ci_type = check_option("ci_type", ci_type, ["perc", "bc", "bca"])
    level = check_interval("level", level, 0, 1)
    n_jobs = check_n_jobs(n_jobs)
    if se == "bootstrap":
        bootstrap = check_positive_int("bootstrap", bootstrap, minimum=2)
        if data is None:
            raise SpecificationError(
                "`se='bootstrap'` resamples respondents and needs raw `data`, not `sample_cov`.")
    else:
        if ci_type != "perc":
            raise SpecificationError(
                f"`ci_type={ci_type!r}` chooses the bootstrap interval and has no effect with"
                f" se={se!r}. Pass se='bootstrap' to get {ci_type} intervals, or leave `ci_type`"
                " unset for Wald intervals (their confidence is set with `level`).")
        if bootstrap != 1000:
            raise SpecificationError(
                f"`bootstrap={bootstrap!r}` sets the number of bootstrap draws and has no effect"
                f" with se={se!r}. Pass se='bootstrap' as well, or leave `bootstrap` unset.")
    if information is not None:
        information = check_option("information", information, ["expected", "observed"])
        if se != "standard" and estimator == "ML":
            raise SpecificationError(
                f"`information={information!r}` chooses the matrix behind standard errors and has"
                f" no effect with se={se!r} and estimator='ML'. Leave `information` unset, or"
                " use se='standard'.")
    if data is None and sample_cov is None:
        raise SpecificationError("Give either `data` or `sample_cov` (with `sample_nobs`).")
    if data is not None and sample_cov is not None:
        raise SpecificationError("Give `data` or `sample_cov`, not both.")
    if data is not None:
        given = [name for name, v in (("sample_nobs", sample_nobs), ("sample_mean", sample_mean),
                                      ("sample_sd", sample_sd)) if v is not None]
        if given:
            raise SpecificationError(
                f"`{given[0]}` goes with `sample_cov` and has no effect with raw `data` (the"
                " moments and N are computed from the rows used). Remove it.")
    if meanstructure is False and (missing in ("fiml", "fiml.x") or group is not None):
        why = "FIML" if missing in ("fiml", "fiml.x") else "a multi-group model"
        raise SpecificationError(
            f"`meanstructure=False` cannot be honoured with {why}: the means are part of that"
            " likelihood (as in lavaan). Leave `meanstructure` unset.")
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
            stats_list, group_labels, n_rows, X_groups = _prepare_data(
                spec, data, missing=missing, group=group, notes=notes,
                drop_missing_x=exogenous if missing_x == "listwise" else [])
    else:
        if missing == "fiml":
            raise SpecificationError("`missing='fiml'` needs raw `data`, not `sample_cov`.")
        if group is not None:
            raise SpecificationError("Multi-group models need raw `data` in this version.")
        stats_list = [_prepare_cov(spec, sample_cov, sample_nobs, sample_mean, sample_sd, notes)]
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
    _apply_equality_constraints(pt)
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


def _check_group_options(group, group_equal, group_partial) -> tuple[list[str], list[str]]:
    """Equality options need groups; a lone string counts as one entry."""
    out = []
    for name, value in (("group_equal", group_equal), ("group_partial", group_partial)):
        if value is None:
            value = ()
        if isinstance(value, str):
            value = [value]
        try:
            value = [str(v) for v in value]
        except TypeError:
            raise SpecificationError(
                f"`{name}` must be a list of strings; got {format_value(value)}.") from None
        out.append(value)
    geq, gpart = out
    if group is None:
        given = "group_equal" if geq else ("group_partial" if gpart else None)
        if given:
            raise SpecificationError(
                f"`{given}` constrains parameters across groups and has no effect without"
                " `group=`. Name the column that defines the groups, e.g."
                " group='country', or remove it.")
    elif gpart and not geq:
        raise SpecificationError(
            "`group_partial` exempts parameters from `group_equal` and has no effect without"
            " it. Add e.g. group_equal=['loadings'], or remove `group_partial`.")
    return geq, gpart


# ---------------------------------------------------------------------------
# data preparation
# ---------------------------------------------------------------------------

def _prepare_data(spec: ModelSpec, data: pd.DataFrame, *, missing: str,
                  group: str | None, notes: list[str], drop_missing_x: Sequence[str] = ()):
    data = check_dataframe(data)
    spec.check_data(data.columns)
    ov = spec.observed
    if group is not None:
        if group not in data.columns:
            raise SpecificationError(
                f"`group` column {group!r} is not in the data. Available columns"
                f" include {list(map(str, data.columns[:8]))}.")
        if group in ov:
            raise SpecificationError(f"`group` column {group!r} is also a variable in the model.")
    X = check_numeric_columns(data, ov)
    n_rows = len(X)
    for col in ov:
        s = X[col]
        if s.notna().sum() == 0:
            raise DataError(f"Column {col!r} has no observed values. Remove it from the model.")
        if s.nunique(dropna=True) < 2:
            raise DataError(
                f"Column {col!r} has zero variance (every answer is {format_value(s.dropna().iloc[0])})."
                " Remove it from the model or check the data.")
    if group is not None:
        gcol = data[group]
        bad = gcol.isna()
        if bad.any():
            notes.append(f"{int(bad.sum())} row(s) with a missing `{group}` value were not used.")
            warnings.warn(f"{int(bad.sum())} row(s) have no value in group column {group!r}"
                          " and were not used.", MissingDataWarning, stacklevel=3)
        labels = list(pd.unique(gcol[~bad]))
        group_labels = [str(v) for v in labels]
        masks = [(gcol == v).to_numpy() for v in labels]
    else:
        group_labels = ["1"]
        masks = [np.ones(n_rows, dtype=bool)]

    stats_list: list[GroupStats] = []
    X_groups = []
    p = len(ov)
    total_used = 0
    for lab, mask in zip(group_labels, masks):
        Xg = X.to_numpy()[mask]
        where = f" in group {lab!r}" if group is not None else ""
        if missing == "listwise":
            complete = ~np.isnan(Xg).any(axis=1)
            n_drop = int((~complete).sum())
            Xg = Xg[complete]
            if n_drop:
                worst = X.loc[mask].isna().sum().sort_values(ascending=False)
                worst = worst[worst > 0].head(3)
                detail = ", ".join(f"{k} ({v})" for k, v in worst.items())
                msg = (f"Listwise deletion{where}: used {len(Xg)} of {len(Xg) + n_drop} rows;"
                       f" {n_drop} row(s) with missing values were dropped (most missing: {detail})."
                       " Use missing='fiml' to keep them.")
                notes.append(msg)
                warnings.warn(msg, MissingDataWarning, stacklevel=3)
        else:
            if len(drop_missing_x):
                xi = [ov.index(v) for v in drop_missing_x]
                bad_x = np.isnan(Xg[:, xi]).any(axis=1)
                if bad_x.any():
                    cols = [v for v, j in zip(drop_missing_x, xi) if np.isnan(Xg[:, j]).any()]
                    msg = (f"FIML{where}: {int(bad_x.sum())} of {len(Xg)} row(s) have a missing"
                           f" value in the fixed exogenous covariate(s) {cols} and were not"
                           " used (as lavaan's missing='ml' with fixed.x). Use"
                           " missing='fiml.x' to keep them, with the covariates in the"
                           " likelihood.")
                    notes.append(msg)
                    warnings.warn(msg, MissingDataWarning, stacklevel=3)
                    Xg = Xg[~bad_x]
            empty = np.isnan(Xg).all(axis=1)
            if empty.any():
                msg = (f"FIML{where}: {int(empty.sum())} row(s) with no observed value on any"
                       " model variable were not used.")
                notes.append(msg)
                warnings.warn(msg, MissingDataWarning, stacklevel=3)
                Xg = Xg[~empty]
        n = len(Xg)
        if n <= p:
            raise DataError(
                f"Too few respondents{where}: {n} usable row(s) for {p} observed variables;"
                f" the model needs more than {p} (and in practice many more).")
        total_used += n
        if missing == "listwise":
            mean = Xg.mean(axis=0)
            Z = Xg - mean
            S = Z.T @ Z / n
            for j, col in enumerate(ov):
                if S[j, j] <= 0:
                    raise DataError(f"Column {col!r} has zero variance{where} after removing"
                                    " incomplete rows. Remove it from the model.")
            _check_pd(S, ov, where)
            stats_list.append(GroupStats(nobs=n, cov=S, mean=mean))
        else:
            pats = make_patterns(Xg)
            mu, Sig, h1, ok = em_saturated(Xg, pats)
            if not ok:
                notes.append("EM for the unrestricted (h1) model did not fully converge.")
            _check_pd(Sig, ov, where)
            nmiss = int(np.isnan(Xg).sum())
            notes.append(
                f"FIML{where}: {n} rows, {nmiss} missing cell(s) ({100 * nmiss / Xg.size:.1f}%)"
                f" in {len(pats)} missing-data pattern(s).")
            stats_list.append(GroupStats(nobs=n, cov=Sig, mean=mu, patterns=pats, h1_logl=h1))
        X_groups.append(Xg)
    return stats_list, group_labels, n_rows, X_groups


def likert_note(X_groups: list[np.ndarray], names: list[str], estimator: str) -> str | None:
    """Say so when every item is Likert-like (<= 7 categories) and ML is used.

    Recommends, never switches: MLR for robust SEs and test, or WLSMV with the
    items declared ordered. Skewness and excess kurtosis (moment estimators)
    are reported so the reader can judge.
    """
    if estimator != "ML":
        return None
    X = np.vstack(X_groups)
    obs = ~np.isnan(X)
    Xf = np.where(obs, X, 0.0)
    if not np.array_equal(Xf, np.round(Xf)):
        return None                      # non-integer values: not Likert codes
    lo = np.nanmin(X, axis=0)
    if np.any(np.nanmax(X, axis=0) - lo > 6):
        return None                      # more than 7 possible codes
    cats = [int(np.count_nonzero(np.bincount((X[obs[:, j], j] - lo[j]).astype(int))))
            for j in range(X.shape[1])]
    e = X - np.nanmean(X, axis=0)
    v = np.nanmean(e**2, axis=0)
    skew = np.nanmean(e**3, axis=0) / v**1.5
    kurt = np.nanmean(e**4, axis=0) / v**2 - 3
    i = int(np.argmax(np.abs(skew)))
    k = int(np.argmax(np.abs(kurt)))
    return (f"All {len(names)} observed variables have at most {max(cats)} categories (Likert"
            f" items); normal-theory ML was used as asked. Largest |skewness| {abs(skew[i]):.2f}"
            f" ({names[i]}), largest |excess kurtosis| {abs(kurt[k]):.2f} ({names[k]}). Consider"
            " estimator='MLR' (robust SEs and scaled test) or an ordinal estimator (WLSMV).")


def _check_pd(S: np.ndarray, names: list[str], where: str) -> None:
    w, V = np.linalg.eigh(S)
    if w[0] <= 1e-10 * max(w[-1], 1e-300):
        v = np.abs(V[:, 0])
        culprits = [names[i] for i in np.argsort(-v)[:4] if v[i] > 0.1]
        raise DataError(
            f"The sample covariance matrix{where} is singular: {culprits} are (nearly)"
            " linearly dependent (duplicate items or a sum score among the items?)."
            " Remove one of them from the model.")


def _prepare_cov(spec, sample_cov, sample_nobs, sample_mean, sample_sd, notes) -> GroupStats:
    if not isinstance(sample_cov, pd.DataFrame):
        raise SpecificationError(
            "`sample_cov` must be a DataFrame with variable names as index and columns;"
            f" got {type(sample_cov).__name__}.")
    if sample_nobs is None or isinstance(sample_nobs, bool) or int(sample_nobs) != sample_nobs:
        raise SpecificationError(f"`sample_nobs` must be an integer; got {format_value(sample_nobs)}.")
    n = int(sample_nobs)
    C = sample_cov.copy()
    C.index = C.index.map(str)
    C.columns = C.columns.map(str)
    if list(C.index) != list(C.columns):
        raise SpecificationError("`sample_cov` must have the same names, in the same order,"
                                 " on its index and its columns.")
    ov = spec.observed
    missing_vars = [v for v in ov if v not in C.columns]
    if missing_vars:
        raise SpecificationError(f"Variables in the model are not in `sample_cov`: {missing_vars}.")
    M = C.loc[ov, ov].to_numpy(dtype=float)
    if not np.allclose(M, M.T, atol=1e-8):
        raise DataError("`sample_cov` is not symmetric.")
    if sample_sd is not None:
        sd = pd.Series(sample_sd, index=C.columns if not isinstance(sample_sd, pd.Series) else None)
        sd.index = sd.index.map(str)
        miss = [v for v in ov if v not in sd.index]
        if miss:
            raise SpecificationError(f"`sample_sd` has no value for {miss}.")
        d = sd.loc[ov].to_numpy(dtype=float)
        if not np.allclose(np.diag(M), 1.0, atol=1e-6):
            raise DataError("`sample_sd` was given but `sample_cov` is not a correlation matrix"
                            " (its diagonal is not 1).")
        M = M * np.outer(d, d)
        notes.append("Fitted to the correlation matrix and standard deviations given.")
    elif np.allclose(np.diag(M), 1.0):
        notes.append("The matrix given is a correlation matrix and no SDs were given: estimates"
                     " are on the correlation scale; give `sample_sd` for covariances.")
    if n <= len(ov):
        raise DataError(f"Too few respondents: sample_nobs = {n} for {len(ov)} observed variables.")
    S = M * (n - 1) / n
    _check_pd(S, ov, "")
    if sample_mean is not None:
        mean = pd.Series(sample_mean)
        mean.index = mean.index.map(str)
        mean = mean.loc[ov].to_numpy(dtype=float)
    else:
        mean = np.zeros(len(ov))
    notes.append(f"Fitted to a covariance matrix with N = {n} (rescaled by (N-1)/N as in lavaan).")
    return GroupStats(nobs=n, cov=S, mean=mean, cov_raw=M)


def _apply_equality_constraints(pt: ParTable) -> None:
    tab = pt.table
    for lhs, op, rhs in pt.constraints:
        if op != "==":
            raise SpecificationError(
                f"Inequality constraints ('{lhs} {op} {rhs}') are not supported; use"
                " equality ('==') between labels.")
        a, b = lhs.strip(), rhs.strip()
        fa = tab.loc[tab["label"] == a, "free"]
        fb = tab.loc[tab["label"] == b, "free"]
        if fa.empty or fb.empty:
            raise SpecificationError(
                f"Constraint '{lhs} == {rhs}': both sides must be labels of parameters"
                " (expressions are not supported).")
        ka, kb = int(fa.iloc[0]), int(fb.iloc[0])
        if ka == 0 or kb == 0:
            raise SpecificationError(f"Constraint '{lhs} == {rhs}' involves a fixed parameter.")
        if ka != kb:
            tab.loc[tab["free"] == kb, "free"] = ka
    # renumber 1..q
    free = tab["free"].to_numpy()
    uniq = sorted(set(free[free > 0]), key=lambda k: np.where(free == k)[0][0])
    remap = {k: i + 1 for i, k in enumerate(uniq)}
    tab["free"] = [remap.get(k, 0) for k in free]


# ---------------------------------------------------------------------------
# fitting and assembling the result
# ---------------------------------------------------------------------------

def _fit(spec: ModelSpec, pt: ParTable, stats_list: list[GroupStats], options: dict,
         notes: list[str], *, strict: bool, X_groups) -> SEMResult:
    model = RamModel(pt, stats_list)
    missing = options["missing"]
    p = model.p
    nx = len(pt.exogenous)
    ms = pt.meanstructure
    ndat = 0
    for _ in stats_list:
        ndat += p * (p + 1) // 2 - nx * (nx + 1) // 2
        if ms:
            ndat += p - nx
    npar = model.q
    df = ndat - npar
    if df < 0:
        raise SpecificationError(
            f"The model is not identified: it has {npar} free parameters but only {ndat}"
            f" sample moments (df = {df}). Fix more parameters or add indicators.")
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

    # standard errors -----------------------------------------------------
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
            names = _param_names(pt)
            who = ", ".join(names[k] for k in bad[:4])
            problems.append((IdentificationWarning,
                             f"The information matrix is singular: {who} may not be identified"
                             " (empirical under-identification). Their SEs are not reported."
                             " Fix or constrain them, or check for (near-)collinear factors."))
    robust = None
    if options["estimator"] in ("MLM", "MLR") and info is not None and np.isfinite(vcov).all():
        robust = _robust(options, model, obj, stats_list, X_groups, theta, info, vcov, N, df)
        vcov = robust["vcov"]
    if options["se"] != "standard":
        vcov = np.full((q, q), np.nan)
    se_free = np.sqrt(np.clip(np.diag(vcov), 0, None))
    se_free[~np.isfinite(np.diag(vcov))] = np.nan

    # estimates table -------------------------------------------------------
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
        def_se = _delta_se(lambda th: rowev.defined_values(rowev.estimates(th, stats_list)),
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

    boot_info = None
    if options["se"] == "bootstrap":
        rows, boot_info = _bootstrap_rows(rows, pt, model, obj, theta, stats_list, X_groups,
                                          options, spec)
        notes.append(boot_info.describe())
        notes.append("With the bootstrap, z and p-values are est / bootstrap SE (as lavaan); read"
                     " significance from the bootstrap intervals, which need no normality.")
        if boot_info.n_failed > 0.1 * boot_info.n_requested:
            problems.append((ConvergenceWarning,
                             f"{boot_info.n_failed} of {boot_info.n_requested} bootstrap draws failed"
                             f" ({boot_info.failures}); the bootstrap results rest on"
                             f" {boot_info.n_ok} draws."))

    # fit measures --------------------------------------------------------
    Sig_list = [model.implied(theta, g)[0] for g in range(pt.ngroups)]
    mu_list = [model.implied(theta, g)[1] for g in range(pt.ngroups)]
    n_list = [s.nobs for s in stats_list]
    S_list = [s.cov for s in stats_list]
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
            logl += -0.5 * s.nobs * (p * np.log(2 * np.pi) + logdet(Sig) + np.sum(s.cov * Si) + d @ Si @ d)
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
    baseline_df = pt.ngroups * (p * (p - 1) // 2 - nx * (nx - 1) // 2)
    fit = fm.compute(chisq=chisq, df=df, baseline_chisq=baseline_chisq, baseline_df=baseline_df,
                     npar=npar, ntotal=N, ngroups=pt.ngroups, logl=logl, h1_logl=h1, fmin=fmin,
                     S_list=S_list, Sigma_list=Sig_list, n_list=n_list,
                     m_list=[s.mean for s in stats_list] if ms else None,
                     mu_list=mu_list if ms else None)
    if robust is not None:
        fit.update(_scaled_measures(fit, robust, X_groups, pt, model, options, df, baseline_df, N))
    if missing == "fiml":
        # robust CFI/TLI/RMSEA from lavaan's FIML-corrected statistic (ML and MLR)
        fit.update(robust_fit.fiml_measures(
            model, theta, stats_list, X_groups, scaled=options["estimator"] == "MLR", df=df,
            baseline_df=baseline_df, N=N, x_vars=spec.exogenous_observed,
            fixed_x=bool(pt.exogenous), expected=options["information"] == "expected"))
    fit_series = pd.Series(fit, dtype=float)

    r2 = _r_squared(pt, model, theta)

    # estimation problems ---------------------------------------------------
    problems += _heywood_checks(rows, pt, model, theta)
    for cls, msg in problems:
        notes.append(msg)
        if strict:
            raise EstimationError(msg)
        warnings.warn(msg, cls, stacklevel=3)

    ov = pt.observed
    implied = {pt.group_labels[g]: pd.DataFrame(Sig_list[g], index=ov, columns=ov)
               for g in range(pt.ngroups)}
    sample = {pt.group_labels[g]: pd.DataFrame(S_list[g], index=ov, columns=ov)
              for g in range(pt.ngroups)}
    pnames = _param_names(pt)
    vc = pd.DataFrame(vcov, index=pnames, columns=pnames)
    versions = _versions()
    ctx = FitContext(spec, pt, model, stats_list, theta, obj, options)
    return SEMResult(
        estimates=rows.reset_index(drop=True), fit_measures=fit_series, r2=r2, spec=spec,
        n_obs=int(N), estimator=options["estimator"], converged=bool(opt.converged),
        notes=tuple(notes), versions=versions, options=options, vcov=vc,
        implied=implied, sample=sample, bootstrap=boot_info, _context=ctx,
    )


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


def _param_names(pt: ParTable) -> list[str]:
    names: dict[int, str] = {}
    for r in pt.table.itertuples(index=False):
        if r.free > 0 and r.free not in names:
            g = f" [group {pt.group_labels[r.group - 1]}]" if pt.ngroups > 1 else ""
            rhs = "1" if r.op == "~1" else r.rhs
            op = "~" if r.op == "~1" else r.op
            names[r.free] = f"{r.lhs}{op}{rhs}{g}"
    return [names[k] for k in sorted(names)]


def _robust(options, model, obj, stats_list, X_groups, theta, info, vcov, N, df) -> dict:
    """Sandwich covariance and the scaling trace (see trustsem/_engine/robust.py)."""
    from .engine import robust as rb

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


def _scaled_measures(fit, robust, X_groups, pt, model, options, df, baseline_df, N) -> dict:
    from .engine import robust as rb

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
    out["tli_scaled"] = ((xb_scaled / baseline_df) - (scaled / df)) / ((xb_scaled / baseline_df) - 1)
    # lavaan: the unscaled statistic with df replaced by tr(U Gamma) = c df
    trace = robust["trace"]
    out["rmsea_scaled"] = fm.rmsea(chisq, trace, N, G)
    lo, hi = fm.rmsea_ci(chisq, trace, N, G)
    out["rmsea_ci_lower_scaled"], out["rmsea_ci_upper_scaled"] = lo, hi
    out["rmsea_pvalue_scaled"] = fm.rmsea_pvalue(chisq, trace, N, G, 0.05, close=True)
    # robust (Brosseau-Liard & Savalei 2014; Savalei 2018): unscaled statistics
    # with the scaling factors in place of 1
    if options["missing"] == "fiml":
        # FIML: robust indices from the FIML-corrected statistic, set in _fit
        return out
    parts = robust_fit.RobustParts(chisq, df, c, xb, baseline_df, cb)
    out.update(robust_fit.robust_indices(parts, df=df, baseline_df=baseline_df, N=N, G=G))
    return out


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


def _delta_se(func, theta: np.ndarray, vcov: np.ndarray) -> np.ndarray:
    """Delta-method SEs of func(theta) with a central-difference Jacobian."""
    base = func(theta)
    J = np.zeros((len(base), len(theta)))
    for k in range(len(theta)):
        h = 1e-6 * max(1.0, abs(theta[k]))
        tp, tm = theta.copy(), theta.copy()
        tp[k] += h
        tm[k] -= h
        J[:, k] = (func(tp) - func(tm)) / (2 * h)
    cov = J @ vcov @ J.T
    return np.sqrt(np.clip(np.diag(cov), 0, None))


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


def _r_squared(pt: ParTable, model: RamModel, theta: np.ndarray) -> pd.DataFrame:
    tab = pt.table
    endo = []
    for v in model.names:
        if (((tab["op"] == "=~") & (tab["rhs"] == v)).any()
                or ((tab["op"] == "~") & (tab["lhs"] == v)).any()):
            endo.append(v)
    out = []
    for g in range(pt.ngroups):
        V, _ = model.total_cov(theta, g)
        _, S, _ = model.matrices(theta, g)
        for v in endo:
            i = model.index[v]
            r2 = 1 - S[i, i] / V[i, i] if V[i, i] > 0 else np.nan
            row = {"variable": v, "r2": r2}
            if pt.ngroups > 1:
                row["group"] = pt.group_labels[g]
            out.append(row)
    cols = ["variable", "group", "r2"] if pt.ngroups > 1 else ["variable", "r2"]
    return pd.DataFrame(out, columns=cols)


def _heywood_checks(rows: pd.DataFrame, pt: ParTable, model: RamModel, theta: np.ndarray):
    problems = []
    gtxt = (lambda r: f" in group {r['group']}") if "group" in rows.columns else (lambda r: "")
    var_rows = rows[(rows["op"] == "~~") & (rows["lhs"] == rows["rhs"])]
    for _, r in var_rows.iterrows():
        if r["est"] < 0:
            problems.append((HeywoodCaseWarning,
                             f"Negative variance (Heywood case): {r['lhs']} ~~ {r['lhs']} ="
                             f" {r['est']:.3f}{gtxt(r)}. Check that item's loading, its wording"
                             " and the number of indicators of its factor; fix the variance at"
                             " a small positive value only as a last resort."))
    load = rows[rows["op"] == "=~"]
    for _, r in load.iterrows():
        if np.isfinite(r["std_all"]) and abs(r["std_all"]) > 1:
            problems.append((HeywoodCaseWarning,
                             f"Standardized loading above 1: {r['lhs']} =~ {r['rhs']} ="
                             f" {r['std_all']:.3f}{gtxt(r)}."))
    lv = pt.latent
    for g in range(pt.ngroups):
        V, _ = model.total_cov(theta, g)
        p = model.p
        if lv:
            Vl = V[p:, p:]
            w, vecs = np.linalg.eigh(Vl)
            if w[0] <= 0:
                d = np.sqrt(np.abs(np.diag(Vl)))
                C = Vl / np.outer(d, d)
                np.fill_diagonal(C, 0)
                i, j = np.unravel_index(np.argmax(np.abs(C)), C.shape)
                where = f" in group {pt.group_labels[g]}" if pt.ngroups > 1 else ""
                problems.append((HeywoodCaseWarning,
                                 f"The covariance matrix of the latent variables{where} is not"
                                 f" positive definite: the correlation of {lv[i]} and {lv[j]} is"
                                 f" {C[i, j]:.3f}. The factors may not be distinct; consider"
                                 " merging them or check discriminant validity (HTMT)."))
        Sig = V[:p, :p]
        if np.linalg.eigvalsh(Sig)[0] <= 0:
            problems.append((HeywoodCaseWarning,
                             "The model-implied covariance matrix of the observed variables is"
                             " not positive definite."))
    return problems


def _versions() -> dict:
    return library_versions("numpy", "scipy", "pandas")
