"""Figures of the measurement model: loadings, invariance steps, parallel analysis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..._validation import format_value
from ...exceptions import SpecificationError
from ._common import (
    _ZH_LEVELS,
    _apply_cjk,
    _check_result,
    _finish,
    _first_group,
    _heatmap,
    _lang,
    _new_ax,
    _num,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_invariance", "plot_loadings", "plot_scree"]

# ---------------------------------------------------------------------------
# loadings


def plot_loadings(
    result: Any,
    *,
    std: bool = True,
    annot: bool = True,
    cut: float = 0.0,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    ax: Any = None,
    lang: str = "en",
) -> Axes:
    """Heatmap of factor loadings, items (rows) by factors (columns).

    ``lang="zh"`` writes the axis and colour-bar labels in Chinese.

    Parameters
    ----------
    result : SEMResult or EFAResult
        A CFA/SEM (the ``=~`` rows of ``estimates`` whose indicator is an
        observed item; second-order loadings are left out) or an EFA
        (:attr:`EFAResult.loadings`).
    std : bool, default True
        Standardized (``std_all``) loadings; ``False`` shows the raw
        estimates (CFA only).
    annot : bool
        Print the loadings (APA style, no leading zero when standardized).
    cut : float
        Blank loadings with absolute value below ``cut`` (useful for EFA).
    labels : dict, optional
        Display names for items and factors.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One annotation per shown loading in ``ax.texts``.
    """
    zh = _lang(lang)
    if hasattr(result, "estimates") and hasattr(result, "spec"):
        est = _first_group(result.estimates, None)
        lat = set(result.spec.latent)
        rows = est[(est["op"] == "=~") & ~est["rhs"].isin(lat)]
        col = "std_all" if std else "est"
        L = rows.pivot_table(
            index="rhs", columns="lhs", values=col, aggfunc="first", sort=False
        )
        L = L.reindex(
            index=list(pd.unique(rows["rhs"])), columns=list(pd.unique(rows["lhs"]))
        )
    elif hasattr(result, "loadings"):
        L = result.loadings.copy()
        std = True
    else:
        raise SpecificationError(
            "`result` must be a CFA/SEM from trustsem.cfa()/sem() or an EFA result;"
            f" got {type(result).__name__}."
        )
    if cut > 0:
        L = L.where(L.abs() >= cut)
    if labels:
        L = L.rename(
            index=lambda v: labels.get(v, v), columns=lambda v: labels.get(v, v)
        )
    lim = 1.0 if std else float(np.nanmax(np.abs(L.to_numpy(float))))
    ax = _new_ax(
        ax, (min(1.6 + 0.6 * L.shape[1], 14.0), min(0.8 + 0.24 * L.shape[0], 16.0))
    )
    _heatmap(
        ax,
        L,
        annot=annot,
        lead_zero=not std,
        vmin=-lim,
        vmax=lim,
        cmap="RdBu_r",
        cbar_label=(
            ("标准化载荷" if std else "载荷") if zh
            else ("Standardized loading" if std else "Loading")
        ),
    )
    ax.set_xlabel("因子" if zh else "Factor")
    ax.set_ylabel("题项" if zh else "Item")
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    plt_ticks = ax.get_xticklabels()
    for t in plt_ticks:
        t.set_rotation(0)
        t.set_ha("center")
    return _finish(ax, title)


# ---------------------------------------------------------------------------
# invariance and parallel analysis


def plot_invariance(
    inv_result_or_table: Any,
    *,
    measure: str = "cfi",
    cutoff: float | None = None,
    ax: Any = None,
    lang: str = "en",
) -> Axes:
    """Change in CFI (or RMSEA) at each invariance level, with the cut-off line.

    Parameters
    ----------
    inv_result_or_table : InvarianceResult or DataFrame
        :func:`trustsem.structural.invariance.invariance` result, or its ``table``:
        indexed (or with a ``level`` column) by configural / metric / scalar /
        strict (partial levels allowed), with ``delta_cfi`` and
        ``delta_rmsea`` (missing for the configural baseline) and optionally
        ``verdict``.
    measure : {"cfi", "rmsea"}
        ΔCFI (fails at <= -.01, Cheung & Rensvold 2002) or ΔRMSEA (fails at
        >= .015, Chen 2007).
    cutoff : float, optional
        Default: the result's ``cutoffs`` or the values above.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One bar per compared level (the baseline has none); red bars fail.
    """
    zh = _lang(lang)
    if measure not in ("cfi", "rmsea"):
        raise SpecificationError(
            f"`measure` must be 'cfi' or 'rmsea'; got {format_value(measure)}."
        )
    col = f"delta_{measure}"
    if isinstance(inv_result_or_table, pd.DataFrame):
        table = inv_result_or_table
        cutoffs: dict = {}
    elif hasattr(inv_result_or_table, "table"):
        table = inv_result_or_table.table
        cutoffs = dict(getattr(inv_result_or_table, "cutoffs", {}) or {})
    else:
        raise SpecificationError(
            "`inv_result_or_table` must be an InvarianceResult or its table;"
            f" got {type(inv_result_or_table).__name__}."
        )
    if "level" in table.columns:
        table = table.set_index("level")
    if col not in table.columns:
        raise SpecificationError(f"The invariance table has no {col!r} column.")
    if cutoff is None:
        cutoff = cutoffs.get(col, -0.01 if measure == "cfi" else 0.015)
    levels = [str(i) for i in table.index]
    vals = table[col].to_numpy(float)
    fails = vals <= cutoff if measure == "cfi" else vals >= cutoff
    ax = _new_ax(ax, (1.6 + 1.1 * len(levels), 4.0))
    xs = np.arange(len(levels))
    ok = np.isfinite(vals)
    bars = ax.bar(
        xs[ok],
        vals[ok],
        width=0.6,
        color=np.where(fails[ok], "#cb181d", "#4292c6"),
        edgecolor="0.2",
        lw=0.6,
    )
    for bar, v in zip(bars, vals[ok]):
        ax.annotate(
            _num(v, 3, False),
            (bar.get_x() + bar.get_width() / 2, v),
            xytext=(0, 3 if v >= 0 else -3),
            textcoords="offset points",
            ha="center",
            va="bottom" if v >= 0 else "top",
            fontsize=8,
        )
    verdicts = (
        [str(v) for v in table["verdict"]] if "verdict" in table.columns else [""] * len(levels)
    )
    for x in xs[~ok]:
        # the first level is the baseline; a later one without a change was not estimable
        v = "baseline" if x == 0 else (verdicts[x] if verdicts[x] not in ("", "nan") else "NA")
        if zh:
            v = {
                "baseline": "基准", "not converged": "未收敛", "not identified": "不可识别",
            }.get(v, v)
        ax.annotate(
            v,
            (x, 0),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            color="0.4",
        )
    sym = "ΔCFI" if measure == "cfi" else "ΔRMSEA"
    ax.axhline(
        cutoff,
        color="#cb181d",
        ls="--",
        lw=1.1,
        label=f"{'临界值' if zh else 'cut-off'} {sym} = {_num(cutoff, 3, False)}",
    )
    ax.axhline(0, color="0.3", lw=0.8)
    if zh:
        levels = [
            _ZH_LEVELS.get(v.removesuffix(" (partial)"), v.removesuffix(" (partial)"))
            + ("（部分）" if v.endswith(" (partial)") else "")
            for v in map(str, levels)
        ]
    ax.set_xticks(xs, levels)
    ax.set_ylabel(sym)
    lo = min(0.0, cutoff, *(vals[ok].tolist()))
    hi = max(0.0, cutoff, *(vals[ok].tolist()))
    pad = 0.25 * (hi - lo)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_title(f"测量不变性：各水平的 {sym}" if zh else f"Measurement invariance: {sym} by level",
                 fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="upper right")
    _apply_cjk(ax.figure)
    return ax


def plot_scree(
    parallel_result: Any,
    *,
    kind: str | None = None,
    show_mean: bool = False,
    ax: Any = None,
) -> Axes:
    """Scree plot of observed against random-data eigenvalues (parallel analysis).

    Parameters
    ----------
    parallel_result : ParallelResult
        From :func:`trustsem.measurement.efa.parallel_analysis`.
    kind : {"pc", "fa", "both"}, optional
        Principal-component and/or common-factor eigenvalues.  Default:
        "both" when both were computed.
    show_mean : bool
        Also draw the mean of the random eigenvalues (the quantile is always
        drawn).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Per kind: an observed line (solid, markers) and a simulated line
        (dashed); the suggested number is in the title.
    """
    _check_result(
        parallel_result,
        "table",
        "a ParallelResult from parallel_analysis()",
        "parallel_result",
    )
    t = parallel_result.table
    avail = [k for k in ("pc", "fa") if f"{k}_observed" in t.columns]
    if kind is None:
        kinds = avail
    elif kind == "both":
        kinds = ["pc", "fa"]
    elif kind in ("pc", "fa"):
        kinds = [kind]
    else:
        raise SpecificationError(f"`kind` must be 'pc', 'fa' or 'both'; got {format_value(kind)}.")
    missing = [k for k in kinds if k not in avail]
    if missing:
        raise SpecificationError(f"The parallel analysis has no {missing} eigenvalues.")
    q = getattr(parallel_result, "quantile", 0.95)
    ax = _new_ax(ax, (6.5, 4.2))
    x = t["factor"].to_numpy() if "factor" in t.columns else np.arange(1, len(t) + 1)
    style = {"pc": ("#08519c", "o", "Components"), "fa": ("#a63603", "s", "Factors")}
    title = []
    for k in kinds:
        color, marker, name = style[k]
        ax.plot(
            x,
            t[f"{k}_observed"],
            color=color,
            marker=marker,
            ms=4,
            lw=1.5,
            label=f"{name}: observed",
        )
        ax.plot(
            x,
            t[f"{k}_sim_quantile"],
            color=color,
            ls="--",
            lw=1.2,
            label=f"{name}: random ({100 * q:.0f}th percentile)",
        )
        if show_mean:
            ax.plot(
                x,
                t[f"{k}_sim_mean"],
                color=color,
                ls=":",
                lw=1.0,
                label=f"{name}: random (mean)",
            )
        n = getattr(parallel_result, "n_components" if k == "pc" else "n_factors", None)
        if n is not None:
            title.append(f"{n} {'components' if k == 'pc' else 'factors'}")
    if "pc" in kinds:
        ax.axhline(1.0, color="0.6", lw=0.7, ls=":")
    ax.set_xlabel("Component / factor number")
    ax.set_ylabel("Eigenvalue")
    ax.set_title(
        "Parallel analysis" + (": " + ", ".join(title) + " suggested" if title else ""),
        fontsize=10,
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=8, frameon=False)
    _apply_cjk(ax.figure)
    return ax
