"""Smoke tests of trustsem.output.plotting: right axes, labels and artist counts.

No pixel snapshots (style guide 3.8): each test checks that an Axes comes
back, that titles/labels say the right thing, and that the number of bars,
arrows or nodes matches the model.  The trust research model is fitted once
per module.
"""

from __future__ import annotations

import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Ellipse, FancyBboxPatch

import trustsem as ts
from trustsem.output import plotting as P
from trustsem.data.datasets import load_codebook, load_example
from trustsem.exceptions import SpecificationError, TrustsemWarning
from trustsem.models import research_model
from trustsem.data.prep import scale_scores

ZH = {
    "PREP": "平台声誉",
    "PASS": "平台监管与保障",
    "MREP": "商家信誉与服务",
    "PQ": "产品质量",
    "INFO": "信息透明度",
    "SOC": "社会推荐",
    "EXP": "使用经验",
    "TF": "功能信任",
    "TA": "情感信任",
    "TI": "制度信任",
    "TRUST": "信任",
    "PI": "购买意愿",
}
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return load_example("trust_survey")


@pytest.fixture(scope="module")
def fit(survey):
    return ts.sem(research_model(), survey, missing="fiml")


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return load_example("holzinger_swineford_1939")


@pytest.fixture(scope="module")
def mod(survey):
    items = {
        "PMF": ["PMF1", "PMF2", "PMF3", "PMF4"],
        "PC": ["PC1", "PC2", "PC3", "PC4"],
        "TF": ["TF1", "TF2", "TF3"],
    }
    complete = survey.dropna(subset=[i for v in items.values() for i in v])
    return ts.moderation(scale_scores(complete, items), y="TF", x="PMF", w="PC")


def _gids(ax, prefix: str) -> list[str]:
    return [a.get_gid() for a in ax.patches if (a.get_gid() or "").startswith(prefix)]


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _apa(v: float) -> str:
    return f"{v:.2f}".replace("0.", ".", 1).replace("-", "\u2212")


def _stars(p: float) -> str:
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


# ---------------------------------------------------------------- path diagram


def test_path_diagram_structure(fit):
    ax = P.plot_path_diagram(fit)
    assert isinstance(ax, matplotlib.axes.Axes)
    nodes = _gids(ax, "node:")
    # 12 constructs: 7 antecedents, TF/TA/TI, TRUST, PI; no items
    assert sorted(g.split(":")[1] for g in nodes) == sorted(fit.spec.latent)
    assert all(
        isinstance(a, Ellipse)
        for a in ax.patches
        if (a.get_gid() or "").startswith("node:")
    )
    reg = fit.estimates.query("op == '~'")
    assert len(_gids(ax, "path:")) == len(reg) == 10
    assert sorted(_gids(ax, "loading:")) == [
        "loading:TRUST->TA",
        "loading:TRUST->TF",
        "loading:TRUST->TI",
    ]
    texts = _texts(ax)
    # coefficient labels: standardized, no leading zero, stars
    row = reg.query("lhs == 'PI' and rhs == 'TRUST'").iloc[0]
    assert _apa(row["std_all"]) + _stars(row["pvalue"]) in texts
    # R² of every endogenous construct, including the first-order dimensions
    r2 = fit.r2.set_index("variable")["r2"]
    for v in ("TRUST", "PI", "TF", "TA", "TI"):
        assert f"R² = {_apa(r2[v])}" in texts
    # indicator counts in the node labels
    assert "(5 items)" in texts and texts.count("(3 items)") == 5
    assert any("CFI = ." in t and "RMSEA" in t for t in texts)


def test_path_diagram_layers_left_to_right(fit):
    ax = P.plot_path_diagram(fit)
    x = {
        a.get_gid()[5:]: a.center[0]
        for a in ax.patches
        if isinstance(a, Ellipse) and a.get_gid()
    }
    antecedents = ["PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP"]
    assert len({round(x[v], 6) for v in antecedents}) == 1
    assert x["PREP"] < x["TRUST"] < x["PI"]
    # first-order dimensions sit with TRUST, in the middle
    assert all(x["PREP"] < x[d] < x["PI"] for d in ("TF", "TA", "TI"))


