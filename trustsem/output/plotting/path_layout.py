"""Layout of a path diagram: where every variable and arrow goes (no matplotlib).

:func:`path_layout` reads a fitted model and returns a frozen
:class:`PathLayout`: one :class:`PathNode` per drawn variable (centre, size,
label, R²) and one :class:`PathEdge` per arrow (end points, curvature, label
text and candidate label positions), all in layout units of about one inch at
the base font size.  :func:`~trustsem.output.plotting.path_draw.draw_path_layout`
draws it.

Antecedents go on the left, mediators in the middle and outcomes on the
right: each variable's column is the length of the longest chain of
regression arrows leading to it.  A second-order factor carries its
first-order dimensions above it; with ``measurement=True`` the items sit
beside (first and last column) or below their factor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..._validation import format_value
from ...exceptions import SpecificationError
from ._common import _check_result, _first_group, _num, _significance_map, _stars
from ._path_geometry import (
    _T,
    _arc_point,
    _bezier_point,
    _catmull_rom,
    _sample_path,
    _spread,
)
from ._path_structure import _Geometry, _place_all, _read_structure, _Structure

__all__ = ["PathEdge", "PathLayout", "PathNode", "path_layout"]

Point = tuple[float, float]


@dataclass(frozen=True)
class PathNode:
    """One drawn variable.

    Attributes
    ----------
    name : str
        Variable name in the model.
    kind : {"latent", "second-order", "observed"}
        A second-order factor has latent indicators; latent ones are drawn as
        ellipses, observed ones as boxes.
    role : {"structural", "dimension", "item"}
        A variable of the structural model, a first-order dimension drawn
        above its second-order factor, or an indicator (``measurement=True``).
    x, y : float
        Centre.
    w, h : float
        Full width and height of the ellipse or box.
    label : str
        Text inside the node.
    sub : str
        Second line in smaller type, e.g. "(4 items)".
    r2 : float or None
        R² printed next to the node (None: not printed).
    r2_above : bool
        Print the R² above the node (first-order dimensions) instead of below.
    """

    name: str
    kind: str
    role: str
    x: float
    y: float
    w: float
    h: float
    label: str
    sub: str = ""
    r2: float | None = None
    r2_above: bool = False

    @property
    def latent(self) -> bool:
        """True for an ellipse (latent or second-order variable)."""
        return self.kind != "observed"

    @property
    def box(self) -> tuple[float, float, float, float]:
        """Bounding box ``(x0, x1, y0, y1)``."""
        return (self.x - self.w / 2, self.x + self.w / 2, self.y - self.h / 2, self.y + self.h / 2)


@dataclass(frozen=True)
class PathEdge:
    """One drawn arrow (or two-headed arc).

    Attributes
    ----------
    source, target : str
        From and to (for a loading: the factor and its indicator; for a
        covariance: the two variables).
    kind : {"regression", "loading", "covariance"}
    role : {"structural", "dimension", "item", "covariance"}
        An arrow between structural variables, a second-order loading onto a
        dimension drawn above its factor, an item loading, or a covariance.
    estimate, pvalue : float
        The value printed (standardized or raw) and its p-value.
    significant : bool
        Drawn solid (True) or dashed and grey (False); loadings are always
        solid.
    label : str
        Coefficient text with its marker, e.g. ".42***".
    points : tuple of (x, y)
        Start, waypoints (a path skipping columns is routed through them) and
        end.
    rad : float
        Curvature of a two-point edge (matplotlib ``arc3``; 0 is straight).
    curve : tuple of (x, y)
        Points along the drawn line, used to keep labels off other arrows
        (empty for item loadings).
    label_at : tuple of (x, y)
        Candidate label positions, preferred first.
    """

    source: str
    target: str
    kind: str
    role: str
    estimate: float
    pvalue: float
    significant: bool
    label: str
    points: tuple[Point, ...]
    rad: float = 0.0
    curve: tuple[Point, ...] = ()
    label_at: tuple[Point, ...] = ()

    @property
    def gid(self) -> str:
        """Artist id of the drawn arrow, e.g. ``"path:PREP->TRUST"``."""
        if self.kind == "covariance":
            return f"cov:{self.source}~~{self.target}"
        prefix = "path" if self.kind == "regression" else "loading"
        return f"{prefix}:{self.source}->{self.target}"


@dataclass(frozen=True)
class PathLayout:
    """A laid-out path diagram: nodes, edges, note and extent (layout units).

    Attributes
    ----------
    nodes : tuple of PathNode
        In drawing order.
    edges : tuple of PathEdge
        Structural arrows, then dimension and item loadings, then covariances
        (the order in which labels are placed).
    note : tuple of str
        Lines of the note under the diagram.
    xmin, xmax, ymin, ymax : float
        Extent of the diagram; the note of ``note_height`` goes under ``ymin``.
    """

    nodes: tuple[PathNode, ...]
    edges: tuple[PathEdge, ...]
    note: tuple[str, ...]
    xmin: float
    xmax: float
    ymin: float
    ymax: float
    note_height: float

    @property
    def width(self) -> float:
        """Width of the drawing (layout units)."""
        return self.xmax - self.xmin

    @property
    def height(self) -> float:
        """Height of the drawing including the note (layout units)."""
        return self.ymax - (self.ymin - self.note_height)

    def node(self, name: str) -> PathNode:
        """The node of variable ``name`` (KeyError if it is not drawn)."""
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    def edges_of(self, kind: str) -> list[PathEdge]:
        """Edges of one kind ("regression", "loading" or "covariance")."""
        return [e for e in self.edges if e.kind == kind]


# ---------------------------------------------------------------------------
# routes and extent


def _extent(st: _Structure, g: _Geometry) -> list[float]:
    """``[xmin, xmax, ymin, ymax]`` of the nodes and blocks, with a margin."""
    all_nodes = list(g.geo.values())
    return [
        min(n.x - n.w for n in all_nodes) - 0.3,
        max(n.x + n.w for n in all_nodes) + 0.3,
        min(g.geo[v].y + g.blocks[v].y0 for v in st.nodes) - 0.25,
        max(g.geo[v].y + g.blocks[v].y1 for v in st.nodes) + 0.25,
    ]


def _route_skip_edges(st: _Structure, g: _Geometry) -> dict[int, list[Point]]:
    """Waypoints of the arrows that skip columns, around the blocks in between."""
    geo, blocks, cols = g.geo, g.blocks, g.cols
    routes: dict[int, list[Point]] = {}
    slots: dict[tuple[int, str, str], int] = {}
    for k, (a, b, *_rest) in enumerate(st.edges):
        la, lb = st.layer[a], st.layer[b]
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
    _separate_routes(st, g, routes)
    return routes


def _separate_routes(st: _Structure, g: _Geometry, routes: dict[int, list[Point]]) -> None:
    """Keep the routes through one column apart, so their labels do not collide."""
    geo, blocks = g.geo, g.blocks
    by_col: dict[float, list[tuple[int, int]]] = {}
    for k, pts in routes.items():
        for j, (xm, _) in enumerate(pts):
            by_col.setdefault(xm, []).append((k, j))
    for xm, entries in by_col.items():
        spans = [
            (geo[v].y + blocks[v].y0 - 0.12, geo[v].y + blocks[v].y1 + 0.12)
            for v in st.nodes
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


def _covariance_arcs(
    st: _Structure, g: _Geometry, covariances: bool | str, extent: list[float]
) -> list[tuple[str, str, Point, Point, float, pd.Series]]:
    """Dotted two-headed arcs among drawn variables, bowing outwards in a column."""
    cov_arcs: list[tuple[str, str, Point, Point, float, pd.Series]] = []
    if covariances in (False, None):
        return cov_arcs
    if covariances not in (True, "all", "endogenous"):
        raise SpecificationError(
            "`covariances` must be False, True ('all') or 'endogenous';"
            f" got {format_value(covariances)}."
        )
    geo, layer = g.geo, st.layer
    drawn = set(st.nodes) | {s for subs in st.satellites.values() for s in subs}
    endo = {b for _, b, *_ in st.edges} | {
        s for subs in st.satellites.values() for s in subs
    }
    est = st.est
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
        extent[0], extent[1] = min(extent[0], apex_x - 0.5), max(extent[1], apex_x + 0.5)
    return cov_arcs


def _note_lines(
    result: Any, std: bool, zh: bool, significance_used: bool,
    significance_note: str | None, show_fit: bool,
) -> list[str]:
    """The note under the diagram: coefficients, significance rule, fit indices."""
    note_lines = []
    if std:
        note_lines.append(
            "标准化系数。" if zh else "Standardized coefficients (std.all)."
        )
    else:
        note_lines.append("非标准化系数。" if zh else "Unstandardized coefficients.")
    if significance_used and significance_note:
        note_lines[-1] += (
            f" {significance_note}虚线：不显著。" if zh
            else f" {significance_note} Dashed: not significant."
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
    return note_lines


# ---------------------------------------------------------------------------
# edges


def _coef_text(value: float, p: float, std: bool, sig_map: Any) -> str:
    """Coefficient with p-stars (none when significance is decided elsewhere)."""
    stars = _stars(p) if sig_map is None else ""
    return _num(value, 2, lead_zero=not std) + stars


def _structural_edges(
    st: _Structure, g: _Geometry, routes: dict[int, list[Point]], std: bool, sig_map: Any
) -> list[PathEdge]:
    """Regression arrows and loadings between structural variables."""
    geo, layer = g.geo, st.layer
    indeg = {v: sum(1 for _, b, *_ in st.edges if b == v) for v in st.nodes}
    outdeg = {v: sum(1 for a, *_ in st.edges if a == v) for v in st.nodes}
    out = []
    for k, (a, b, value, p, kind) in enumerate(st.edges):
        pa, pb = geo[a], geo[b]
        sig = kind == "loading" or (np.isfinite(p) and p < 0.05) or not np.isfinite(p)
        label = _coef_text(value, p, std, sig_map)
        if kind == "path" and sig_map is not None and (b, a) in sig_map:
            sig, mark = sig_map[(b, a)]
            label = _num(value, 2, lead_zero=not std) + mark
        rad = 0.0
        if routes.get(k):
            pts = routes[k]
            points = [pa.boundary(*pts[0]), *pts, pb.boundary(*pts[-1])]
            verts = _catmull_rom(points)
            cands = [pts[(len(pts) - 1) // 2]] + [
                _bezier_point(verts, t) for t in (0.2, 0.4, 0.6)
            ]
            curve = _sample_path(verts)
        else:
            if layer[a] == layer[b]:
                rad = 0.35
            elif layer[b] < layer[a]:
                rad = 0.3
            start = pa.boundary(pb.x, pb.y)
            end = pb.boundary(pa.x, pa.y)
            points = [start, end]
            t = 0.5
            if indeg.get(b, 0) > 2 and outdeg.get(a, 0) <= 2:
                t = 0.36
            elif outdeg.get(a, 0) > 2 and indeg.get(b, 0) <= 2:
                t = 0.64
            cands = [_arc_point(start, end, rad, tt) for tt in _spread(t)]
            curve = np.array([_arc_point(start, end, rad, t) for t in _T])
        out.append(PathEdge(
            source=a, target=b, kind="regression" if kind == "path" else "loading",
            role="structural", estimate=float(value), pvalue=float(p),
            significant=bool(sig), label=label, points=tuple(points), rad=rad,
            curve=_points(curve), label_at=tuple(cands),
        ))
    return out


def _points(arr: Any) -> tuple[Point, ...]:
    """An (n, 2) array of points as a tuple of float pairs."""
    return tuple((float(x), float(y)) for x, y in np.asarray(arr, float))


def _loading_value(loads: pd.DataFrame, value_col: str, f: str, x: str) -> tuple[float, float]:
    """(value, p) of the loading of ``x`` on ``f``; NaNs when there is none."""
    row = loads[(loads["lhs"] == f) & (loads["rhs"] == x)]
    if row.empty:
        return np.nan, np.nan
    return float(row[value_col].iloc[0]), float(row["pvalue"].iloc[0])


def _loading_edges(
    st: _Structure, g: _Geometry, std: bool, sig_map: Any, measurement: bool
) -> list[PathEdge]:
    """Loadings onto the dimensions drawn above a second-order factor, then item loadings."""
    geo = g.geo
    out = []
    for parent, subs in st.satellites.items():
        pn = geo[parent]
        for s in subs:
            sn = geo[s]
            start = pn.boundary(sn.x, sn.y)
            end = sn.boundary(pn.x, pn.y)
            v, p = _loading_value(st.loads, st.value_col, parent, s)
            out.append(PathEdge(
                source=parent, target=s, kind="loading", role="dimension",
                estimate=v, pvalue=p, significant=True,
                label=_coef_text(v, p, std, sig_map), points=(start, end),
                curve=_points([_arc_point(start, end, 0.0, t) for t in _T]),
                label_at=tuple(_arc_point(start, end, 0.0, t) for t in _spread(0.5)),
            ))
    if not measurement:
        return out
    owners = list(st.nodes) + [s for subs in st.satellites.values() for s in subs]
    for f in owners:
        fn = geo[f]
        for it in st.items.get(f, []):
            n = geo[it]
            start = fn.boundary(n.x, n.y)
            end = n.boundary(fn.x, fn.y, margin=0.01)
            v, p = _loading_value(st.loads, st.value_col, f, it)
            at = (start[0] + 0.62 * (end[0] - start[0]), start[1] + 0.62 * (end[1] - start[1]))
            out.append(PathEdge(
                source=f, target=it, kind="loading", role="item", estimate=v, pvalue=p,
                significant=True, label=_num(v, 2, lead_zero=not std),
                points=(start, end), label_at=(at,),
            ))
    return out


def _covariance_edges(
    cov_arcs: list[tuple[str, str, Point, Point, float, pd.Series]],
    value_col: str, std: bool, sig_map: Any,
) -> list[PathEdge]:
    """The covariance arcs as edges, labelled with their p-stars."""
    out = []
    for a, b, start, end, rad, row in cov_arcs:
        value, p = row[value_col], row["pvalue"]
        out.append(PathEdge(
            source=a, target=b, kind="covariance", role="covariance",
            estimate=float(value), pvalue=float(p),
            significant=bool((np.isfinite(p) and p < 0.05) or not np.isfinite(p)),
            label=_coef_text(value, p, std, sig_map), points=(start, end), rad=rad,
            curve=_points([_arc_point(start, end, rad, t) for t in _T]),
            label_at=tuple(_arc_point(start, end, rad, t) for t in _spread(0.5)),
        ))
    return out


def _layout_nodes(
    st: _Structure, g: _Geometry, show_r2: bool, measurement: bool
) -> tuple[PathNode, ...]:
    """Frozen nodes in drawing order, with the R² each one prints."""
    node_set = set(st.nodes)
    dims = {s for subs in st.satellites.values() for s in subs}
    endogenous = {b for _, b, *_ in st.edges}
    out = []
    for n in g.geo.values():
        role = "structural" if n.name in node_set else "dimension" if n.name in dims else "item"
        kind = (
            "second-order" if n.name in st.sub_factors and n.name in st.lat_set
            else "latent" if n.latent else "observed"
        )
        r2 = None
        shows = (role == "structural" and n.name in endogenous) or (
            role == "dimension" and not measurement
        )
        v = st.r2_map.get(n.name)
        if show_r2 and shows and v is not None and np.isfinite(v):
            r2 = float(v)
        out.append(PathNode(
            name=n.name, kind=kind, role=role, x=n.x, y=n.y, w=2 * n.w, h=2 * n.h,
            label=n.label, sub=n.sub, r2=r2, r2_above=role == "dimension",
        ))
    return tuple(out)


def path_layout(
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
    significance: pd.DataFrame | None = None,
    significance_note: str | None = None,
) -> PathLayout:
    """Lay out the path diagram of a fitted model, without drawing it.

    Takes the arguments of
    :func:`~trustsem.output.plotting.plot_path_diagram` except ``ax`` and
    ``fontsize``, which belong to the drawing.

    Returns
    -------
    PathLayout
        Nodes (structural variables, first-order dimensions, items), edges
        (regressions, loadings, covariances) with their label texts, and the
        note.

    Raises
    ------
    SpecificationError
        ``result`` is not a fitted SEM, or ``layers``, ``lang``,
        ``covariances`` or ``significance`` is malformed.

    Examples
    --------
    >>> import trustsem as ts
    >>> data = ts.load_example("trust_survey")
    >>> fit = ts.sem(ts.load_model("second_order"), data)  # doctest: +SKIP
    >>> lay = path_layout(fit)  # doctest: +SKIP
    >>> lay.edges_of("regression")[0].gid  # doctest: +SKIP
    'path:PREP->TRUST'
    >>> lay.node("TRUST").kind  # doctest: +SKIP
    'second-order'
    """
    _check_result(result, "estimates", "a fitted model from trustsem.sem()")
    _check_result(result, "spec", "a fitted model from trustsem.sem()")
    if lang not in ("en", "zh"):
        raise SpecificationError(f"`lang` must be 'en' or 'zh'; got {format_value(lang)}.")
    labels = dict(labels or {})
    zh = lang == "zh"
    est = _first_group(result.estimates, group)
    sig_map = _significance_map(significance, group)
    st = _read_structure(result, est, std, layers)
    g = _place_all(st, labels, zh, measurement, show_r2)
    extent = _extent(st, g)
    routes = _route_skip_edges(st, g)
    for pts in routes.values():
        extent[2] = min([extent[2]] + [p[1] - 0.2 for p in pts])
        extent[3] = max([extent[3]] + [p[1] + 0.2 for p in pts])
    cov_arcs = _covariance_arcs(st, g, covariances, extent)
    note = _note_lines(result, std, zh, sig_map is not None, significance_note, show_fit)
    edges = (
        _structural_edges(st, g, routes, std, sig_map)
        + _loading_edges(st, g, std, sig_map, measurement)
        + _covariance_edges(cov_arcs, st.value_col, std, sig_map)
    )
    return PathLayout(
        nodes=_layout_nodes(st, g, show_r2, measurement),
        edges=tuple(edges),
        note=tuple(note),
        xmin=extent[0], xmax=extent[1], ymin=extent[2], ymax=extent[3],
        note_height=0.22 * len(note) + 0.15,
    )

