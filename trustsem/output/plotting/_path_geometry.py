"""Geometry of the path diagram: node sizes, blocks, columns and curves (no matplotlib).

Distances are layout units of about one inch at the base font size.  The
curve helpers work on plain vertex lists; the drawer turns them into
matplotlib paths.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..._validation import format_value
from ...exceptions import SpecificationError
from ._common import _has_cjk

_FS = 9.0  # base font size (points) at 1 inch per layout unit
_COL_GAP = 2.5  # horizontal space between column blocks (units)
_ROW_GAP = 0.32  # vertical space between blocks in a column
_R2_SPACE = 0.26  # room under a node for its R²
_ITEM_FS = _FS - 1.5  # font size of item boxes
_ITEM_H = 0.15  # half-height of an item box


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


# ---------------------------------------------------------------------------
# curves


def _catmull_rom(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Vertices of a smooth cubic Bézier path through ``points`` (Catmull-Rom).

    The first vertex is the start (a MOVETO), then three vertices per segment
    (CURVE4 control, control, end).
    """
    P = [np.asarray(p, float) for p in points]
    verts = [tuple(P[0])]
    for i in range(len(P) - 1):
        p0 = P[i - 1] if i > 0 else P[i]
        p1, p2 = P[i], P[i + 1]
        p3 = P[i + 2] if i + 2 < len(P) else P[i + 1]
        c1 = p1 + (p2 - p0) / 6
        c2 = p2 - (p3 - p1) / 6
        verts += [tuple(c1), tuple(c2), tuple(p2)]
    return verts


_T = np.linspace(0.0, 1.0, 60)


def _sample_path(vertices: Sequence[tuple[float, float]], n: int = 30) -> np.ndarray:
    """Points along MOVETO + CURVE4 vertices (for label placement)."""
    v = np.asarray(vertices, float)
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


def _bezier_point(vertices: Sequence[tuple[float, float]], t: float) -> tuple[float, float]:
    """Point at parameter ``t`` of the last cubic segment of ``vertices``."""
    v = np.asarray(vertices[-4:], float)
    p = (
        ((1 - t) ** 3) * v[0]
        + 3 * ((1 - t) ** 2) * t * v[1]
        + 3 * (1 - t) * t**2 * v[2]
        + t**3 * v[3]
    )
    return float(p[0]), float(p[1])


def _arc_point(
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


def _spread(t0: float) -> list[float]:
    """Curve parameters to try for a label: ``t0`` first, then alternately around it."""
    ts = [t0]
    for d in (0.07, 0.14, 0.21, 0.28):
        ts += [t for t in (t0 - d, t0 + d) if 0.15 <= t <= 0.85]
    return ts
