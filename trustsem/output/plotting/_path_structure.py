"""What a path diagram shows and where its blocks go (no matplotlib).

:func:`_read_structure` reads the drawn variables, arrows and columns off the
estimates; :func:`_place_all` sizes every node, groups each structural
variable with its dimensions and items into a block, and places the blocks
column by column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._path_geometry import (
    _COL_GAP,
    _FS,
    _ITEM_FS,
    _ITEM_H,
    _R2_SPACE,
    _ROW_GAP,
    _Block,
    _layers_from_graph,
    _Node,
    _text_width,
    _user_layers,
)

# ---------------------------------------------------------------------------
# reading the model


@dataclass
class _Structure:
    """What is drawn, read off the estimates: variables, arrows and columns."""

    est: pd.DataFrame
    loads: pd.DataFrame
    lat_set: set[str]
    value_col: str
    nodes: list[str]
    items: dict[str, list[str]]
    sub_factors: dict[str, list[str]]
    satellites: dict[str, list[str]]
    edges: list[tuple[str, str, float, float, str]]  # a, b, value, p, kind
    layer: dict[str, int]
    fixed_order: dict[str, float]
    n_layers: int
    r2_map: dict[str, float]


def _r2_map(result: Any, est: pd.DataFrame) -> dict[str, float]:
    """R² by variable (of the drawn group)."""
    r2 = getattr(result, "r2", pd.DataFrame(columns=["variable", "r2"]))
    if "group" in r2.columns and len(r2):
        g = pd.unique(est["group"])[0] if "group" in est.columns else None
        r2 = r2[r2["group"] == g] if g is not None else r2
    return dict(zip(r2.get("variable", []), r2.get("r2", [])))


def _read_structure(result: Any, est: pd.DataFrame, std: bool, layers: Any) -> _Structure:
    """Structural variables (in model order), items, dimensions, arrows and columns.

    ``est`` is the estimates table of the drawn group.
    """
    latent = list(result.spec.latent)
    lat_set = set(latent)
    value_col = "std_all" if std else "est"
    reg = est[est["op"] == "~"]
    loads = est[est["op"] == "=~"]

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
    edges: list[tuple[str, str, float, float, str]] = []
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
    return _Structure(
        est=est, loads=loads, lat_set=lat_set, value_col=value_col, nodes=nodes,
        items=items, sub_factors=sub_factors, satellites=satellites, edges=edges,
        layer=layer, fixed_order=fixed_order, n_layers=n_layers,
        r2_map=_r2_map(result, est),
    )


# ---------------------------------------------------------------------------
# blocks and columns


@dataclass
class _Geometry:
    """Nodes by name (drawing order), blocks of the structural variables, columns."""

    geo: dict[str, _Node] = field(default_factory=dict)
    blocks: dict[str, _Block] = field(default_factory=dict)
    cols: dict[int, list[str]] = field(default_factory=dict)
    sat_lift: dict[str, float] = field(default_factory=dict)


def _node_sub(st: _Structure, v: str, measurement: bool, zh: bool) -> str:
    """The indicator count under a latent variable's name, e.g. "(4 items)"."""
    k = len(st.items.get(v, []))
    if v in st.lat_set and k and not measurement:
        return f"（{k}个题项）" if zh else f"({k} item{'s' if k > 1 else ''})"
    return ""


def _make_node(
    g: _Geometry, st: _Structure, v: str, labels: dict, zh: bool, measurement: bool
) -> _Node:
    g.geo[v] = _Node(v, str(labels.get(v, v)), v in st.lat_set, _FS,
                     _node_sub(st, v, measurement, zh))
    return g.geo[v]


def _item_nodes(g: _Geometry, st: _Structure, v: str, labels: dict) -> list[_Node]:
    out = []
    for it in st.items.get(v, []):
        n = _Node(it, labels.get(it, it), False, _ITEM_FS)
        n.h = _ITEM_H
        n.w = max(0.3, _text_width(n.label, _ITEM_FS) + 0.16) / 2
        g.geo[it] = n
        out.append(n)
    return out


def _attach_items(
    g: _Geometry, st: _Structure, labels: dict, block: _Block, v: str,
    dx: float, dy: float, side: str,
) -> None:
    """Put the items of ``v`` (centred at offset dx, dy) on one ``side`` of it."""
    its = _item_nodes(g, st, v, labels)
    if not its:
        return
    owner = g.geo[v]
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


