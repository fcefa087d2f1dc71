"""Measurement invariance ladder, score tests and cross-group Wald tests against lavaan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import trustsem as ts
from trustsem.structural.invariance import compare_paths, invariance, score_tests

from conftest import REF, TOL_FIT, TOL_SE_REL, close, load_reference, ref_data

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
LEVEL_CASE = {"configural": "hs_group", "metric": "hs_group_metric",
              "scalar": "hs_group_scalar", "strict": "hs_group_strict"}


@pytest.fixture(scope="module")
def hs():
    return ref_data("holzinger_swineford_1939.csv")


@pytest.fixture(scope="module")
def ladder(hs):
    return invariance(HS, hs, "school", partial_search=False)


@pytest.mark.parametrize("level", list(LEVEL_CASE))
@pytest.mark.parametrize("measure", ["chisq", "df", "cfi", "tli", "rmsea", "srmr", "npar"])
def test_ladder_equals_lavaan(ladder, level, measure):
    ref = load_reference(LEVEL_CASE[level], "fit").set_index("measure")["value"]
    ours = ladder.table.loc[level, measure]
    if measure in ("df", "npar"):
        assert ours == ref[measure]
    else:
        assert close(ours, ref[measure], TOL_FIT), (level, measure, ours, ref[measure])


def test_differences_and_verdicts(ladder):
    t = ladder.table
    assert np.isnan(t.loc["configural", "delta_chisq"])
    assert t.loc["metric", "delta_df"] == 6
    assert t.loc["metric", "delta_chisq"] == pytest.approx(
        t.loc["metric", "chisq"] - t.loc["configural", "chisq"])
    assert t.loc["metric", "verdict"] == "holds"
    # HS scalar invariance fails by school (a well-known result): ΔCFI < -.01
    assert t.loc["scalar", "delta_cfi"] < -0.01
    assert t.loc["scalar", "verdict"] == "not supported"


def test_score_tests_equal_lavTestScore(hs):
    fit = ts.cfa(HS, hs, group="school", group_equal=["loadings", "intercepts"])
    ours = score_tests(fit).set_index("constraint")
    ref = pd.read_csv(REF / "hs_score_tests.csv").set_index("constraint")
    assert set(ours.index) == set(ref.index)
    for c in ref.index:
        assert ours.loc[c, "lm"] == pytest.approx(ref.loc[c, "X2"], rel=1e-3, abs=1e-3), c


def test_partial_search_frees_largest_score(hs):
    inv = invariance(HS, hs, "school", levels=("configural", "metric", "scalar"))
    t = inv.table
    assert "scalar (partial)" in t.index
    freed = t.loc["scalar (partial)", "freed"].split(", ")
    assert freed[0] == "x3~1"          # largest LM in lavTestScore too
    assert t.loc["scalar (partial)", "verdict"] in ("holds (partial)", "not supported")
    assert any("released" in n for n in inv.notes)
    assert "Measurement invariance" in str(inv)


def test_compare_paths_equals_lavTestWald(hs):
    fit = ts.sem(HS + "\nspeed ~ visual + textual", hs, group="school")
    ours = compare_paths(fit).set_index("path")
    ref = pd.read_csv(REF / "hs_wald_paths.csv").set_index("path")
    for p in ref.index:
        # a Wald statistic is (difference / its SE)^2: it carries the SE tolerance
        assert ours.loc[p, "chisq"] == pytest.approx(ref.loc[p, "stat"], rel=TOL_SE_REL)
        assert ours.loc[p, "df"] == ref.loc[p, "df"]


def test_errors(hs):
    with pytest.raises(ts.SpecificationError, match="order"):
        invariance(HS, hs, "school", levels=("metric", "configural"))
    with pytest.raises(ts.SpecificationError, match="multi-group"):
        compare_paths(ts.cfa(HS, hs))
    with pytest.raises(ts.SpecificationError, match="school2"):
        invariance(HS, hs, "school2")


@pytest.fixture(scope="module")
def trust():
    return ts.load_example("trust_survey")


def test_invariance_on_bundled_survey_by_pm_exposure(trust):
    m = "TF =~ TF1 + TF2 + TF3\nTA =~ TA1 + TA2 + TA3\nTI =~ TI1 + TI2 + TI3"
    inv = invariance(m, trust, "pm_exposed", missing="fiml")
    t = inv.table
    assert list(t.index[:2]) == ["configural", "metric"]
    assert (t["df"].diff().dropna() > 0).all()          # each level adds constraints
    # the simulator uses the same measurement model in both groups
    assert t.loc["metric", "verdict"] == "holds"


def test_trust_stage_paths_by_tenure(trust):
    """H10 (trust stage): compare TRUST -> PI between low- and high-tenure users."""
    data = trust.assign(stage=np.where(trust["tenure_years"] > trust["tenure_years"].median(),
                                       "experienced", "new"))
    m = ("TRUST =~ TF1 + TF2 + TF3 + TA1 + TA2 + TA3\nPI =~ PI1 + PI2 + PI3 + PI4\n"
         "PI ~ TRUST")
    fit = ts.sem(m, data, group="stage", missing="fiml")
    cmp_ = compare_paths(fit).set_index("path")
    assert set(cmp_.columns) >= {"est_new", "est_experienced", "chisq", "df", "pvalue"}
    assert cmp_.loc["PI~TRUST", "df"] == 1 and 0 <= cmp_.loc["PI~TRUST", "pvalue"] <= 1


# ---------------------------------------------------------------------------
# the table shows every full level, then its partial version


@pytest.fixture(scope="module")
def searched(hs):
    return invariance(HS, hs, "school")


def test_full_level_shown_before_its_partial_version(searched):
    t = searched.table
    assert list(t.index) == ["configural", "metric", "scalar", "scalar (partial)",
                             "strict (on partial scalar)"]
    # the full scalar model is lavaan's group.equal = c("loadings", "intercepts")
    ref_s = load_reference("hs_group_scalar", "fit").set_index("measure")["value"]
    ref_m = load_reference("hs_group_metric", "fit").set_index("measure")["value"]
    assert close(t.loc["scalar", "chisq"], ref_s["chisq"], TOL_FIT)
    assert close(t.loc["scalar", "delta_cfi"], ref_s["cfi"] - ref_m["cfi"], TOL_FIT)
    assert t.loc["scalar", "delta_cfi"] < -0.03
    assert t.loc["scalar", "verdict"] == "not supported"
    assert t.loc["scalar", "freed"] == ""
    assert t.loc["scalar (partial)", "freed"].startswith("x3~1")
    assert t.loc["scalar (partial)", "verdict"] == "holds (partial)"
    # partial scalar and strict are compared with the model they rest on
    assert t.loc["scalar (partial)", "delta_df"] == t.loc["scalar (partial)", "df"] - t.loc["metric", "df"]
    strict = t.loc["strict (on partial scalar)"]
    assert strict["delta_df"] == 9
    assert strict["delta_chisq"] == pytest.approx(strict["chisq"] - t.loc["scalar (partial)", "chisq"])
    assert t["converged"].all()
    assert set(searched.fits) == set(t.index)
    assert any("Higher levels are fitted on this partial scalar model" in n for n in searched.notes)


def test_non_converged_level_never_holds(hs, monkeypatch):
    import dataclasses
    import importlib

    inv_mod = importlib.import_module("trustsem.structural.invariance")

    real = inv_mod.sem

    def fake(model, data, **kw):
        res = real(model, data, **kw)
        if "residuals" in kw.get("group_equal", ()):
            return dataclasses.replace(res, converged=False)
        return res

    monkeypatch.setattr(inv_mod, "sem", fake)
    t = invariance(HS, hs, "school", partial_search=False).table
    assert t.loc["strict", "verdict"] == "not converged"
    assert not t.loc["strict", "converged"]
    assert np.isnan(t.loc["strict", "delta_cfi"])


def test_unidentified_level_is_not_assessed(hs, monkeypatch):
    import dataclasses
    import importlib

    inv_mod = importlib.import_module("trustsem.structural.invariance")

    real = inv_mod.sem

    def fake(model, data, **kw):
        res = real(model, data, **kw)
        if "residuals" in kw.get("group_equal", ()):
            return dataclasses.replace(res, vcov=res.vcov * np.nan)
        return res

    monkeypatch.setattr(inv_mod, "sem", fake)
    inv = invariance(HS, hs, "school", partial_search=False)
    assert inv.table.loc["strict", "verdict"] == "not identified"
    assert any("not identified" in n for n in inv.notes)


# ---------------------------------------------------------------------------
# MLR / MLM: robust indices and the Satorra-Bentler (2001) scaled Δχ²
# (tests/reference/r/hs_invariance_robust.R)


@pytest.fixture(scope="module")
def robust_ladders(hs):
    return {est: invariance(HS, hs, "school", estimator=est, partial_search=False)
            for est in ("MLR", "MLM")}


@pytest.mark.parametrize("estimator,level", [
    ("MLR", "configural"), ("MLR", "metric"), ("MLR", "scalar"), ("MLR", "strict"),
    ("MLM", "configural"), ("MLM", "metric"), ("MLM", "scalar"), ("MLM", "strict")])
def test_robust_ladder_equals_lavaan(robust_ladders, estimator, level):
    case = f"hs_invariance_{estimator.lower()}"
    t = robust_ladders[estimator].table
    lev = load_reference(case, "levels").set_index("level")
    assert t.loc[level, "df"] == lev.loc[level, "df"]
    for ours, theirs in [("chisq", "chisq"), ("chisq_scaled", "chisq_scaled"),
                         ("pvalue_scaled", "pvalue_scaled"), ("cfi", "cfi_robust"),
                         ("tli", "tli_robust"), ("rmsea", "rmsea_robust"), ("srmr", "srmr")]:
        assert close(t.loc[level, ours], lev.loc[level, theirs], TOL_FIT), (level, ours)
    lrt = load_reference(case, "lrt").set_index("restricted")
    assert lrt["heading"].str.contains("satorra.bentler.2001").all()
    if level in lrt.index:
        assert t.loc[level, "delta_df"] == lrt.loc[level, "df_diff"]
        assert close(t.loc[level, "delta_chisq"], lrt.loc[level, "chisq_diff"], TOL_FIT), level
        assert close(t.loc[level, "p_delta"], lrt.loc[level, "pvalue"], TOL_FIT), level


def test_robust_delta_chisq_is_scaled(robust_ladders):
    """Δχ² under MLR is the Satorra-Bentler (2001) statistic, not the raw ML difference."""
    t = robust_ladders["MLR"].table
    raw = t.loc["scalar", "chisq"] - t.loc["metric", "chisq"]
    f1, f0 = robust_ladders["MLR"].fits["metric"].fit_measures, robust_ladders["MLR"].fits["scalar"].fit_measures
    cd = (f0["df"] * f0["chisq_scaling_factor"] - f1["df"] * f1["chisq_scaling_factor"]) / 6
    assert t.loc["scalar", "delta_chisq"] == pytest.approx(raw / cd)
    assert abs(t.loc["scalar", "delta_chisq"] - raw) > 0.1
    assert any("Satorra-Bentler (2001)" in n for n in robust_ladders["MLR"].notes)


def test_estimator_checked(hs):
    with pytest.raises(ts.SpecificationError, match="estimator"):
        invariance(HS, hs, "school", estimator="ULS")
    with pytest.raises(ts.SpecificationError, match="WLSMV"):
        invariance(HS, hs, "school", estimator="MLR", ordered=True)
    with pytest.raises(ts.SpecificationError, match="intercepts"):
        invariance(HS, hs, "school", ordered=True, levels=("configural", "scalar"))


# ---------------------------------------------------------------------------
# the categorical ladder (tests/reference/r/hs4_invariance_ordered.R)


@pytest.fixture(scope="module")
def ordered_ladder():
    return invariance(HS, ref_data("hs_ordinal4.csv"), "school", ordered=True)


def test_ordered_ladder_equals_lavaan(ordered_ladder):
    t = ordered_ladder.table
    assert list(t.index) == ["configural", "thresholds", "thresholds + loadings"]
    lev = load_reference("hs4_invariance_ordered", "levels").set_index("level")
    for level in t.index:
        assert t.loc[level, "df"] == lev.loc[level, "df"]
        assert t.loc[level, "npar"] == lev.loc[level, "npar"]
        for ours, theirs in [("chisq", "chisq"), ("chisq_scaled", "chisq_scaled"),
                             ("cfi", "cfi_scaled"), ("tli", "tli_scaled"),
                             ("rmsea", "rmsea_scaled"), ("srmr", "srmr")]:
            assert close(t.loc[level, ours], lev.loc[level, theirs], TOL_FIT), (level, ours)
    lrt = load_reference("hs4_invariance_ordered", "lrt").set_index("restricted")
    for level in ["thresholds", "thresholds + loadings"]:
        assert t.loc[level, "delta_df"] == lrt.loc[level, "df_diff"]
        assert close(t.loc[level, "delta_chisq"], lrt.loc[level, "chisq_diff"], TOL_FIT), level
        assert close(t.loc[level, "p_delta"], lrt.loc[level, "pvalue"], TOL_FIT), level
    assert t["converged"].all()
    assert any("scaled-shifted" in n for n in ordered_ladder.notes)


def test_ordered_ladder_with_group_partial():
    t = invariance(HS, ref_data("hs_ordinal4.csv"), "school", ordered=True,
                   levels=("configural", "thresholds", "thresholds + loadings"),
                   group_partial=["visual=~x2"]).table
    lev = load_reference("hs4_invariance_ordered", "levels").set_index("level")
    lrt = load_reference("hs4_invariance_ordered", "lrt").set_index("restricted")
    name = "thresholds + loadings (partial)"
    assert t.loc["thresholds + loadings", "df"] == lev.loc[name, "df"]
    assert close(t.loc["thresholds + loadings", "chisq_scaled"], lev.loc[name, "chisq_scaled"], TOL_FIT)
    assert close(t.loc["thresholds + loadings", "delta_chisq"], lrt.loc[name, "chisq_diff"], TOL_FIT)


# ---------------------------------------------------------------------------
# score tests and path comparisons under each estimator


@pytest.mark.parametrize("estimator", ["ML", "MLR", "MLM"])
def test_score_tests_for_ml_family(hs, estimator):
    """The score test is the normal-theory LM at the constrained ML estimates, whatever the SEs."""
    fit = ts.cfa(HS, hs, group="school", group_equal=["loadings", "intercepts"], estimator=estimator)
    ours = score_tests(fit).set_index("constraint")
    ref = pd.read_csv(REF / "hs_score_tests.csv").set_index("constraint")
    for c in ref.index:
        assert ours.loc[c, "lm"] == pytest.approx(ref.loc[c, "X2"], rel=1e-3, abs=1e-3), c


def test_score_tests_on_a_bootstrap_fit(hs):
    """Same constrained estimates as the ML fit, so the same score tests."""
    fit = ts.cfa(HS, hs, group="school", group_equal=["loadings", "intercepts"], se="bootstrap",
                 bootstrap=20, seed=1, n_jobs=1, progress=False)
    ours = score_tests(fit).set_index("constraint")
    ref = pd.read_csv(REF / "hs_score_tests.csv").set_index("constraint")
    for c in ref.index:
        assert ours.loc[c, "lm"] == pytest.approx(ref.loc[c, "X2"], rel=1e-3, abs=1e-3), c


def test_score_tests_with_fiml(hs):
    miss = ref_data("hs_missing.csv").assign(school=hs["school"])
    fit = ts.cfa(HS, miss, group="school", group_equal=["loadings"], missing="fiml")
    st = score_tests(fit)
    assert len(st) == 6 and (st["lm"] >= 0).all()


def test_score_tests_refuse_wlsmv():
    fit = ts.cfa(HS, ref_data("hs_ordinal4.csv"), ordered=True, group="school",
                 group_equal=["thresholds", "loadings"])
    with pytest.raises(ts.SpecificationError, match="maximum-likelihood"):
        score_tests(fit)


PATHS = HS + "\nspeed ~ visual + textual"


@pytest.mark.parametrize("estimator", ["MLR", "MLM", "WLSMV"])
def test_compare_paths_equals_lavTestWald_robust(hs, estimator):
    if estimator == "WLSMV":
        fit = ts.sem(PATHS, ref_data("hs_ordinal4.csv"), group="school", ordered=True)
    else:
        fit = ts.sem(PATHS, hs, group="school", estimator=estimator)
    ours = compare_paths(fit).set_index("path")
    ref = pd.read_csv(REF / "hs_wald_paths_robust.csv")
    ref = ref[ref["estimator"] == estimator].set_index("path")
    for p in ref.index:
        assert ours.loc[p, "chisq"] == pytest.approx(ref.loc[p, "stat"], rel=TOL_SE_REL), p
        assert ours.loc[p, "df"] == ref.loc[p, "df"]


def test_compare_paths_fiml_and_bootstrap(hs):
    miss = ref_data("hs_missing.csv").assign(school=hs["school"])
    fit = ts.sem(PATHS, miss, group="school", missing="fiml")
    cmp_ = compare_paths(fit).set_index("path")
    assert (cmp_["df"] == 1).all() and cmp_["pvalue"].between(0, 1).all()
    boot = ts.sem(PATHS, hs, group="school", se="bootstrap", bootstrap=200, seed=3, n_jobs=1,
                  progress=False)
    bcmp = compare_paths(boot).set_index("path")
    ref = pd.read_csv(REF / "hs_wald_paths.csv").set_index("path")
    # Wald test on the covariance matrix of the bootstrap draws: same scale as the
    # information-based test, within bootstrap noise (200 draws)
    for p in ref.index:
        assert bcmp.loc[p, "chisq"] == pytest.approx(ref.loc[p, "stat"], rel=0.5), p
