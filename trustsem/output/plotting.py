"""Figures for manuscripts: path diagrams, Likert bars, heatmaps, forests.

Every ``plot_*`` function reads the tidy tables a result already carries
(``estimates``, ``r2``, ``effects``, ``draws``, ``slopes_grid``, ``table``...)
and draws them; it estimates nothing.  The common signature is::

    plot_x(result, *, ax=None, **kwargs) -> matplotlib.axes.Axes

``ax=None`` creates a new figure sized for the plot; pass an ``Axes`` to draw
into your own layout.  matplotlib is imported only when a function is called,
nothing calls ``plt.show()`` and no global style (``rcParams``) is changed.

Chinese labels
--------------
When ``lang="zh"`` or a label contains CJK characters, those texts are drawn
with a CJK font found by :func:`cjk_font` (e.g. "Noto Sans CJK SC" from the
Debian/Ubuntu package ``fonts-noto-cjk``).  The font is set on the text objects
themselves, never through ``rcParams``.  If no CJK font is installed a
:class:`~trustsem.exceptions.TrustsemWarning` says how to install one (the
characters would otherwise render as empty boxes).
"""

from __future__ import annotations

import functools
import math
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._validation import check_finite_values, format_value
from ..exceptions import DataError, SpecificationError, TrustsemWarning

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "cjk_font",
    "plot_correlation_heatmap",
    "plot_indirect_distribution",
    "plot_invariance",
    "plot_johnson_neyman",
    "plot_likert",
    "plot_loadings",
    "plot_path_diagram",
    "plot_paths_forest",
    "plot_scree",
    "plot_simple_slopes",
]

ARROW = " → "
MINUS = "\u2212"

# ---------------------------------------------------------------------------
# shared helpers


