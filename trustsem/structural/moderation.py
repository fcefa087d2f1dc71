"""Moderation: interaction models on observed scores and latent interactions.

* :func:`moderation` fits ``y ~ x * w (+ covariates)`` by OLS on
  mean-centred ``x`` and ``w`` and probes it: simple slopes of ``x`` at chosen
  values of ``w`` and the Johnson-Neyman region(s) of significance, plus a
  tidy grid a plot can draw.
* :func:`latent_interaction` and :func:`probe_latent_interaction` (latent
  interactions with product indicators) live in
  :mod:`trustsem.structural.latent_interaction` and stay importable from here.

The research model's H13a (privacy concern PC weakens the effect of
precision-marketing fit PMF on TRUST) is the worked example throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._display import DISPLAY_NAMES, Summary, SummaryDisplay
from .._validation import (
    check_level,
    check_option,
    check_positive_int,
    format_value,
)
from ..exceptions import SpecificationError
from ._conditional import _conditional, _jn_roots, _regions
from ._statsmodels import OLS_COV_TYPES
from .latent_interaction import (
    LatentProbeResult,
    ProductIndicators,
    latent_interaction,
    probe_latent_interaction,
)
from .regression import RegressionResult, _check_robust, _fit_frame, _prepare

__all__ = [
    "LatentProbeResult",
    "ModerationResult",
    "ProductIndicators",
    "latent_interaction",
    "moderation",
    "probe_latent_interaction",
]

_SLOPE_COLUMNS = ["level", "w", "est", "se", "z", "pvalue", "ci_lower", "ci_upper"]


# ---------------------------------------------------------------------------
# observed-score moderation


@dataclass(frozen=True, slots=True)
class ModerationResult(SummaryDisplay):
    """A probed two-way interaction on observed scores (immutable).

    Attributes
    ----------
    model : RegressionResult
        The interaction model ``y ~ x + w + x:w (+ covariates)``; with
        ``center=True`` the ``x`` and ``w`` columns are mean-centred, so
        their coefficients are conditional effects at the mean of the other.
    simple_slopes : DataFrame
        ``level, w, est, se, z, pvalue, ci_lower, ci_upper``: the slope of
        ``x`` at each probed value ``w`` of the moderator (raw units).
        ``z`` is the t statistic (t distribution with the model's residual
        df).
    johnson_neyman : DataFrame
        ``w, within_range``: moderator values (raw units) where the slope
        of ``x`` is exactly significant at ``alpha``; empty if there are none.
    regions : DataFrame
        ``w_from, w_to, significant, n, proportion``: the observed range of
        ``w`` split at the boundaries, with the share of the sample in each.
    slopes_grid : DataFrame
        ``w, est, se, z, pvalue, ci_lower, ci_upper, significant`` on an
        even grid over the observed range (for a Johnson-Neyman plot).
    proportion_significant : float
        Share of the analysis sample whose ``w`` lies where the slope of
        ``x`` is significant.
    y, x, w : str
    centering : Series
        Constants subtracted from ``x`` and ``w`` (0 if ``center=False``).
    alpha : float
        Significance level of the tests (``1 - level``).
    notes : tuple of str
    """

    model: RegressionResult
    simple_slopes: pd.DataFrame
    johnson_neyman: pd.DataFrame
    regions: pd.DataFrame
    slopes_grid: pd.DataFrame
    proportion_significant: float
    y: str
    x: str
    w: str
    centering: pd.Series
    alpha: float
    notes: tuple[str, ...]

    @property
    def level(self) -> float:
        """Confidence level of the intervals and tests (``1 - alpha``)."""
        return round(1.0 - self.alpha, 12)

    @property
    def estimates(self) -> pd.DataFrame:
        """The interaction model's ``estimates``."""
        return self.model.estimates

    def summary(self) -> Summary:
        """Interaction model, simple slopes and Johnson-Neyman regions."""
        fm = self.model.fit_measures
        head: list[tuple[str, Any]] = [
            ("Outcome", self.y),
            ("Focal predictor (x)", self.x),
            ("Moderator (w)", self.w),
            ("Number of observations used", self.model.n_obs),
            ("Standard errors", self.model.robust or "classical"),
            ("R²", fm["r2"]),
            ("Interaction x:w", _interaction_row(self.model, self.x, self.w)),
            ("Share of sample with significant slope", self.proportion_significant),
        ]
        names = dict(
            DISPLAY_NAMES,
            z="t-value",
            pvalue="P(>|t|)",
            rhs="Term",
            w=f"{self.w}",
            level="Level",
        )
        coef = self.model.estimates[
            ["rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper"]
        ].rename(columns=names)
        slopes = self.simple_slopes.rename(columns=names)
        jn = self.regions.rename(
            columns={
                "w_from": f"{self.w} from",
                "w_to": f"{self.w} to",
                "significant": "Significant",
                "n": "n",
                "proportion": "Proportion",
            }
        )
        blocks = [
            ("Interaction model", coef),
            (f"Simple slopes of {self.x} by {self.w}", slopes),
            (f"Johnson-Neyman regions (alpha = {self.alpha:g})", jn),
        ]
        return Summary("trustsem moderation analysis", head, blocks, list(self.notes))


