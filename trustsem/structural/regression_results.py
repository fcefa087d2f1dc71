"""Result objects of the regressions: :class:`RegressionResult`, :class:`HierarchicalResult`.

Their ``estimates`` tables have the columns of an SEM's (:data:`ESTIMATE_COLUMNS`),
in lavaan's orientation: ``y ~ x`` is the row ``lhs = y, op = "~", rhs = x``.
The fitting is :mod:`trustsem.structural.regression`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._display import DISPLAY_NAMES, Summary, SummaryDisplay

__all__ = ["ESTIMATE_COLUMNS", "LOGIT_EXTRA_COLUMNS", "HierarchicalResult", "RegressionResult"]

#: Column order of ``RegressionResult.estimates``.
ESTIMATE_COLUMNS = [
    "lhs",
    "op",
    "rhs",
    "label",
    "est",
    "se",
    "z",
    "pvalue",
    "ci_lower",
    "ci_upper",
    "std_all",
]
LOGIT_EXTRA_COLUMNS = ["or", "or_ci_lower", "or_ci_upper"]

_DISPLAY = {
    **DISPLAY_NAMES,
    "rhs": "Term",
    "or": "Odds ratio",
    "or_ci_lower": "OR CI lower",
    "or_ci_upper": "OR CI upper",
    "vif": "VIF",
    "tolerance": "Tolerance",
}
_INTERCEPT = "(Intercept)"


# ---------------------------------------------------------------------------
# result objects


@dataclass(frozen=True, slots=True)
class RegressionResult(SummaryDisplay):
    """A fitted OLS or logit model (immutable).

    Attributes
    ----------
    estimates : DataFrame
        One row per coefficient: ``lhs`` (the outcome), ``op`` (``"~"``),
        ``rhs`` (the term; ``"(Intercept)"`` for the constant), ``label``
        (always missing, kept for the SEM layout), ``est``, ``se``, ``z``,
        ``pvalue``, ``ci_lower``, ``ci_upper``, ``std_all``; logit adds
        ``or``, ``or_ci_lower``, ``or_ci_upper``.  **For OLS the ``z``
        column holds the t statistic** (est / se) and ``pvalue`` and the CI
        use the t distribution with ``fit_measures["df_resid"]`` degrees of
        freedom, as R's ``summary(lm)``; for logit it is a Wald z.
    fit_measures : Series
        OLS: ``nobs, npar, df_model, df_resid, r2, r2_adj, f, f_df1, f_df2,
        f_pvalue, sigma, logl, aic, bic``.  Logit: ``nobs, npar, df_model,
        df_resid, logl, logl_null, r2_mcfadden, lr_chisq, lr_df, lr_pvalue,
        deviance, null_deviance, aic, bic``.
    vif : DataFrame
        ``term, vif, tolerance`` for every non-constant column of the design
        matrix.
    n_obs : int
        Rows used (after listwise deletion).
    notes : tuple of str
        Deletions and options, shown under the tables.
    formula : str
    outcome : str
    estimator : str
        ``"OLS"`` or ``"Logit"``.
    robust : str or None
        Heteroskedasticity-consistent covariance type, or None (classical).
    converged : bool
    versions : dict
    options : dict
    vcov : DataFrame
        Covariance matrix of the coefficients (robust if ``robust``), indexed
        by the ``rhs`` names.
    data : DataFrame
        The analysis sample as modelled (after deletion, centring or
        standardizing), indexed like the input.
    """

    estimates: pd.DataFrame
    fit_measures: pd.Series
    vif: pd.DataFrame
    n_obs: int
    notes: tuple[str, ...]
    formula: str
    outcome: str
    estimator: str
    robust: str | None
    converged: bool
    versions: dict
    options: dict
    vcov: pd.DataFrame = field(repr=False)
    data: pd.DataFrame = field(repr=False)

    def summary(self) -> Summary:
        """Coefficient table, fit header, VIFs and notes."""
        fm = self.fit_measures
        se_label = "classical" if self.robust is None else f"robust ({self.robust})"
        head: list[tuple[str, Any]] = [
            ("Formula", self.formula),
            ("Estimator", self.estimator),
            ("Number of observations used", self.n_obs),
            ("Standard errors", se_label),
        ]
        if self.estimator == "OLS":
            head += [
                ("R²", fm["r2"]),
                ("Adjusted R²", fm["r2_adj"]),
                (f"F({int(fm['f_df1'])}, {int(fm['f_df2'])})", fm["f"]),
                ("P-value (F)", fm["f_pvalue"]),
                ("Residual standard error", fm["sigma"]),
            ]
        else:
            head += [
                ("Converged", self.converged),
                ("McFadden pseudo-R²", fm["r2_mcfadden"]),
                (f"LR chi-square ({int(fm['lr_df'])} df)", fm["lr_chisq"]),
                ("P-value (LR)", fm["lr_pvalue"]),
            ]
        head += [("Log-likelihood", fm["logl"]), ("AIC", fm["aic"]), ("BIC", fm["bic"])]
        cols = ["rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]
        if self.estimator == "Logit":
            cols += LOGIT_EXTRA_COLUMNS
        names = dict(_DISPLAY)
        if self.estimator == "OLS":
            names.update(z="t-value", pvalue="P(>|t|)")
        coef = self.estimates[cols].rename(columns={c: names.get(c, c) for c in cols})
        blocks = [(f"Coefficients (outcome: {self.outcome})", coef)]
        if len(self.vif) > 1:
            blocks.append(
                (
                    "Variance inflation factors",
                    self.vif.rename(columns={c: _DISPLAY.get(c, c) for c in self.vif}),
                )
            )
        title = (
            "trustsem OLS regression"
            if self.estimator == "OLS"
            else "trustsem logistic regression"
        )
        return Summary(title, head, blocks, list(self.notes))

    def to_dict(self) -> dict:
        """JSON-serialisable dictionary of the main results."""
        return {
            "formula": self.formula,
            "estimator": self.estimator,
            "robust": self.robust,
            "n_obs": self.n_obs,
            "converged": self.converged,
            "notes": list(self.notes),
            "versions": self.versions,
            "fit_measures": {
                k: (None if pd.isna(v) else float(v))
                for k, v in self.fit_measures.items()
            },
            "estimates": self.estimates.replace({np.nan: None}).to_dict(
                orient="records"
            ),
            "vif": self.vif.replace({np.nan: None}).to_dict(orient="records"),
        }


@dataclass(frozen=True, slots=True)
class HierarchicalResult(SummaryDisplay):
    """Hierarchical (blockwise) OLS: R² change tests between nested steps.

    Attributes
    ----------
    steps : DataFrame
        One row per step: ``step, formula, npar, r2, r2_adj, delta_r2,
        f_change, df1, df2, p_change``.  Step 1 is compared with the
        intercept-only model.
    models : tuple of RegressionResult
        The fitted model of each step (all on the same rows).
    n_obs : int
    notes : tuple of str
    """

    steps: pd.DataFrame
    models: tuple[RegressionResult, ...]
    n_obs: int
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        tab = self.steps.rename(
            columns={
                "step": "Step",
                "formula": "Formula",
                "npar": "Coefficients",
                "r2": "R²",
                "r2_adj": "Adj. R²",
                "delta_r2": "ΔR²",
                "f_change": "F change",
                "df1": "df1",
                "df2": "df2",
                "p_change": "P(F change)",
            }
        )
        head = [
            ("Number of observations used", self.n_obs),
            ("Steps", len(self.models)),
        ]
        return Summary(
            "trustsem hierarchical regression",
            head,
            [("R² change by step", tab)],
            list(self.notes),
        )
