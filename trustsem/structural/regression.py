"""Regression on observed or composite scores: ols(), logit(), hierarchical().

The models are fitted with the statsmodels formula API (through the adapter
:mod:`trustsem.structural._statsmodels`) and returned as immutable
:class:`RegressionResult` objects (defined in
:mod:`trustsem.structural.regression_results`) whose ``estimates`` table has the same
columns as an SEM's, in lavaan's orientation: ``y ~ x`` is the row
``lhs = y, op = "~", rhs = x``.

Formulas are patsy formulas (``y ~ x1 + x2``, ``x:w``, ``x * w``,
``C(platform_type)``, ``np.log(x)``, ``I(x**2)``, ``center(x)``).  Text
columns must be wrapped in ``C()``; every other column must be numeric.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, stats

from .._meta import library_versions
from .._validation import (
    check_columns,
    check_dataframe,
    check_level,
    check_numeric_columns,
    format_value,
)
from ..exceptions import (
    CONVERGENCE_DOCS,
    ConvergenceWarning,
    DataError,
    EstimationError,
    MissingDataWarning,
    SpecificationError,
)
from . import _statsmodels as _sm
from .regression_results import (  # noqa: F401  (column constants kept importable here)
    _INTERCEPT,
    ESTIMATE_COLUMNS,
    LOGIT_EXTRA_COLUMNS,
    HierarchicalResult,
    RegressionResult,
)

__all__ = ["HierarchicalResult", "RegressionResult", "hierarchical", "logit", "ols"]


# ---------------------------------------------------------------------------
# shared preparation


def _versions() -> dict:
    return library_versions("statsmodels", "pandas", "numpy")


def _check_formula(formula: Any, param: str = "formula") -> str:
    if not isinstance(formula, str) or "~" not in formula:
        raise SpecificationError(
            f"`{param}` must be a formula string such as 'y ~ x1 + x2';"
            f" got {format_value(formula)}."
        )
    return formula


def _check_robust(robust: Any, allowed: Sequence[str]) -> str | None:
    if robust is None or robust is False:
        return None
    if isinstance(robust, str) and robust.upper() in allowed:
        return robust.upper()
    raise SpecificationError(
        f"`robust` must be None or one of {list(allowed)}; got {format_value(robust)}."
    )


def _listwise_note(dropped: pd.DataFrame) -> str:
    """Note for listwise deletion; ``dropped`` is the boolean missing mask."""
    n_rows = dropped.shape[0]
    n_drop = int(dropped.any(axis=1).sum())
    counts = dropped.sum().sort_values(ascending=False)
    counts = counts[counts > 0]
    most = ", ".join(f"{k} ({int(v)})" for k, v in counts.head(3).items())
    return (
        f"Listwise deletion: used {n_rows - n_drop} of {n_rows} rows; {n_drop} row(s)"
        f" with missing values were dropped (most missing: {most})."
    )


def _prepare(
    data: Any,
    variables: Sequence[str],
    categorical: frozenset[str] | set[str],
    *,
    predictors: Sequence[str],
    outcome: Sequence[str],
    notes: list[str],
    stacklevel: int = 3,
) -> pd.DataFrame:
    """Validate columns, convert to float, drop incomplete rows (with warning).

    Returns the complete-case frame of ``variables`` (categorical columns kept
    as they are, every other column as float).
    """
    data = check_dataframe(data)
    variables = list(dict.fromkeys(variables))
    check_columns(data, variables, "Variables")
    numeric = [v for v in variables if v not in categorical]
    try:
        frame = check_numeric_columns(data, numeric)
    except DataError as err:
        if "must be numeric" not in str(err):
            raise
        raise DataError(
            f"{err} To use a text column as a categorical predictor, write C(column)"
            " in the formula."
        ) from None
    for v in variables:
        if v in categorical:
            frame[v] = data[v]
    frame = frame[variables]
    missing = frame.isna()
    if missing.any().any():
        note = _listwise_note(missing)
        notes.append(note)
        warnings.warn(note, MissingDataWarning, stacklevel=stacklevel)
        frame = frame[~missing.any(axis=1)]
    if frame.shape[0] == 0:
        raise DataError(
            "No complete rows are left after listwise deletion of missing values."
        )
    for v in outcome:
        if v not in categorical and frame[v].nunique() < 2:
            raise DataError(
                f"The outcome {v!r} is constant in the analysis sample"
                f" (every value is {format_value(frame[v].iloc[0])}); nothing to explain."
            )
    for v in predictors:
        if v in outcome:
            continue
        if frame[v].nunique() < 2:
            kind = "categorical predictor" if v in categorical else "predictor"
            raise DataError(
                f"The {kind} {v!r} is constant in the analysis sample (every value is"
                f" {format_value(frame[v].iloc[0])}), so its effect cannot be estimated. Drop it"
                " from the formula."
            )
    return frame


def _rename_term(name: str, rename: dict[str, str] | None) -> str:
    if name == "Intercept":
        return _INTERCEPT
    if rename:
        for old, new in rename.items():
            name = name.replace(old, new)
    return name


def _check_design(X: pd.DataFrame) -> None:
    n, k = X.shape
    if n <= k:
        raise DataError(
            f"Too few observations: {n} complete row(s) for {k} coefficient(s)."
            " Use fewer predictors or more data."
        )
    Xv = X.to_numpy(float)
    scale = np.where(np.abs(Xv).max(axis=0) > 0, np.abs(Xv).max(axis=0), 1.0)
    _, r, piv = linalg.qr(Xv / scale, mode="economic", pivoting=True)
    tol = np.abs(r[0, 0]) * max(n, k) * np.finfo(float).eps * 10
    rank = int((np.abs(np.diag(r)) > tol).sum())
    if rank < k:
        dependent = [X.columns[i] for i in piv[rank:]]
        raise DataError(
            f"The predictors are perfectly collinear: {dependent} can be written as a"
            " linear combination of the other terms. Drop or combine them."
        )


def _vif(X: pd.DataFrame, rename: dict[str, str] | None) -> pd.DataFrame:
    """VIF_j = [R^-1]_jj, R the correlation matrix of the non-constant columns.

    Equal to 1 / (1 - R²_j) of the auxiliary regression of column j on the
    other columns with an intercept (car::vif for 1-df terms).
    """
    sd = X.std(axis=0, ddof=1)
    cols = [c for c in X.columns if sd[c] > 0]
    if not cols:
        return pd.DataFrame({"term": [], "vif": [], "tolerance": []})
    if len(cols) == 1:
        v = np.array([1.0])
    else:
        R = np.corrcoef(X[cols].to_numpy(float), rowvar=False)
        v = np.diag(linalg.inv(R))
    return pd.DataFrame(
        {
            "term": [_rename_term(c, rename) for c in cols],
            "vif": v,
            "tolerance": 1.0 / v,
        }
    )


def _estimates_frame(
    outcome: str,
    fit: _sm.BackendFit,
    std_all: np.ndarray,
    rename: dict[str, str] | None,
) -> pd.DataFrame:
    terms = [_rename_term(t, rename) for t in fit.params.index]
    return pd.DataFrame(
        {
            "lhs": outcome,
            "op": "~",
            "rhs": terms,
            "label": np.nan,
            "est": fit.params.to_numpy(),
            "se": fit.bse.to_numpy(),
            "z": fit.stat.to_numpy(),
            "pvalue": fit.pvalues.to_numpy(),
            "ci_lower": fit.conf_int["lower"].to_numpy(),
            "ci_upper": fit.conf_int["upper"].to_numpy(),
            "std_all": std_all,
        }
    )


def _fit_frame(
    kind: str,
    formula: str,
    frame: pd.DataFrame,
    *,
    robust: str | None,
    alpha: float,
    notes: list[str],
    options: dict,
    rename: dict[str, str] | None = None,
    stacklevel: int = 3,
) -> RegressionResult:
    """Fit on an already validated complete-case frame."""
    y, X = _sm.design(kind, formula, frame)
    _check_design(X)
    outcome = _rename_term(str(y.name), rename)
    sd_x = X.std(axis=0, ddof=1).to_numpy()
    const = sd_x == 0
    if kind == "logit":
        values = set(np.unique(y.to_numpy()))
        if not values <= {0.0, 1.0} or len(values) < 2:
            shown = sorted(values)[:6]
            raise DataError(
                f"The logit outcome {outcome!r} must be coded 0/1 with both values"
                f" present; got values {shown}. Recode it, e.g. (y == 'yes')."
            )
        _check_separation(X, y, rename)
    fit = (
        _sm.fit_ols(formula, frame, robust, 1 - alpha)
        if kind == "ols"
        else _sm.fit_logit(formula, frame, robust, 1 - alpha)
    )
    b = fit.params.to_numpy()
    n, k = X.shape
    converged = fit.converged
    if kind == "ols":
        sd_y = float(np.std(fit.endog, ddof=1))
        std_all = np.where(const, np.nan, b * sd_x / sd_y)
        ex = fit.extra
        npar = k + 1  # coefficients + residual variance, as R's logLik(lm)
        fm = pd.Series(
            {
                "nobs": fit.nobs,
                "npar": k,
                "df_model": fit.df_model,
                "df_resid": fit.df_resid,
                "r2": ex["rsquared"],
                "r2_adj": ex["rsquared_adj"],
                "f": ex["fvalue"],
                "f_df1": fit.df_model,
                "f_df2": fit.df_resid,
                "f_pvalue": ex["f_pvalue"],
                "sigma": ex["sigma"],
                "logl": fit.llf,
                "aic": -2 * fit.llf + 2 * npar,
                "bic": -2 * fit.llf + np.log(n) * npar,
            },
            dtype=float,
        )
        estimator = "OLS"
    else:
        eta = X.to_numpy(float) @ b
        sd_ystar = np.sqrt(np.var(eta, ddof=1) + np.pi**2 / 3)
        std_all = np.where(const, np.nan, b * sd_x / sd_ystar)
        ll0 = fit.extra["llnull"]
        lr = 2 * (fit.llf - ll0)
        fm = pd.Series(
            {
                "nobs": fit.nobs,
                "npar": k,
                "df_model": fit.df_model,
                "df_resid": fit.df_resid,
                "logl": fit.llf,
                "logl_null": ll0,
                "r2_mcfadden": 1 - fit.llf / ll0,
                "lr_chisq": lr,
                "lr_df": fit.df_model,
                "lr_pvalue": stats.chi2.sf(lr, fit.df_model)
                if fit.df_model > 0
                else np.nan,
                "deviance": -2 * fit.llf,
                "null_deviance": -2 * ll0,
                "aic": -2 * fit.llf + 2 * k,
                "bic": -2 * fit.llf + np.log(n) * k,
            },
            dtype=float,
        )
        estimator = "Logit"
        if not converged:
            sep = np.abs(fit.fitted - y.to_numpy()) < 1e-8
            if sep.mean() > 0.5:
                _raise_separation(X, b, sd_x, const, rename, joint=True)
            msg = (
                f"The logit fit did not converge in {fit.extra['iterations']}"
                f" iterations; estimates are unreliable. {CONVERGENCE_DOCS}"
            )
            notes.append(msg)
            warnings.warn(msg, ConvergenceWarning, stacklevel=stacklevel)
    est = _estimates_frame(outcome, fit, std_all, rename)
    if kind == "logit":
        est["or"] = np.exp(est["est"])
        est["or_ci_lower"] = np.exp(est["ci_lower"])
        est["or_ci_upper"] = np.exp(est["ci_upper"])
        notes.append(
            "std_all is the y*-standardized coefficient b·sd(x)/sd(y*),"
            " var(y*) = var(xb) + π²/3 (Long 1997)."
        )
    if robust is not None:
        what = (
            "the t tests, CIs and the overall (Wald) F use them"
            if kind == "ols"
            else "the z tests and CIs use them"
        )
        notes.append(
            f"Standard errors: heteroskedasticity-consistent {robust}"
            f" (sandwich::vcovHC type {robust}); {what}."
        )
    terms = list(est["rhs"])
    vcov = pd.DataFrame(fit.cov.to_numpy(), index=terms, columns=terms)
    return RegressionResult(
        estimates=est,
        fit_measures=fm,
        vif=_vif(X, rename),
        n_obs=int(fit.nobs),
        notes=tuple(notes),
        formula=formula,
        outcome=outcome,
        estimator=estimator,
        robust=robust,
        converged=converged,
        versions=_versions(),
        options=dict(options, robust=robust, alpha=alpha, level=round(1.0 - alpha, 12)),
        vcov=vcov,
        data=frame.copy(),
    )


def _check_separation(
    X: pd.DataFrame, y: pd.Series, rename: dict[str, str] | None
) -> None:
    """Raise if one design column separates the outcome (quasi-)completely."""
    yv = y.to_numpy() > 0.5
    for col in X.columns:
        x = X[col].to_numpy(float)
        if np.ptp(x) == 0:
            continue
        x0, x1 = x[~yv], x[yv]
        if x0.max() <= x1.min() or x1.max() <= x0.min():
            term = _rename_term(col, rename)
            raise EstimationError(
                f"Perfect separation: the predictor {term!r} separates the outcome"
                f" (every respondent with {term} above a cut point has the same"
                " outcome), so its logit coefficient is infinite. Drop or recode"
                f" {term!r}, merge sparse categories, or use penalized (Firth) logit."
            )


def _raise_separation(X, b, sd_x, const, rename, joint: bool) -> None:
    size = np.where(const, 0.0, np.abs(b) * sd_x)
    order = np.argsort(-size)[:2]
    terms = [_rename_term(X.columns[i], rename) for i in order if size[i] > 0]
    raise EstimationError(
        f"Perfect separation: the predictors jointly separate the outcome; the"
        f" largest coefficients are on {terms}. Drop or recode them, or use"
        " penalized (Firth) logit."
    )


def _standardize(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        out[c] = (out[c] - out[c].mean()) / out[c].std(ddof=1)
    return out


# ---------------------------------------------------------------------------
# public functions


def ols(
    formula: str,
    data: pd.DataFrame,
    *,
    robust: str | None = None,
    standardize: bool = False,
    level: float | None = None,
    alpha: float | None = None,
) -> RegressionResult:
    """Ordinary least squares regression on observed or composite scores.

    Parameters
    ----------
    formula : str
        patsy formula, e.g. ``"TRUST ~ PREP + PASS + PMF * PC"``.  Wrap text
        columns in ``C()``.
    data : pandas.DataFrame
        One row per respondent; not modified.
    robust : {None, "HC0", "HC1", "HC2", "HC3"}
        Heteroskedasticity-consistent covariance (MacKinnon & White 1985);
        None gives classical standard errors.  HC3 is the usual
        recommendation for survey samples (Long & Ervin 2000).
    standardize : bool
        If True, z-score the outcome and every numeric predictor on the
        analysis sample (N-1 SD) before fitting, so ``est`` are standardized
        coefficients with their own SEs and CIs; products such as ``x:w``
        are then products of z-scores (Friedrich 1982).  ``C()`` terms are
        left as dummies.
    level : float, optional
        Confidence level (default 0.95) of the intervals; every test decides
        at ``1 - level``.
    alpha : float, optional
        Deprecated alias: ``alpha=a`` means ``level=1 - a`` (``FutureWarning``);
        giving both is a SpecificationError.

    Returns
    -------
    RegressionResult
        ``estimates`` (``lhs, op, rhs, label, est, se, z, pvalue, ci_lower,
        ci_upper, std_all``), ``fit_measures``, ``vif``, ``n_obs``, ``notes``,
        ``vcov``, ``summary()``.

    Raises
    ------
    SpecificationError
        Bad formula or a column not in ``data`` (named in the message).
    DataError
        Text in a column not wrapped in ``C()``, a constant predictor,
        perfectly collinear predictors, too few rows.

    Warns
    -----
    MissingDataWarning
        When rows with missing values were dropped (listwise; the count is
        also in ``notes``).

    Notes
    -----
    b = (X'X)⁻¹X'y; classical SE from s²(X'X)⁻¹, HC3 from
    (X'X)⁻¹X' diag(e²/(1-h)²) X(X'X)⁻¹.  The ``z`` column is the t statistic
    and ``pvalue``/CIs use t(n - k), also for robust SEs
    (``lmtest::coeftest(fit, vcovHC(fit, type))``).  With ``robust`` the
    overall ``f`` is the robust Wald F.  ``std_all`` = b·sd(x)/sd(y) for
    every design column (for a product or dummy column this is the
    coefficient times the SD of that column, not the coefficient of a model
    on standardized variables; use ``standardize=True`` for that).  ``aic``
    and ``bic`` count the residual variance as a parameter, as R's
    ``AIC(lm)``.  Validated against R 4.2 ``lm``, ``sandwich`` 3.0 and
    ``car::vif`` (tests/reference/regression_*), estimates and SEs within
    1e-6.

    References
    ----------
    Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent
    standard errors in the linear regression model. *The American
    Statistician*, 54, 217-224.

    Examples
    --------
    >>> from trustsem.data.datasets import load_example
    >>> from trustsem.structural.regression import ols
    >>> tal = load_example("tal_or")
    >>> fit = ols("reaction ~ cond + pmi", tal)
    >>> round(float(fit.estimates.set_index("rhs").loc["pmi", "est"]), 4)
    0.5064
    """
    formula = _check_formula(formula)
    rob = _check_robust(robust, _sm.OLS_COV_TYPES)
    level, alpha = check_level(level, alpha, where="ols")
    fv = _sm.formula_variables(formula)
    notes: list[str] = []
    frame = _prepare(
        data,
        fv.all,
        fv.categorical,
        predictors=fv.predictors,
        outcome=fv.outcome,
        notes=notes,
    )
    if standardize:
        frame = _standardize(frame, [v for v in fv.all if v not in fv.categorical])
        notes.append(
            "Outcome and numeric predictors were z-standardized on the analysis"
            " sample before fitting: est are standardized coefficients."
        )
    return _fit_frame(
        "ols",
        formula,
        frame,
        robust=rob,
        alpha=alpha,
        notes=notes,
        options={"standardize": bool(standardize)},
    )


def logit(
    formula: str,
    data: pd.DataFrame,
    *,
    robust: str | None = None,
    level: float | None = None,
    alpha: float | None = None,
) -> RegressionResult:
    """Binary logistic regression (maximum likelihood, Newton-Raphson).

    Parameters
    ----------
    formula : str
        patsy formula with a 0/1 outcome, e.g. ``"repurchase ~ trust_z"``.
    data : pandas.DataFrame
    robust : {None, "HC0", "HC1"}
        Sandwich covariance (``sandwich::vcovHC(fit, type)``), or None for the
        inverse information.
    level : float, optional
        Confidence level (default 0.95) of the intervals; every test decides
        at ``1 - level``.
    alpha : float, optional
        Deprecated alias: ``alpha=a`` means ``level=1 - a`` (``FutureWarning``);
        giving both is a SpecificationError.

    Returns
    -------
    RegressionResult
        As for :func:`ols`, plus ``or``, ``or_ci_lower``, ``or_ci_upper``
        (odds ratios exp(b) and their Wald limits).  ``z`` is a Wald z.
        ``std_all`` is the y*-standardized coefficient
        b·sd(x)/sqrt(var(x'b) + π²/3) (Long 1997, the latent-response
        standardization also used by lavaan for categorical outcomes).
        ``fit_measures`` holds ``logl``, ``logl_null``, ``r2_mcfadden``
        (1 - logl/logl_null), the likelihood-ratio test against the
        intercept-only model, ``deviance``, ``aic`` and ``bic``.

    Raises
    ------
    SpecificationError, DataError
        As for :func:`ols`; also an outcome that is not 0/1.
    EstimationError
        Perfect (quasi-)separation: a predictor that alone separates the
        outcome is named; joint separation names the largest coefficients.

    Warns
    -----
    MissingDataWarning
        Rows dropped by listwise deletion.
    ConvergenceWarning
        The fit did not converge (``converged`` is False).

    Notes
    -----
    Confidence intervals are Wald intervals b ± z·se (R's
    ``confint.default``), not profile-likelihood intervals.  Validated
    against R ``glm(family = binomial)`` within 1e-4.

    Examples
    --------
    >>> from trustsem.data.datasets import load_example
    >>> df = load_example("trust_survey")
    >>> fit = logit("repurchase ~ pm_exposed", df)
    >>> fit.estimates["rhs"].tolist()
    ['(Intercept)', 'pm_exposed']
    """
    formula = _check_formula(formula)
    rob = _check_robust(robust, _sm.LOGIT_COV_TYPES)
    level, alpha = check_level(level, alpha, where="logit")
    fv = _sm.formula_variables(formula)
    notes: list[str] = []
    frame = _prepare(
        data,
        fv.all,
        fv.categorical,
        predictors=fv.predictors,
        outcome=fv.outcome,
        notes=notes,
    )
    return _fit_frame(
        "logit", formula, frame, robust=rob, alpha=alpha, notes=notes, options={}
    )


def hierarchical(
    formulas: Sequence[str],
    data: pd.DataFrame,
    *,
    level: float | None = None,
    alpha: float | None = None,
) -> HierarchicalResult:
    """Hierarchical OLS: enter blocks of predictors and test each R² change.

    Parameters
    ----------
    formulas : sequence of str
        Two or more nested formulas with the same outcome, smallest first,
        e.g. ``["TRUST ~ tenure_years", "TRUST ~ tenure_years + PREP + PASS",
        "TRUST ~ tenure_years + PREP + PASS + PMF * PC"]``.
    data : pandas.DataFrame
    level : float, optional
        Confidence level (default 0.95) of the intervals; every test decides
        at ``1 - level``.
    alpha : float, optional
        Deprecated alias: ``alpha=a`` means ``level=1 - a`` (``FutureWarning``);
        giving both is a SpecificationError.

    Returns
    -------
    HierarchicalResult
        ``steps`` with ``step, formula, npar, r2, r2_adj, delta_r2, f_change,
        df1, df2, p_change``; ``models``; ``n_obs``; ``summary()``.

    Raises
    ------
    SpecificationError
        Fewer than two formulas, different outcomes, or a step that does not
        contain every term of the step before it.

    Warns
    -----
    MissingDataWarning
        Rows dropped listwise.

    Notes
    -----
    All steps are fitted on the **same rows**: those complete on the union of
    the variables of all steps, so the R² changes compare like with like.
    F change = ((SSR_{k-1} - SSR_k)/df1) / (SSR_k/df2), df1 = number of
    added coefficients, df2 = n - npar_k; step 1 is compared with the
    intercept-only model (its F change is the model F).  Classical (not
    robust) OLS.  Validated against R ``anova(fit_{k-1}, fit_k)``.

    Examples
    --------
    >>> from trustsem.data.datasets import load_example
    >>> tal = load_example("tal_or")
    >>> h = hierarchical(["reaction ~ cond", "reaction ~ cond + pmi"], tal)
    >>> h.steps["step"].tolist()
    [1, 2]
    """
    if (
        isinstance(formulas, str)
        or not isinstance(formulas, Sequence)
        or len(formulas) < 2
    ):
        raise SpecificationError(
            "`formulas` must be a list of two or more nested formulas;"
            f" got {format_value(formulas)}."
        )
    formulas = [_check_formula(f, "formulas") for f in formulas]
    level, alpha = check_level(level, alpha, where="hierarchical")
    fvs = [_sm.formula_variables(f) for f in formulas]
    outcomes = {fv.outcome for fv in fvs}
    if len(outcomes) != 1:
        raise SpecificationError(
            f"Every step must have the same outcome; got {sorted(map(list, outcomes))}."
        )
    variables = list(dict.fromkeys(v for fv in fvs for v in fv.all))
    categorical = set().union(*(fv.categorical for fv in fvs))
    predictors = list(dict.fromkeys(v for fv in fvs for v in fv.predictors))
    notes: list[str] = []
    frame = _prepare(
        data,
        variables,
        frozenset(categorical),
        predictors=predictors,
        outcome=fvs[0].outcome,
        notes=notes,
    )
    notes.append(
        f"All steps use the same {len(frame)} rows (complete on the union of"
        " the variables of every step)."
    )
    models = []
    for f in formulas:
        models.append(
            _fit_frame(
                "ols", f, frame, robust=None, alpha=alpha, notes=list(notes), options={}
            )
        )
    rows = []
    prev_terms: list[str] = [_INTERCEPT]
    ssr_prev = None
    npar_prev = 1
    for i, m in enumerate(models, start=1):
        terms = list(m.estimates["rhs"])
        missing_terms = [t for t in prev_terms if t not in terms]
        if missing_terms and i > 1:
            raise SpecificationError(
                f"Step {i} must contain every term of step {i - 1}; missing"
                f" {missing_terms}. Write each step as the previous formula plus the"
                " new block."
            )
        fm = m.fit_measures
        df2 = fm["df_resid"]
        ssr = fm["sigma"] ** 2 * df2
        if ssr_prev is None:
            # intercept-only model: SSR = total sum of squares
            ssr_prev = ssr / (1 - fm["r2"]) if fm["r2"] < 1 else np.nan
            r2_prev = 0.0
        df1 = fm["npar"] - npar_prev
        f_change = ((ssr_prev - ssr) / df1) / (ssr / df2) if df1 > 0 else np.nan
        p = stats.f.sf(f_change, df1, df2) if df1 > 0 else np.nan
        rows.append(
            {
                "step": i,
                "formula": formulas[i - 1],
                "npar": int(fm["npar"]),
                "r2": fm["r2"],
                "r2_adj": fm["r2_adj"],
                "delta_r2": fm["r2"] - r2_prev,
                "f_change": f_change,
                "df1": int(df1),
                "df2": int(df2),
                "p_change": p,
            }
        )
        ssr_prev, r2_prev, npar_prev, prev_terms = ssr, fm["r2"], fm["npar"], terms
    return HierarchicalResult(
        steps=pd.DataFrame(rows),
        models=tuple(models),
        n_obs=len(frame),
        notes=tuple(notes),
    )
