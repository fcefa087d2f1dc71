"""Latent interactions: product indicators and the probe of the fitted interaction.

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

from .._display import DISPLAY_NAMES, Summary, SummaryDisplay
from .._validation import (
    check_columns,
    check_dataframe,
    check_level,
    check_numeric_columns,
    check_option,
    format_value,
)
from ..exceptions import DataError, SpecificationError
from ._conditional import _conditional, _jn_roots

__all__ = [
    "LatentProbeResult",
    "ProductIndicators",
    "latent_interaction",
    "probe_latent_interaction",
]

# ---------------------------------------------------------------------------
# latent interaction: product indicators


@dataclass(frozen=True, slots=True)
class ProductIndicators(SummaryDisplay):
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

    def summary(self) -> str:
        """The lavaan syntax of the interaction factor (what ``str()`` prints)."""
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
class LatentProbeResult(SummaryDisplay):
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
        Significance level of the tests (``1 - level``).
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

    @property
    def level(self) -> float:
        """Confidence level of the intervals and tests (``1 - alpha``)."""
        return round(1.0 - self.alpha, 12)

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
    level: float | None = None,
    alpha: float | None = None,
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
    level : float, optional
        Confidence level (default 0.95) of the intervals; every test decides
        at ``1 - level``.
    alpha : float, optional
        Deprecated alias: ``alpha=a`` means ``level=1 - a`` (``FutureWarning``);
        giving both is a SpecificationError.

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
    level, alpha = check_level(level, alpha, where="probe_latent_interaction")
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
