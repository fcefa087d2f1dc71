"""Robust CFI/TLI/RMSEA after FIML (FIML-corrected) and under WLSMV (catML) against lavaan 0.6-14.

Fixtures: tests/reference/r/robust_fiml.R and wlsmv_robust.R (their
``__robust_parts.csv`` hold the statistic, df and scaling factor lavaan builds
the indices from), plus the FIML and WLSMV cases of robust_ml.R and wlsmv.R.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pytest

import trustsem as ts
from trustsem.sem.engine import robust_fit as rf
from trustsem.data.datasets import load_example
from trustsem.models import load_model

from conftest import REF, TOL_FIT, close, load_reference, ref_data

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
COV = "visual =~ x1 + x2 + x3\nvisual ~ x4"
TIKTOK = ("SC =~ SC1 + SC2 + SC3 + SC4\nSI =~ SI1 + SI2 + SI3 + SI4 + SI5\n"
          "TR =~ TR1 + TR2 + TR3 + TR4 + TR5\nHM =~ HM1 + HM2 + HM3")
MEASURES = ["cfi.robust", "tli.robust", "nnfi.robust", "rni.robust", "rmsea.robust",
            "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "rmsea.pvalue.robust",
            "rmsea.notclose.pvalue.robust"]


def _hs_missing_school() -> pd.DataFrame:
    # hs_missing.csv keeps the row order of HolzingerSwineford1939 (see robust_fiml.R)
    X = ref_data("hs_missing.csv")
    return X.assign(school=ref_data("holzinger_swineford_1939.csv")["school"])


def _hs4() -> pd.DataFrame:
    return ref_data("hs_quartiles.csv")


FIML_CASES = {
    "robust_fiml_hs_ml": lambda: ts.cfa(HS, ref_data("hs_missing.csv"), missing="fiml"),
    "robust_fiml_hs_mlr": lambda: ts.cfa(HS, ref_data("hs_missing.csv"), missing="fiml",
                                         estimator="MLR"),
    "robust_fiml_hs_group_ml": lambda: ts.cfa(HS, _hs_missing_school(), missing="fiml",
                                              group="school"),
    "robust_fiml_hs_group_mlr": lambda: ts.cfa(HS, _hs_missing_school(), missing="fiml",
                                               group="school", estimator="MLR",
                                               group_equal=["loadings"]),
    "robust_fiml_trust_cfa_mlr": lambda: ts.cfa(load_model("cfa_second_order"),
                                                load_example("trust_survey"), missing="fiml",
                                                estimator="MLR"),
    "robust_fiml_hs_cov_ml": lambda: ts.sem(COV, ref_data("hs_missing.csv"), missing="fiml"),
    "robust_fiml_hs_cov_random_mlr": lambda: ts.sem(COV, ref_data("hs_missing.csv"),
                                                    missing="fiml", estimator="MLR",
                                                    fixed_x=False),
    # fixtures of robust_ml.R and hs_fiml.R
    "hs_fiml": lambda: ts.cfa(HS, ref_data("hs_missing.csv"), missing="fiml"),
    "hs_mlr_fiml": lambda: ts.cfa(HS, ref_data("hs_missing.csv"), missing="fiml",
                                  estimator="MLR"),
    "trust_mlr_fiml": lambda: ts.sem(load_model("second_order"), load_example("trust_survey"),
                                     missing="fiml", estimator="MLR"),
}
WLSMV_CASES = {
    "robust_wlsmv_hs4_cfa": lambda: ts.cfa(HS, _hs4(), ordered=True),
    "robust_wlsmv_hs4_sem": lambda: ts.sem(HS + "\nspeed ~ visual + textual", _hs4(),
                                           ordered=True),
    "robust_wlsmv_hs4_group": lambda: ts.cfa(HS, _hs4(), ordered=True, group="school"),
    "robust_wlsmv_hs4_group_equal": lambda: ts.cfa(HS, _hs4(), ordered=True, group="school",
                                                   group_equal=["loadings"]),
    "robust_wlsmv_hs4_group_thresholds": lambda: ts.cfa(
        HS, _hs4(), ordered=True, group="school", group_equal=["thresholds", "loadings"]),
    # fixtures of wlsmv.R
    "tiktok_wlsmv_cfa": lambda: ts.cfa(TIKTOK, load_example("tiktok_shop_impulse_buying"),
                                       ordered=True),
    "tiktok_wlsmv_sem": lambda: ts.sem(TIKTOK + "\nTR ~ SI\nHM ~ SC + TR",
                                       load_example("tiktok_shop_impulse_buying"), ordered=True),
    "trust_wlsmv_cfa": lambda: ts.cfa(load_model("cfa_second_order"),
                                      load_example("trust_survey"), ordered=True,
                                      missing="pairwise"),
}
CASES = {**FIML_CASES, **WLSMV_CASES}
PARTS = {"XX3": "chisq", "df3": "df", "c.hat3": "c", "XX3.null": "baseline_chisq",
         "df3.null": "baseline_df", "c.hat3.null": "baseline_c"}


def _fit(name: str, spy: list | None = None):
    """Fit a case; with ``spy`` collect the RobustParts the fit computed."""
    orig = {"fiml_corrected": rf.fiml_corrected, "catml": rf.catml}

    def wrap(fn):
        def inner(*args, **kwargs):
            out = fn(*args, **kwargs)
            spy.append(out)
            return out
        return inner

    if spy is not None:
        rf.fiml_corrected, rf.catml = wrap(orig["fiml_corrected"]), wrap(orig["catml"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ts.TrustsemWarning)
            return CASES[name]()
    finally:
        rf.fiml_corrected, rf.catml = orig["fiml_corrected"], orig["catml"]


@functools.cache
def _case(name: str):
    spy: list = []
    res = _fit(name, spy)
    ref = load_reference(name, "fit").set_index("measure")["value"]
    return name, res, ref, spy


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    return _case(request.param)


#: the cases whose R script also wrote the parts of the robust statistics
PARTS_CASES = [n for n in CASES if (REF / f"{n}__robust_parts.csv").exists()]


def test_parts_cases_cover_both_corrections():
    assert any(n in FIML_CASES for n in PARTS_CASES)
    assert any(n in WLSMV_CASES for n in PARTS_CASES)


@pytest.mark.parametrize("measure", MEASURES)
def test_robust_measure_matches_lavaan(case, measure):
    name, res, ref, _ = case
    assert measure in ref.index, f"lavaan reports {measure} for {name}"
    ours = float(res.fit_measures[measure.replace(".", "_")])
    theirs = float(ref[measure])
    if np.isnan(theirs):
        assert np.isnan(ours), f"{name} {measure}: {ours}, lavaan NA"
    else:
        assert close(ours, theirs, TOL_FIT), f"{name} {measure}: {ours} vs lavaan {theirs}"


@pytest.mark.parametrize("quantity", list(PARTS))
@pytest.mark.parametrize("name", PARTS_CASES)
def test_robust_parts_match_lavaan(name, quantity):
    _, _, _, spy = _case(name)
    ref = load_reference(name, "robust_parts").set_index("quantity")["value"]
    assert len(spy) <= 1
    # no call at all: the fit reported the indices as missing, as lavaan
    ours = float(getattr(spy[0] if spy else rf.NA_PARTS, PARTS[quantity]))
    theirs = float(ref[quantity])
    if np.isnan(theirs):
        assert np.isnan(ours)
    else:
        # statistics of several hundred: 1e-3 relative (the conftest rule above 1)
        assert close(ours, theirs, TOL_FIT), f"{name} {quantity}: {ours} vs lavaan {theirs}"


def test_scaled_statistic_is_chisq_over_c():
    ref = load_reference("robust_wlsmv_hs4_cfa", "robust_parts").set_index("quantity")["value"]
    parts = rf.RobustParts(ref["XX3"], ref["df3"], ref["c.hat3"])
    assert parts.chisq_scaled == pytest.approx(ref["XX3.scaled"], rel=1e-12)


def test_robust_indices_formulas():
    parts = rf.RobustParts(chisq=120.0, df=24, c=1.5, baseline_chisq=900.0, baseline_df=36,
                           baseline_c=1.2)
    out = rf.robust_indices(parts, df=24, baseline_df=36, N=300)
    assert out["cfi_robust"] == pytest.approx(1 - (120 - 36) / (900 - 43.2))
    assert out["tli_robust"] == pytest.approx(1 - (84 * 36) / ((900 - 43.2) * 24))
    assert out["nnfi_robust"] == out["tli_robust"]
    assert out["rni_robust"] == pytest.approx(out["cfi_robust"])
    assert out["rmsea_robust"] == pytest.approx(np.sqrt(120 / 300 / 24 - 1.5 / 300))
    lo, hi = out["rmsea_ci_lower_robust"], out["rmsea_ci_upper_robust"]
    assert lo < out["rmsea_robust"] < hi
    two = rf.robust_indices(parts, df=24, baseline_df=36, N=300, G=2)
    assert two["rmsea_robust"] == pytest.approx(np.sqrt(2) * out["rmsea_robust"])


def test_robust_indices_missing_parts_are_nan():
    out = rf.robust_indices(rf.NA_PARTS, df=24, baseline_df=36, N=300)
    assert set(out) == set(rf.ROBUST_NAMES)
    assert all(np.isnan(v) for v in out.values())


def test_catml_gives_up_on_non_positive_definite_polychorics():
    R = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]])
    g = rf.CatGroup(R=R, Sigma=np.eye(3), jacobian=np.zeros((3, 1)), w=np.ones(3),
                    gamma=np.eye(3), nobs=100, nth=0, rows=np.array([1, 2, 2]),
                    cols=np.array([0, 0, 1]))
    assert np.isnan(rf.catml([g], df=2).chisq)



def test_wlsmv_with_continuous_variables_reports_nan():
    # lavaan's catML is for ordered data only: NA for mixed models (hs4_wlsmv_mixed)
    hs = ref_data("holzinger_swineford_1939.csv")
    d = _hs4()[["x1", "x2"]].join(hs[["x3", "x4", "x5", "x6"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ts.TrustsemWarning)
        res = ts.cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", d, ordered=["x1", "x2"])
    fm = res.fit_measures
    assert all(np.isnan(fm[k]) for k in rf.ROBUST_NAMES)
    assert np.isfinite(fm["cfi_scaled"])
