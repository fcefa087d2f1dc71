"""Figures of the raw survey: diverging Likert bars and correlation heatmaps."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..._validation import check_finite_values, format_value
from ...exceptions import DataError, SpecificationError, TrustsemWarning
from ._common import _apply_cjk, _finish, _heatmap, _new_ax

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_correlation_heatmap", "plot_likert"]

# ---------------------------------------------------------------------------
# Likert bars


def _codebook_frame(codebook: Any) -> pd.DataFrame | None:
    if codebook is None:
        return None
    if isinstance(codebook, pd.DataFrame):
        frame = codebook
    elif hasattr(codebook, "to_frame"):
        frame = codebook.to_frame()
    elif hasattr(codebook, "table"):
        frame = codebook.table
    else:
        raise SpecificationError(
            "`codebook` must be a Codebook or a DataFrame with columns item,"
            f" construct, label_en/label_zh; got {type(codebook).__name__}."
        )
    if "item" not in frame.columns:
        frame = frame.reset_index()
    if "item" not in frame.columns:
        raise SpecificationError("`codebook` needs an 'item' column.")
    return frame.set_index("item")


def _shorten(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _likert_item_label(
    it: str, labels: dict, cb: pd.DataFrame | None, lang_col: str, max_label: int
) -> str:
    """``labels[it]``, else the item with its (shortened) codebook wording, else ``it``."""
    if it in labels:
        return str(labels[it])
    if cb is not None and lang_col in cb.columns and it in cb.index:
        text = str(cb.loc[it, lang_col] or "")
        if text:
            return f"{it}  {_shorten(text, max_label)}"
    return it


def _likert_groups(
    items: Sequence[str] | Mapping[str, Sequence[str]], cb: pd.DataFrame | None
) -> list[tuple[str, list[str]]]:
    """(construct, items) top to bottom: from a dict, else the codebook's constructs."""
    if isinstance(items, Mapping):
        return [(str(k), [str(i) for i in v]) for k, v in items.items()]
    if isinstance(items, str):
        items = [items]
    items = [str(i) for i in items]
    if cb is None or "construct" not in cb.columns:
        return [("", list(items))]
    groups: list[tuple[str, list[str]]] = []
    for it in items:
        c = str(cb["construct"].get(it, "")) if it in cb.index else ""
        if groups and groups[-1][0] == c:
            groups[-1][1].append(it)
        else:
            groups.append((c, [it]))
    return groups


