"""statsmodels adapter: the only trustsem module that imports statsmodels/patsy.

It turns a formula and a prepared (complete, validated) data frame into plain
pandas/numpy values named the trustsem way.  Validation of user input happens
in the public modules (:mod:`trustsem.structural.regression`, :mod:`trustsem.structural.moderation`)
before anything reaches this adapter; errors raised here are only those the
formula engine itself detects (bad syntax, values a transformation turns into
missing values).

Conventions taken from R so that the numbers can be compared with
``lm``/``glm``/``sandwich`` directly:

* OLS tests and intervals use the t distribution with the residual degrees of
  freedom, also with robust (HC) covariances (``lmtest::coeftest(fit,
  vcovHC(fit, type))``); statsmodels' ``use_t=True``.
* Logit tests and intervals use the normal distribution (Wald,
  ``confint.default``).
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm as _norm

from .._validation import format_value
from ..exceptions import DataError, EstimationError, SpecificationError

__all__ = [
    "BackendFit",
    "FormulaVariables",
    "design",
    "fit_logit",
    "fit_ols",
    "formula_variables",
]


def _patsy():
    """patsy, imported on first use (``import trustsem`` must not load it)."""
    import patsy

    return patsy


def _smf():
    """``statsmodels.formula.api``, imported on first use: statsmodels takes
    about a second to import, and SEM users never need it."""
    import statsmodels.formula.api as smf

    return smf


#: Covariance types accepted for each model (statsmodels ``cov_type`` names).
OLS_COV_TYPES = ("HC0", "HC1", "HC2", "HC3")
LOGIT_COV_TYPES = ("HC0", "HC1")


@dataclass(frozen=True)
class FormulaVariables:
    """Data columns a formula refers to.

    Attributes
    ----------
    outcome : tuple of str
        Columns used on the left-hand side.
    predictors : tuple of str
        Columns used on the right-hand side, in order of appearance.
    categorical : frozenset of str
        Columns that appear inside ``C(...)`` (and may hold text).
    """

    outcome: tuple[str, ...]
    predictors: tuple[str, ...]
    categorical: frozenset[str]

    @property
    def all(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.outcome + self.predictors))


@dataclass(frozen=True)
class BackendFit:
    """Numbers of one fitted model, indexed by the formula engine's term names."""

    params: pd.Series
    bse: pd.Series
    stat: pd.Series
    pvalues: pd.Series
    conf_int: pd.DataFrame  # columns lower, upper
    cov: pd.DataFrame
    exog: pd.DataFrame
    endog: pd.Series
    fitted: np.ndarray
    nobs: int
    df_model: float
    df_resid: float
    llf: float
    has_constant: bool
    converged: bool = True
    extra: dict = field(default_factory=dict)


_norm_sf = _norm.sf
_norm_ppf = _norm.ppf

# ---------------------------------------------------------------------------
# formula inspection


def _names_in(code: str) -> tuple[list[str], list[str]]:
    """Variables and ``Q("...")`` names referenced by one patsy factor code."""
    try:
        tree = ast.parse(code, mode="eval")
    except SyntaxError as err:
        raise SpecificationError(
            f"`formula` has a term that is not valid Python: {code!r}."
        ) from err
    functions: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            functions.add(id(node.func))
        if isinstance(node, ast.Attribute):
            functions.add(id(node.value))
    names: list[str] = []
    quoted: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Q"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            quoted.append(node.args[0].value)
        if isinstance(node, ast.Name) and id(node) not in functions:
            names.append(node.id)
    return names, quoted


def formula_variables(formula: str) -> FormulaVariables:
    """Parse a patsy formula and list the data columns it uses.

    Names that are called (``np.log``, ``C``, ``I``, ``center``) are
    functions, not columns; ``Q("a b")`` refers to column ``a b``.
    """
    patsy = _patsy()
    try:
        desc = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError as err:
        raise SpecificationError(
            f"`formula` is not a valid model formula; got {format_value(formula)}. {err.message}"
        ) from None
    if not desc.lhs_termlist:
        raise SpecificationError(
            f"`formula` must name an outcome left of '~'; got {format_value(formula)}."
        )

    def collect(termlist) -> tuple[list[str], set[str]]:
        out: list[str] = []
        cat: set[str] = set()
        for term in termlist:
            for factor in term.factors:
                code = factor.code
                names, quoted = _names_in(code)
                found = names + quoted
                out += found
                if code.replace(" ", "").startswith("C("):
                    cat.update(found)
        return list(dict.fromkeys(out)), cat

    lhs, _ = collect(desc.lhs_termlist)
    rhs, cat = collect(desc.rhs_termlist)
    # A variable used both inside and outside C() must be numeric.
    plain = set()
    for term in desc.rhs_termlist:
        for factor in term.factors:
            if not factor.code.replace(" ", "").startswith("C("):
                n, q = _names_in(factor.code)
                plain.update(n + q)
    return FormulaVariables(tuple(lhs), tuple(rhs), frozenset(cat - plain - set(lhs)))


# ---------------------------------------------------------------------------
# design matrices and fitting