def _plt() -> Any:
    """Import pyplot lazily (statsmodels ``graphics.utils._import_mpl``)."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - matplotlib is a dependency
        raise ImportError(
            "trustsem plotting needs matplotlib: pip install matplotlib"
        ) from err
    return plt


def _new_ax(ax: Any, figsize: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    _, ax = _plt().subplots(figsize=figsize)
    return ax


_CJK_RE = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)

#: CJK font families tried in this order (simplified Chinese first).
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Noto Sans CJK KR",
    "Source Han Sans",
    "Noto Serif CJK SC",
    "Droid Sans Fallback",
    "Arial Unicode MS",
)
_CJK_FILE_HINTS = (
    "cjk",
    "sourcehan",
    "wqy",
    "wenquanyi",
    "droidsansfallback",
    "simhei",
    "msyh",
    "pingfang",
    "hiragino",
    "heiti",
    "arialuni",
    "notosanssc",
)


def _has_cjk(text: Any) -> bool:
    return isinstance(text, str) and bool(_CJK_RE.search(text))


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Family name of an installed font that can draw Chinese, or None.

    Looks through matplotlib's font list for the families in
    :data:`CJK_FAMILIES` (simplified Chinese first).  Unless the first choice
    is already listed, the system font folders are also searched for CJK font
    files that matplotlib's font cache does not know yet (fonts installed after
    the cache was built); they are registered with matplotlib's font manager
    (no ``rcParams`` are changed).  The answer is cached; call
    ``cjk_font.cache_clear()`` after
    installing a font in a running session.

    Returns
    -------
    str or None
        E.g. ``"Noto Sans CJK SC"``; None when no CJK font is installed
        (install one with ``apt-get install fonts-noto-cjk`` on Debian/Ubuntu,
        or any font from :data:`CJK_FAMILIES`).

    Examples
    --------
    >>> from trustsem.output.plotting import cjk_font
    >>> cjk_font()  # doctest: +SKIP
    'Noto Sans CJK SC'
    """
    from matplotlib import font_manager

    def pick() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((fam for fam in CJK_FAMILIES if fam in names), None)

    found = pick()
    if found == CJK_FAMILIES[0]:
        return found
    # fonts installed after matplotlib built its cache are not listed yet
    known = {f.fname for f in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        base = os.path.basename(path).lower().replace("-", "").replace("_", "")
        if path in known or not any(h in base for h in _CJK_FILE_HINTS):
            continue
        try:
            font_manager.fontManager.addfont(path)
        except Exception:  # noqa: S112, BLE001 - unreadable font files are skipped
            continue
    return pick()


def _finish(ax, title):
    """Common epilogue: optional title, CJK font on every text, return the Axes."""
    if title:
        ax.set_title(title)
    _apply_cjk(ax.figure)
    return ax


def _apply_cjk(container: Any) -> None:
    """Give every text artist with CJK characters a CJK font (per artist).

    Warns (``TrustsemWarning``) when Chinese text is present but no CJK font
    is installed.
    """
    from matplotlib.text import Text

    texts = [t for t in container.findobj(Text) if _has_cjk(t.get_text())]
    if not texts:
        return
    family = cjk_font()
    if family is None:
        warnings.warn(
            "Chinese labels were requested but no CJK font is installed, so the"
            " characters will show as empty boxes. Install one, e.g."
            " 'apt-get install fonts-noto-cjk' (Debian/Ubuntu) or Noto Sans CJK SC"
            " from https://github.com/notofonts/noto-cjk, then restart Python.",
            TrustsemWarning,
            stacklevel=3,
        )
        return
    for t in texts:
        t.set_fontfamily([family, "DejaVu Sans"])


def _lang(lang: str) -> bool:
    """True for Chinese; checks ``lang``."""
    if lang not in ("en", "zh"):
        raise SpecificationError(f"`lang` must be 'en' or 'zh'; got {format_value(lang)}.")
    return lang == "zh"


#: Chinese names of the simple-slope levels.
_ZH_SLOPE_LEVELS = {"low": "低", "mean": "均值", "high": "高", "-1 SD": "−1 SD", "+1 SD": "+1 SD"}

#: Chinese names of the invariance levels (x axis of :func:`plot_invariance`).
_ZH_LEVELS = {"configural": "形态等值", "metric": "弱等值", "scalar": "强等值", "strict": "严格等值"}


def _significance_map(
    significance: pd.DataFrame | None, group: Any = None
) -> dict[tuple[str, str], tuple[bool, str]] | None:
    """(lhs, rhs) -> (significant, marker) from a significance frame, or None."""
    if significance is None:
        return None
    if not isinstance(significance, pd.DataFrame) or not {"lhs", "rhs", "significant"} <= set(
        significance.columns
    ):
        raise SpecificationError(
            "`significance` must be a DataFrame with columns lhs, rhs and significant"
            " (e.g. AnalysisBundle.significance)."
        )
    sig = _first_group(significance, group) if "group" in significance.columns else significance
    marks = sig["marker"] if "marker" in sig.columns else pd.Series("", index=sig.index)
    return {
        (str(l_), str(r)): (bool(s), "" if pd.isna(m) else str(m))
        for l_, r, s, m in zip(sig["lhs"], sig["rhs"], sig["significant"], marks)
    }


def _stars(p: Any) -> str:
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _num(v: float, decimals: int = 2, lead_zero: bool = True) -> str:
    """Number for a figure: APA drops the leading zero of values bounded by 1."""
    if v is None or not np.isfinite(v):
        return ""
    s = f"{v:.{decimals}f}"
    if s.startswith("-") and float(s) == 0:
        s = s[1:]
    if not lead_zero:
        s = re.sub(r"^(-?)0\.", r"\1.", s)
    return s.replace("-", MINUS)


def _check_result(obj: Any, attr: str, what: str, param: str = "result") -> None:
    if not hasattr(obj, attr):
        raise SpecificationError(f"`{param}` must be {what}; got {type(obj).__name__}.")


def _first_group(est: pd.DataFrame, group: Any) -> pd.DataFrame:
    if "group" not in est.columns:
        return est
    groups = list(pd.unique(est["group"]))
    g = groups[0] if group is None else group
    if g not in groups:
        raise SpecificationError(f"`group` must be one of {groups}; got {format_value(group)}.")
    return est[est["group"] == g]


# ---------------------------------------------------------------------------
# path diagram

_FS = 9.0  # base font size (points) at 1 inch per layout unit
_COL_GAP = 2.5  # horizontal space between column blocks (units)
_ROW_GAP = 0.32  # vertical space between blocks in a column
_R2_SPACE = 0.26  # room under a node for its R²


def _text_width(text: str, fs: float) -> float:
    """Rough width of ``text`` in inches at font size ``fs``."""
    widths = []
    for line in text.split("\n"):
        w = sum(1.0 if _has_cjk(ch) else 0.58 if ch.isupper() else 0.52 for ch in line)
        widths.append(w * fs / 72)
    return max(widths) if widths else 0.0


class _Node:
    """Geometry of one drawn node (centre, half-width, half-height, shape)."""

    def __init__(self, name: str, label: str, latent: bool, fs: float, sub: str = ""):
        self.name = name
        self.label = label
        self.sub = sub
        self.latent = latent
        n_lines = label.count("\n") + 1
        tw = _text_width(label, fs * 1.05)
        th = n_lines * fs * 1.25 / 72
        if sub:
            tw = max(tw, _text_width(sub, fs * 0.85))
            th += fs * 0.85 * 1.2 / 72
        if latent:
            self.w = max(1.05, tw * 1.32 + 0.22) / 2
            self.h = max(0.5, th * 1.32 + 0.12) / 2
        else:
            self.w = max(0.7, tw + 0.3) / 2
            self.h = max(0.36, th + 0.16) / 2
        self.x = 0.0
        self.y = 0.0

    def boundary(
        self, tx: float, ty: float, margin: float = 0.03
    ) -> tuple[float, float]:
        """Point on the outline in the direction of (tx, ty)."""
        dx, dy = tx - self.x, ty - self.y
        norm = math.hypot(dx, dy)
        if norm == 0:
            return self.x, self.y
        ux, uy = dx / norm, dy / norm
        if self.latent:
            t = 1.0 / math.sqrt((ux / self.w) ** 2 + (uy / self.h) ** 2)
        else:
            t = min(
                self.w / abs(ux) if ux else np.inf, self.h / abs(uy) if uy else np.inf
            )
        t += margin
        return self.x + t * ux, self.y + t * uy


class _Block:
    """A structural node with its satellites (first-order factors) and items.

    Offsets are relative to the structural node's centre.
    """

    def __init__(self, node: _Node):
        self.node = node
        self.parts: list[tuple[_Node, float, float]] = []  # (node, dx, dy)
        self.extra: list[tuple[float, float, float, float]] = []  # text boxes
        self.x0 = -node.w
        self.x1 = node.w
        self.y0 = -node.h
        self.y1 = node.h

    def add(self, n: _Node, dx: float, dy: float) -> None:
        self.parts.append((n, dx, dy))
        self.include(dx - n.w, dx + n.w, dy - n.h, dy + n.h)

    def include(self, x0: float, x1: float, y0: float, y1: float) -> None:
        self.x0, self.x1 = min(self.x0, x0), max(self.x1, x1)
        self.y0, self.y1 = min(self.y0, y0), max(self.y1, y1)


def _layers_from_graph(
    nodes: list[str], edges: list[tuple[str, str]]
) -> dict[str, int]:
    """Longest path from the exogenous variables; cycles are capped."""
    layer = {n: 0 for n in nodes}
    cap = max(len(nodes) - 1, 0)
    for _ in range(len(nodes) + 1):
        changed = False
        for a, b in edges:
            want = min(layer[a] + 1, cap)
            if layer[b] < want:
                layer[b] = want
                changed = True
        if not changed:
            break
    used = sorted(set(layer.values()))
    remap = {v: i for i, v in enumerate(used)}
    return {n: remap[v] for n, v in layer.items()}


def _user_layers(
    layers: Any, nodes: list[str]
) -> tuple[dict[str, int], dict[str, float]]:
    """``layers`` as {name: column} or [[names of column 0], [column 1], ...]."""
    order: dict[str, float] = {}
    if isinstance(layers, Mapping):
        out = {str(k): int(v) for k, v in layers.items()}
    elif isinstance(layers, Sequence) and not isinstance(layers, str):
        out = {}
        for i, col in enumerate(layers):
            names = [col] if isinstance(col, str) else list(col)
            for j, name in enumerate(names):
                out[str(name)] = i
                order[str(name)] = j
    else:
        raise SpecificationError(
            "`layers` must be a dict {variable: column} or a list of lists of"
            f" variables (left to right); got {format_value(layers)}."
        )
    missing = [n for n in nodes if n not in out]
    unknown = [n for n in out if n not in nodes]
    if missing or unknown:
        raise SpecificationError(
            f"`layers` must place every structural variable exactly once; missing"
            f" {missing}, unknown {unknown}. Structural variables: {nodes}."
        )
    return out, order


def _catmull_rom(points: list[tuple[float, float]]) -> Any:
    """Smooth cubic Bézier path through ``points`` (Catmull-Rom)."""
    from matplotlib.path import Path

    P = [np.asarray(p, float) for p in points]
    verts = [tuple(P[0])]
    codes = [Path.MOVETO]
    for i in range(len(P) - 1):
        p0 = P[i - 1] if i > 0 else P[i]
        p1, p2 = P[i], P[i + 1]
        p3 = P[i + 2] if i + 2 < len(P) else P[i + 1]
        c1 = p1 + (p2 - p0) / 6
        c2 = p2 - (p3 - p1) / 6
        verts += [tuple(c1), tuple(c2), tuple(p2)]
        codes += [Path.CURVE4] * 3
    return Path(verts, codes)


_T = np.linspace(0.0, 1.0, 60)


def _sample_path(path: Any, n: int = 30) -> np.ndarray:
    """Points along a MOVETO + CURVE4 path (for label placement)."""
    v = np.asarray(path.vertices, float)
    t = np.linspace(0.0, 1.0, n)[:, None]
    out = []
    for i in range(0, len(v) - 1, 3):
        p0, c1, c2, p1 = v[i], v[i + 1], v[i + 2], v[i + 3]
        out.append(
            (1 - t) ** 3 * p0
            + 3 * (1 - t) ** 2 * t * c1
            + 3 * (1 - t) * t**2 * c2
            + t**3 * p1
        )
    return np.vstack(out)


def _bezier_point(path: Any, t: float) -> tuple[float, float]:
    """Point at parameter ``t`` of the last cubic segment of ``path``."""
    v = np.asarray(path.vertices[-4:], float)
    p = (
        ((1 - t) ** 3) * v[0]
        + 3 * ((1 - t) ** 2) * t * v[1]
        + 3 * (1 - t) * t**2 * v[2]
        + t**3 * v[3]
    )
    return float(p[0]), float(p[1])


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
    _check_result(result, "estimates", "a fitted model from trustsem.sem()")
    _check_result(result, "spec", "a fitted model from trustsem.sem()")
    if lang not in ("en", "zh"):
        raise SpecificationError(f"`lang` must be 'en' or 'zh'; got {format_value(lang)}.")
    labels = dict(labels or {})
    zh = lang == "zh"
    est = _first_group(result.estimates, group)
    latent = list(result.spec.latent)
    lat_set = set(latent)
    value_col = "std_all" if std else "est"
    sig_map = _significance_map(significance, group)

    reg = est[est["op"] == "~"]
    loads = est[est["op"] == "=~"]
    r2 = getattr(result, "r2", pd.DataFrame(columns=["variable", "r2"]))
    if "group" in r2.columns and len(r2):
        g = pd.unique(est["group"])[0] if "group" in est.columns else None
        r2 = r2[r2["group"] == g] if g is not None else r2
    r2_map = dict(zip(r2.get("variable", []), r2.get("r2", [])))

    # ------------------------------------------------------------ structure
    order_key = {v: i for i, v in enumerate(latent)}
    seen: list[str] = []
    for _, row in reg.iterrows():
        for v in (row["rhs"], row["lhs"]):
            if v not in seen:
                seen.append(v)
    if not seen:  # measurement model only: the top-level factors
        lower = set(loads.loc[loads["rhs"].isin(lat_set), "rhs"])
        seen = [f for f in latent if f not in lower]
    nodes = sorted(seen, key=lambda v: (order_key.get(v, len(latent)), seen.index(v)))
    node_set = set(nodes)
    items: dict[str, list[str]] = {}
    sub_factors: dict[str, list[str]] = {}
    for _, row in loads.iterrows():
        if row["rhs"] in lat_set:
            sub_factors.setdefault(row["lhs"], []).append(row["rhs"])
        else:
            items.setdefault(row["lhs"], []).append(row["rhs"])
    edges: list[tuple[str, str, float, float, str]] = []  # a, b, value, p, kind
    for _, row in reg.iterrows():
        edges.append((row["rhs"], row["lhs"], row[value_col], row["pvalue"], "path"))
    satellites: dict[str, list[str]] = {}
    for parent, subs in sub_factors.items():
        if parent not in node_set:
            continue
        for s in subs:
            row = loads[(loads["lhs"] == parent) & (loads["rhs"] == s)].iloc[0]
            if s in node_set:
                edges.append((parent, s, row[value_col], row["pvalue"], "loading"))
            else:
                satellites.setdefault(parent, []).append(s)

    graph = [(a, b) for a, b, *_ in edges]
    if layers is None:
        layer = _layers_from_graph(nodes, graph)
        fixed_order: dict[str, float] = {}
    else:
        layer, fixed_order = _user_layers(layers, nodes)
    n_layers = max(layer.values()) + 1 if layer else 1

    # ------------------------------------------------------------ geometry
    fs = _FS

    def node_sub(v: str) -> str:
        k = len(items.get(v, []))
        if v in lat_set and k and not measurement:
            return f"（{k}个题项）" if zh else f"({k} item{'s' if k > 1 else ''})"
        return ""

    geo: dict[str, _Node] = {}

    def make(v: str) -> _Node:
        geo[v] = _Node(v, str(labels.get(v, v)), v in lat_set, fs, node_sub(v))
        return geo[v]

    item_fs = fs - 1.5
    item_h = 0.15

    def item_nodes(v: str) -> list[_Node]:
        out = []
        for it in items.get(v, []):
            n = _Node(it, labels.get(it, it), False, item_fs)
            n.h = item_h
            n.w = max(0.3, _text_width(n.label, item_fs) + 0.16) / 2
            geo[it] = n
            out.append(n)
        return out

    def attach_items(block: _Block, v: str, dx: float, dy: float, side: str) -> None:
        its = item_nodes(v)
        if not its:
            return
        owner = geo[v]
        gap = 0.06
        if side in ("left", "right"):
            total = sum(2 * n.h for n in its) + gap * (len(its) - 1)
            wmax = max(n.w for n in its)
            cx = dx + (-1 if side == "left" else 1) * (owner.w + 0.55 + wmax)
            top = dy + total / 2
            for n in its:
                block.add(n, cx, top - n.h)
                top -= 2 * n.h + gap
        else:
            total = sum(2 * n.w for n in its) + gap * (len(its) - 1)
            hmax = max(n.h for n in its)
            cy = dy + (1 if side == "above" else -1) * (owner.h + 0.6 + hmax)
            left = dx - total / 2
            for n in its:
                block.add(n, left + n.w, cy)
                left += 2 * n.w + gap

    sat_lift: dict[str, float] = {v: 0.0 for v in satellites}

    def build_blocks() -> dict[str, _Block]:
        blocks = {}
        for v in nodes:
            nd = make(v)
            b = _Block(nd)
            if show_r2 and v in r2_map and np.isfinite(r2_map[v]):
                b.include(-nd.w, nd.w, -nd.h - _R2_SPACE, nd.h)
            if measurement:
                side = (
                    "left"
                    if layer[v] == 0
                    else "right"
                    if layer[v] == n_layers - 1
                    else "below"
                )
                if n_layers == 1:
                    side = "right"
                attach_items(b, v, 0.0, 0.0, side)
            subs = satellites.get(v, [])
            if subs:
                sats = [make(s) for s in subs]
                gap = 0.3
                total = sum(2 * s.w for s in sats) + gap * (len(sats) - 1)
                hmax = max(s.h for s in sats)
                dy = nd.h + 0.85 + hmax + sat_lift[v]
                left = -total / 2
                for s in sats:
                    b.add(s, left + s.w, dy)
                    if show_r2 and s.name in r2_map and not measurement:
                        b.include(left, left + 2 * s.w, dy, dy + s.h + _R2_SPACE)
                    if measurement:
                        attach_items(b, s.name, left + s.w, dy, "above")
                    left += 2 * s.w + gap
            blocks[v] = b
        return blocks

    def place(blocks: dict[str, _Block]) -> dict[int, list[str]]:
        cols: dict[int, list[str]] = {i: [] for i in range(n_layers)}
        for v in nodes:
            cols[layer[v]].append(v)
        # x positions
        x = 0.0
        for i in range(n_layers):
            if not cols[i]:
                continue
            left = max(-blocks[v].x0 for v in cols[i])
            right = max(blocks[v].x1 for v in cols[i])
            if i > 0:
                x += left
            for v in cols[i]:
                geo[v].x = x
            x += right + _COL_GAP
        # y positions column by column
        for i in range(n_layers):
            col = cols[i]
            if not col:
                continue
            preds = {
                v: [a for a, b, *_ in edges if b == v and layer[a] < i] for v in col
            }
            desired = {}
            for v in col:
                near = [a for a in preds[v] if layer[a] == i - 1] or preds[v]
                desired[v] = float(np.mean([geo[a].y for a in near])) if near else 0.0
            if fixed_order:
                col.sort(key=lambda v: fixed_order.get(v, 0))
            elif i > 0:
                col.sort(key=lambda v: -desired[v])
            if i == 0 or fixed_order or not any(preds.values()):
                total = sum(blocks[v].y1 - blocks[v].y0 for v in col) + _ROW_GAP * (
                    len(col) - 1
                )
                top = total / 2
                for v in col:
                    geo[v].y = top - blocks[v].y1
                    top -= blocks[v].y1 - blocks[v].y0 + _ROW_GAP
                if i > 0 and any(preds.values()):
                    shift = float(np.mean([desired[v] - geo[v].y for v in col]))
                    for v in col:
                        geo[v].y += shift
            else:
                prev_bottom = np.inf
                for v in col:
                    y = min(desired[v], prev_bottom - _ROW_GAP - blocks[v].y1)
                    geo[v].y = y
                    prev_bottom = y + blocks[v].y0
                shift = float(np.mean([desired[v] - geo[v].y for v in col]))
                for v in col:
                    geo[v].y += shift
        for v in nodes:
            for n, dx, dy in blocks[v].parts:
                n.x, n.y = geo[v].x + dx, geo[v].y + dy
        return cols

    blocks = build_blocks()
    cols = place(blocks)
    # lift satellites until straight arrows into/out of their parent clear them
    for _ in range(4):
        bumped = False
        for parent, subs in satellites.items():
            pn = geo[parent]
            for a, b, *_ in edges:
                if parent not in (a, b):
                    continue
                other = geo[b if a == parent else a]
                if abs(layer[a] - layer[b]) > 1:
                    continue
                for s in subs:
                    sn = geo[s]
                    # line from parent to other, y at the satellite's near edge
                    for xs in (sn.x - sn.w, sn.x + sn.w):
                        if (xs - pn.x) * (other.x - pn.x) <= 0 or other.x == pn.x:
                            continue
                        t = (xs - pn.x) / (other.x - pn.x)
                        if not 0 <= t <= 1:
                            continue
                        y_line = pn.y + t * (other.y - pn.y)
                        need = y_line + 0.18 - (sn.y - sn.h)
                        if need > 0:
                            sat_lift[parent] += need + 0.05
                            bumped = True
                            break
        if not bumped:
            break
        blocks = build_blocks()
        cols = place(blocks)

    # ------------------------------------------------------------ drawing
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

    all_nodes = list(geo.values())
    xmin = min(n.x - n.w for n in all_nodes) - 0.3
    xmax = max(n.x + n.w for n in all_nodes) + 0.3
    ymin = min(geo[v].y + blocks[v].y0 for v in nodes) - 0.25
    ymax = max(geo[v].y + blocks[v].y1 for v in nodes) + 0.25

    # skip-layer edges: waypoints through the columns in between
    routes: dict[int, list[tuple[float, float]]] = {}
    slots: dict[tuple[int, str, str], int] = {}
    for k, (a, b, *_rest) in enumerate(edges):
        la, lb = layer[a], layer[b]
        if lb - la <= 1:
            continue
        pa, pb = geo[a], geo[b]
        pts = []
        for m in range(la + 1, lb):
            if not cols[m]:
                continue
            xm = geo[cols[m][0]].x
            y = pa.y + (xm - pa.x) / (pb.x - pa.x) * (pb.y - pa.y)
            for v in cols[m]:
                lo, hi = geo[v].y + blocks[v].y0 - 0.12, geo[v].y + blocks[v].y1 + 0.12
                if lo <= y <= hi:
                    side = "below" if y - lo < hi - y else "above"
                    key = (m, v, side)
                    n_slot = slots.get(key, 0)
                    slots[key] = n_slot + 1
                    y = (
                        lo - 0.1 - 0.3 * n_slot
                        if side == "below"
                        else hi + 0.1 + 0.3 * n_slot
                    )
                    break
            pts.append((xm, y))
        routes[k] = pts
    # keep the routes through one column apart, so their labels do not collide
    by_col: dict[float, list[tuple[int, int]]] = {}
    for k, pts in routes.items():
        for j, (xm, _) in enumerate(pts):
            by_col.setdefault(xm, []).append((k, j))
    for xm, entries in by_col.items():
        spans = [
            (geo[v].y + blocks[v].y0 - 0.12, geo[v].y + blocks[v].y1 + 0.12)
            for v in nodes
            if abs(geo[v].x - xm) < 1e-9
        ]
        entries.sort(key=lambda e: -routes[e[0]][e[1]][1])
        floor = np.inf
        for k, j in entries:
            y = min(routes[k][j][1], floor)
            moved = True
            while moved:  # moving down must not land inside another block
                moved = False
                for lo, hi in spans:
                    if lo <= y <= hi:
                        y, moved = lo - 0.1, True
            routes[k][j] = (xm, y)
            floor = y - 0.34
    for pts in routes.values():
        ymin = min([ymin] + [p[1] - 0.2 for p in pts])
        ymax = max([ymax] + [p[1] + 0.2 for p in pts])

    # covariances: dotted two-headed arcs, bowing outwards in a column
    cov_arcs = []
    if covariances not in (False, None):
        if covariances not in (True, "all", "endogenous"):
            raise SpecificationError(
                "`covariances` must be False, True ('all') or 'endogenous';"
                f" got {format_value(covariances)}."
            )
        drawn = set(nodes) | {s for subs in satellites.values() for s in subs}
        endo = {b for _, b, *_ in edges} | {
            s for subs in satellites.values() for s in subs
        }
        cov = est[(est["op"] == "~~") & (est["lhs"] != est["rhs"])]
        for _, row in cov.iterrows():
            a, b = row["lhs"], row["rhs"]
            if a not in drawn or b not in drawn:
                continue
            if covariances == "endogenous" and not (a in endo and b in endo):
                continue
            pa, pb = geo[a], geo[b]
            if pb.y > pa.y:
                pa, pb = pb, pa
            same_col = abs(pa.x - pb.x) < 1e-9
            first_col = a in layer and layer.get(a) == 0
            rad = (0.4 if first_col else -0.4) if same_col else -0.25
            bow = (-1 if rad > 0 else 1) if same_col else 0
            start = pa.boundary(pa.x + bow * pa.w, pa.y - 0.5 * pa.h)
            end = pb.boundary(pb.x + bow * pb.w, pb.y + 0.5 * pb.h)
            cov_arcs.append((a, b, start, end, rad, row))
            apex_x = (start[0] + end[0]) / 2 + rad * (end[1] - start[1]) / 2
            xmin, xmax = min(xmin, apex_x - 0.5), max(xmax, apex_x + 0.5)

    note_lines = []
    if std:
        note_lines.append(
            "标准化系数。" if zh else "Standardized coefficients (std.all)."
        )
    else:
        note_lines.append("非标准化系数。" if zh else "Unstandardized coefficients.")
    if sig_map is not None and significance_note:
        note_lines[-1] += (
            f" {significance_note}虚线：不显著。" if zh else f" {significance_note} Dashed: not significant."
        )
    else:
        note_lines[-1] += (
            " *** p < .001, ** p < .01, * p < .05；虚线：不显著。"
            if zh
            else " *** p < .001, ** p < .01, * p < .05; dashed: not significant."
        )
    fm = getattr(result, "fit_measures", None)
    if show_fit and fm is not None and "chisq" in fm:
        idx = ", ".join(
            f"{name} = {_num(fm.get(key, np.nan), 3, False)}"
            for name, key in (
                ("CFI", "cfi"),
                ("TLI", "tli"),
                ("RMSEA", "rmsea"),
                ("SRMR", "srmr"),
            )
        )
        note_lines.append(
            f"χ²({int(fm['df'])}) = {fm['chisq']:.2f}, {idx},"
            f" N = {int(fm.get('nobs', result.n_obs))}"
        )
    note_h = 0.22 * len(note_lines) + 0.15
    ymin_plot = ymin - note_h
    width, height = xmax - xmin, ymax - ymin_plot

    if ax is None:
        plt = _plt()
        _, ax = plt.subplots(figsize=(max(width, 3.0), max(height, 2.0)))
    fig = ax.figure
    bbox = ax.get_position()
    fw, fh = fig.get_size_inches()
    scale = min(bbox.width * fw / width, bbox.height * fh / height)
    base = fontsize if fontsize is not None else _FS * min(scale, 1.6)
    f_node, f_item, f_lab = base, base * (item_fs / _FS), base * 0.92
    lw = max(0.6, 1.1 * min(scale, 1.5))
    ms = 9 * min(max(scale, 0.4), 1.5)

    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin_plot, ymax)
    ax.set_aspect("equal", adjustable="box")
    ax.axis("off")

    patch: Any
    for n in all_nodes:
        is_item = n.name not in nodes and n.name not in lat_set
        if n.latent:
            patch = Ellipse(
                (n.x, n.y),
                2 * n.w,
                2 * n.h,
                facecolor="#eef3fa",
                edgecolor="0.15",
                lw=lw,
                zorder=3,
            )
        else:
            patch = FancyBboxPatch(
                (n.x - n.w, n.y - n.h),
                2 * n.w,
                2 * n.h,
                boxstyle="round,pad=0,rounding_size=0.04",
                facecolor="white" if is_item else "#f6f6f6",
                edgecolor="0.3" if is_item else "0.15",
                lw=lw * (0.7 if is_item else 1.0),
                zorder=3,
            )
        patch.set_gid(f"node:{n.name}")
        ax.add_patch(patch)
        if n.sub:
            gap = f_node * 0.85 * 0.62 / 72 / scale  # half a sub-line, in layout units
            ax.text(
                n.x,
                n.y + gap,
                n.label,
                ha="center",
                va="center",
                zorder=4,
                fontsize=f_node,
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
                fontsize=f_node * 0.85,
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
                fontsize=f_item if is_item else f_node,
                fontweight="normal" if is_item else "bold",
                linespacing=1.1,
            )

    r2_boxes: list[tuple[float, float, float, float]] = []

    def r2_text(n: _Node, above: bool = False) -> None:
        v = r2_map.get(n.name)
        if v is None or not np.isfinite(v):
            return
        txt = f"R² = {_num(v, 2, False)}"
        tw, th = _text_width(txt, f_lab) / scale, f_lab * 1.3 / 72 / scale
        if above:
            r2_boxes.append((n.x - tw / 2, n.x + tw / 2, n.y + n.h, n.y + n.h + th))
        else:
            x0 = n.x + n.w * 0.2
            r2_boxes.append((x0, x0 + tw, n.y - n.h - th, n.y - n.h))
        if above:
            ax.text(
                n.x,
                n.y + n.h + 0.04,
                txt,
                ha="center",
                va="bottom",
                fontsize=f_lab * 0.95,
                color="0.2",
                zorder=4,
            )
        else:
            ax.text(
                n.x + n.w * 0.2,
                n.y - n.h - 0.03,
                txt,
                ha="left",
                va="top",
                fontsize=f_lab * 0.95,
                color="0.2",
                zorder=4,
            )

    if show_r2:
        for v in nodes:
            if any(b == v for _, b, *_ in edges):
                r2_text(geo[v])
        if not measurement:
            for subs in satellites.values():
                for s in subs:
                    r2_text(geo[s], above=True)

    label_box = {
        "boxstyle": "round,pad=0.12",
        "facecolor": "white",
        "edgecolor": "none",
        "alpha": 0.92,
    }
    placed: list[tuple[float, float, float, float]] = list(r2_boxes)
    node_boxes = [(n.x - n.w, n.x + n.w, n.y - n.h, n.y + n.h) for n in all_nodes]

    curves: list[np.ndarray] = []  # sampled points of every drawn arrow
    pending: list[tuple[list[tuple[float, float]], str, float, dict, int]] = []

    def put_label(
        cands: list[tuple[float, float]], text: str, fsz: float, **kw: Any
    ) -> None:
        """Queue a label of the arrow drawn last (placed once all arrows exist)."""
        pending.append((cands, text, fsz, kw, len(curves) - 1))

    def write_label(
        cands: list[tuple[float, float]], text: str, fsz: float, kw: dict, own: int
    ) -> None:
        """Write ``text`` at the candidate overlapping the fewest labels, nodes and
        other arrows."""
        hw = (_text_width(text, fsz) / scale + 0.1) / 2
        hh = (fsz * 1.3 / 72 / scale + 0.06) / 2
        best, best_cost = cands[0], np.inf
        for cx, cy in cands:
            cost = 0.0
            for x0, x1, y0, y1 in placed + node_boxes:
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
        placed.append((best[0] - hw, best[0] + hw, best[1] - hh, best[1] + hh))
        ax.text(
            best[0],
            best[1],
            text,
            ha="center",
            va="center",
            fontsize=fsz,
            zorder=5,
            bbox=label_box,
            **kw,
        )

    def arc_point(
        start: tuple[float, float], end: tuple[float, float], rad: float, t: float
    ) -> tuple[float, float]:
        """Point on matplotlib's ``arc3`` curve (quadratic Bézier)."""
        (x0, y0), (x2, y2) = start, end
        cx = (x0 + x2) / 2 + rad * (y2 - y0)
        cy = (y0 + y2) / 2 - rad * (x2 - x0)
        return (
            (1 - t) ** 2 * x0 + 2 * t * (1 - t) * cx + t**2 * x2,
            (1 - t) ** 2 * y0 + 2 * t * (1 - t) * cy + t**2 * y2,
        )

    def spread(t0: float) -> list[float]:
        ts = [t0]
        for d in (0.07, 0.14, 0.21, 0.28):
            ts += [t for t in (t0 - d, t0 + d) if 0.15 <= t <= 0.85]
        return ts

    def coef_text(value: float, p: float) -> str:
        stars = _stars(p) if sig_map is None else ""
        return _num(value, 2, lead_zero=not std) + stars

    indeg = {v: sum(1 for _, b, *_ in edges if b == v) for v in nodes}
    outdeg = {v: sum(1 for a, *_ in edges if a == v) for v in nodes}
    for k, (a, b, value, p, kind) in enumerate(edges):
        pa, pb = geo[a], geo[b]
        sig = kind == "loading" or (np.isfinite(p) and p < 0.05) or not np.isfinite(p)
        label = coef_text(value, p)
        if kind == "path" and sig_map is not None and (b, a) in sig_map:
            sig, mark = sig_map[(b, a)]
            label = _num(value, 2, lead_zero=not std) + mark
        style = {
            "color": "0.1" if sig else "0.55",
            "lw": lw if sig else lw * 0.9,
            "linestyle": "-" if sig else (0, (4, 2.5)),
        }
        if routes.get(k):
            pts = routes[k]
            start = pa.boundary(*pts[0])
            end = pb.boundary(*pts[-1])
            path = _catmull_rom([start, *pts, end])
            arrow = FancyArrowPatch(
                path=path, arrowstyle="-|>", mutation_scale=ms, zorder=2, **style
            )
            cands = [pts[(len(pts) - 1) // 2]] + [
                _bezier_point(path, t) for t in (0.2, 0.4, 0.6)
            ]
        else:
            rad = 0.0
            if layer[a] == layer[b]:
                rad = 0.35
            elif layer[b] < layer[a]:
                rad = 0.3
            start = pa.boundary(pb.x, pb.y)
            end = pb.boundary(pa.x, pa.y)
            arrow = FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=ms,
                connectionstyle=f"arc3,rad={rad}",
                zorder=2,
                **style,
            )
            t = 0.5
            if indeg.get(b, 0) > 2 and outdeg.get(a, 0) <= 2:
                t = 0.36
            elif outdeg.get(a, 0) > 2 and indeg.get(b, 0) <= 2:
                t = 0.64
            cands = [arc_point(start, end, rad, tt) for tt in spread(t)]
        arrow.set_gid(f"{kind}:{a}->{b}")
        ax.add_patch(arrow)
        if routes.get(k):
            curves.append(_sample_path(path))
        else:
            curves.append(np.array([arc_point(start, end, rad, t) for t in _T]))
        put_label(cands, label, f_lab, color=style["color"])

    # loadings to satellites (first-order factors) and items
    def loading_value(f: str, x: str) -> tuple[float, float]:
        row = loads[(loads["lhs"] == f) & (loads["rhs"] == x)]
        if row.empty:
            return np.nan, np.nan
        return float(row[value_col].iloc[0]), float(row["pvalue"].iloc[0])

    for parent, subs in satellites.items():
        pn = geo[parent]
        for s in subs:
            sn = geo[s]
            start = pn.boundary(sn.x, sn.y)
            end = sn.boundary(pn.x, pn.y)
            arrow = FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=ms,
                color="0.1",
                lw=lw,
                zorder=2,
            )
            arrow.set_gid(f"loading:{parent}->{s}")
            ax.add_patch(arrow)
            curves.append(np.array([arc_point(start, end, 0.0, t) for t in _T]))
            v, p = loading_value(parent, s)
            put_label(
                [arc_point(start, end, 0.0, t) for t in spread(0.5)],
                coef_text(v, p),
                f_lab,
            )
    if measurement:
        owners = [v for v in nodes] + [s for subs in satellites.values() for s in subs]
        for f in owners:
            fn = geo[f]
            for it in items.get(f, []):
                n = geo[it]
                start = fn.boundary(n.x, n.y)
                end = n.boundary(fn.x, fn.y, margin=0.01)
                arrow = FancyArrowPatch(
                    start,
                    end,
                    arrowstyle="-|>",
                    mutation_scale=ms * 0.7,
                    color="0.35",
                    lw=lw * 0.7,
                    zorder=1,
                )
                arrow.set_gid(f"loading:{f}->{it}")
                ax.add_patch(arrow)
                v, p = loading_value(f, it)
                ax.text(
                    start[0] + 0.62 * (end[0] - start[0]),
                    start[1] + 0.62 * (end[1] - start[1]),
                    _num(v, 2, lead_zero=not std),
                    ha="center",
                    va="center",
                    fontsize=f_item * 0.9,
                    color="0.3",
                    zorder=5,
                    bbox=label_box,
                )

    for a, b, start, end, rad, row in cov_arcs:
        arrow = FancyArrowPatch(
            start,
            end,
            arrowstyle="<|-|>",
            mutation_scale=ms * 0.8,
            connectionstyle=f"arc3,rad={rad}",
            color="0.4",
            lw=lw * 0.8,
            linestyle=(0, (1, 1.5)),
            zorder=1,
        )
        arrow.set_gid(f"cov:{a}~~{b}")
        ax.add_patch(arrow)
        curves.append(np.array([arc_point(start, end, rad, t) for t in _T]))
        put_label(
            [arc_point(start, end, rad, t) for t in spread(0.5)],
            coef_text(row[value_col], row["pvalue"]),
            f_lab * 0.9,
            color="0.3",
        )

    for cands, text, fsz, kw, own in pending:
        write_label(cands, text, fsz, kw, own)

    ax.text(
        xmin + 0.05,
        ymin - 0.08,
        "\n".join(note_lines),
        ha="left",
        va="top",
        fontsize=f_lab * 0.95,
        color="0.25",
        linespacing=1.4,
    )
    _apply_cjk(ax)
    return ax


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
    if isinstance(items, Mapping):
        groups = [(str(k), [str(i) for i in v]) for k, v in items.items()]
    else:
        if isinstance(items, str):
            items = [items]
        items = [str(i) for i in items]
        if cb is not None and "construct" in cb.columns:
            groups = []
            for it in items:
                c = str(cb["construct"].get(it, "")) if it in cb.index else ""
                if groups and groups[-1][0] == c:
                    groups[-1][1].append(it)
                else:
                    groups.append((c, [it]))
        else:
            groups = [("", list(items))]
    all_items = [i for _, g in groups for i in g]
    if not all_items:
        raise SpecificationError("`items` must name at least one item; got none.")

    # response percentages
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
    cats = list(range(int(scale[0]), int(scale[1]) + 1))
    k = len(cats)
    pct = pct.reindex(index=all_items, columns=cats, fill_value=0.0).fillna(0.0)
    if category_labels is None:
        category_labels = [str(c) for c in cats]
    elif len(category_labels) != k:
        raise SpecificationError(
            f"`category_labels` must have {k} entries (one per category {cats});"
            f" got {len(category_labels)}."
        )
    n_neg = k // 2
    neutral = k % 2 == 1

    # colours: diverging, grey neutral
    from matplotlib import colormaps

    cmap = colormaps["RdBu"]
    neg_cols = [cmap(0.08 + 0.32 * i / max(n_neg - 1, 1)) for i in range(n_neg)]
    pos_cols = [cmap(0.92 - 0.32 * i / max(n_neg - 1, 1)) for i in range(n_neg)][::-1]
    colors = neg_cols + (["#d9d9d9"] if neutral else []) + pos_cols

    # rows (top to bottom) with a gap between groups
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
    ypos_arr = -np.asarray(ypos)

    ax = _new_ax(ax, (10.0, 0.32 * len(all_items) + 0.3 * len(groups) + 1.2))
    P = pct.to_numpy(float)
    mid = P[:, n_neg] if neutral else np.zeros(len(all_items))
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

    def item_label(it: str) -> str:
        if it in labels:
            return str(labels[it])
        if cb is not None and lang_col in cb.columns and it in cb.index:
            text = str(cb.loc[it, lang_col] or "")
            if text:
                return f"{it}  {_shorten(text, max_label)}"
        return it

    ax.set_yticks(ypos_arr, [item_label(i) for i in all_items], fontsize=8)
    ax.set_ylim(ypos_arr.min() - 0.7, 0.7)
    reach = max(abs(left_edge.min()), lefts.max()) + (12 if show_pct else 3)
    ax.set_xlim(-reach, reach)
    ticks = [t for t in np.arange(-100, 101, 25) if abs(t) <= reach]
    ax.set_xticks(ticks, [f"{abs(t):.0f}" for t in ticks])
    ax.set_xlabel("回答百分比 (%)" if lang == "zh" else "Percent of responses")
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
    _apply_cjk(ax.figure)
    return ax