def test_path_diagram_measurement_and_raw(fit):
    ax = P.plot_path_diagram(
        fit, measurement=True, std=False, show_r2=False, show_fit=False
    )
    items = [g for g in _gids(ax, "node:") if g[5:] in fit.spec.observed]
    assert len(items) == 40
    assert all(
        isinstance(a, FancyBboxPatch) for a in ax.patches if a.get_gid() in set(items)
    )
    assert len(_gids(ax, "loading:")) == 40 + 3
    texts = _texts(ax)
    assert not any(t.startswith("R²") for t in texts)
    assert not any("items)" in t for t in texts)
    row = fit.estimates.query("op == '~' and lhs == 'PI' and rhs == 'TRUST'").iloc[0]
    assert f"{row['est']:.2f}" in "".join(texts)  # raw estimates keep the leading zero
    assert any("Unstandardized" in t for t in texts)


def test_path_diagram_user_layers_and_ax(fit):
    _, ax0 = plt.subplots(figsize=(6, 4))
    layers = [["PREP", "PASS", "MREP", "PQ"], ["INFO", "SOC", "EXP"], ["TRUST"], ["PI"]]
    ax = P.plot_path_diagram(fit, layers=layers, ax=ax0)
    assert ax is ax0
    x = {
        a.get_gid()[5:]: a.center[0]
        for a in ax.patches
        if isinstance(a, Ellipse) and a.get_gid()
    }
    assert x["PREP"] < x["INFO"] < x["TRUST"] < x["PI"]
    with pytest.raises(SpecificationError, match="TRUST"):
        P.plot_path_diagram(fit, layers={"PREP": 0})


def test_path_diagram_covariances_and_bad_input(fit):
    ax = P.plot_path_diagram(fit, covariances=True)
    cov = fit.estimates.query("op == '~~' and lhs != rhs")
    drawn = set(fit.spec.latent)
    n = sum(1 for a, b in zip(cov["lhs"], cov["rhs"]) if a in drawn and b in drawn)
    assert n > 0 and len(_gids(ax, "cov:")) == n
    with pytest.raises(SpecificationError, match="covariances"):
        P.plot_path_diagram(fit, covariances="some")
    with pytest.raises(SpecificationError, match="fitted model"):
        P.plot_path_diagram(pd.DataFrame())


def test_no_global_style_change(fit):
    before = dict(matplotlib.rcParams)
    if P.cjk_font():
        P.plot_path_diagram(fit, labels=ZH, lang="zh")
    else:
        P.plot_path_diagram(fit)
    P.plot_likert(load_example("trust_survey"), ["PI1", "PI2"])
    after = dict(matplotlib.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()


# ---------------------------------------------------------------- CJK font


def _glyph_warnings(fig, path) -> list[str]:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fig.savefig(path, dpi=60)
    return [str(w.message) for w in rec if "missing from font" in str(w.message)]


def test_missing_glyph_detection_works(tmp_path):
    # the check below would be vacuous if matplotlib did not warn without a CJK font
    fig, ax = plt.subplots()
    ax.set_title("信任", fontfamily="DejaVu Sans")
    assert _glyph_warnings(fig, tmp_path / "dejavu.png")


def test_chinese_labels_render_with_cjk_font(fit, tmp_path):
    family = P.cjk_font()
    if family is None:
        pytest.skip(
            "no CJK font installed (Debian/Ubuntu: apt-get install fonts-noto-cjk)"
        )
    ax = P.plot_path_diagram(fit, labels=ZH, lang="zh")
    cjk = [t for t in ax.texts if "信任" in t.get_text()]
    assert cjk and all(t.get_fontfamily()[0] == family for t in cjk)
    assert any("个题项" in t for t in _texts(ax))
    assert _glyph_warnings(ax.figure, tmp_path / "path_zh.png") == []
    assert (tmp_path / "path_zh.png").stat().st_size > 0

    ax = P.plot_likert(
        load_example("trust_survey"),
        ["PI1", "PI2", "TF1"],
        codebook=load_codebook("trust_survey"),
        lang="zh",
    )
    assert ax.get_xlabel() == "回答百分比 (%)"
    assert _glyph_warnings(ax.figure, tmp_path / "likert_zh.png") == []


def test_no_cjk_font_warns(fit, monkeypatch):
    monkeypatch.setattr(P, "cjk_font", lambda: None)
    with pytest.warns(TrustsemWarning, match="fonts-noto-cjk"):
        P.plot_path_diagram(fit, labels={"PI": "购买意愿"})
    # plain labels need no font and say nothing
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrustsemWarning)
        P.plot_path_diagram(fit)