def _interaction_row(model: RegressionResult, x: str, w: str) -> str:
    row = model.estimates[model.estimates["rhs"] == f"{x}:{w}"].iloc[0]
    return f"b = {row['est']:.3f}, p = {row['pvalue']:.3f}"


def _quote(name: str) -> str:
    return name if name.isidentifier() else f"Q({name!r})"


def _levels(levels: Any, w: np.ndarray) -> tuple[list[str], np.ndarray]:
    if isinstance(levels, str):
        kind = check_option("levels", levels, ["sd", "percentile"])
        if kind == "sd":
            m, s = w.mean(), w.std(ddof=1)
            return ["-1 SD", "mean", "+1 SD"], np.array([m - s, m, m + s])
        return (["16th pct", "50th pct", "84th pct"], np.percentile(w, [16, 50, 84]))
    try:
        vals = np.asarray(list(levels), float)
    except (TypeError, ValueError):
        raise SpecificationError(
            "`levels` must be 'sd', 'percentile' or a list of moderator values;"
            f" got {format_value(levels)}."
        ) from None
    if vals.size == 0 or not np.isfinite(vals).all():
        raise SpecificationError(
            f"`levels` must hold at least one finite moderator value; got {format_value(levels)}."
        )
    return [f"{v:g}" for v in vals], vals