def _model(kind: str, formula: str, frame: pd.DataFrame):
    smf, patsy = _smf(), _patsy()
    maker = {"ols": smf.ols, "logit": smf.logit}[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return maker(formula, data=frame, missing="drop")
    except patsy.PatsyError as err:
        raise SpecificationError(
            f"`formula` could not be evaluated on the data: {err.message}"
        ) from None


def _check_rows(model, frame: pd.DataFrame) -> None:
    n_used = int(model.exog.shape[0])
    if n_used != frame.shape[0]:
        raise DataError(
            f"The formula's transformations turned {frame.shape[0] - n_used} complete"
            " row(s) into missing values (e.g. np.log of 0 or of a negative"
            " number). Transform the column before fitting."
        )
    bad = ~np.isfinite(model.exog).all(axis=0)
    if bad.any() or not np.isfinite(model.endog).all():
        names = [n for n, b in zip(model.exog_names, bad) if b]
        raise DataError(
            f"The formula produced infinite values in {names or 'the outcome'}."
            " Transform the column before fitting."
        )


def design(
    kind: str, formula: str, frame: pd.DataFrame
) -> tuple[pd.Series, pd.DataFrame]:
    """Outcome and design matrix (term-named columns) of ``formula`` on ``frame``.

    Built through the OLS model for every ``kind``: the design does not depend
    on the likelihood, and the logit model would reject a bad outcome before
    trustsem can explain the problem.
    """
    model = _model("ols", formula, frame)
    _check_rows(model, frame)
    X = pd.DataFrame(model.exog, columns=list(model.exog_names), index=frame.index)
    y = pd.Series(
        np.asarray(model.endog, float), index=frame.index, name=model.endog_names
    )
    return y, X


def _common(res, model, frame: pd.DataFrame, conf_level: float) -> dict:
    names = list(model.exog_names)
    ci = np.asarray(res.conf_int(alpha=1 - conf_level))
    return dict(
        params=pd.Series(np.asarray(res.params), index=names),
        bse=pd.Series(np.asarray(res.bse), index=names),
        stat=pd.Series(np.asarray(res.tvalues), index=names),
        pvalues=pd.Series(np.asarray(res.pvalues), index=names),
        conf_int=pd.DataFrame(ci, index=names, columns=["lower", "upper"]),
        cov=pd.DataFrame(np.asarray(res.cov_params()), index=names, columns=names),
        exog=pd.DataFrame(model.exog, columns=names, index=frame.index),
        endog=pd.Series(
            np.asarray(model.endog, float), index=frame.index, name=model.endog_names
        ),
        nobs=int(res.nobs),
        df_model=float(res.df_model),
        df_resid=float(res.df_resid),
        llf=float(res.llf),
        has_constant=bool(model.k_constant),
    )


def fit_ols(
    formula: str, frame: pd.DataFrame, cov_type: str | None, conf_level: float = 0.95
) -> BackendFit:
    """OLS via ``statsmodels.formula.api.ols`` (t-based inference throughout).

    ``cov_type`` is None (classical) or one of HC0-HC3 (sandwich::vcovHC).
    With a robust covariance the overall F is the robust Wald F
    (``lmtest::waldtest(fit, vcov = vcovHC(fit, type), test = "F")``).
    """
    model = _model("ols", formula, frame)
    _check_rows(model, frame)
    kwargs = {"cov_type": cov_type, "use_t": True} if cov_type else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(**kwargs)
        fvalue = float(res.fvalue) if res.df_model > 0 else np.nan
        f_p = float(res.f_pvalue) if res.df_model > 0 else np.nan
    out = _common(res, model, frame, conf_level)
    out["fitted"] = np.asarray(res.fittedvalues)
    out["extra"] = dict(
        rsquared=float(res.rsquared),
        rsquared_adj=float(res.rsquared_adj),
        fvalue=fvalue,
        f_pvalue=f_p,
        ssr=float(res.ssr),
        sigma=float(np.sqrt(res.ssr / res.df_resid)) if res.df_resid > 0 else np.nan,
    )
    return BackendFit(**out)


def fit_logit(
    formula: str,
    frame: pd.DataFrame,
    cov_type: str | None,
    conf_level: float = 0.95,
    maxiter: int = 100,
) -> BackendFit:
    """Binary logit via ``statsmodels.formula.api.logit`` (Newton-Raphson).

    Equals R ``glm(family = binomial)``; Wald z tests and intervals.
    ``cov_type`` None or HC0/HC1 (``sandwich::vcovHC(fit, type)``).
    """
    model = _model("logit", formula, frame)
    _check_rows(model, frame)
    # statsmodels' discrete-model "HC1" carries no small-sample factor; fit
    # HC0 and scale by n/(n-k) as sandwich::vcovHC(type = "HC1") does.
    kwargs = {"cov_type": "HC0"} if cov_type else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = model.fit(method="newton", maxiter=maxiter, disp=0, **kwargs)
        except np.linalg.LinAlgError as err:
            raise EstimationError(
                "The logit information matrix is singular (a predictor is constant"
                " within the sample, collinear, or separates the outcome)."
            ) from err
        converged = bool(res.mle_retvals.get("converged", False))
        llnull = float(res.llnull)
        out = _common(res, model, frame, conf_level)
    if cov_type == "HC1":
        n, k = model.exog.shape
        out["cov"] = out["cov"] * (n / (n - k))
        out["bse"] = pd.Series(np.sqrt(np.diag(out["cov"])), index=out["bse"].index)
        out["stat"] = out["params"] / out["bse"]
        out["pvalues"] = pd.Series(
            2 * _norm_sf(out["stat"].abs().to_numpy()), index=out["stat"].index
        )
        q = _norm_ppf(0.5 + conf_level / 2)
        out["conf_int"] = pd.DataFrame(
            {
                "lower": out["params"] - q * out["bse"],
                "upper": out["params"] + q * out["bse"],
            }
        )
    out["fitted"] = np.asarray(res.predict())
    out["converged"] = converged
    out["extra"] = dict(
        llnull=llnull, iterations=int(res.mle_retvals.get("iterations", -1))
    )
    return BackendFit(**out)