# ---------------------------------------------------------------- Likert


def test_likert_bars_and_groups(survey):
    cb = load_codebook("trust_survey")
    items = ["PREP1", "PREP2", "PREP3", "PREP4", "PI1", "PI2", "PI3", "PI4"]
    ax = P.plot_likert(survey, items, codebook=cb)
    assert len(ax.patches) == len(items) * 5  # one bar per item and category
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == len(items) and ticks[0].startswith("PREP1  This platform")
    assert {"PREP", "PI"} <= set(_texts(ax))  # construct headings
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    assert ax.get_xlabel() == "Percent of responses"
    # disagree categories left of 0, agree right, neutral centred on 0
    X = survey[["PREP1"]].dropna()
    pct = X["PREP1"].value_counts(normalize=True).sort_index() * 100
    bars = [p for p in ax.patches if abs(p.get_y() + p.get_height() / 2) < 1e-9]
    assert len(bars) == 5
    assert bars[0].get_x() == pytest.approx(-(pct[1] + pct[2] + pct[3] / 2))
    assert bars[2].get_x() == pytest.approx(-pct[3] / 2)
    assert bars[2].get_width() == pytest.approx(pct[3])


def test_likert_dict_items_and_item_analysis(survey):
    ax = P.plot_likert(
        survey,
        {"Trust": ["TF1", "TA1"], "Intention": ["PI1"]},
        labels={"TF1": "Functional"},
        category_labels=list("abcde"),
    )
    assert len(ax.patches) == 15
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Functional", "TA1", "PI1"]
    ia = ts.item_analysis(
        survey.dropna(subset=["PI1", "PI2", "PI3", "PI4"]),
        "PI =~ PI1 + PI2 + PI3 + PI4",
    )
    ax2 = P.plot_likert(ia, ["PI1", "PI2"])
    assert len(ax2.patches) == 10
    with pytest.raises(SpecificationError, match="XX1"):
        P.plot_likert(survey, ["PI1", "XX1"])
    with pytest.raises(SpecificationError, match="category_labels"):
        P.plot_likert(survey, ["PI1"], category_labels=["a"])


# ---------------------------------------------------------------- heatmaps


def test_correlation_heatmap(survey, fit):
    cols = ["PI1", "PI2", "PI3", "PI4"]
    ax = P.plot_correlation_heatmap(survey[cols])
    assert [t.get_text() for t in ax.get_yticklabels()] == cols
    assert len(ax.texts) == 10  # lower triangle with diagonal
    r = survey[cols].corr().loc["PI2", "PI1"]
    assert _apa(r) in _texts(ax)
    ax = P.plot_correlation_heatmap(survey[cols], lower=False, annot=False)
    assert len(ax.texts) == 0
    fl = ts.fornell_larcker(fit)
    ax = P.plot_correlation_heatmap(fl)
    n = fl.matrix.shape[0]
    assert len(ax.texts) == n * (n + 1) // 2


def test_loadings_heatmap(fit, hs):
    ax = P.plot_loadings(fit)
    assert len(ax.texts) == 40  # one per item loading; second-order ones left out
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        v for v in fit.spec.latent if v != "TRUST"
    ]
    assert ax.get_ylabel() == "Item"
    from trustsem.measurement.efa import efa

    e = efa(hs[[f"x{i}" for i in range(1, 10)]], 3)
    ax = P.plot_loadings(e, cut=0.3)
    assert len(ax.texts) == int((e.loadings.abs() >= 0.3).to_numpy().sum())


# ---------------------------------------------------------------- paths and effects


def test_paths_forest(fit):
    ax = P.plot_paths_forest(fit)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 10 and labels[0] == "PREP → TRUST"
    assert "Unstandardized" in ax.get_xlabel()  # no standardized CIs without bootstrap
    with pytest.warns(TrustsemWarning, match="bootstrap"):
        ax = P.plot_paths_forest(fit, std=True)
    assert "Standardized" in ax.get_xlabel()
    reg = ts.ols(
        "PI1 ~ TF1 + TA1",
        load_example("trust_survey").dropna(subset=["PI1", "TF1", "TA1"]),
    )
    ax = P.plot_paths_forest(reg)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["TF1 → PI1", "TA1 → PI1"]


