"""The immutable result of a fitted SEM/CFA model.

Results carry tidy DataFrames with identifier-safe snake_case columns; pretty
labels are applied only at display time, through
:data:`trustsem._display.DISPLAY_NAMES` and the :class:`~trustsem._display.Summary`
renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._display import DISPLAY_NAMES, Summary, SummaryDisplay
from .context import FitContext
from .spec import ModelSpec

__all__ = ["DISPLAY_NAMES", "SEMResult", "Summary"]

_SECTIONS = [
    ("=~", "Latent variables"), ("~", "Regressions"), ("~~cov", "Covariances"),
    ("~1", "Intercepts"), ("|", "Thresholds"), ("~~var", "Variances"),
    (":=", "Defined parameters"),
]


@dataclass(frozen=True, slots=True)
class SEMResult(SummaryDisplay):
    """A fitted SEM/CFA model (immutable).

    Attributes
    ----------
    estimates : DataFrame
        One row per parameter in lavaan's orientation, columns ``lhs, op, rhs,
        [group,] label, est, se, z, pvalue, ci_lower, ci_upper, std_lv,
        std_all``. ``:=`` rows carry delta-method SEs.
    fit_measures : Series
        lavaan's ``fitMeasures()`` names with '.' replaced by '_'.
    r2 : DataFrame
        ``variable, [group,] r2`` for every endogenous variable.
    spec : ModelSpec
    n_obs : int
        Respondents used (after listwise deletion, if any).
    estimator : str
    converged : bool
    notes : tuple of str
        Caveats shown under every table (deletions, warnings, options).
    versions : dict
    options : dict
        Estimation options as used (missing, information, se, ...).
    vcov : DataFrame
        Covariance matrix of the free parameters (information-based).
    implied, sample : dict
        Model-implied and sample covariance matrices per group.
    bootstrap : BootstrapInfo or None
        Draws, failures and CI type when ``se="bootstrap"``.
    context : FitContext or None
        The refit handle: the parsed model, parameter table, RAM model, sample
        moments per group, the estimates and the fitted objective. The
        bootstrap, :func:`trustsem.invariance` and :func:`trustsem.mediation`
        use it to refit or re-evaluate the model without fitting it from
        scratch; ``None`` for results not produced by :func:`trustsem.sem`.
    """

    estimates: pd.DataFrame
    fit_measures: pd.Series
    r2: pd.DataFrame
    spec: ModelSpec
    n_obs: int
    estimator: str
    converged: bool
    notes: tuple[str, ...]
    versions: dict
    options: dict
    vcov: pd.DataFrame = field(repr=False)
    implied: dict = field(repr=False)
    sample: dict = field(repr=False)
    bootstrap: Any = field(default=None, repr=False)
    context: FitContext | None = field(default=None, repr=False, compare=False)

    @property
    def _context(self) -> FitContext | None:
        """Former name of :attr:`context`, kept so that older code still reads it."""
        return self.context

    # ------------------------------------------------------------------
    def summary(self, *, standardized: bool = True) -> Summary:
        """Summary in lavaan's layout: fit, then parameters by kind."""
        fm = self.fit_measures
        head: list[tuple[str, Any]] = [
            ("Estimator", self.estimator),
            ("Optimization converged", self.converged),
            ("Number of model parameters", int(fm.get("npar", np.nan))),
            ("Number of observations used", self.n_obs),
            ("Missing data", self.options.get("missing", "")),
            ("Standard errors", self.options.get("se_label", "")),
            ("Model chi-square", fm.get("chisq")),
            ("Degrees of freedom", int(fm.get("df", 0))),
            ("P-value (chi-square)", fm.get("pvalue")),
            ("CFI", fm.get("cfi")), ("TLI", fm.get("tli")),
            ("RMSEA", fm.get("rmsea")),
            ("RMSEA 90% CI", f"{fm.get('rmsea_ci_lower', np.nan):.3f} – {fm.get('rmsea_ci_upper', np.nan):.3f}"),
            ("SRMR", fm.get("srmr")),
            ("AIC", fm.get("aic")), ("BIC", fm.get("bic")),
        ]
        if "chisq_scaled" in fm.index:
            test = {"MLM": "Satorra-Bentler", "MLR": "Yuan-Bentler (Mplus)",
                    "WLSMV": "mean and variance adjusted"}.get(self.estimator, "scaled")
            head += [
                (f"Scaled chi-square ({test})", fm.get("chisq_scaled")),
                ("Scaling correction factor", fm.get("chisq_scaling_factor")),
                ("P-value (scaled)", fm.get("pvalue_scaled")),
                ("Robust CFI", fm.get("cfi_robust")), ("Robust TLI", fm.get("tli_robust")),
                ("Robust RMSEA", fm.get("rmsea_robust")),
            ]
        est = self.estimates
        blocks = []
        groups = est["group"].unique() if "group" in est.columns else [None]
        for g in groups:
            sub = est if g is None else est[est["group"] == g]
            prefix = "" if g is None else f"Group {g} — "
            for key, title in _SECTIONS:
                if key == "~~cov":
                    rows = sub[(sub["op"] == "~~") & (sub["lhs"] != sub["rhs"])]
                elif key == "~~var":
                    rows = sub[(sub["op"] == "~~") & (sub["lhs"] == sub["rhs"])]
                else:
                    rows = sub[sub["op"] == key]
                if rows.empty:
                    continue
                cols = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue"]
                if standardized:
                    cols += ["std_lv", "std_all"]
                t = rows[cols].copy()
                t["label"] = t["label"].fillna("")
                t = t.rename(columns={k: DISPLAY_NAMES.get(k, k) for k in cols})
                blocks.append((prefix + title, t))
        if len(self.r2):
            blocks.append(("R-square", self.r2.rename(columns={"r2": "R²"})))
        return Summary("trustsem SEM results", head, blocks, list(self.notes))

    # plots: one-line delegations into trustsem.output.plotting -------------------
    def plot_path_diagram(self, **kwargs: Any):
        """Path diagram of the structural model; see trustsem.output.plotting.plot_path_diagram."""
        from ..output.plotting import plot_path_diagram

        return plot_path_diagram(self, **kwargs)

    def plot_loadings(self, **kwargs: Any):
        """Standardized loadings heatmap; see trustsem.output.plotting.plot_loadings."""
        from ..output.plotting import plot_loadings

        return plot_loadings(self, **kwargs)

    def plot_paths_forest(self, **kwargs: Any):
        """Structural paths with CIs; see trustsem.output.plotting.plot_paths_forest."""
        from ..output.plotting import plot_paths_forest

        return plot_paths_forest(self, **kwargs)

    # convenience --------------------------------------------------------
    def params(self, op: str | None = None) -> pd.DataFrame:
        """Rows of ``estimates``, optionally only those with operator ``op``."""
        if op is None:
            return self.estimates.copy()
        return self.estimates[self.estimates["op"] == op].copy()

    def to_dict(self) -> dict:
        """JSON-serialisable dictionary of the main results."""
        return {
            "estimator": self.estimator,
            "converged": self.converged,
            "n_obs": self.n_obs,
            "notes": list(self.notes),
            "options": {k: v for k, v in self.options.items() if _jsonable(v)},
            "versions": self.versions,
            "fit_measures": {k: (None if pd.isna(v) else float(v)) for k, v in self.fit_measures.items()},
            "estimates": self.estimates.replace({np.nan: None}).to_dict(orient="records"),
            "r2": self.r2.replace({np.nan: None}).to_dict(orient="records"),
        }


def _jsonable(v: Any) -> bool:
    return isinstance(v, (str, int, float, bool, type(None), list, tuple))
