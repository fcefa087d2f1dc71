"""Moderation: interaction models on observed scores and latent interactions.

* :func:`moderation` fits ``y ~ x * w (+ covariates)`` by OLS on
  mean-centred ``x`` and ``w`` and probes it: simple slopes of ``x`` at chosen
  values of ``w`` and the Johnson-Neyman region(s) of significance, plus a
  tidy grid a plot can draw.
* :func:`latent_interaction` builds product indicators (double-mean-centred
  matched pairs, Lin et al. 2010; Marsh et al. 2004) and the lavaan syntax of
  the latent interaction factor; the SEM itself is fitted with
  :func:`trustsem.sem`.
* :func:`probe_latent_interaction` computes simple slopes of the latent
  interaction at -1/0/+1 SD of the latent moderator from the SEM estimates
  and their covariance matrix.

The research model's H13a (privacy concern PC weakens the effect of
precision-marketing fit PMF on TRUST) is the worked example throughout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, stats

from .._validation import (
    check_columns,
    check_dataframe,
    check_interval,
    check_numeric_columns,
    check_option,
    check_positive_int,
    format_value,
)
from ..exceptions import DataError, SpecificationError
from ..sem.results import DISPLAY_NAMES, Summary
from ._statsmodels import OLS_COV_TYPES
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
# conditional effects and Johnson-Neyman (shared by observed and latent)


def _conditional(
    b1: float,
    b3: float,
    v11: float,
    v13: float,
    v33: float,
    wc: np.ndarray,
    crit: float,
    dist: Any,
) -> pd.DataFrame:
    """Slope of x at centred moderator values ``wc``: b1 + b3·wc.

    var = v11 + 2·wc·v13 + wc²·v33 (delta method, exact for a linear
    combination).
    """
    wc = np.asarray(wc, float)
    est = b1 + b3 * wc
    se = np.sqrt(np.maximum(v11 + 2 * wc * v13 + wc**2 * v33, 0.0))
    z = est / se
    return pd.DataFrame(
        {
            "est": est,
            "se": se,
            "z": z,
            "pvalue": 2 * dist.sf(np.abs(z)),
            "ci_lower": est - crit * se,
            "ci_upper": est + crit * se,
        }
    )


def _jn_roots(
    b1: float, b3: float, v11: float, v13: float, v33: float, crit: float
) -> np.ndarray:
    """Centred moderator values where |slope/se| = crit.

    Solves (b3² - c²v33)·w² + 2(b1·b3 - c²v13)·w + (b1² - c²v11) = 0.
    """
    c2 = crit**2
    a = b3**2 - c2 * v33
    b = 2 * (b1 * b3 - c2 * v13)
    c = b1**2 - c2 * v11
    if abs(a) < 1e-14 * max(1.0, abs(b), abs(c)):
        return np.array([-c / b]) if b != 0 else np.array([])
    disc = b**2 - 4 * a * c
    if disc < 0:
        return np.array([])
    r = np.sqrt(disc)
    return np.sort(np.array([(-b - r) / (2 * a), (-b + r) / (2 * a)]))


def _regions(
    bounds: np.ndarray, lo: float, hi: float, sig_at: Any, w_obs: np.ndarray
) -> pd.DataFrame:
    """Split the observed moderator range at the JN bounds; mark significance."""
    cuts = [lo] + [float(b) for b in bounds if lo < b < hi] + [hi]
    rows = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        mid = 0.5 * (a + b)
        inside = (w_obs >= a) & ((w_obs < b) if b < hi else (w_obs <= b))
        rows.append(
            {
                "w_from": a,
                "w_to": b,
                "significant": bool(sig_at(mid)),
                "n": int(inside.sum()),
                "proportion": float(inside.mean()),
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# observed-score moderation


@dataclass(frozen=True, slots=True)
class ModerationResult:
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

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


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
    alpha: float = 0.05,
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
    alpha : float
        Significance level of the tests, intervals and Johnson-Neyman bounds.
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
    alpha = check_interval("alpha", alpha, 0, 1)
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


# ---------------------------------------------------------------------------
# latent interaction: product indicators


@dataclass(frozen=True, slots=True)
class ProductIndicators:
    """Product indicators for a latent interaction (immutable).

    Attributes
    ----------
    data : DataFrame
        A copy of the input with the product-indicator columns appended.
    syntax : str
        lavaan lines defining the interaction factor (and, for
        ``pairing="all"``, the residual covariances of products that share
        an item), to paste into the model.
    indicators : tuple of str
        Names of the product columns.
    pairs : DataFrame
        ``indicator, w_item, x_item``.
    name : str
        Name of the interaction factor (default ``"<W>x<X>"``, e.g. PCxPMF).
    method : str
    pairing : str
    """

    data: pd.DataFrame
    syntax: str
    indicators: tuple[str, ...]
    pairs: pd.DataFrame
    name: str
    method: str
    pairing: str

    def __str__(self) -> str:
        return self.syntax


def _stem(items: Sequence[str]) -> str:
    stems = {re.sub(r"[_.]?\d+$", "", i) for i in items}
    return stems.pop() if len(stems) == 1 and "" not in stems else ""


def latent_interaction(
    data: pd.DataFrame,
    x_items: Sequence[str],
    w_items: Sequence[str],
    *,
    method: str = "double_mean_centering",
    pairing: str = "matched",
    name: str | None = None,
) -> ProductIndicators:
    """Product indicators and lavaan syntax for a latent interaction.

    Parameters
    ----------
    data : pandas.DataFrame
        Item responses; not modified.
    x_items, w_items : sequence of str
        Indicators of the focal latent predictor X and of the latent
        moderator W.  With ``pairing="matched"`` they are paired in the
        given order (list them by loading, strongest first, to pair
        best-with-best as Marsh et al. 2004 recommend).
    method : {"double_mean_centering", "residual_centering"}
        ``double_mean_centering`` (Lin et al. 2010): centre every indicator,
        multiply the pairs, centre each product again.
        ``residual_centering`` (Little, Bovaird & Widaman 2006): regress each
        product of centred indicators on all first-order indicators and keep
        the residuals.
    pairing : {"matched", "all"}
        ``matched``: one product per pair (needs equally many items);
        ``all``: every x item times every w item, with residual covariances
        between products that share an item added to the syntax.
    name : str, optional
        Name of the interaction factor; default ``"<W>x<X>"`` from the item
        stems (``PC1..4`` and ``PMF1..4`` give ``PCxPMF``).

    Returns
    -------
    ProductIndicators
        ``data`` (augmented copy), ``syntax``, ``indicators``, ``pairs``.

    Raises
    ------
    SpecificationError
        Unknown items, overlapping item lists, unequal lengths with
        ``pairing="matched"``, a product name already in ``data``.
    DataError
        Text in an item column.

    Notes
    -----
    Product indicator ``w_i_x_j`` = (w_i - mean w_i)(x_j - mean x_j) -
    mean(...), means over the available values; a product is missing when
    either item is.  The products are named ``"{w_item}_{x_item}"``.
    Double mean centering needs no mean structure and no constraints and is
    robust to non-normal indicators (Lin et al. 2010).  Validated against
    ``semTools::indProd`` 0.5-6 (``match = TRUE, meanC = TRUE, doubleMC =
    TRUE``, and ``residualC = TRUE``) within 1e-10.

    References
    ----------
    Lin, G.-C., Wen, Z., Marsh, H. W., & Lin, H.-S. (2010). Structural
    equation models of latent interactions: Clarification of orthogonalizing
    and double-mean-centering strategies. *Structural Equation Modeling*, 17,
    374-391.
    Marsh, H. W., Wen, Z., & Hau, K.-T. (2004). Structural equation models of
    latent interactions: Evaluation of alternative estimation strategies and
    indicator construction. *Psychological Methods*, 9, 275-300.

    Examples
    --------
    H13a of the research model (privacy concern PC weakens PMF -> TRUST).
    Label the three paths, so :func:`probe_latent_interaction` can find them:

    >>> import trustsem as ts
    >>> from trustsem.data.datasets import load_example
    >>> from trustsem.models import research_model
    >>> df = load_example("trust_survey")
    >>> pi = latent_interaction(df, ["PMF1", "PMF2", "PMF3", "PMF4"],
    ...                         ["PC1", "PC2", "PC3", "PC4"])
    >>> print(pi.syntax)
    PCxPMF =~ PC1_PMF1 + PC2_PMF2 + PC3_PMF3 + PC4_PMF4
    >>> model = research_model(module_b=True).replace(
    ...     "TRUST ~ PMF", "TRUST ~ b1*PMF")
    >>> model += ("\\nPC =~ PC1 + PC2 + PC3 + PC4\\n" + pi.syntax
    ...           + "\\nTRUST ~ b2*PC + b3*PCxPMF\\n")
    >>> fit = ts.sem(model, pi.data, missing="fiml")  # doctest: +SKIP
    >>> probe_latent_interaction(fit, x="PMF", w="PC", xw="PCxPMF",
    ...                          y="TRUST").simple_slopes  # doctest: +SKIP
    """
    data = check_dataframe(data)
    x_items = [x_items] if isinstance(x_items, str) else list(x_items)
    w_items = [w_items] if isinstance(w_items, str) else list(w_items)
    if not x_items or not w_items:
        raise SpecificationError(
            "`x_items` and `w_items` must each name at least one item."
        )
    overlap = sorted(set(x_items) & set(w_items))
    if overlap:
        raise SpecificationError(f"Items used for both X and W: {overlap}.")
    method = check_option(
        "method", method, ["double_mean_centering", "residual_centering"]
    )
    pairing = check_option("pairing", pairing, ["matched", "all"])
    check_columns(data, x_items + w_items, "Items")
    vals = check_numeric_columns(data, x_items + w_items)
    if pairing == "matched":
        if len(x_items) != len(w_items):
            raise SpecificationError(
                f"`pairing='matched'` needs as many x items as w items; got"
                f" {len(x_items)} and {len(w_items)}. Drop the weakest items of the"
                " longer list or use pairing='all'."
            )
        pairs = list(zip(w_items, x_items))
    else:
        pairs = [(wi, xi) for wi in w_items for xi in x_items]
    if name is None:
        xs, ws = _stem(x_items), _stem(w_items)
        name = f"{ws}x{xs}" if xs and ws else "XxW"
    prod_names = [f"{wi}_{xi}" for wi, xi in pairs]
    clash = [p for p in prod_names + [name] if p in data.columns]
    if clash:
        raise SpecificationError(
            f"Names already in data: {clash}. Rename those columns or pass `name`."
        )
    centred = vals - vals.mean()
    prods = pd.DataFrame(
        {p: centred[wi] * centred[xi] for p, (wi, xi) in zip(prod_names, pairs)},
        index=data.index,
    )
    if method == "residual_centering":
        Z = centred[x_items + w_items]
        ok = Z.notna().all(axis=1) & prods.notna().all(axis=1)
        if ok.sum() <= Z.shape[1] + 1:
            raise DataError("Too few complete rows for residual centering.")
        A = np.column_stack([np.ones(int(ok.sum())), Z[ok].to_numpy()])
        B = prods[ok].to_numpy()
        coef, *_ = linalg.lstsq(A, B)
        res = np.full(prods.shape, np.nan)
        res[ok.to_numpy()] = B - A @ coef
        prods = pd.DataFrame(res, index=data.index, columns=prod_names)
    prods = prods - prods.mean()
    out = pd.concat([data, prods], axis=1)
    lines = [f"{name} =~ " + " + ".join(prod_names)]
    if pairing == "all":
        for i, (wi, xi) in enumerate(pairs):
            for j in range(i + 1, len(pairs)):
                wj, xj = pairs[j]
                if wi == wj or xi == xj:
                    lines.append(f"{prod_names[i]} ~~ {prod_names[j]}")
    return ProductIndicators(
        data=out,
        syntax="\n".join(lines),
        indicators=tuple(prod_names),
        pairs=pd.DataFrame(
            {
                "indicator": prod_names,
                "w_item": [p[0] for p in pairs],
                "x_item": [p[1] for p in pairs],
            }
        ),
        name=name,
        method=method,
        pairing=pairing,
    )


# ---------------------------------------------------------------------------
# latent interaction: probing


@dataclass(frozen=True, slots=True)
class LatentProbeResult:
    """Simple slopes of a latent interaction (immutable).

    Attributes
    ----------
    coefficients : DataFrame
        The three labelled rows (``lhs, op, rhs, label, est, se, z, pvalue``)
        of ``y ~ x``, ``y ~ w`` and ``y ~ xw``.
    simple_slopes : DataFrame
        ``level, w, est, se, z, pvalue, ci_lower, ci_upper``: slope of the
        latent ``x`` at latent moderator values ``w`` (latent units, 0 =
        the latent mean); normal-theory z tests.
    johnson_neyman : DataFrame
        ``w, w_sd``: latent moderator values (raw and in SDs of ``w``) where
        the slope is exactly significant at ``alpha``.
    w_sd : float
        Model-implied SD of the latent moderator.
    y, x, w, xw : str
    alpha : float
    notes : tuple of str
    """

    coefficients: pd.DataFrame
    simple_slopes: pd.DataFrame
    johnson_neyman: pd.DataFrame
    w_sd: float
    y: str
    x: str
    w: str
    xw: str
    alpha: float
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        head: list[tuple[str, Any]] = [
            ("Outcome", self.y),
            ("Focal latent predictor", self.x),
            ("Latent moderator", self.w),
            ("Interaction factor", self.xw),
            ("SD of the moderator", self.w_sd),
        ]
        names = dict(DISPLAY_NAMES, level="Level", w=self.w)
        blocks = [
            ("Interaction paths", self.coefficients.rename(columns=names)),
            (
                f"Simple slopes of {self.x} by {self.w}",
                self.simple_slopes.rename(columns=names),
            ),
        ]
        if len(self.johnson_neyman):
            blocks.append(
                (
                    "Johnson-Neyman bounds",
                    self.johnson_neyman.rename(columns={"w": self.w, "w_sd": "In SDs"}),
                )
            )
        return Summary(
            "trustsem latent interaction probe", head, blocks, list(self.notes)
        )

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


_LABEL_HELP = (
    "Label the three paths in the model syntax, e.g."
    " 'TRUST ~ b1*PMF + b2*PC + b3*PCxPMF', and refit."
)


def probe_latent_interaction(
    sem_result: Any,
    x: str = "PMF",
    w: str = "PC",
    xw: str = "PCxPMF",
    y: str = "TRUST",
    *,
    levels: Sequence[float] = (-1.0, 0.0, 1.0),
    alpha: float = 0.05,
) -> LatentProbeResult:
    """Simple slopes of a latent interaction at SDs of the latent moderator.

    Parameters
    ----------
    sem_result : SEMResult
        A fit from :func:`trustsem.sem` whose model contains the labelled
        regressions ``y ~ b1*x + b2*w + b3*xw`` (any label names).
    x, w, xw, y : str
        Latent focal predictor, latent moderator, interaction factor (from
        :func:`latent_interaction`) and outcome.
    levels : sequence of float
        Moderator values in SDs of ``w`` (default -1, 0, +1).
    alpha : float
        Level of the tests, intervals and Johnson-Neyman bounds.

    Returns
    -------
    LatentProbeResult
        ``coefficients``, ``simple_slopes``, ``johnson_neyman``, ``w_sd``,
        ``summary()``.

    Raises
    ------
    SpecificationError
        A path is missing, **not labelled**, fixed, or ``w`` is endogenous,
        or the result has several groups.

    Notes
    -----
    The three paths are located by their lhs/op/rhs and must carry labels:
    the label makes the probed parameter explicit in the syntax, and the
    covariance entries are then read for the first free row carrying each
    label (the row a lavaan equality constraint shares), named
    ``"{lhs}~{rhs}"`` in ``sem_result.vcov``.  With double-mean-centred
    indicators the latent means are zero, so the slope of ``x`` at
    ``w = k·SD`` is θ = b1 + b3·k·SD(w) with var θ = V11 + 2k·SD·V13 +
    (k·SD)²·V33, SD(w) = sqrt of the estimated variance of ``w`` (treated
    as fixed, as ``semTools::probe2WayMC``); z tests.  The
    Johnson-Neyman bounds solve the same quadratic as :func:`moderation`
    with the normal critical value.  Validated against
    ``semTools::probe2WayMC`` 0.5-6 on lavaan 0.6-14 fits (estimates within
    1e-3, SEs within 1 %).

    Examples
    --------
    See :func:`latent_interaction`.
    """
    est = getattr(sem_result, "estimates", None)
    vcov = getattr(sem_result, "vcov", None)
    if not isinstance(est, pd.DataFrame) or not isinstance(vcov, pd.DataFrame):
        raise SpecificationError(
            "`sem_result` must be a fit from trustsem.sem(); got"
            f" {type(sem_result).__name__}."
        )
    if "group" in est.columns and est["group"].nunique() > 1:
        raise SpecificationError(
            "Multi-group fits are not supported; fit each group separately."
        )
    if not np.isfinite(vcov.to_numpy(float)).all():
        # se="bootstrap" keeps no information-based vcov: use the draws' covariance
        from .mediation import _vcov_from_bootstrap

        boot = (
            _vcov_from_bootstrap(sem_result)
            if getattr(sem_result, "bootstrap", None) is not None
            else None
        )
        if boot is None:
            raise SpecificationError(
                "`sem_result` has no covariance matrix of the estimates (se='none' or a"
                " singular information matrix); refit with se='standard'."
            )
        vcov = boot
    alpha = check_interval("alpha", alpha, 0, 1)
    try:
        ks = np.asarray(list(levels), float)
    except (TypeError, ValueError):
        raise SpecificationError(
            f"`levels` must be numbers (SDs); got {format_value(levels)}."
        ) from None
    rows = []
    for rhs in (x, w, xw):
        hit = est[(est["lhs"] == y) & (est["op"] == "~") & (est["rhs"] == rhs)]
        if hit.empty:
            raise SpecificationError(
                f"The model has no regression {y} ~ {rhs}. {_LABEL_HELP}"
            )
        rows.append(hit.iloc[0])
    coef = pd.DataFrame(rows)[["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue"]]
    unlabelled = [
        r
        for r, lab in zip((x, w, xw), coef["label"])
        if not isinstance(lab, str) or not lab
    ]
    if unlabelled:
        raise SpecificationError(
            f"The paths {y} ~ {unlabelled} are not labelled. {_LABEL_HELP}"
        )
    if ((est["lhs"] == w) & (est["op"] == "~")).any():
        raise SpecificationError(
            f"The moderator {w!r} is endogenous (it has regressions); probe at an"
            " exogenous moderator."
        )
    var_row = est[(est["lhs"] == w) & (est["op"] == "~~") & (est["rhs"] == w)]
    if var_row.empty:
        raise SpecificationError(f"No variance row {w} ~~ {w} in the estimates.")
    w_sd = float(np.sqrt(var_row["est"].iloc[0]))
    names = []
    for lab in coef["label"]:
        first = est[(est["label"] == lab) & est["se"].notna()]
        if first.empty:
            raise SpecificationError(
                f"The path labelled {lab!r} is fixed, not estimated; it cannot"
                " be probed."
            )
        r = first.iloc[0]
        nm = f"{r['lhs']}{r['op']}{r['rhs']}"
        if nm not in vcov.index:
            raise SpecificationError(
                f"Parameter {nm!r} (label {lab!r}) is not in sem_result.vcov."
            )
        names.append(nm)
    V = vcov.loc[names, names].to_numpy(float)
    b1, b3 = float(coef["est"].iloc[0]), float(coef["est"].iloc[2])
    v11, v13, v33 = V[0, 0], V[0, 2], V[2, 2]
    dist = stats.norm()
    crit = float(dist.ppf(1 - alpha / 2))
    wv = ks * w_sd
    slopes = _conditional(b1, b3, v11, v13, v33, wv, crit, dist)
    slopes.insert(0, "w", wv)
    slopes.insert(0, "level", [("mean" if k == 0 else f"{k:+g} SD") for k in ks])
    roots = _jn_roots(b1, b3, v11, v13, v33, crit)
    jn = pd.DataFrame({"w": roots, "w_sd": roots / w_sd})
    notes = [
        f"Moderator values are in latent units of {w} (SD = {w_sd:.4g}); the latent"
        " mean is 0 with double-mean-centred indicators.",
        "Covariances of the paths from sem_result.vcov (" + ", ".join(names) + ").",
    ]
    return LatentProbeResult(
        coefficients=coef.reset_index(drop=True),
        simple_slopes=slopes,
        johnson_neyman=jn,
        w_sd=w_sd,
        y=y,
        x=x,
        w=w,
        xw=xw,
        alpha=alpha,
        notes=tuple(notes),
    )