def test_indirect_distribution(fit):
    med = ts.indirect_effects(fit, ci="montecarlo", mc_draws=1000, seed=7)
    ax = P.plot_indirect_distribution(med)
    assert ax.get_title().startswith("specific: ") and "TRUST → PI" in ax.get_title()
    ax = P.plot_indirect_distribution(med, "INFO → TRUST → PI")
    assert ax.get_title() == "specific: INFO → TRUST → PI"
    row = med.effects.query("kind == 'specific' and path == 'INFO → TRUST → PI'").iloc[
        0
    ]
    xs = sorted(
        line.get_xdata()[0] for line in ax.lines if len(set(line.get_xdata())) == 1
    )
    assert xs == pytest.approx(
        sorted([0.0, row["est"], row["ci_lower"], row["ci_upper"]])
    )
    with pytest.raises(SpecificationError, match="exactly one"):
        P.plot_indirect_distribution(med, "TRUST")
    with pytest.raises(SpecificationError, match="no draws"):
        P.plot_indirect_distribution(ts.indirect_effects(fit))


# ---------------------------------------------------------------- moderation


def test_simple_slopes(mod):
    ax = P.plot_simple_slopes(mod)
    assert len(ax.lines) == len(mod.simple_slopes) == 3
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("-1 SD (PC = ")
    assert ax.get_xlabel() == "PMF" and ax.get_ylabel() == "TF"
    # each line's slope is the simple slope
    for line, est in zip(ax.lines, mod.simple_slopes["est"]):
        x, y = line.get_xdata(), line.get_ydata()
        assert (y[-1] - y[0]) / (x[-1] - x[0]) == pytest.approx(est)


def test_johnson_neyman(mod):
    ax = P.plot_johnson_neyman(mod)
    assert ax.get_xlabel() == "PC"
    assert ax.get_ylabel() == "Conditional effect of PMF on TF"
    assert np.allclose(ax.lines[0].get_xdata(), mod.slopes_grid["w"])


# ---------------------------------------------------------------- invariance, scree


def test_invariance_plot_from_table():
    table = pd.DataFrame(
        {
            "delta_cfi": [np.nan, -0.002, -0.015, -0.004],
            "delta_rmsea": [np.nan, 0.001, 0.02, 0.0],
            "verdict": ["baseline", "holds", "fails", "holds"],
        },
        index=pd.Index(["configural", "metric", "scalar", "strict"], name="level"),
    )
    ax = P.plot_invariance(table)
    bars = ax.patches
    assert len(bars) == 3
    assert [t.get_text() for t in ax.get_xticklabels()] == list(table.index)
    cut = [line for line in ax.lines if np.allclose(line.get_ydata(), -0.01)]
    assert len(cut) == 1
    colors = [tuple(b.get_facecolor()[:3]) for b in bars]
    assert (
        colors[1] != colors[0] and colors[0] == colors[2]
    )  # the failing level stands out
    ax = P.plot_invariance(table.reset_index(), measure="rmsea")
    assert any(np.allclose(line.get_ydata(), 0.015) for line in ax.lines)
    with pytest.raises(SpecificationError, match="measure"):
        P.plot_invariance(table, measure="tli")


def test_invariance_plot_from_result(hs):
    from trustsem.structural.invariance import invariance

    inv = invariance(HS_MODEL, hs, "school")
    ax = P.plot_invariance(inv)
    assert len(ax.patches) == len(inv.table) - 1
    assert "ΔCFI" in ax.get_ylabel()


def test_scree(hs):
    pa = ts.parallel_analysis(hs, [f"x{i}" for i in range(1, 10)], seed=1, n_iter=10)
    ax = P.plot_scree(pa)
    assert len(ax.lines) == 4 + 1  # observed + random for pc and fa, Kaiser line
    assert f"{pa.n_factors} factors" in ax.get_title()
    assert np.allclose(ax.lines[0].get_ydata(), pa.table["pc_observed"])
    ax = P.plot_scree(pa, kind="fa", show_mean=True)
    assert len(ax.lines) == 3
    with pytest.raises(SpecificationError, match="kind"):
        P.plot_scree(pa, kind="eigen")


def test_result_methods_delegate_to_plotting():
    import trustsem as ts

    fit = ts.sem("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual",
                 ts.load_example("holzinger_swineford_1939"))
    ax = fit.plot_loadings()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["visual", "textual"]
    assert len(fit.plot_paths_forest().lines) >= 1
    assert fit.plot_path_diagram() is not None


