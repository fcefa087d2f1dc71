"""Drawing a laid-out path diagram with matplotlib, and :func:`plot_path_diagram`.

:func:`draw_path_layout` turns a :class:`~trustsem.output.plotting.path_layout.PathLayout`
into patches and texts on an Axes: it scales the fonts to the Axes, prints the
R² values and places every coefficient label where it overlaps the fewest
labels, nodes and other arrows.  :func:`plot_path_diagram` is layout + drawing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._common import _apply_cjk, _num, _plt
from ._path_geometry import _FS, _ITEM_FS, _catmull_rom, _text_width
from .path_layout import PathEdge, PathLayout, PathNode, path_layout

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["draw_path_layout", "plot_path_diagram"]

Box = tuple[float, float, float, float]

_LABEL_BOX = {
    "boxstyle": "round,pad=0.12",
    "facecolor": "white",
    "edgecolor": "none",
    "alpha": 0.92,
}


@dataclass(frozen=True)
class _Sizes:
    """Scale of the Axes (inches per layout unit) and the fonts and lines it implies."""

    scale: float
    node: float
    item: float
    label: float
    lw: float
    ms: float


def _prepare_axes(layout: PathLayout, ax: Any, fontsize: float | None) -> tuple[Any, _Sizes]:
    """A new figure sized for the layout (or the given Axes), limits set, axis off."""
    width, height = layout.width, layout.height
    if ax is None:
        plt = _plt()
        _, ax = plt.subplots(figsize=(max(width, 3.0), max(height, 2.0)))
    fig = ax.figure
    bbox = ax.get_position()
    fw, fh = fig.get_size_inches()
    scale = min(bbox.width * fw / width, bbox.height * fh / height)
    base = fontsize if fontsize is not None else _FS * min(scale, 1.6)
    sizes = _Sizes(
        scale=scale,
        node=base,
        item=base * (_ITEM_FS / _FS),
        label=base * 0.92,
        lw=max(0.6, 1.1 * min(scale, 1.5)),
        ms=9 * min(max(scale, 0.4), 1.5),
    )
    ax.set_xlim(layout.xmin, layout.xmax)
    ax.set_ylim(layout.ymin - layout.note_height, layout.ymax)
    ax.set_aspect("equal", adjustable="box")
    ax.axis("off")
    return ax, sizes


def _draw_node(ax: Any, n: PathNode, sz: _Sizes) -> None:
    """Ellipse or box with the node's label (and its indicator count)."""
    from matplotlib.patches import Ellipse, FancyBboxPatch

    is_item = n.role == "item"
    lw = sz.lw
    patch: Any
    if n.latent:
        patch = Ellipse(
            (n.x, n.y),
            n.w,
            n.h,
            facecolor="#eef3fa",
            edgecolor="0.15",
            lw=lw,
            zorder=3,
        )
    else:
        patch = FancyBboxPatch(
            (n.x - n.w / 2, n.y - n.h / 2),
            n.w,
            n.h,
            boxstyle="round,pad=0,rounding_size=0.04",
            facecolor="white" if is_item else "#f6f6f6",
            edgecolor="0.3" if is_item else "0.15",
            lw=lw * (0.7 if is_item else 1.0),
            zorder=3,
        )
    patch.set_gid(f"node:{n.name}")
    ax.add_patch(patch)
    if n.sub:
        gap = sz.node * 0.85 * 0.62 / 72 / sz.scale  # half a sub-line, in layout units
        ax.text(
            n.x,
            n.y + gap,
            n.label,
            ha="center",
            va="center",
            zorder=4,
            fontsize=sz.node,
            fontweight="bold",
            linespacing=1.1,
        )
        ax.text(
            n.x,
            n.y - gap * 1.05 * (n.label.count("\n") + 1),
            n.sub,
            ha="center",
            va="center",
            zorder=4,
            fontsize=sz.node * 0.85,
            color="0.25",
        )
    else:
        ax.text(
            n.x,
            n.y,
            n.label,
            ha="center",
            va="center",
            zorder=4,
            fontsize=sz.item if is_item else sz.node,
            fontweight="normal" if is_item else "bold",
            linespacing=1.1,
        )


