"""The path-diagram layout on its own (no figure), and the drawer that draws it.

The shipped second-order model is fitted once on the bundled trust survey;
the layout must hold a node per construct and an edge per regression, keep
node boxes apart and mark exactly the paths the significance rule marks.
"""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import trustsem as ts
from trustsem.exceptions import SpecificationError
from trustsem.output.plotting.path_draw import draw_path_layout
from trustsem.output.plotting.path_layout import PathLayout, path_layout


@pytest.fixture(scope="module")
def fit():
    return ts.sem(ts.load_model("second_order"), ts.load_example("trust_survey"), missing="fiml")


@pytest.fixture(scope="module")
def layout(fit) -> PathLayout:
    before = plt.get_fignums()
    lay = path_layout(fit)
    assert plt.get_fignums() == before  # laying out creates no figure
    return lay


def _overlaps(nodes) -> list[tuple[str, str]]:
    out = []
    for a, b in itertools.combinations(nodes, 2):
        ax0, ax1, ay0, ay1 = a.box
        bx0, bx1, by0, by1 = b.box
        if min(ax1, bx1) - max(ax0, bx0) > 0 and min(ay1, by1) - max(ay0, by0) > 0:
            out.append((a.name, b.name))
    return out


def test_a_node_per_construct(fit, layout):
    assert sorted(n.name for n in layout.nodes) == sorted(fit.spec.latent)
    kinds = {n.name: n.kind for n in layout.nodes}
    assert kinds["TRUST"] == "second-order"
    assert {kinds[v] for v in fit.spec.latent if v != "TRUST"} == {"latent"}
    roles = {n.name: n.role for n in layout.nodes}
    assert {v for v, r in roles.items() if r == "dimension"} == {"TF", "TA", "TI"}
    # the dimensions sit above TRUST, antecedents left of it, PI right of it
    trust = layout.node("TRUST")
    assert all(layout.node(d).y > trust.y for d in ("TF", "TA", "TI"))
    assert layout.node("PREP").x < trust.x < layout.node("PI").x
    assert layout.node("PREP").sub == "(4 items)"


def test_an_edge_per_regression(fit, layout):
    reg = fit.estimates.query("op == '~'")
    edges = {(e.source, e.target): e for e in layout.edges_of("regression")}
    assert sorted(edges) == sorted(zip(reg["rhs"], reg["lhs"]))
    assert len(edges) == len(reg) == 10
    for _, r in reg.iterrows():
        e = edges[(r["rhs"], r["lhs"])]
        assert e.estimate == pytest.approx(r["std_all"])
        assert e.gid == f"path:{r['rhs']}->{r['lhs']}"
        assert e.label.startswith(f"{r['std_all']:.2f}".replace("0.", ".", 1))
    loadings = sorted(e.gid for e in layout.edges_of("loading"))
    assert loadings == ["loading:TRUST->TA", "loading:TRUST->TF", "loading:TRUST->TI"]
    # INFO and SOC reach PI past the TRUST column: routed through a waypoint
    assert len(edges[("INFO", "PI")].points) > 2
    assert len(edges[("PREP", "TRUST")].points) == 2


def test_no_overlapping_node_boxes(fit, layout):
    assert _overlaps(layout.nodes) == []
    with_items = path_layout(fit, measurement=True)
    assert len([n for n in with_items.nodes if n.role == "item"]) == 40
    assert _overlaps(with_items.nodes) == []
    for n in layout.nodes:  # every node inside the extent
        x0, x1, y0, y1 = n.box
        assert layout.xmin < x0 < x1 < layout.xmax and layout.ymin < y0 < y1 < layout.ymax


def test_significant_flags_follow_p(fit, layout):
    reg = fit.estimates.query("op == '~'")
    p = dict(zip(zip(reg["rhs"], reg["lhs"]), reg["pvalue"]))
    flags = {(e.source, e.target): e.significant for e in layout.edges_of("regression")}
    assert flags == {k: bool(v < 0.05) for k, v in p.items()}
    assert not all(flags.values()) and any(flags.values())  # the test can tell them apart


def test_significant_flags_follow_a_given_rule(fit):
    reg = fit.estimates.query("op == '~'")
    decided = ~(reg["pvalue"].to_numpy() < 0.05)  # contradicts p < .05 everywhere
    sig = pd.DataFrame({"lhs": reg["lhs"].to_numpy(), "rhs": reg["rhs"].to_numpy(),
                        "significant": decided, "marker": np.where(decided, "†", "")})
    lay = path_layout(fit, significance=sig, significance_note="Rule X.")
    flags = {(e.source, e.target): e.significant for e in lay.edges_of("regression")}
    assert flags == {(r, l_): bool(s) for l_, r, s in zip(reg["lhs"], reg["rhs"], decided)}
    marked = {(e.source, e.target) for e in lay.edges_of("regression") if e.label.endswith("†")}
    assert marked == {k for k, v in flags.items() if v}
    assert not any("*" in e.label for e in lay.edges)
    assert "Rule X. Dashed: not significant." in lay.note[0]


def test_layout_is_frozen_and_validates(fit, layout):
    with pytest.raises(dataclasses.FrozenInstanceError):
        layout.nodes[0].x = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        layout.xmin = 0.0  # type: ignore[misc]
    with pytest.raises(SpecificationError, match="covariances"):
        path_layout(fit, covariances="some")
    with pytest.raises(SpecificationError, match="TRUST"):
        path_layout(fit, layers={"PREP": 0})
    with pytest.raises(SpecificationError, match="fitted model"):
        path_layout(pd.DataFrame())


def test_layout_needs_no_matplotlib():
    code = textwrap.dedent("""
        import sys
        import trustsem as ts
        from trustsem.output.plotting.path_layout import path_layout
        fit = ts.sem("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\ntextual ~ visual",
                     ts.load_example("holzinger_swineford_1939"))
        lay = path_layout(fit, measurement=True, covariances=True)
        assert len(lay.nodes) == 8, lay.nodes
        print(sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib"))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_drawer_draws_one_patch_per_node_and_edge(fit, layout):
    ax = draw_path_layout(layout)
    gids = [a.get_gid() for a in ax.patches if a.get_gid()]
    nodes = [g for g in gids if g.startswith("node:")]
    assert sorted(nodes) == sorted(f"node:{n.name}" for n in layout.nodes)
    assert sorted(g for g in gids if not g.startswith("node:")) == sorted(
        e.gid for e in layout.edges)
    by_gid = {a.get_gid(): a for a in ax.patches}
    for e in layout.edges_of("regression"):
        assert (by_gid[e.gid].get_linestyle() == "-") == e.significant
    texts = [t.get_text() for t in ax.texts]
    assert all(e.label in texts for e in layout.edges)
    assert "\n".join(layout.note) in texts
    # drawing into a given Axes and the one-call plot give the same nodes
    _, ax0 = plt.subplots(figsize=(6, 4))
    assert draw_path_layout(layout, ax0) is ax0
    same = ts.plot_path_diagram(fit)
    centres = {a.get_gid(): tuple(a.center) for a in same.patches
               if (a.get_gid() or "").startswith("node:")}
    assert centres == {f"node:{n.name}": (n.x, n.y) for n in layout.nodes}