# ---------------------------------------------------------------- significance decided elsewhere


def _decision(fit, significant) -> pd.DataFrame:
    reg = fit.estimates[fit.estimates["op"] == "~"]
    return pd.DataFrame(
        {
            "lhs": reg["lhs"].to_numpy(),
            "rhs": reg["rhs"].to_numpy(),
            "significant": significant(reg),
            "marker": np.where(significant(reg), "*", ""),
            "rule": "ci",
        }
    )


def test_path_diagram_and_forest_follow_a_given_decision(fit):
    reg = fit.estimates[fit.estimates["op"] == "~"]
    # a decision that contradicts p < .05 for every path: the figures must follow it
    sig = _decision(fit, lambda r: ~(r["pvalue"].to_numpy() < 0.05))
    ax = P.plot_path_diagram(
        fit, significance=sig, significance_note="Significant: rule X."
    )
    by_gid = {a.get_gid(): a for a in ax.patches}
    for (_, r), s in zip(reg.iterrows(), sig["significant"]):
        arrow = by_gid[f"path:{r['rhs']}->{r['lhs']}"]
        assert (arrow.get_linestyle() == "-") == bool(s), r["rhs"]
    texts = _texts(ax)
    assert any("Significant: rule X. Dashed: not significant." in t for t in texts)
    assert not any("***" in t or "**" in t for t in texts)  # markers come from the decision
    ax = P.plot_paths_forest(fit, std=False, significance=sig)
    cols = {c.get_gid(): c for c in ax.collections if c.get_gid()}
    n_sig = len(cols["forest:significant"].get_offsets())
    assert n_sig == int(sig["significant"].sum())
    assert len(cols["forest:not_significant"].get_offsets()) == len(sig) - n_sig
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["interval excludes 0", "not significant"]
    with pytest.raises(SpecificationError, match="significance"):
        P.plot_path_diagram(fit, significance=pd.DataFrame({"lhs": ["PI"]}))


# ---------------------------------------------------------------- Chinese figure text

ENGLISH_FIGURE_WORDS = [
    "Standardized", "Unstandardized", "coefficient", "Factor", "Item", "Density", "density",
    "estimate", "Effect", "interval", "significant", "slope", "Simple", "Conditional",
    "Johnson-Neyman plot", "baseline", "cut-off", "Measurement invariance", "draws",
    "specific:", "of sample", "dashed",
]


def _all_texts(fig) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def test_chinese_figures_have_no_english_labels(fit, mod, tmp_path):
    if P.cjk_font() is None:
        pytest.skip("no CJK font installed (Debian/Ubuntu: apt-get install fonts-noto-cjk)")
    med = ts.indirect_effects(fit, ci="montecarlo", mc_draws=300, seed=3)
    table = pd.DataFrame(
        {"delta_cfi": [np.nan, -0.002, np.nan], "delta_rmsea": [np.nan, 0.001, np.nan],
         "verdict": ["baseline", "holds", "not converged"]},
        index=pd.Index(["configural", "metric", "scalar (partial)"], name="level"),
    )
    sig = _decision(fit, lambda r: r["pvalue"].to_numpy() < 0.05)
    axes = {
        "loadings": P.plot_loadings(fit, lang="zh"),
        "forest": P.plot_paths_forest(fit, std=False, significance=sig, lang="zh"),
        "diagram": P.plot_path_diagram(fit, lang="zh", significance=sig,
                                       significance_note="显著：规则。"),
        "indirect": P.plot_indirect_distribution(med, lang="zh"),
        "slopes": P.plot_simple_slopes(mod, lang="zh"),
        "jn": P.plot_johnson_neyman(mod, lang="zh"),
        "invariance": P.plot_invariance(table, lang="zh"),
    }
    for name, ax in axes.items():
        texts = _all_texts(ax.figure)
        for word in ENGLISH_FIGURE_WORDS:
            assert not any(word in t for t in texts), (name, word, texts)
        assert _glyph_warnings(ax.figure, tmp_path / f"{name}.png") == [], name  # no tofu
    assert axes["loadings"].get_xlabel() == "因子"
    assert [t.get_text() for t in axes["invariance"].get_xticklabels()] == [
        "形态等值", "弱等值", "强等值（部分）"]
    assert "未收敛" in _all_texts(axes["invariance"].figure)
    with pytest.raises(SpecificationError, match="lang"):
        P.plot_loadings(fit, lang="fr")