def _draw_r2(ax: Any, n: PathNode, sz: _Sizes) -> Box:
    """Print the node's R² (below it, or above a dimension); returns the text's box."""
    hw, hh = n.w / 2, n.h / 2
    f_lab, scale = sz.label, sz.scale
    txt = f"R² = {_num(n.r2, 2, False)}"
    tw, th = _text_width(txt, f_lab) / scale, f_lab * 1.3 / 72 / scale
    if n.r2_above:
        box = (n.x - tw / 2, n.x + tw / 2, n.y + hh, n.y + hh + th)
        ax.text(
            n.x,
            n.y + hh + 0.04,
            txt,
            ha="center",
            va="bottom",
            fontsize=f_lab * 0.95,
            color="0.2",
            zorder=4,
        )
    else:
        x0 = n.x + hw * 0.2
        box = (x0, x0 + tw, n.y - hh - th, n.y - hh)
        ax.text(
            n.x + hw * 0.2,
            n.y - hh - 0.03,
            txt,
            ha="left",
            va="top",
            fontsize=f_lab * 0.95,
            color="0.2",
            zorder=4,
        )
    return box


def _draw_edge(ax: Any, e: PathEdge, sz: _Sizes) -> dict[str, Any]:
    """Add the arrow of ``e``; returns the keywords of its label text."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    lw, ms = sz.lw, sz.ms
    start, end = e.points[0], e.points[-1]
    text_kw: dict[str, Any] = {}
    if e.role == "structural":
        sig = e.significant
        style = {
            "color": "0.1" if sig else "0.55",
            "lw": lw if sig else lw * 0.9,
            "linestyle": "-" if sig else (0, (4, 2.5)),
        }
        if len(e.points) > 2:  # routed around the columns it skips
            verts = _catmull_rom(e.points)
            path = Path(verts, [Path.MOVETO] + [Path.CURVE4] * (len(verts) - 1))
            arrow = FancyArrowPatch(
                path=path, arrowstyle="-|>", mutation_scale=ms, zorder=2, **style
            )
        else:
            arrow = FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=ms,
                connectionstyle=f"arc3,rad={e.rad}",
                zorder=2,
                **style,
            )
        text_kw = {"color": style["color"]}
    elif e.role == "dimension":
        arrow = FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=ms, color="0.1", lw=lw, zorder=2
        )
    elif e.role == "item":
        arrow = FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=ms * 0.7,
            color="0.35",
            lw=lw * 0.7,
            zorder=1,
        )
    else:  # covariance
        arrow = FancyArrowPatch(
            start,
            end,
            arrowstyle="<|-|>",
            mutation_scale=ms * 0.8,
            connectionstyle=f"arc3,rad={e.rad}",
            color="0.4",
            lw=lw * 0.8,
            linestyle=(0, (1, 1.5)),
            zorder=1,
        )
        text_kw = {"color": "0.3"}
    arrow.set_gid(e.gid)
    ax.add_patch(arrow)
    return text_kw


def _label_position(
    cands: tuple[tuple[float, float], ...], hw: float, hh: float, boxes: list[Box],
    curves: list[np.ndarray], own: int,
) -> tuple[float, float]:
    """The candidate overlapping the fewest boxes and other arrows (first on ties)."""
    best, best_cost = cands[0], np.inf
    for cx, cy in cands:
        cost = 0.0
        for x0, x1, y0, y1 in boxes:
            ox = min(cx + hw, x1) - max(cx - hw, x0)
            oy = min(cy + hh, y1) - max(cy - hh, y0)
            if ox > 0 and oy > 0:
                cost += ox * oy
        for i, pts in enumerate(curves):
            if i != own:
                inside = (np.abs(pts[:, 0] - cx) < hw) & (
                    np.abs(pts[:, 1] - cy) < hh
                )
                cost += 0.01 * int(inside.sum())
        if cost < best_cost:
            best, best_cost = (cx, cy), cost
        if cost == 0:
            break
    return best


def _write_labels(
    ax: Any, pending: list[tuple[PathEdge, float, dict[str, Any], int]],
    placed: list[Box], node_boxes: list[Box], curves: list[np.ndarray], scale: float,
) -> None:
    """Write each queued coefficient label where it collides least; in queue order."""
    for e, fsz, kw, own in pending:
        hw = (_text_width(e.label, fsz) / scale + 0.1) / 2
        hh = (fsz * 1.3 / 72 / scale + 0.06) / 2
        best = _label_position(e.label_at, hw, hh, placed + node_boxes, curves, own)
        placed.append((best[0] - hw, best[0] + hw, best[1] - hh, best[1] + hh))
        ax.text(
            best[0],
            best[1],
            e.label,
            ha="center",
            va="center",
            fontsize=fsz,
            zorder=5,
            bbox=_LABEL_BOX,
            **kw,
        )


def draw_path_layout(
    layout: PathLayout, ax: Any = None, *, fontsize: float | None = None
) -> Axes:
    """Draw a :class:`~trustsem.output.plotting.path_layout.PathLayout`.

    Parameters
    ----------
    layout : PathLayout
        From :func:`~trustsem.output.plotting.path_layout.path_layout`.
    ax : matplotlib Axes, optional
        Draw here; by default a new figure is sized for the diagram (about
        one inch per layout unit).  In a given Axes the fonts are scaled to
        fit.
    fontsize : float, optional
        Base font size in points (default 9 in a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        Axis turned off, equal aspect; one patch per node (gid
        ``"node:<name>"``) and per edge (:attr:`PathEdge.gid`).
    """
    ax, sz = _prepare_axes(layout, ax, fontsize)
    for n in layout.nodes:
        _draw_node(ax, n, sz)
    shown = [n for n in layout.nodes if n.r2 is not None]
    r2_boxes = [
        _draw_r2(ax, n, sz)
        for n in [m for m in shown if not m.r2_above] + [m for m in shown if m.r2_above]
    ]
    node_boxes = [n.box for n in layout.nodes]
    curves: list[np.ndarray] = []  # sampled points of every drawn arrow
    pending: list[tuple[PathEdge, float, dict[str, Any], int]] = []
    for e in layout.edges:
        kw = _draw_edge(ax, e, sz)
        if e.role == "item":  # written at once, at 62% of the way to the item
            x, y = e.label_at[0]
            ax.text(
                x,
                y,
                e.label,
                ha="center",
                va="center",
                fontsize=sz.item * 0.9,
                color="0.3",
                zorder=5,
                bbox=_LABEL_BOX,
            )
            continue
        curves.append(np.asarray(e.curve, float))
        fsz = sz.label * 0.9 if e.kind == "covariance" else sz.label
        pending.append((e, fsz, kw, len(curves) - 1))
    _write_labels(ax, pending, list(r2_boxes), node_boxes, curves, sz.scale)
    ax.text(
        layout.xmin + 0.05,
        layout.ymin - 0.08,
        "\n".join(layout.note),
        ha="left",
        va="top",
        fontsize=sz.label * 0.95,
        color="0.25",
        linespacing=1.4,
    )
    _apply_cjk(ax)
    return ax


def plot_path_diagram(
    result: Any,
    *,
    std: bool = True,
    show_r2: bool = True,
    layers: Any = None,
    measurement: bool = False,
    labels: Mapping[str, str] | None = None,
    lang: str = "en",
    covariances: bool | str = False,
    show_fit: bool = True,
    group: Any = None,
    ax: Any = None,
    fontsize: float | None = None,
    significance: pd.DataFrame | None = None,
    significance_note: str | None = None,
) -> Axes:
    """Layered path diagram of a fitted structural model (matplotlib only).

    Antecedents are drawn on the left, mediators in the middle and outcomes
    on the right: each variable's column is the length of the longest chain
    of regression arrows leading to it from an exogenous variable.  Latent
    variables are ellipses, observed variables boxes.  Each regression arrow
    carries its coefficient and significance stars (``***`` p < .001,
    ``**`` p < .01, ``*`` p < .05); non-significant paths are dashed and
    grey.  A second-order factor (e.g. ``TRUST =~ TF + TA + TI``) is drawn
    with its first-order dimensions attached above it, the arrows labelled
    with the second-order loadings.

    Parameters
    ----------
    result : SEMResult
        A fitted model from :func:`trustsem.sem` (needs ``estimates``,
        ``r2`` and ``spec``).
    std : bool, default True
        Label arrows with standardized coefficients (``std_all``, printed
        without a leading zero, APA style); ``False`` shows the raw
        estimates.
    show_r2 : bool, default True
        Print R² next to (below) every endogenous variable.
    layers : dict or list of lists, optional
        Override the columns: ``{"PREP": 0, "TRUST": 1, "PI": 2, ...}`` or
        ``[["PREP", "PASS", ...], ["TRUST"], ["PI"]]`` (a list also fixes the
        top-to-bottom order).  Must name every structural variable.
    measurement : bool, default False
        Also draw the indicators (items) of each latent variable as small
        boxes (left of the first column, right of the last, below the
        others).  By default only the structural part is drawn and each latent
        variable's label notes its number of indicators, e.g. "PREP (4 items)".
    labels : dict, optional
        Display labels by variable name, e.g. ``{"PI": "Purchase intention"}``
        or Chinese labels (a CJK font is then used, see :func:`cjk_font`).
    lang : {"en", "zh"}
        Language of the generated text ("4 items" / "4个题项", the note).
    covariances : {False, True, "all", "endogenous"}
        Draw covariances among the drawn variables (``~~`` rows between two
        different variables) as dotted two-headed arcs: all of them
        (``True``/``"all"``, including those among exogenous factors), or only
        residual covariances of endogenous variables (``"endogenous"``).
    show_fit : bool, default True
        Print the key fit indices in the note under the diagram.
    group : optional
        For a multi-group fit: which group's estimates to draw (default the
        first).
    ax : matplotlib Axes, optional
        Draw here; by default a new figure is sized for the diagram (about
        one inch per layout unit).  In a given Axes the fonts are scaled to
        fit.
    fontsize : float, optional
        Base font size in points (default 9 in a new figure).
    significance : DataFrame, optional
        Which regression paths are significant, decided elsewhere (e.g.
        ``AnalysisBundle.significance``): columns ``lhs, rhs, significant``
        and optionally ``marker`` (the text put after the coefficient, e.g.
        "*"). Paths are then solid/dashed by ``significant`` and starred by
        ``marker``, and loadings carry no stars. By default p < .05 decides.
    significance_note : str, optional
        Sentence stating the rule, printed in the note instead of the p-star
        legend (with ``significance``).

    Returns
    -------
    matplotlib.axes.Axes
        Axis turned off, equal aspect.  Artists carry ids (``get_gid()``):
        ``"node:<name>"`` for every drawn variable, ``"path:<x>-><y>"`` for
        regression arrows, ``"loading:<f>-><x>"`` for loadings of first-order
        factors or items, ``"cov:<a>~~<b>"`` for covariances.

    Raises
    ------
    SpecificationError
        ``result`` is not a fitted SEM, or ``layers`` does not place every
        structural variable.

    Warns
    -----
    TrustsemWarning
        Chinese labels requested and no CJK font installed.

    Examples
    --------
    >>> import trustsem as ts
    >>> from trustsem.models import research_model
    >>> from trustsem.data.datasets import load_example
    >>> data = load_example("trust_survey")
    >>> fit = ts.sem(research_model(), data, missing="fiml")  # doctest: +SKIP
    >>> ax = plot_path_diagram(fit)  # doctest: +SKIP
    >>> ax.figure.savefig("path.png", dpi=200, bbox_inches="tight")  # doctest: +SKIP
    """
    layout = path_layout(
        result,
        std=std,
        show_r2=show_r2,
        layers=layers,
        measurement=measurement,
        labels=labels,
        lang=lang,
        covariances=covariances,
        show_fit=show_fit,
        group=group,
        significance=significance,
        significance_note=significance_note,
    )
    return draw_path_layout(layout, ax, fontsize=fontsize)
