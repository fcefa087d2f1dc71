"""trustsem.structural.groups: trust_index, compare_groups, repurchase_by_trust.

Reference values: tests/reference/regression_{trust,tiktok}__ttest*.csv
(R t.test, Welch and Student; d/g by formula), regression_trust__quintiles /
__contrast / __quint_logit.csv (prop.test Wilson intervals, prop.test
two-sample test, Woolf/Katz log intervals, glm binomial), made by
tests/reference/r/regression_trust.R and regression_tiktok.R; scipy as a
second check of the t tests.

Tolerances: t, df, p, mean difference, CIs, d, g, rates and contrasts 1e-6
(closed forms on identical numbers); the quintile logit 1e-4 (iterative fit).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from conftest import close, load_reference
from scipy import stats
from test_regression import tiktok_data, trust_data

from trustsem.data.datasets import load_example
from trustsem.exceptions import DataError, MissingDataWarning, SpecificationError
from trustsem.structural.groups import compare_groups, repurchase_by_trust, trust_index

TOL = 1e-6
TOL_LOGIT = 1e-4

DIMS = {
    "TF": ["TF1", "TF2", "TF3"],
    "TA": ["TA1", "TA2", "TA3"],
    "TI": ["TI1", "TI2", "TI3"],
}


# --- trust_index -------------------------------------------------------------------


def test_trust_index_formula():
    df = pd.DataFrame({"a": [1, 5, 3, 2], "b": [1, 5, 4, np.nan]})
    with pytest.warns(MissingDataWarning):
        got = trust_index(df, ["a", "b"])
    assert got.iloc[:3].tolist() == [0.0, 100.0, 62.5] and np.isnan(got.iloc[3])
    assert got.name == "trust_index"


def test_trust_index_partial_answers_with_min_items():
    df = pd.DataFrame({"a": [1, 2], "b": [3, np.nan]})
    assert trust_index(df, ["a", "b"], min_items=1).tolist() == [25.0, 25.0]


def test_trust_index_equal_weights_per_construct():
    df = pd.DataFrame({"a1": [5.0], "a2": [5.0], "a3": [5.0], "b1": [1.0]})
    got = trust_index(df, {"A": ["a1", "a2", "a3"], "B": ["b1"]})
    assert got.iloc[0] == 50.0  # (100 + 0) / 2, not 75


def test_trust_index_seven_point_scale():
    df = pd.DataFrame({"a": [1, 4, 7]})
    assert trust_index(df, ["a"], scale=(1, 7)).tolist() == [0.0, 50.0, 100.0]


def test_trust_index_out_of_scale():
    with pytest.raises(DataError, match="outside the scale"):
        trust_index(pd.DataFrame({"a": [1, 6]}), ["a"])


def test_trust_index_missing_code_is_out_of_scale():
    with pytest.raises(DataError, match="recode_missing"):
        trust_index(pd.DataFrame({"a": [1, -99]}), ["a"])


def test_trust_index_bad_scale():
    with pytest.raises(SpecificationError, match="scale"):
        trust_index(pd.DataFrame({"a": [1, 2]}), ["a"], scale=(5, 1))


def test_trust_index_unknown_item():
    with pytest.raises(SpecificationError, match="TF9"):
        trust_index(load_example("trust_survey"), ["TF1", "TF9"])


def test_trust_index_matches_r_fixture_input():
    """R builds trust_index from the three dimension means the same way."""
    d = trust_data()
    raw = d[sum(DIMS.values(), [])].mean(axis=1, skipna=False)
    assert np.allclose(d["trust_index"], 100 * (raw - 1) / 4, equal_nan=True)


# --- compare_groups ------------------------------------------------------------------

CASES = {
    "regression_trust": (trust_data, "trust_index", "pm_exposed", True),
    "regression_tiktok": (tiktok_data, "TR", "Q2_GENDER", False),
}


@pytest.fixture(scope="module", params=list(CASES))
def cmp(request):
    maker, value, group, miss = CASES[request.param]
    data = maker()
    out = {}
    for ev in (False, True):
        if miss:
            with pytest.warns(MissingDataWarning):
                out[ev] = compare_groups(data, value, group, equal_var=ev)
        else:
            out[ev] = compare_groups(data, value, group, equal_var=ev)
    ref = load_reference(request.param, "ttest").set_index("test")
    return {
        "res": out,
        "ref": ref,
        "data": data,
        "value": value,
        "group": group,
        "groups": load_reference(request.param, "ttest_groups"),
        "effects": load_reference(request.param, "ttest_effects"),
    }


@pytest.mark.parametrize("equal_var,label", [(False, "welch"), (True, "student")])
@pytest.mark.parametrize("col", ["t", "df", "mean_diff", "se", "ci_lower", "ci_upper"])
def test_ttest_against_r(cmp, equal_var, label, col):
    assert close(
        float(cmp["res"][equal_var].test[col]), cmp["ref"].loc[label, col], TOL
    )


@pytest.mark.parametrize("equal_var,label", [(False, "welch"), (True, "student")])
def test_ttest_pvalue_against_r(cmp, equal_var, label):
    # relative: the trust-survey p-values are about 1e-9
    got = float(cmp["res"][equal_var].test["pvalue"])
    assert np.isclose(got, cmp["ref"].loc[label, "pvalue"], rtol=1e-6, atol=0)


@pytest.mark.parametrize("equal_var", [False, True])
def test_ttest_against_scipy(cmp, equal_var):
    d = cmp["data"][[cmp["value"], cmp["group"]]].dropna()
    g = sorted(d[cmp["group"]].unique())
    x1 = d.loc[d[cmp["group"]] == g[0], cmp["value"]]
    x2 = d.loc[d[cmp["group"]] == g[1], cmp["value"]]
    r = stats.ttest_ind(x2, x1, equal_var=equal_var)
    t = cmp["res"][equal_var].test
    assert close(t["t"], r.statistic, 1e-10) and abs(t["pvalue"] - r.pvalue) < 1e-12


@pytest.mark.parametrize("col", ["n", "mean", "sd"])
def test_group_descriptives(cmp, col):
    assert close(cmp["res"][False].groups[col], cmp["groups"][col], TOL).all()


@pytest.mark.parametrize("col", ["est", "ci_lower", "ci_upper"])
def test_effect_sizes(cmp, col):
    eff = cmp["res"][False].effect_sizes
    assert list(eff["effect"]) == ["cohen_d", "hedges_g"]
    assert close(eff[col], cmp["effects"][col], TOL).all()


def test_effect_sizes_do_not_depend_on_welch(cmp):
    a, b = cmp["res"][False].effect_sizes, cmp["res"][True].effect_sizes
    assert close(a["est"], b["est"], 1e-12).all()


def test_pm_exposure_direction_on_bundled_data():
    """N33 structure: exposed users trust more (the simulation tempers 70 vs 85)."""
    with pytest.warns(MissingDataWarning):
        res = compare_groups(trust_data(), "trust_index", "pm_exposed")
    g = res.groups.set_index("group")
    assert g.loc[1, "mean"] > g.loc[0, "mean"]
    assert res.test["pvalue"] < 0.001 and 0.4 < res.effect_sizes["est"].iloc[0] < 0.7


def test_order_reverses_difference():
    d = tiktok_data()
    a = compare_groups(d, "TR", "Q2_GENDER")
    b = compare_groups(d, "TR", "Q2_GENDER", order=(1, 0))
    assert close(a.test["mean_diff"], -b.test["mean_diff"], 1e-12)
    assert close(a.effect_sizes["est"], -b.effect_sizes["est"], 1e-12).all()


def test_more_than_two_groups_needs_order():
    d = tiktok_data()
    with pytest.raises(SpecificationError, match="exactly two groups"):
        compare_groups(d, "TR", "Q4_INCOME")
    res = compare_groups(d, "TR", "Q4_INCOME", order=(1, 2))
    assert res.groups["group"].tolist() == [1, 2]


def test_bad_order():
    with pytest.raises(SpecificationError, match="order"):
        compare_groups(tiktok_data(), "TR", "Q2_GENDER", order=(0, 7))


def test_text_value_is_data_error():
    with pytest.raises(DataError, match="Q1_PROVINCE_CITY"):
        compare_groups(tiktok_data(), "Q1_PROVINCE_CITY", "Q2_GENDER")


def test_unknown_columns():
    with pytest.raises(SpecificationError, match="nope"):
        compare_groups(tiktok_data(), "nope", "Q2_GENDER")


def test_compare_summary_and_frozen():
    res = compare_groups(tiktok_data(), "TR", "Q2_GENDER")
    text = str(res)
    assert "Welch t test" in text and "hedges_g" in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.value = "x"  # type: ignore[misc]


# --- repurchase_by_trust -------------------------------------------------------


@pytest.fixture(scope="module")
def quint():
    with pytest.warns(MissingDataWarning, match="42 row"):
        return repurchase_by_trust(trust_data(), "trust_index", "repurchase")


@pytest.mark.parametrize(
    "col",
    [
        "n",
        "events",
        "rate",
        "ci_lower",
        "ci_upper",
        "trust_min",
        "trust_max",
        "trust_mean",
    ],
)
def test_quintile_table(quint, col):
    ref = load_reference("regression_trust", "quintiles")
    assert close(quint.by_quantile[col], ref[col], TOL).all()


@pytest.mark.parametrize("col", ["est", "ci_lower", "ci_upper", "pvalue"])
def test_top_bottom_contrast(quint, col):
    ref = load_reference("regression_trust", "contrast")
    assert list(quint.contrast["measure"]) == list(ref["measure"])
    assert close(quint.contrast[col], ref[col], TOL).all()


@pytest.mark.parametrize("col", ["est", "se", "z", "or", "or_ci_lower", "or_ci_upper"])
def test_quintile_logit(quint, col):
    ref = load_reference("regression_trust", "quint_logit")
    assert close(quint.model.estimates[col], ref[col], TOL_LOGIT).all()


def test_quintile_claim_structure(quint):
    """N10 structure on the simulated data: repurchase rises with trust."""
    by = quint.by_quantile
    assert by["rate"].iloc[-1] > by["rate"].iloc[0]
    assert quint.model.estimates["est"].iloc[1] > 0
    assert quint.model.estimates["pvalue"].iloc[1] < 0.05
    assert by["n"].sum() == quint.n_obs == 558


def test_quintile_summary(quint):
    text = str(quint.summary())
    assert "Top vs bottom group" in text and "odds_ratio" in text


def test_quintiles_non_binary_outcome():
    with pytest.raises(DataError, match="0/1"):
        repurchase_by_trust(tiktok_data(), "TR", "OIB")


def test_quintiles_too_many_ties():
    d = pd.DataFrame({"t": [1.0] * 50 + [2.0] * 2, "y": [0, 1] * 26})
    with pytest.raises(DataError, match="tied"):
        repurchase_by_trust(d, "t", "y")


def test_quintiles_bad_count():
    with pytest.raises(SpecificationError, match="quantiles"):
        repurchase_by_trust(tiktok_data().assign(y=0), "TR", "y", quantiles=1)


def test_compare_groups_level_and_deprecated_alpha():
    d = tiktok_data()
    base = compare_groups(d, "TR", "Q2_GENDER")
    wide = compare_groups(d, "TR", "Q2_GENDER", level=0.99)
    width = lambda r: r.test["ci_upper"] - r.test["ci_lower"]  # noqa: E731
    assert width(wide) > width(base)
    assert close(wide.test["pvalue"], base.test["pvalue"], 1e-12)
    with pytest.warns(FutureWarning, match="level="):
        old = compare_groups(d, "TR", "Q2_GENDER", alpha=0.01)
    pd.testing.assert_frame_equal(old.groups, wide.groups)
    pd.testing.assert_frame_equal(old.effect_sizes, wide.effect_sizes)
    with pytest.raises(SpecificationError, match="not both"):
        compare_groups(d, "TR", "Q2_GENDER", level=0.99, alpha=0.01)


def test_repurchase_by_trust_level_and_deprecated_alpha():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingDataWarning)
        base = repurchase_by_trust(trust_data(), "trust_index", "repurchase")
        wide = repurchase_by_trust(trust_data(), "trust_index", "repurchase", level=0.99)
        with pytest.warns(FutureWarning, match="level="):
            old = repurchase_by_trust(trust_data(), "trust_index", "repurchase", alpha=0.01)
        with pytest.raises(SpecificationError, match="not both"):
            repurchase_by_trust(trust_data(), "trust_index", "repurchase", level=0.99,
                                alpha=0.01)
    b, w = base.by_quantile, wide.by_quantile
    assert ((w["ci_upper"] - w["ci_lower"]) > (b["ci_upper"] - b["ci_lower"])).all()
    pd.testing.assert_frame_equal(old.by_quantile, wide.by_quantile)
