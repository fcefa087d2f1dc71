"""trustsem.structural.moderation against R fixtures.

Observed-score moderation (tests/reference/r/regression_{trust,tiktok,corprep}.R):
lm on mean-centred x and w, sandwich HC3, simple slopes at mean -1/0/+1 SD
and Johnson-Neyman bounds from the quadratic.  Latent interaction
(regression_latent.R, regression_tiktok.R): product indicators from
semTools::indProd, the lavaan 0.6-14 fit and semTools::probe2WayMC.

Tolerances:
- Observed moderation (same least-squares problem): 1e-6 for coefficients,
  HC3 SEs, slopes, CIs, JN bounds; p-values 1e-6 absolute.
- Product indicators (same arithmetic): 1e-10.
- Latent probe: trustsem's ML engine vs lavaan, so the SEM policy of
  conftest: estimates 1e-3, SEs 1 % relative; JN bounds (ratios of those)
  1 % relative.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import TOL_EST, TOL_SE_REL, close, load_reference
from test_regression import corprep_data, tiktok_data, trust_data

import trustsem as ts
from trustsem.data.datasets import load_example
from trustsem.exceptions import DataError, MissingDataWarning, SpecificationError
from trustsem.structural.moderation import (
    ModerationResult,
    latent_interaction,
    moderation,
    probe_latent_interaction,
)

TOL = 1e-6

CASES = {
    "regression_trust": (
        trust_data,
        dict(y="TRUST", x="PMF", w="PC", covariates=["pm_exposed"]),
        True,
    ),
    "regression_tiktok": (tiktok_data, dict(y="OIB", x="TR", w="SC"), False),
    "regression_corprep": (corprep_data, dict(y="CUSL", x="CUSA", w="SC"), True),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    name = request.param
    maker, kw, miss = CASES[name]
    data = maker()
    if miss:
        with pytest.warns(MissingDataWarning):
            res = moderation(data, **kw)
    else:
        res = moderation(data, **kw)
    summ = load_reference(name, "mod_summary").set_index("measure")["value"]
    return {
        "res": res,
        "name": name,
        "mod": load_reference(name, "mod"),
        "slopes": load_reference(name, "mod_slopes"),
        "jn": load_reference(name, "mod_jn"),
        "summary": summ,
    }


# --- interaction model ----------------------------------------------------------


def test_model_terms(case):
    """Same terms as R; trustsem lists x, w, x:w, then covariates (R: them first)."""
    est = case["res"].model.estimates
    assert sorted(est["rhs"]) == sorted(case["mod"]["term"])
    assert list(est["rhs"][:4]) == [
        "(Intercept)",
        case["res"].x,
        case["res"].w,
        f"{case['res'].x}:{case['res'].w}",
    ]


@pytest.mark.parametrize(
    "ours,theirs",
    [
        ("est", "est"),
        ("se", "se_hc3"),
        ("z", "t_hc3"),
        ("ci_lower", "ci_lower_hc3"),
        ("ci_upper", "ci_upper_hc3"),
    ],
)
def test_model_hc3(case, ours, theirs):
    got = case["res"].model.estimates.set_index("rhs")[ours]
    ref = case["mod"].set_index("term")[theirs]
    assert close(got, ref.loc[got.index], TOL).all()


def test_model_r2(case):
    fit = load_reference(case["name"], "mod_fit").set_index("measure")["value"]
    assert close(case["res"].model.fit_measures["r2"], fit["r2"], TOL)
    assert close(case["res"].model.fit_measures["f"], fit["f_hc3"], TOL)


def test_n_and_centering(case):
    s = case["summary"]
    res = case["res"]
    assert res.model.n_obs == int(s["n"])
    assert close(res.centering.iloc[0], s["x_mean"], TOL)
    assert close(res.centering.iloc[1], s["w_mean"], TOL)


# --- simple slopes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "ours,theirs",
    [
        ("w", "w"),
        ("est", "est"),
        ("se", "se"),
        ("z", "t"),
        ("ci_lower", "ci_lower"),
        ("ci_upper", "ci_upper"),
    ],
)
def test_simple_slopes(case, ours, theirs):
    got = case["res"].simple_slopes[ours].to_numpy(float)
    assert close(got, case["slopes"][theirs], TOL).all()


def test_simple_slope_pvalues(case):
    assert np.allclose(
        case["res"].simple_slopes["pvalue"], case["slopes"]["pvalue"], atol=1e-6, rtol=0
    )


def test_simple_slope_levels(case):
    assert list(case["res"].simple_slopes["level"]) == ["-1 SD", "mean", "+1 SD"]


def test_slope_at_mean_is_x_coefficient(case):
    res = case["res"]
    b = res.model.estimates.set_index("rhs")
    mid = res.simple_slopes.iloc[1]
    assert close(mid["est"], b.loc[res.x, "est"], 1e-12)
    assert close(mid["se"], b.loc[res.x, "se"], 1e-12)


# --- Johnson-Neyman ------------------------------------------------------------------


def test_jn_bounds(case):
    got = case["res"].johnson_neyman
    assert len(got) == len(case["jn"])
    assert close(got["w"], case["jn"]["w"], TOL).all()
    assert list(got["within_range"]) == [
        str(v).upper() == "TRUE" for v in case["jn"]["within_range"]
    ]


def test_jn_proportion(case):
    assert close(
        case["res"].proportion_significant,
        case["summary"]["proportion_significant"],
        1e-12,
    )


def test_jn_bound_is_exactly_significant(case):
    res = case["res"]
    from scipy import stats

    from trustsem.structural.moderation import _conditional

    b = res.model.estimates.set_index("rhs")["est"]
    V = res.model.vcov
    x, xw = res.x, f"{res.x}:{res.w}"
    dist = stats.t(res.model.fit_measures["df_resid"])
    for w in res.johnson_neyman["w"]:
        r = _conditional(
            b[x],
            b[xw],
            V.loc[x, x],
            V.loc[x, xw],
            V.loc[xw, xw],
            np.array([w - res.centering.iloc[1]]),
            1.96,
            dist,
        )
        assert abs(r["pvalue"].iloc[0] - res.alpha) < 1e-9


def test_regions_cover_sample(case):
    reg = case["res"].regions
    assert abs(reg["proportion"].sum() - 1) < 1e-12
    assert reg["n"].sum() == case["res"].model.n_obs
    sig = reg.loc[reg["significant"], "proportion"].sum()
    assert abs(sig - case["res"].proportion_significant) < 1e-12


def test_grid_for_plotting(case):
    g = case["res"].slopes_grid
    assert list(g.columns) == [
        "w",
        "est",
        "se",
        "z",
        "pvalue",
        "ci_lower",
        "ci_upper",
        "significant",
    ]
    assert len(g) == 101 and g["w"].is_monotonic_increasing
    assert (g["ci_lower"] <= g["est"]).all() and (g["est"] <= g["ci_upper"]).all()


def test_tiktok_jn_boundary_inside_range():
    """OIB ~ TR x SC: the TR slope is significant for SC above about 1.51."""
    res = moderation(tiktok_data(), y="OIB", x="TR", w="SC")
    inside = res.johnson_neyman[res.johnson_neyman["within_range"]]
    assert len(inside) == 1 and abs(inside["w"].iloc[0] - 1.5119) < 1e-4
    assert res.regions["significant"].tolist() == [False, True]


# --- options --------------------------------------------------------------------------


def test_centering_does_not_change_slopes_or_interaction():
    d = tiktok_data()
    a = moderation(d, y="OIB", x="TR", w="SC")
    b = moderation(d, y="OIB", x="TR", w="SC", center=False)
    assert close(a.simple_slopes["est"], b.simple_slopes["est"], 1e-10).all()
    assert close(a.simple_slopes["se"], b.simple_slopes["se"], 1e-8).all()
    ia = a.model.estimates.set_index("rhs").loc["TR:SC", ["est", "se"]]
    ib = b.model.estimates.set_index("rhs").loc["TR:SC", ["est", "se"]]
    assert close(ia, ib, 1e-10).all()
    assert close(a.johnson_neyman["w"], b.johnson_neyman["w"], 1e-8).all()


def test_levels_percentile_and_values():
    d = tiktok_data()
    p = moderation(d, y="OIB", x="TR", w="SC", levels="percentile")
    assert close(
        p.simple_slopes["w"], np.percentile(d["SC"], [16, 50, 84]), 1e-12
    ).all()
    v = moderation(d, y="OIB", x="TR", w="SC", levels=[2, 3.5])
    assert list(v.simple_slopes["w"]) == [2.0, 3.5]


def test_classical_ses_option():
    res = moderation(tiktok_data(), y="OIB", x="TR", w="SC", robust=None)
    assert res.model.robust is None


def test_summary_renders():
    res = moderation(tiktok_data(), y="OIB", x="TR", w="SC")
    text = str(res.summary())
    assert "Simple slopes of TR by SC" in text and "Johnson-Neyman" in text
    assert isinstance(res, ModerationResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.x = "SC"  # type: ignore[misc]


def test_unknown_columns_named():
    with pytest.raises(SpecificationError, match="TRX"):
        moderation(tiktok_data(), y="OIB", x="TRX", w="SC")


def test_repeated_role():
    with pytest.raises(SpecificationError, match="repeated"):
        moderation(tiktok_data(), y="OIB", x="TR", w="TR")


def test_text_moderator():
    with pytest.raises(DataError, match="Q1_PROVINCE_CITY"):
        moderation(tiktok_data(), y="OIB", x="TR", w="Q1_PROVINCE_CITY")


def test_constant_moderator():
    with pytest.raises(DataError, match="constant"):
        moderation(tiktok_data().assign(k=2.0), y="OIB", x="TR", w="k")


def test_bad_levels():
    with pytest.raises(SpecificationError, match="levels"):
        moderation(tiktok_data(), y="OIB", x="TR", w="SC", levels="quartiles")


# --- product indicators --------------------------------------------------------

PMF = ["PMF1", "PMF2", "PMF3", "PMF4"]
PC = ["PC1", "PC2", "PC3", "PC4"]


def test_products_match_indprod_with_missing_values():
    df = load_example("trust_survey")
    pi = latent_interaction(df, PMF, PC)
    ref = load_reference("regression_latent", "prod_dmc")
    got = pi.data[list(pi.indicators)]
    assert list(got.columns) == list(ref.columns)
    assert (got.isna().to_numpy() == ref.isna().to_numpy()).all()
    assert np.nanmax(np.abs(got.to_numpy() - ref.to_numpy())) < 1e-10


@pytest.mark.parametrize(
    "method,fixture",
    [("double_mean_centering", "prod_dmc"), ("residual_centering", "prod_rc")],
)
def test_products_match_indprod(method, fixture):
    tt = load_example("tiktok_shop_impulse_buying")
    pi = latent_interaction(
        tt,
        [f"TR{i}" for i in range(1, 5)],
        [f"SC{i}" for i in range(1, 5)],
        method=method,
    )
    ref = load_reference("regression_tiktok", fixture)
    assert (
        np.abs(pi.data[list(pi.indicators)].to_numpy() - ref.to_numpy()).max() < 1e-10
    )


def test_product_syntax_and_names():
    pi = latent_interaction(load_example("trust_survey"), PMF, PC)
    assert pi.syntax == "PCxPMF =~ PC1_PMF1 + PC2_PMF2 + PC3_PMF3 + PC4_PMF4"
    assert pi.name == "PCxPMF"
    assert list(pi.pairs.columns) == ["indicator", "w_item", "x_item"]
    assert abs(pi.data["PC1_PMF1"].mean()) < 1e-12


def test_input_not_modified():
    df = load_example("trust_survey")
    before = df.copy()
    latent_interaction(df, PMF, PC)
    pd.testing.assert_frame_equal(df, before)


def test_all_pairs_adds_residual_covariances():
    pi = latent_interaction(
        load_example("trust_survey"), PMF[:2], PC[:2], pairing="all"
    )
    lines = pi.syntax.splitlines()
    assert lines[0] == "PCxPMF =~ PC1_PMF1 + PC1_PMF2 + PC2_PMF1 + PC2_PMF2"
    assert "PC1_PMF1 ~~ PC1_PMF2" in lines and "PC1_PMF1 ~~ PC2_PMF1" in lines
    assert "PC1_PMF1 ~~ PC2_PMF2" not in lines


def test_matched_needs_equal_lengths():
    with pytest.raises(SpecificationError, match="as many"):
        latent_interaction(load_example("trust_survey"), PMF, PC[:3])


def test_unknown_items():
    with pytest.raises(SpecificationError, match="PMF9"):
        latent_interaction(load_example("trust_survey"), PMF[:3] + ["PMF9"], PC)


def test_name_clash():
    df = load_example("trust_survey").assign(PC1_PMF1=1.0)
    with pytest.raises(SpecificationError, match="PC1_PMF1"):
        latent_interaction(df, PMF, PC)


# --- latent probe --------------------------------------------------------------

LATENT = """
PMF =~ PMF1 + PMF2 + PMF3 + PMF4
PC =~ PC1 + PC2 + PC3 + PC4
PCxPMF =~ PC1_PMF1 + PC2_PMF2 + PC3_PMF3 + PC4_PMF4
TF =~ TF1 + TF2 + TF3
TA =~ TA1 + TA2 + TA3
TI =~ TI1 + TI2 + TI3
TRUST =~ TF + TA + TI
TRUST ~ b1*PMF + b2*PC + b3*PCxPMF
"""


@pytest.fixture(scope="module")
def latent_fit():
    pi = latent_interaction(load_example("trust_survey"), PMF, PC)
    with pytest.warns(MissingDataWarning):
        return ts.sem(LATENT, pi.data)


@pytest.fixture(scope="module")
def probe(latent_fit):
    return probe_latent_interaction(latent_fit, x="PMF", w="PC", xw="PCxPMF", y="TRUST")


def test_latent_paths_match_lavaan(latent_fit):
    ref = load_reference("regression_latent", "estimates")
    ref = ref[ref["op"] == "~"].set_index("rhs")
    got = latent_fit.estimates[latent_fit.estimates["op"] == "~"].set_index("rhs")
    for rhs in ("PMF", "PC", "PCxPMF"):
        assert close(got.loc[rhs, "est"], ref.loc[rhs, "est"], TOL_EST)


def test_probe_w_sd(probe):
    ref = load_reference("regression_latent", "probe")
    assert close(probe.w_sd, ref["w"].iloc[2], TOL_EST)


@pytest.mark.parametrize("col", ["w", "est", "z"])
def test_probe_against_probe2waymc(probe, col):
    ref = load_reference("regression_latent", "probe")
    assert close(
        probe.simple_slopes[col], ref[col], TOL_EST * 10 if col == "z" else TOL_EST
    ).all()


def test_probe_se_against_probe2waymc(probe):
    ref = load_reference("regression_latent", "probe")
    rel = np.abs(probe.simple_slopes["se"] / ref["se"] - 1)
    assert (rel < TOL_SE_REL).all()


def test_probe_jn_against_r(probe):
    ref = load_reference("regression_latent", "probe_jn")
    rel = np.abs(probe.johnson_neyman["w"].to_numpy() / ref["w"].to_numpy() - 1)
    assert (rel < TOL_SE_REL).all()


def test_probe_interaction_is_negative_h13a(probe):
    """H13a: privacy concern weakens PMF -> TRUST on the simulated data."""
    b3 = probe.coefficients.set_index("rhs").loc["PCxPMF"]
    assert b3["est"] < 0 and b3["pvalue"] < 0.05
    slopes = probe.simple_slopes["est"].to_numpy()
    assert slopes[0] > slopes[1] > slopes[2]


def test_probe_summary(probe):
    text = str(probe.summary())
    assert "Simple slopes of PMF by PC" in text and "b3" in text


def test_probe_requires_labels(latent_fit):
    est = latent_fit.estimates.copy()
    est["label"] = np.nan
    fake = dataclasses.replace(latent_fit, estimates=est)
    with pytest.raises(SpecificationError, match="b1\\*PMF"):
        probe_latent_interaction(fake)


def test_probe_missing_path(latent_fit):
    with pytest.raises(SpecificationError, match="TRUST ~ XYZ"):
        probe_latent_interaction(latent_fit, x="XYZ")


def test_probe_rejects_non_result():
    with pytest.raises(SpecificationError, match="trustsem.sem"):
        probe_latent_interaction(pd.DataFrame())


def test_level_and_deprecated_alpha():
    import warnings

    d = tiktok_data()
    kw = dict(y="OIB", x="TR", w="SC")
    base = moderation(d, **kw)
    strict = moderation(d, **kw, level=0.99)
    assert base.alpha == 0.05 and base.level == 0.95
    assert strict.alpha == 0.01 and strict.level == 0.99
    s, b = strict.simple_slopes, base.simple_slopes
    assert ((s["ci_upper"] - s["ci_lower"]) > (b["ci_upper"] - b["ci_lower"])).all()
    assert list(strict.slopes_grid["significant"]) == list(strict.slopes_grid["pvalue"] < 0.01)
    with pytest.warns(FutureWarning, match="level="):
        old = moderation(d, **kw, alpha=0.01)
    pd.testing.assert_frame_equal(old.simple_slopes, strict.simple_slopes)
    pd.testing.assert_frame_equal(old.johnson_neyman, strict.johnson_neyman)
    with pytest.raises(SpecificationError, match="not both"):
        moderation(d, **kw, level=0.99, alpha=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        moderation(d, **kw, level=0.9)


def test_probe_level_and_deprecated_alpha(latent_fit, probe):
    kw = dict(x="PMF", w="PC", xw="PCxPMF", y="TRUST")
    strict = probe_latent_interaction(latent_fit, **kw, level=0.99)
    assert probe.level == 0.95 and strict.alpha == 0.01
    s, b = strict.simple_slopes, probe.simple_slopes
    assert ((s["ci_upper"] - s["ci_lower"]) > (b["ci_upper"] - b["ci_lower"])).all()
    with pytest.warns(FutureWarning, match="level="):
        old = probe_latent_interaction(latent_fit, **kw, alpha=0.01)
    pd.testing.assert_frame_equal(old.simple_slopes, strict.simple_slopes)
    with pytest.raises(SpecificationError, match="not both"):
        probe_latent_interaction(latent_fit, **kw, level=0.99, alpha=0.01)


def test_product_indicators_print_their_syntax():
    pi = latent_interaction(load_example("trust_survey"), PMF, PC)
    assert str(pi) == pi.syntax
    assert pi.syntax in pi._repr_html_()