# ---------------------------------------------------------------------------
# heatmaps


def _heatmap(
    ax: Any,
    M: pd.DataFrame,
    *,
    annot: bool,
    lead_zero: bool,
    vmin: float,
    vmax: float,
    cmap: str,
    cbar_label: str,
) -> Any:
    data = np.ma.masked_invalid(M.to_numpy(float))
    im = ax.imshow(
        data, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest"
    )
    ax.set_xticks(
        range(M.shape[1]),
        [str(c) for c in M.columns],
        rotation=45,
        ha="right",
        rotation_mode="anchor",
    )
    ax.set_yticks(range(M.shape[0]), [str(i) for i in M.index])
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    if annot:
        pos = ax.get_position()
        fw, fh = ax.figure.get_size_inches()
        cell_w, cell_h = pos.width * fw / M.shape[1], pos.height * fh / M.shape[0]
        fs = max(4.5, min(9.0, 0.55 * cell_h * 72, 0.3 * cell_w * 72))
        for i in range(M.shape[0]):
            for j in range(M.shape[1]):
                v = M.iat[i, j]
                if pd.isna(v):
                    continue
                dark = abs(v) > 0.6 * max(abs(vmin), abs(vmax))
                ax.text(
                    j,
                    i,
                    _num(float(v), 2, lead_zero),
                    ha="center",
                    va="center",
                    fontsize=fs,
                    color="white" if dark else "0.1",
                )
    cb = ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cb.set_label(cbar_label)
    return im


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
        cbar_label=("标准化载荷" if std else "载荷") if zh else ("Standardized loading" if std else "Loading"),
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
            label=f"{100 * level:.0f}% {'置信区间' if zh else 'CI'} [{r['ci_lower']:.3f}, {r['ci_upper']:.3f}]",
        )
        ax.axvline(r["ci_upper"], color="#cb181d", ls="--", lw=1.2)
    ax.axvline(0, color="0.45", ls=":", lw=1.0)
    if zh:
        name = re.sub(r"^specific:\s*", "具体间接效应：", str(name))
    ax.set_title(name, fontsize=10)
    ax.set_xlabel("效应（非标准化）" if zh else "Effect (unstandardized)")
    ax.set_ylabel("密度" if zh else "Density")
    if zh:
        src = {"bootstrap": "次 Bootstrap 抽样", "montecarlo": "次蒙特卡洛抽样"}.get(method, "次抽样")
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
            v = {"baseline": "基准", "not converged": "未收敛", "not identified": "不可识别"}.get(v, v)
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
