"""Measurement invariance ladder, score tests and cross-group Wald tests against lavaan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import trustsem as ts
from trustsem.invariance import compare_paths, invariance, score_tests

from conftest import REF, TOL_FIT, close, load_reference, ref_data

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
        assert ours.loc[p, "chisq"] == pytest.approx(ref.loc[p, "stat"], rel=1e-2)
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