def _likert_percentages(data: Any, all_items: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Percent of answered cases per item (rows) and value (columns); the values seen."""
    if hasattr(data, "responses"):
        resp = data.responses
        unknown = [i for i in all_items if i not in set(resp["item"])]
        if unknown:
            raise SpecificationError(f"Items not in the responses table: {unknown}.")
        resp = resp[resp["item"].isin(all_items)]
        values = np.sort(resp["value"].unique())
        pct = resp.pivot_table(
            index="item", columns="value", values="pct", fill_value=0.0
        )
    elif isinstance(data, pd.DataFrame):
        unknown = [i for i in all_items if i not in data.columns]
        if unknown:
            raise SpecificationError(
                f"Items not in data: {unknown}. Check the item names or the codebook."
            )
        X = data[all_items]
        if not all(pd.api.types.is_numeric_dtype(X[c]) for c in X):
            raise SpecificationError("`items` must be numeric Likert columns.")
        check_finite_values(X)
        values = np.sort(pd.unique(X.stack().dropna()))
        pct = pd.DataFrame(
            {i: X[i].value_counts(normalize=True) * 100 for i in all_items}
        ).T
    else:
        raise SpecificationError(
            "`data` must be a DataFrame of responses or an item-analysis result;"
            f" got {type(data).__name__}."
        )
    return pct, values


def _likert_categories(
    scale: tuple[int, int] | None, cb: pd.DataFrame | None, all_items: list[str],
    values: np.ndarray,
) -> list[int]:
    """The answer categories: ``scale``, else the codebook's range, else the observed one."""
    if (
        scale is None
        and cb is not None
        and {"scale_min", "scale_max"} <= set(cb.columns)
    ):
        lo = pd.to_numeric(
            cb.loc[cb.index.intersection(all_items), "scale_min"], errors="coerce"
        )
        hi = pd.to_numeric(
            cb.loc[cb.index.intersection(all_items), "scale_max"], errors="coerce"
        )
        if lo.notna().any() and hi.notna().any():
            scale = (int(lo.min()), int(hi.max()))
    if scale is None:
        scale = (int(np.floor(values.min())), int(np.ceil(values.max())))
    return list(range(int(scale[0]), int(scale[1]) + 1))


def _likert_colors(k: int) -> list[Any]:
    """Diverging colours for ``k`` categories, grey for the neutral middle one."""
    from matplotlib import colormaps

    n_neg = k // 2
    cmap = colormaps["RdBu"]
    neg_cols = [cmap(0.08 + 0.32 * i / max(n_neg - 1, 1)) for i in range(n_neg)]
    pos_cols = [cmap(0.92 - 0.32 * i / max(n_neg - 1, 1)) for i in range(n_neg)][::-1]
    return neg_cols + (["#d9d9d9"] if k % 2 == 1 else []) + pos_cols


def _likert_rows(
    groups: list[tuple[str, list[str]]]
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Bar positions (top to bottom, a gap between groups) and each group's span."""
    ypos: list[float] = []
    y = 0.0
    group_spans = []
    for gi, (_, g) in enumerate(groups):
        if gi:
            y += 0.6
        start = y
        for _ in g:
            ypos.append(y)
            y += 1.0
        group_spans.append((start, y - 1.0))
    return -np.asarray(ypos), group_spans


def _draw_likert_bars(
    ax: Any, P: np.ndarray, ypos_arr: np.ndarray, category_labels: list[str],
    show_pct: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Stacked bars centred on the neutral category; returns the left and right ends."""
    k = P.shape[1]
    n_neg = k // 2
    neutral = k % 2 == 1
    colors = _likert_colors(k)
    mid = P[:, n_neg] if neutral else np.zeros(P.shape[0])
    left_edge = -P[:, :n_neg].sum(axis=1) - mid / 2
    lefts = left_edge.copy()
    for j in range(k):
        ax.barh(
            ypos_arr,
            P[:, j],
            left=lefts,
            height=0.78,
            color=colors[j],
            edgecolor="white",
            linewidth=0.5,
            label=category_labels[j],
        )
        lefts = lefts + P[:, j]
    ax.axvline(0, color="0.3", lw=0.8)
    if show_pct:
        neg_tot = P[:, :n_neg].sum(axis=1)
        pos_tot = P[:, k - n_neg :].sum(axis=1)
        for yy, le, ri, nt, pt in zip(ypos_arr, left_edge, lefts, neg_tot, pos_tot):
            ax.text(
                le - 1,
                yy,
                f"{nt:.0f}%",
                ha="right",
                va="center",
                fontsize=7,
                color="0.3",
            )
            ax.text(
                ri + 1,
                yy,
                f"{pt:.0f}%",
                ha="left",
                va="center",
                fontsize=7,
                color="0.3",
            )
    return left_edge, lefts


def _likert_groups_and_legend(
    ax: Any, groups: list[tuple[str, list[str]]], group_spans: list[tuple[float, float]],
    k: int,
) -> None:
    """Construct headings at the right, rules between groups, the legend on top."""
    import matplotlib.transforms as mtransforms

    trans = mtransforms.blended_transform_factory(ax.transAxes, ax.transData)
    for (name, _), (s, e) in zip(groups, group_spans):
        if name:
            ax.text(
                1.01,
                -(s + e) / 2,
                name,
                transform=trans,
                ha="left",
                va="center",
                fontsize=9,
                fontweight="bold",
            )
        if s > 0:
            ax.axhline(-(s - 0.8), color="0.75", lw=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(
        ncol=k,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        frameon=False,
        fontsize=8,
        handlelength=1.2,
        columnspacing=1.0,
    )


def plot_likert(
    data: Any,
    items: Sequence[str] | Mapping[str, Sequence[str]],
    *,
    codebook: Any = None,
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
    scale: tuple[int, int] | None = None,
    category_labels: Sequence[str] | None = None,
    max_label: int = 48,
    show_pct: bool = True,
    ax: Any = None,
) -> Axes:
    """Diverging stacked bars of Likert responses, grouped by construct.

    Disagreeing categories extend to the left of 0, agreeing ones to the
    right, the neutral middle category (odd scales) is centred on 0.  Bar
    lengths are percentages of each item's answered cases.

    Parameters
    ----------
    data : DataFrame or ItemAnalysisResult
        Raw responses (one column per item), or the result of
        :func:`trustsem.measurement.item_analysis` /
        ``measurement_report`` (its long ``responses`` table is used).
    items : list of str or dict
        Items to show, top to bottom; a dict ``{construct: [items]}`` sets
        the groups.  With a list, groups come from the codebook's
        ``construct`` column (or one group when there is no codebook).
    codebook : Codebook or DataFrame, optional
        Supplies constructs, item wording (``label_en`` / ``label_zh``) and the
        scale range (``scale_min``, ``scale_max``).
    lang : {"en", "zh"}
        Which wording column of the codebook to use; "zh" uses a CJK font.
    labels : dict, optional
        Item labels overriding the codebook (item -> text).
    scale : (int, int), optional
        Lowest and highest category (default: codebook range, else the
        observed range over the items).
    category_labels : sequence of str, optional
        Legend text per category, lowest first (default the numbers).
    max_label : int
        Item wordings longer than this are shortened with "…".
    show_pct : bool
        Print the total disagree / agree percentages at the bar ends.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One bar per item and category (``len(items) * n_categories``
        rectangles in ``ax.patches``).

    Raises
    ------
    SpecificationError
        Unknown items, or items that are not numeric.
    """
    lang_col = {"en": "label_en", "zh": "label_zh"}.get(lang)
    if lang_col is None:
        raise SpecificationError(f"`lang` must be 'en' or 'zh'; got {format_value(lang)}.")
    cb = _codebook_frame(codebook)
    labels = dict(labels or {})
    groups = _likert_groups(items, cb)
    all_items = [i for _, g in groups for i in g]
    if not all_items:
        raise SpecificationError("`items` must name at least one item; got none.")
    pct, values = _likert_percentages(data, all_items)
    cats = _likert_categories(scale, cb, all_items, values)
    k = len(cats)
    pct = pct.reindex(index=all_items, columns=cats, fill_value=0.0).fillna(0.0)
    if category_labels is None:
        category_labels = [str(c) for c in cats]
    elif len(category_labels) != k:
        raise SpecificationError(
            f"`category_labels` must have {k} entries (one per category {cats});"
            f" got {len(category_labels)}."
        )
    ypos_arr, group_spans = _likert_rows(groups)
    ax = _new_ax(ax, (10.0, 0.32 * len(all_items) + 0.3 * len(groups) + 1.2))
    left_edge, lefts = _draw_likert_bars(
        ax, pct.to_numpy(float), ypos_arr, list(category_labels), show_pct
    )
    item_labels = [_likert_item_label(i, labels, cb, lang_col, max_label) for i in all_items]
    ax.set_yticks(ypos_arr, item_labels, fontsize=8)
    ax.set_ylim(ypos_arr.min() - 0.7, 0.7)
    reach = max(abs(left_edge.min()), lefts.max()) + (12 if show_pct else 3)
    ax.set_xlim(-reach, reach)
    ticks = [t for t in np.arange(-100, 101, 25) if abs(t) <= reach]
    ax.set_xticks(ticks, [f"{abs(t):.0f}" for t in ticks])
    ax.set_xlabel("回答百分比 (%)" if lang == "zh" else "Percent of responses")
    _likert_groups_and_legend(ax, groups, group_spans, k)
    _apply_cjk(ax.figure)
    return ax


# ---------------------------------------------------------------------------
# heatmaps


def plot_correlation_heatmap(
    data_or_matrix: Any,
    *,
    lower: bool = True,
    annot: bool = True,
    method: str = "pearson",
    labels: Mapping[str, str] | None = None,
    cmap: str = "RdBu_r",
    title: str | None = None,
    ax: Any = None,
) -> Axes:
    """Heatmap of a correlation matrix (lower triangle by default).

    Parameters
    ----------
    data_or_matrix : DataFrame or result
        A square correlation matrix (same labels on rows and columns), raw
        numeric data (then ``data.corr(method)`` is shown), or a result with
        a ``matrix`` (:func:`~trustsem.measurement.fornell_larcker`: sqrt(AVE)
        on the diagonal; :func:`~trustsem.measurement.htmt`: HTMT2).
    lower : bool
        Show only the lower triangle and the diagonal.
    annot : bool
        Print the values (APA style, no leading zero).
    method : {"pearson", "spearman", "kendall"}
        Used only when raw data are given.
    labels : dict, optional
        Display names for the variables.
    cmap : str
        Diverging colormap, fixed to [-1, 1].
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if hasattr(data_or_matrix, "matrix"):
        M = data_or_matrix.matrix.copy()
    elif isinstance(data_or_matrix, pd.DataFrame):
        df = data_or_matrix
        square = df.shape[0] == df.shape[1] and list(map(str, df.index)) == list(
            map(str, df.columns)
        )
        if square:
            M = df.astype(float).copy()
        else:
            if method not in ("pearson", "spearman", "kendall"):
                raise SpecificationError(
                    "`method` must be 'pearson', 'spearman' or 'kendall';"
                    f" got {format_value(method)}."
                )
            num = df.select_dtypes("number")
            if num.shape[1] < 2:
                raise SpecificationError(
                    "`data_or_matrix` needs at least two numeric columns."
                )
            check_finite_values(num)
            M = num.corr(method=method)
            undefined = [str(c) for c in M.columns if M[c].isna().all() or num[c].nunique() < 2]
            if undefined:
                raise DataError(
                    f"No correlation can be computed for {undefined}: the column(s) are"
                    " constant or empty. Drop them before plotting the heatmap.")
    else:
        raise SpecificationError(
            "`data_or_matrix` must be a DataFrame or a Fornell-Larcker/HTMT result;"
            f" got {type(data_or_matrix).__name__}."
        )
    if labels:
        M = M.rename(
            index=lambda v: labels.get(v, v), columns=lambda v: labels.get(v, v)
        )
    shown = ~np.triu(np.ones(M.shape, bool), k=1) if lower else np.ones(M.shape, bool)
    values = M.to_numpy(dtype=float)
    blank = shown & ~np.isfinite(values)
    if blank.any():
        cells = [f"{M.index[i]}/{M.columns[j]}" for i, j in zip(*np.nonzero(blank))]
        warnings.warn(
            f"The correlation heatmap has {len(cells)} empty cell(s) (missing or"
            f" non-finite values): {', '.join(cells[:6])}{' ...' if len(cells) > 6 else ''}."
            " They are drawn blank.", TrustsemWarning, stacklevel=2)
    if lower:
        M = M.mask(~shown)
    n = M.shape[0]
    ax = _new_ax(ax, (min(1.0 + 0.55 * n, 14.0), min(0.8 + 0.5 * n, 12.0)))
    _heatmap(
        ax, M, annot=annot, lead_zero=False, vmin=-1, vmax=1, cmap=cmap, cbar_label="r"
    )
    return _finish(ax, title)
