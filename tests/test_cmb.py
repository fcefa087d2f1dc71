"""Common-method-bias battery against lavaan 0.6-14 / psych 2.2.9.

Reference values: tests/reference/<case>__cmb_harman.csv, __cmb_cfa.csv,
__cmb_ulmc.csv, __cmb_vif.csv, __cmb_marker.csv from
tests/reference/r/measurement_<case>.R. The R scripts fit every CFA on the
complete rows of the model items; cmb_battery(missing="listwise") uses the
same rows (the trust survey loses 198 of 600 rows, hence the warning).

Tolerances (absolute): closed-form shares, VIFs and marker statistics
TOL_EXACT = 1e-6; fit measures, standardized loadings and the one-factor
minres share (iterative) TOL_EST = 1e-3 (chi-square relative above 1).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import TOL_EST, TOL_EXACT, close, load_reference

from trustsem.measurement.cmb import CMBResult, cmb_battery
from trustsem.data.datasets import load_example
from trustsem.exceptions import DataError, MissingDataWarning, SpecificationError
from trustsem.models import load_model

HS_MODEL = """
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"""
TIKTOK_MODEL = """
SC  =~ SC1 + SC2 + SC3 + SC4
SI  =~ SI1 + SI2 + SI3 + SI4 + SI5
TR  =~ TR1 + TR2 + TR3 + TR4 + TR5
HM  =~ HM1 + HM2 + HM3
SL  =~ SL1 + SL2 + SL3 + SL4
PP  =~ PP1 + PP2 + PP3 + PP4
OIB =~ OIB1 + OIB2 + OIB3
"""

_RESULTS: dict[str, CMBResult] = {}


def _run(case: str) -> CMBResult:
    if case not in _RESULTS:
        if case == "hs":
            res = cmb_battery(load_example("holzinger_swineford_1939"), HS_MODEL,
                              marker="grade")
        elif case == "tiktok":
            res = cmb_battery(load_example("tiktok_shop_impulse_buying"), TIKTOK_MODEL)
        else:
            with pytest.warns(MissingDataWarning, match="402 of 600"):
                res = cmb_battery(load_example("trust_survey"),
                                  load_model("cfa_correlated"), marker="tenure_years")
        _RESULTS[case] = res
    return _RESULTS[case]


@pytest.fixture(scope="module", params=["hs", "tiktok", "trust"])
def case(request) -> str:
    return request.param


def test_result_type(case):
    res = _run(case)
    assert isinstance(res, CMBResult)
    assert list(res.verdicts.columns) == ["test", "statistic", "value", "threshold",
                                          "flagged", "verdict"]
    assert "Common-method-bias battery" in str(res.summary())


def test_harman_efa(case):
    res = _run(case)
    ref = load_reference(case, "cmb_harman").iloc[0]
    h = res.harman
    assert abs(h.loc[0, "share"] - ref["pc_share"]) <= TOL_EXACT
    assert abs(h.loc[0, "first_eigenvalue"] - ref["pc_first_eigenvalue"]) <= TOL_EXACT
    assert abs(h.loc[1, "share"] - ref["fa_share"]) <= TOL_EST
    v = res.verdicts.set_index("test").loc["harman_efa"]
    assert v["flagged"] == (ref["pc_share"] > 0.5)
    assert "50%" in v["verdict"]


@pytest.mark.parametrize("col", ["chisq", "df", "cfi", "tli", "rmsea", "srmr"])
def test_fit_comparison(case, col):
    res = _run(case)
    ref = load_reference(case, "cmb_cfa").set_index("model")
    got = res.fit_comparison.set_index("model")
    assert close(got.loc[ref.index, col], ref[col], TOL_EST).all()


def test_harman_cfa_verdict(case):
    res = _run(case)
    comp = res.fit_comparison.set_index("model")
    one = comp.loc["one_factor"]
    assert one["delta_df"] == one["df"] - comp.loc["measurement", "df"]
    assert one["delta_chisq"] == pytest.approx(one["chisq"] - comp.loc["measurement",
                                                                       "chisq"])
    v = res.verdicts.set_index("test").loc["harman_cfa"]
    # the one-factor model fits far worse in all three data sets
    assert not v["flagged"] and "fits much worse" in v["verdict"]


@pytest.mark.parametrize("col", ["std_without", "std_with"])
def test_ulmc_loadings(case, col):
    res = _run(case)
    ref = load_reference(case, "cmb_ulmc")
    got = res.ulmc.set_index(["construct", "item"])
    exp = ref.set_index(["construct", "item"])[col]
    np.testing.assert_allclose(got.loc[exp.index, col], exp, atol=TOL_EST, rtol=0)
    d = got["std_without"] - got["std_with"]
    np.testing.assert_allclose(got["difference"], d)
    assert (got["flagged"] == (d.abs() > 0.2)).all()


def test_ulmc_method_loadings(case):
    res = _run(case)
    ref = load_reference(case, "cmb_ulmc").set_index("item")["method_std"]
    got = res.ulmc.set_index("item")["method_loading"]
    if ref.isna().all():
        # tiktok: the method factor's variance is negative (lavaan: "some estimated
        # lv variances are negative"), so standardized method loadings are undefined
        assert got.isna().all()
        assert any("variance is estimated negative" in n for n in res.notes)
        assert res.method_variance == 0.0
    else:
        np.testing.assert_allclose(got.loc[ref.index], ref, atol=TOL_EST, rtol=0)
        assert res.method_variance == pytest.approx(float((got ** 2).mean()))


def test_vif(case):
    res = _run(case)
    ref = load_reference(case, "cmb_vif").set_index("construct")["vif"]
    got = res.vif.set_index("construct")
    np.testing.assert_allclose(got.loc[ref.index, "vif"], ref, atol=TOL_EXACT, rtol=0)
    assert (got["flagged"] == (got["vif"] > 3.3)).all()


def test_marker(case):
    res = _run(case)
    if case == "tiktok":
        assert res.marker is None and res.marker_r is None
        assert "marker" not in set(res.verdicts["test"])
        return
    ref = load_reference(case, "cmb_marker")
    got = res.marker
    for col in ["r", "r_adjusted", "t", "pvalue"]:
        np.testing.assert_allclose(got[col], ref[col], atol=TOL_EXACT, rtol=0)
    assert (got["significant_after"] == (got["pvalue"] < 0.05)).all()
    import json

    from conftest import REF

    meta = json.loads((REF / f"{case}__measurement_meta.json").read_text())
    assert res.marker_r == pytest.approx(meta["cmb"]["marker"]["r_m"], abs=TOL_EXACT)


def test_marker_bad_input():
    hs = load_example("holzinger_swineford_1939")
    with pytest.raises(SpecificationError, match="no_such_column"):
        cmb_battery(hs, HS_MODEL, marker="no_such_column")
    with pytest.raises(SpecificationError, match="'x1'.*item of the model"):
        cmb_battery(hs, HS_MODEL, marker="x1")
    hs = hs.copy()
    hs["const"] = 1.0
    with pytest.raises(DataError, match="'const'"):
        cmb_battery(hs, HS_MODEL, marker="const")


def test_marker_negative_correlation_means_no_adjustment():
    hs = load_example("holzinger_swineford_1939")
    res = cmb_battery(hs, HS_MODEL, marker="ageyr")   # correlates -0.02 with visual
    assert res.marker_r == 0.0
    np.testing.assert_allclose(res.marker["r_adjusted"], res.marker["r"])
    assert any("not positive" in n for n in res.notes)


def test_reuses_fit_and_unknown_items():
    import trustsem as ts

    hs = load_example("holzinger_swineford_1939")
    fit = ts.cfa(HS_MODEL, hs)
    res = cmb_battery(hs, HS_MODEL, fit=fit)
    ref = load_reference("hs", "cmb_cfa").set_index("model")
    assert close(res.fit_comparison.set_index("model").loc["measurement", "chisq"],
                 ref.loc["measurement", "chisq"], TOL_EST)
    with pytest.raises(SpecificationError, match="x42"):
        cmb_battery(hs, "f =~ x1 + x2 + x42")


def test_level_sets_the_test_decisions_and_alpha_is_a_deprecated_alias():
    import warnings

    hs = load_example("holzinger_swineford_1939")
    default = cmb_battery(hs, HS_MODEL, marker="ageyr")
    strict = cmb_battery(hs, HS_MODEL, marker="ageyr", level=0.999)
    rows = default.verdicts.set_index("test")
    assert rows.loc["harman_cfa", "threshold"] == "CFI >= .90 or delta chi2 p >= 0.05"
    assert strict.verdicts.set_index("test").loc["harman_cfa", "threshold"] == (
        "CFI >= .90 or delta chi2 p >= 0.001")
    assert "at 0.001." in strict.verdicts.set_index("test").loc["marker", "verdict"]
    p = strict.marker["pvalue"]
    assert list(strict.marker["significant_after"]) == list(p < 0.001)
    with pytest.warns(FutureWarning, match="level="):
        old = cmb_battery(hs, HS_MODEL, marker="ageyr", alpha=0.001)
    assert old.verdicts.equals(strict.verdicts)
    assert old.marker.equals(strict.marker)
    with pytest.raises(SpecificationError, match="not both"):
        cmb_battery(hs, HS_MODEL, level=0.95, alpha=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        cmb_battery(hs, HS_MODEL, level=0.9)
    with pytest.raises(SpecificationError, match="level"):
        cmb_battery(hs, HS_MODEL, level=1.5)
