"""Figures of structural effects: path forest, indirect-effect draws, moderation."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..._validation import format_value
from ...exceptions import SpecificationError, TrustsemWarning
from ._common import (
    _ZH_SLOPE_LEVELS,
    ARROW,
    _apply_cjk,
    _check_result,
    _finish,
    _first_group,
    _lang,
    _new_ax,
    _plt,
    _significance_map,
    _stars,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "plot_indirect_distribution",
    "plot_johnson_neyman",
    "plot_paths_forest",
    "plot_simple_slopes",
]

# ---------------------------------------------------------------------------
# paths and effects


def plot_paths_forest(
    result: Any,
    *,
    std: bool | str = "auto",
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    ax: Any = None,
    significance: pd.DataFrame | None = None,
    lang: str = "en",
) -> Axes:
    """Forest plot of the structural paths with their confidence intervals.

    Parameters
    ----------
    result : SEMResult or RegressionResult
        Rows with ``op == "~"`` are drawn (the intercept of a regression is
        left out), top to bottom in model order.
    std : {"auto", True, False}
        ``True``: standardized coefficients (``std_all``) with the bootstrap
        intervals ``std_all_ci_lower``/``std_all_ci_upper`` when the model was
        fit with ``se="bootstrap"``; without them only the points are drawn
        and a warning says so.  ``False``: raw estimates with ``ci_lower``/
        ``ci_upper``.  ``"auto"``: standardized when standardized intervals
        exist, raw otherwise.
    labels : dict, optional
        Display names for variables.
    title : str, optional
    ax : matplotlib Axes, optional
    significance : DataFrame, optional
        Which paths are significant, decided elsewhere (columns ``lhs, rhs,
        significant`` and optionally ``rule``: "ci" or "p"; e.g.
        ``AnalysisBundle.significance``). Draw with ``std=False`` so the
        interval shown is the one such a rule reads. By default a path is
        significant when the drawn interval excludes 0 (p < .05 without
        intervals).
    lang : {"en", "zh"}
        Language of the axis label and legend.

    Returns
    -------
    matplotlib.axes.Axes
        One marker per path (filled when significant): the filled markers
        are the collection with gid ``"forest:significant"``, the hollow ones
        ``"forest:not_significant"``.

    Warns
    -----
    TrustsemWarning
        ``std=True`` but the result has no standardized intervals.
    """
    _check_result(result, "estimates", "a fitted model (SEMResult or RegressionResult)")
    est = _first_group(result.estimates, None)
    rows = est[(est["op"] == "~") & (est["rhs"] != "(Intercept)")]
    if rows.empty:
        raise SpecificationError("`result` has no regression paths (op '~') to draw.")
    has_std_ci = {"std_all_ci_lower", "std_all_ci_upper"} <= set(rows.columns)
    if std == "auto":
        std = has_std_ci
    if std not in (True, False):
        raise SpecificationError(f"`std` must be True, False or 'auto'; got {format_value(std)}.")
    if std:
        val = rows["std_all"].to_numpy(float)
        if has_std_ci:
            lo, hi = (
                rows["std_all_ci_lower"].to_numpy(float),
                rows["std_all_ci_upper"].to_numpy(float),
            )
        else:
            warnings.warn(
                "The result has no confidence intervals for standardized paths; drawing"
                " points only. Fit with se='bootstrap' for them, or use std=False.",
                TrustsemWarning,
                stacklevel=2,
            )
            lo = hi = np.full(len(rows), np.nan)
    else:
        val = rows["est"].to_numpy(float)
        lo, hi = rows["ci_lower"].to_numpy(float), rows["ci_upper"].to_numpy(float)
    labels = dict(labels or {})
    names = [
        f"{labels.get(r, r)}{ARROW}{labels.get(l_, l_)}"
        for r, l_ in zip(rows["rhs"], rows["lhs"])
    ]
    n = len(rows)
    y = -np.arange(n, dtype=float)
    ax = _new_ax(ax, (6.5, 0.8 + 0.32 * n))
    if lang not in ("en", "zh"):
        raise SpecificationError(f"`lang` must be 'en' or 'zh'; got {format_value(lang)}.")
    zh = lang == "zh"
    sig = (lo > 0) | (hi < 0)
    by_p = bool(np.all(np.isnan(lo)))
    if by_p:
        sig = rows["pvalue"].to_numpy(float) < 0.05
    sig_map = _significance_map(significance)
    if sig_map is not None:
        sig = np.array(
            [sig_map.get((l_, r), (s, ""))[0] for l_, r, s in zip(rows["lhs"], rows["rhs"], sig)],
            dtype=bool,
        )
        if "rule" in significance.columns and len(significance):
            by_p = str(significance["rule"].iloc[0]) == "p"
    if zh:
        yes = "显著（p < .05）" if by_p else "显著（区间不包含 0）"
        no = "不显著"
    else:
        yes = "p < .05" if by_p else "interval excludes 0"
        no = "not significant"
    err = np.vstack([val - lo, hi - val])
    ax.errorbar(
        val,
        y,
        xerr=np.where(np.isfinite(err), err, 0),
        fmt="none",
        ecolor="0.35",
        elinewidth=1.2,
        capsize=2.5,
    )
    sig_pts = ax.scatter(
        val[sig],
        y[sig],
        marker="o",
        s=34,
        color="0.1",
        zorder=3,
        label=yes,
    )
    sig_pts.set_gid("forest:significant")
    non_pts = ax.scatter(
        val[~sig],
        y[~sig],
        marker="o",
        s=34,
        facecolor="white",
        edgecolor="0.35",
        zorder=3,
        label=no,
    )
    non_pts.set_gid("forest:not_significant")
    ax.axvline(0, color="0.5", lw=0.8, ls="--")
    ax.set_yticks(y, names)
    ax.set_ylim(y.min() - 0.7, 0.7)
    level = None
    if hasattr(result, "options"):
        level = result.options.get("level")
    lvl = f"{100 * level:.0f}% " if level else ""
    if zh:
        ax.set_xlabel(
            ("标准化系数（β）" if std else "非标准化系数（b）")
            + (f"及 {lvl}置信区间" if not np.all(np.isnan(lo)) else "")
        )
    else:
        ax.set_xlabel(
            ("Standardized coefficient (β)" if std else "Unstandardized coefficient (b)")
            + (f" with {lvl}CI" if not np.all(np.isnan(lo)) else "")
        )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="best", fontsize=8, frameon=False)
    return _finish(ax, title)


def plot_indirect_distribution(
    mediation_result: Any,
    effect: str | int | None = None,
    *,
    bins: int = 60,
    kde: bool = True,
    ax: Any = None,
    lang: str = "en",
) -> Axes:
    """Distribution of the bootstrap or Monte Carlo draws of one effect.

    ``lang="zh"`` writes the axis labels and legend in Chinese.

    Parameters
    ----------
    mediation_result : MediationResult
        From :func:`trustsem.structural.mediation.indirect_effects` with
        ``ci="bootstrap"`` (model fit with ``se="bootstrap"``) or
        ``ci="montecarlo"``; the delta method has no draws.
    effect : str or int, optional
        A column of ``mediation_result.draws`` (e.g.
        ``"specific: PREP → TRUST → PI"``), a unique part of one (e.g.
        ``"PREP → TRUST → PI"``), or its position.  Default: the first
        specific indirect effect.
    bins : int
    kde : bool
        Overlay a Gaussian kernel density estimate.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Histogram, the estimate (solid line), the interval bounds (dashed)
        and zero (dotted).

    Raises
    ------
    SpecificationError
        No draws in the result, or ``effect`` matches no (or several) effects.
    """
    zh = _lang(lang)
    _check_result(
        mediation_result,
        "draws",
        "a MediationResult from indirect_effects()",
        "mediation_result",
    )
    draws = mediation_result.draws
    if draws is None:
        raise SpecificationError(
            "`mediation_result` has no draws (delta-method intervals). Use"
            " indirect_effects(fit, ci='montecarlo') or fit the model with"
            " se='bootstrap'."
        )
    cols = list(draws.columns)
    if effect is None:
        name = next((c for c in cols if c.startswith("specific:")), cols[0])
    elif isinstance(effect, (int, np.integer)):
        if not 0 <= int(effect) < len(cols):
            raise SpecificationError(
                f"`effect` must be between 0 and {len(cols) - 1}; got {effect}."
            )
        name = cols[int(effect)]
    else:
        if effect in cols:
            name = effect
        else:
            hits = [c for c in cols if str(effect) in c]
            exact = [c for c in hits if c.split(": ", 1)[-1] == effect]
            hits = exact or hits
            if len(hits) != 1:
                raise SpecificationError(
                    f"`effect` must match exactly one of the draws' columns {cols};"
                    f" got {format_value(effect)} ({len(hits)} matches)."
                )
            name = hits[0]
    x = draws[name].to_numpy(float)
    x = x[np.isfinite(x)]
    eff = mediation_result.effects
    lab = eff["kind"] + ": " + eff["path"]
    if "group" in eff.columns:
        lab = lab + eff["group"].map(lambda g: f" [{g}]" if g else "")
    row = eff[lab == name]
    ax = _new_ax(ax, (6.5, 4.0))
    ax.hist(
        x, bins=bins, density=True, color="#9ecae1", edgecolor="white", linewidth=0.4
    )
    if kde and len(x) > 2 and np.std(x) > 0:
        from scipy.stats import gaussian_kde

        grid = np.linspace(x.min(), x.max(), 256)
        ax.plot(grid, gaussian_kde(x)(grid), color="#08519c", lw=1.4,
                label="密度" if zh else "density")
    level = getattr(mediation_result, "level", 0.95)
    method = getattr(mediation_result, "ci_method", "")
    if not row.empty:
        r = row.iloc[0]
        ax.axvline(r["est"], color="0.1", lw=1.5,
                   label=f"{'估计值' if zh else 'estimate'} = {r['est']:.3f}")
        ax.axvline(
            r["ci_lower"],
            color="#cb181d",
            ls="--",
            lw=1.2,
            label=f"{100 * level:.0f}% {'置信区间' if zh else 'CI'}"
            f" [{r['ci_lower']:.3f}, {r['ci_upper']:.3f}]",
        )
        ax.axvline(r["ci_upper"], color="#cb181d", ls="--", lw=1.2)
    ax.axvline(0, color="0.45", ls=":", lw=1.0)
    if zh:
        name = re.sub(r"^specific:\s*", "具体间接效应：", str(name))
    ax.set_title(name, fontsize=10)
    ax.set_xlabel("效应（非标准化）" if zh else "Effect (unstandardized)")
    ax.set_ylabel("密度" if zh else "Density")
    if zh:
        src = {"bootstrap": "次 Bootstrap 抽样", "montecarlo": "次蒙特卡洛抽样"}.get(
            method, "次抽样"
        )
    else:
        src = {"bootstrap": "bootstrap draws", "montecarlo": "Monte Carlo draws"}.get(
            method, "draws"
        )
    ax.text(
        0.99,
        0.98,
        f"{len(x)}{'' if zh else ' '}{src}",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=8,
        color="0.3",
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    _apply_cjk(ax.figure)
    return ax


# ---------------------------------------------------------------------------
# moderation


def _check_moderation(obj: Any) -> None:
    _check_result(
        obj,
        "slopes_grid",
        "a ModerationResult from trustsem.structural.moderation.moderation()",
        "moderation_result",
    )


def plot_simple_slopes(
    moderation_result: Any,
    *,
    show_data: bool = False,
    labels: Mapping[str, str] | None = None,
    ax: Any = None,
    lang: str = "en",
) -> Axes:
    """Predicted outcome against the focal predictor at each probed moderator value.

    One line per row of ``simple_slopes`` (by default the moderator at
    mean - 1 SD, mean, mean + 1 SD), drawn over the observed range of ``x``
    from the fitted interaction model; covariates are held at their means.
    The legend gives each simple slope with its significance stars.

    Parameters
    ----------
    moderation_result : ModerationResult
    show_data : bool
        Add the observations as a faint scatter.
    labels : dict, optional
        Display names for ``y``, ``x`` and ``w``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One line per probed moderator value.
    """
    zh = _lang(lang)
    _check_moderation(moderation_result)
    m = moderation_result
    labels = dict(labels or {})
    x, w, y = m.x, m.w, m.y
    b = m.model.estimates.set_index("rhs")["est"]
    frame = m.model.data
    cx, cw = float(m.centering.get(x, 0.0)), float(m.centering.get(w, 0.0))
    xc = np.linspace(frame[x].min(), frame[x].max(), 50)
    covs = [t for t in b.index if t not in ("(Intercept)", x, w, f"{x}:{w}")]
    base = float(b.get("(Intercept)", 0.0))
    for t in covs:
        if t in frame.columns:
            base += float(b[t]) * float(frame[t].mean())
    ax = _new_ax(ax, (6.5, 4.5))
    if show_data:
        ax.scatter(frame[x] + cx, frame[y], s=8, color="0.6", alpha=0.35, lw=0)
    cmap = _plt().get_cmap("viridis")
    n = len(m.simple_slopes)
    for i, (_, r) in enumerate(m.simple_slopes.iterrows()):
        wc = float(r["w"]) - cw
        yhat = (
            base + float(b[x]) * xc + float(b[w]) * wc + float(b[f"{x}:{w}"]) * xc * wc
        )
        ax.plot(
            xc + cx,
            yhat,
            color=cmap(0.15 + 0.7 * i / max(n - 1, 1)),
            lw=2,
            ls=["--", "-", "-."][i % 3] if n <= 3 else "-",
            label=(
                f"{_ZH_SLOPE_LEVELS.get(str(r['level']), r['level']) if zh else r['level']}"
                f" ({w} = {r['w']:.2f}): b = {r['est']:.2f}{_stars(r['pvalue'])}"
            ),
        )
    ax.set_xlabel(labels.get(x, x))
    ax.set_ylabel(labels.get(y, y))
    ax.set_title(
        f"{labels.get(w, w)} 取不同值时 {labels.get(x, x)} 的简单斜率"
        if zh
        else f"Simple slopes of {labels.get(x, x)} at values of {labels.get(w, w)}",
        fontsize=10,
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(title=labels.get(w, w), fontsize=8, title_fontsize=8, frameon=False)
    _apply_cjk(ax.figure)
    return ax


def plot_johnson_neyman(
    moderation_result: Any,
    *,
    labels: Mapping[str, str] | None = None,
    ax: Any = None,
    lang: str = "en",
) -> Axes:
    """Johnson-Neyman plot: conditional effect of ``x`` across the moderator.

    ``lang="zh"`` writes the axis labels, title and legend in Chinese.

    Draws ``slopes_grid`` (the slope of ``x`` with its confidence band over
    the observed range of ``w``), shades the region(s) where the slope is
    significant and marks the Johnson-Neyman boundaries that fall inside the
    observed range.

    Parameters
    ----------
    moderation_result : ModerationResult
    labels : dict, optional
        Display names for ``y``, ``x`` and ``w``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    zh = _lang(lang)
    _check_moderation(moderation_result)
    m = moderation_result
    labels = dict(labels or {})
    g = m.slopes_grid
    ax = _new_ax(ax, (6.5, 4.5))
    conf = 100 * (1 - m.alpha)
    ax.fill_between(
        g["w"],
        g["ci_lower"],
        g["ci_upper"],
        color="#9ecae1",
        alpha=0.6,
        lw=0,
        label=f"{conf:.0f}% {'置信区间' if zh else 'CI'}",
    )
    ax.plot(
        g["w"],
        g["est"],
        color="#08519c",
        lw=2,
        label=f"{labels.get(m.x, m.x)} 的斜率" if zh else f"slope of {labels.get(m.x, m.x)}",
    )
    ax.axhline(0, color="0.4", lw=0.8)
    for _, r in m.regions.iterrows():
        if r["significant"]:
            ax.axvspan(
                r["w_from"],
                r["w_to"],
                color="#fdd0a2",
                alpha=0.35,
                lw=0,
                label=(f"p < {m.alpha:g}（占样本 {100 * r['proportion']:.0f}%）" if zh else
                       f"p < {m.alpha:g} ({100 * r['proportion']:.0f}% of sample)"),
            )
    for v in m.johnson_neyman.loc[m.johnson_neyman["within_range"], "w"]:
        ax.axvline(v, color="#d94801", ls="--", lw=1.2)
        ax.annotate(
            f"{labels.get(m.w, m.w)} = {v:.2f}",
            (v, 1.0),
            xycoords=("data", "axes fraction"),
            ha="center",
            va="bottom",
            fontsize=8,
            color="#d94801",
        )
    ax.set_xlabel(labels.get(m.w, m.w))
    ax.set_ylabel(
        f"{labels.get(m.x, m.x)} 对 {labels.get(m.y, m.y)} 的条件效应"
        if zh
        else f"Conditional effect of {labels.get(m.x, m.x)} on {labels.get(m.y, m.y)}"
    )
    ax.set_title("Johnson-Neyman 图" if zh else "Johnson-Neyman plot", fontsize=10, pad=14)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles, labs = ax.get_legend_handles_labels()
    uniq = dict(zip(labs, handles))
    ax.legend(uniq.values(), uniq.keys(), fontsize=8, frameon=False, loc="best")
    _apply_cjk(ax.figure)
    return ax