def moderation(
    data: pd.DataFrame,
    y: str,
    x: str,
    w: str,
    *,
    covariates: Sequence[str] = (),
    center: bool = True,
    robust: str | None = "HC3",
    levels: str | Sequence[float] = "sd",
    level: float | None = None,
    alpha: float | None = None,
    n_grid: int = 101,
) -> ModerationResult:
    """Two-way moderation on observed (composite) scores, probed.

    Fits ``y ~ x + w + x:w + covariates`` by OLS (PROCESS model 1) with
    ``x`` and ``w`` mean-centred, then computes the simple slopes of ``x``
    at values of ``w`` and the Johnson-Neyman region(s) of significance.

    Parameters
    ----------
    data : pandas.DataFrame
        Scores (e.g. from :func:`trustsem.data.prep.scale_scores`); not modified.
    y, x, w : str
        Outcome, focal predictor and moderator columns (numeric).
    covariates : sequence of str
        Further numeric predictors (not centred; dummy-code categories).
    center : bool
        Mean-centre ``x`` and ``w`` on the analysis sample.  Centring does
        not change the interaction or the simple slopes, only the meaning
        of the ``x`` and ``w`` coefficients (effects at the other's mean).
    robust : {"HC3", "HC0", "HC1", "HC2", None}
        Covariance of the coefficients; the simple slopes and the
        Johnson-Neyman bounds use the same matrix.
    levels : {"sd", "percentile"} or sequence of float
        Where to probe: mean - 1 SD, mean, mean + 1 SD (``"sd"``); the 16th,
        50th and 84th percentiles (``"percentile"``, as PROCESS); or given
        moderator values in raw units (e.g. ``[0, 1]`` for a dummy).
    level : float, optional
        Confidence level (default 0.95) of the intervals; every test decides
        at ``1 - level``.
    alpha : float, optional
        Deprecated alias: ``alpha=a`` means ``level=1 - a`` (``FutureWarning``);
        giving both is a SpecificationError.
    n_grid : int
        Points of ``slopes_grid`` over the observed range of ``w``.

    Returns
    -------
    ModerationResult
        ``model``, ``simple_slopes``, ``johnson_neyman``, ``regions``,
        ``slopes_grid``, ``proportion_significant``, ``summary()``.

    Raises
    ------
    SpecificationError
        Unknown columns (named), repeated roles, bad options.
    DataError
        Text in a column, a constant variable, too few complete rows.

    Warns
    -----
    MissingDataWarning
        Rows dropped listwise (count in ``notes``).

    Notes
    -----
    With b1 the coefficient of x, b3 that of x:w and V their covariance
    matrix, the slope of x at moderator value w (centred units) is
    θ(w) = b1 + b3·w with var θ(w) = V11 + 2w·V13 + w²·V33; t = θ/se on the
    residual df.  The Johnson-Neyman bounds solve θ(w)² = t²_crit·var θ(w):
    (b3² - t²V33)w² + 2(b1b3 - t²V13)w + (b1² - t²V11) = 0 (Johnson &
    Neyman 1936; Bauer & Curran 2005; Hayes 2022, PROCESS).  Bounds outside
    the observed range are listed with ``within_range = False``.  The SD of
    ``w`` uses the N-1 divisor.  Validated against R ``lm`` + ``sandwich``
    (tests/reference/regression_*) within 1e-6.

    References
    ----------
    Bauer, D. J., & Curran, P. J. (2005). Probing interactions in fixed and
    multilevel regression. *Multivariate Behavioral Research*, 40, 373-400.
    Hayes, A. F. (2022). *Introduction to Mediation, Moderation, and
    Conditional Process Analysis* (3rd ed.). Guilford.

    Examples
    --------
    >>> from trustsem.data.datasets import load_example
    >>> from trustsem.data.prep import scale_scores
    >>> tt = load_example("tiktok_shop_impulse_buying")
    >>> sc = scale_scores(tt, {"OIB": ["OIB1", "OIB2", "OIB3"],
    ...     "TR": ["TR1", "TR2", "TR3", "TR4", "TR5"],
    ...     "SC": ["SC1", "SC2", "SC3", "SC4"]})
    >>> res = moderation(sc, y="OIB", x="TR", w="SC")
    >>> list(res.simple_slopes["level"])
    ['-1 SD', 'mean', '+1 SD']
    """
    for name, v in (("y", y), ("x", x), ("w", w)):
        if not isinstance(v, str):
            raise SpecificationError(f"`{name}` must be a column name; got {format_value(v)}.")
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    roles = [y, x, w] + covariates
    dup = sorted({r for r in roles if roles.count(r) > 1})
    if dup:
        raise SpecificationError(
            f"Each column may play one role (y, x, w, covariates); repeated: {dup}."
        )
    level, alpha = check_level(level, alpha, where="moderation")
    n_grid = check_positive_int("n_grid", n_grid, minimum=2)
    notes: list[str] = []
    frame = _prepare(
        data,
        roles,
        frozenset(),
        predictors=[x, w] + covariates,
        outcome=[y],
        notes=notes,
    )
    w_raw = frame[w].to_numpy(float)
    labels, w_levels = _levels(levels, w_raw)
    cx = float(frame[x].mean()) if center else 0.0
    cw = float(frame[w].mean()) if center else 0.0
    frame = frame.copy()
    frame[x] = frame[x] - cx
    frame[w] = frame[w] - cw
    if center:
        notes.append(
            f"{x} and {w} were mean-centred (means {cx:.4g} and {cw:.4g});"
            f" their coefficients are effects at the mean of the other."
        )
    rhs = " + ".join([f"{_quote(x)} * {_quote(w)}"] + [_quote(c) for c in covariates])
    formula = f"{_quote(y)} ~ {rhs}"
    rename = {_quote(c): c for c in roles if _quote(c) != c}
    rob = _check_robust(robust, OLS_COV_TYPES)
    model = _fit_frame(
        "ols",
        formula,
        frame,
        robust=rob,
        alpha=alpha,
        notes=list(notes),
        options={"center": bool(center)},
        rename=rename,
    )
    xw = f"{x}:{w}"
    b = model.estimates.set_index("rhs")["est"]
    V = model.vcov
    b1, b3 = float(b[x]), float(b[xw])
    v11, v13, v33 = float(V.loc[x, x]), float(V.loc[x, xw]), float(V.loc[xw, xw])
    df = model.fit_measures["df_resid"]
    dist = stats.t(df)
    crit = float(dist.ppf(1 - alpha / 2))

    slopes = _conditional(b1, b3, v11, v13, v33, w_levels - cw, crit, dist)
    slopes.insert(0, "w", w_levels)
    slopes.insert(0, "level", labels)
    lo, hi = float(w_raw.min()), float(w_raw.max())
    outside = [lab for lab, v in zip(labels, w_levels) if v < lo or v > hi]
    if outside:
        notes.append(
            f"Probe value(s) {outside} lie outside the observed range of {w}"
            f" ({lo:g} to {hi:g})."
        )
    roots = _jn_roots(b1, b3, v11, v13, v33, crit) + cw
    jn = pd.DataFrame({"w": roots, "within_range": (roots >= lo) & (roots <= hi)})

    def sig_at(value: float) -> bool:
        r = _conditional(b1, b3, v11, v13, v33, np.array([value - cw]), crit, dist)
        return bool(r["pvalue"].iloc[0] < alpha)

    obs = _conditional(b1, b3, v11, v13, v33, w_raw - cw, crit, dist)
    prop = float((obs["pvalue"] < alpha).mean())
    regions = _regions(roots, lo, hi, sig_at, w_raw)
    grid_w = np.linspace(lo, hi, n_grid)
    grid = _conditional(b1, b3, v11, v13, v33, grid_w - cw, crit, dist)
    grid.insert(0, "w", grid_w)
    grid["significant"] = grid["pvalue"] < alpha
    inside = jn.loc[jn["within_range"], "w"].tolist()
    if inside:
        notes.append(
            "Johnson-Neyman: the slope of "
            f"{x} changes significance at {w} = "
            + ", ".join(f"{v:.4g}" for v in inside)
            + f"; {100 * prop:.1f}% of the sample lies where it is significant."
        )
    else:
        notes.append(
            f"Johnson-Neyman: no boundary within the observed range of {w};"
            f" the slope of {x} is {'significant' if prop > 0.5 else 'not significant'}"
            " throughout."
        )
    return ModerationResult(
        model=model,
        simple_slopes=slopes.reset_index(drop=True),
        johnson_neyman=jn,
        regions=regions,
        slopes_grid=grid,
        proportion_significant=prop,
        y=y,
        x=x,
        w=w,
        centering=pd.Series({x: cx, w: cw}),
        alpha=alpha,
        notes=tuple(notes),
    )