def _build_blocks(
    g: _Geometry, st: _Structure, labels: dict, zh: bool, measurement: bool, show_r2: bool
) -> dict[str, _Block]:
    """One block per structural variable: the node, its dimensions above, its items."""
    blocks = {}
    layer, n_layers, r2_map = st.layer, st.n_layers, st.r2_map
    for v in st.nodes:
        nd = _make_node(g, st, v, labels, zh, measurement)
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
            _attach_items(g, st, labels, b, v, 0.0, 0.0, side)
        subs = st.satellites.get(v, [])
        if subs:
            sats = [_make_node(g, st, s, labels, zh, measurement) for s in subs]
            gap = 0.3
            total = sum(2 * s.w for s in sats) + gap * (len(sats) - 1)
            hmax = max(s.h for s in sats)
            dy = nd.h + 0.85 + hmax + g.sat_lift[v]
            left = -total / 2
            for s in sats:
                b.add(s, left + s.w, dy)
                if show_r2 and s.name in r2_map and not measurement:
                    b.include(left, left + 2 * s.w, dy, dy + s.h + _R2_SPACE)
                if measurement:
                    _attach_items(g, st, labels, b, s.name, left + s.w, dy, "above")
                left += 2 * s.w + gap
        blocks[v] = b
    return blocks


def _place_x(g: _Geometry, st: _Structure, cols: dict[int, list[str]]) -> None:
    """Columns left to right, each as wide as its widest block."""
    blocks, geo = g.blocks, g.geo
    x = 0.0
    for i in range(st.n_layers):
        if not cols[i]:
            continue
        left = max(-blocks[v].x0 for v in cols[i])
        right = max(blocks[v].x1 for v in cols[i])
        if i > 0:
            x += left
        for v in cols[i]:
            geo[v].x = x
        x += right + _COL_GAP


def _place_column_y(g: _Geometry, st: _Structure, i: int, col: list[str]) -> None:
    """Stack column ``i``: near the mean height of each variable's predecessors."""
    blocks, geo, layer, edges = g.blocks, g.geo, st.layer, st.edges
    preds = {
        v: [a for a, b, *_ in edges if b == v and layer[a] < i] for v in col
    }
    desired = {}
    for v in col:
        near = [a for a in preds[v] if layer[a] == i - 1] or preds[v]
        desired[v] = float(np.mean([geo[a].y for a in near])) if near else 0.0
    if st.fixed_order:
        col.sort(key=lambda v: st.fixed_order.get(v, 0))
    elif i > 0:
        col.sort(key=lambda v: -desired[v])
    if i == 0 or st.fixed_order or not any(preds.values()):
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


def _place(g: _Geometry, st: _Structure) -> dict[int, list[str]]:
    """Centres of all nodes from the blocks; returns the columns (top to bottom)."""
    cols: dict[int, list[str]] = {i: [] for i in range(st.n_layers)}
    for v in st.nodes:
        cols[st.layer[v]].append(v)
    _place_x(g, st, cols)
    for i in range(st.n_layers):
        if cols[i]:
            _place_column_y(g, st, i, cols[i])
    for v in st.nodes:
        for n, dx, dy in g.blocks[v].parts:
            n.x, n.y = g.geo[v].x + dx, g.geo[v].y + dy
    return cols


def _lift_satellites(g: _Geometry, st: _Structure) -> bool:
    """Raise dimensions that a straight arrow into/out of their parent would cross.

    Returns True when a lift was added (the blocks must then be rebuilt).
    """
    geo, layer = g.geo, st.layer
    bumped = False
    for parent, subs in st.satellites.items():
        pn = geo[parent]
        for a, b, *_ in st.edges:
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
                        g.sat_lift[parent] += need + 0.05
                        bumped = True
                        break
    return bumped


def _place_all(
    st: _Structure, labels: dict, zh: bool, measurement: bool, show_r2: bool
) -> _Geometry:
    """Size and place every node; dimensions are lifted clear of straight arrows."""
    g = _Geometry(sat_lift={v: 0.0 for v in st.satellites})
    g.blocks = _build_blocks(g, st, labels, zh, measurement, show_r2)
    g.cols = _place(g, st)
    for _ in range(4):
        if not _lift_satellites(g, st):
            break
        g.blocks = _build_blocks(g, st, labels, zh, measurement, show_r2)
        g.cols = _place(g, st)
    return g
