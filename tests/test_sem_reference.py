"""trustsem.sem/cfa against lavaan 0.6 fixtures (tests/reference, made by tests/reference/r/*.R).

Every parameter (est, se, std_lv, std_all) and every fit measure is compared,
one test per quantity so that a failure names what broke.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pytest

import trustsem as ts
from trustsem.data.datasets import load_example
from trustsem.models import load_model

from conftest import TOL_EST, TOL_FIT, TOL_SE_REL, close, load_meta, load_reference, ref_data

HS = """
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"""

POLDEM = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"""

POLDEM_EQ = POLDEM.replace("dem60 =~ y1 + y2 + y3 + y4", "dem60 =~ y1 + a*y2 + b*y3 + c*y4").replace(
    "dem65 =~ y5 + y6 + y7 + y8", "dem65 =~ y5 + a*y6 + b*y7 + c*y8")

WHEATON = """
ses     =~ education + sei
alien67 =~ anomia67 + powerless67
alien71 =~ anomia71 + powerless71
alien71 ~ alien67 + ses
alien67 ~ ses
anomia67 ~~ anomia71
powerless67 ~~ powerless71
"""

TALOR = """
pmi ~ a*cond
reaction ~ c*cond + b*pmi
ab := a*b
total := c + a*b
"""

TIKTOK_CFA = """
SC  =~ SC1 + SC2 + SC3 + SC4
SI  =~ SI1 + SI2 + SI3 + SI4 + SI5
TR  =~ TR1 + TR2 + TR3 + TR4 + TR5
HM  =~ HM1 + HM2 + HM3
SL  =~ SL1 + SL2 + SL3 + SL4
PP  =~ PP1 + PP2 + PP3 + PP4
OIB =~ OIB1 + OIB2 + OIB3
"""
TIKTOK_SEM = TIKTOK_CFA + """
TR ~ SI + PP
OIB ~ SC + SI + TR + HM + SL + PP
"""

TIKTOK_4 = """
SC =~ SC1 + SC2 + SC3 + SC4
SI =~ SI1 + SI2 + SI3 + SI4 + SI5
TR =~ TR1 + TR2 + TR3 + TR4 + TR5
HM =~ HM1 + HM2 + HM3
"""

LANCELOT = """
Trust =~ trust1 + trust2
PrCon =~ privcon1 + privcon2 + privcon3 + privcon4
Risk  =~ risk1 + risk2 + risk3
Int   =~ intent1 + intent2
Int ~ Trust + PrCon + Risk
Risk ~ Trust + PrCon
Trust ~ PrCon
"""

ECSI = """
IMAG =~ imag1 + imag2 + imag3 + imag4 + imag5
EXPE =~ expe1 + expe2 + expe3 + expe4 + expe5
QUAL =~ qual1 + qual2 + qual3 + qual4 + qual5
VAL  =~ val1 + val2 + val3 + val4
SAT  =~ sat1 + sat2 + sat3 + sat4
LOY  =~ loy1 + loy2 + loy3 + loy4
"""


def _cov_from_csv(name: str) -> pd.DataFrame:
    return ref_data(name).set_index("var")


def _hs():
    return ref_data("holzinger_swineford_1939.csv")


MIMIC = HS + "visual + textual + speed ~ ageyr\n"


def _mimic(y_missing: bool = False) -> pd.DataFrame:
    """HS with 15 ageyr values missing (and, with y_missing, NA cells in x1-x9)."""
    d = ref_data("hs_mimic_missing_x.csv")
    if y_missing:
        d = d[["ageyr"] + [f"x{i}m" for i in range(1, 10)]]
        d.columns = ["ageyr"] + [f"x{i}" for i in range(1, 10)]
    return d[["ageyr"] + [f"x{i}" for i in range(1, 10)]]


CASES = {
    "hs_cfa": lambda: ts.cfa(HS, _hs()),
    "hs_cfa_std_lv": lambda: ts.cfa(HS, _hs(), std_lv=True),
    "poldem_sem": lambda: ts.sem(POLDEM, ref_data("political_democracy.csv")),
    "poldem_equal": lambda: ts.sem(POLDEM_EQ, ref_data("political_democracy.csv")),
    "hs_fiml": lambda: ts.cfa(HS, ref_data("hs_missing.csv"), missing="fiml"),
    "hs_fiml_expected": lambda: ts.cfa(HS, ref_data("hs_missing.csv"), missing="fiml",
                                       information="expected"),
    "wheaton_cov": lambda: ts.sem(WHEATON, sample_cov=_cov_from_csv("wheaton_cov.csv"), sample_nobs=932),
    "hs_corsd": lambda: ts.cfa(HS, sample_cov=_cov_from_csv("hs_cor.csv"),
                               sample_sd=ref_data("hs_sd.csv").set_index("var")["sd"], sample_nobs=301),
    "talor_mediation": lambda: ts.sem(TALOR, ref_data("tal_or.csv")),
    "tiktok_cfa": lambda: ts.cfa(TIKTOK_CFA, load_example("tiktok_shop_impulse_buying")),
    "tiktok_sem": lambda: ts.sem(TIKTOK_SEM, load_example("tiktok_shop_impulse_buying")),
    "lancelot_sem": lambda: ts.sem(LANCELOT, load_example("lancelot_miltgen_2016")),
    "ecsi_cfa": lambda: ts.cfa(ECSI, load_example("ecsi_satisfaction")),
    "trust_sem_fiml": lambda: ts.sem(load_model("second_order"), load_example("trust_survey"),
                                     missing="fiml"),
    "trust_sem_listwise": lambda: ts.sem(load_model("second_order"), load_example("trust_survey")),
    "trust_cfa_fiml": lambda: ts.cfa(load_model("cfa_second_order"), load_example("trust_survey"),
                                     missing="fiml"),
    "trust_correlated_fiml": lambda: ts.sem(load_model("correlated"), load_example("trust_survey"),
                                            missing="fiml"),
    "hs_mlm": lambda: ts.cfa(HS, _hs(), estimator="MLM"),
    "hs_mlr": lambda: ts.cfa(HS, _hs(), estimator="MLR"),
    "hs_mlr_fiml": lambda: ts.cfa(HS, ref_data("hs_missing.csv"), estimator="MLR", missing="fiml"),
    "poldem_mlr": lambda: ts.sem(POLDEM, ref_data("political_democracy.csv"), estimator="MLR"),
    "tiktok_mlr": lambda: ts.sem(TIKTOK_SEM, load_example("tiktok_shop_impulse_buying"), estimator="MLR"),
    "trust_mlr_fiml": lambda: ts.sem(load_model("second_order"), load_example("trust_survey"),
                                     estimator="MLR", missing="fiml"),
    "tiktok_wlsmv_cfa": lambda: ts.cfa(TIKTOK_4, load_example("tiktok_shop_impulse_buying"),
                                       ordered=True),
    "tiktok_wlsmv_sem": lambda: ts.sem(TIKTOK_4 + "\nTR ~ SI\nHM ~ SC + TR",
                                       load_example("tiktok_shop_impulse_buying"), ordered=True),
    "trust_wlsmv_cfa": lambda: ts.cfa(load_model("cfa_second_order"), load_example("trust_survey"),
                                      ordered=True, missing="pairwise"),
    "trust_wlsmv_sem": lambda: ts.sem(load_model("second_order"), load_example("trust_survey"),
                                      ordered=True, missing="pairwise"),
    "hs_group": lambda: ts.cfa(HS, _hs(), group="school"),
    "hs_group_metric": lambda: ts.cfa(HS, _hs(), group="school", group_equal=["loadings"]),
    "hs_group_scalar": lambda: ts.cfa(HS, _hs(), group="school", group_equal=["loadings", "intercepts"]),
    "hs_group_strict": lambda: ts.cfa(HS, _hs(), group="school",
                                      group_equal=["loadings", "intercepts", "residuals"]),
    "hs_group_metric_std_lv": lambda: ts.cfa(HS, _hs(), group="school", std_lv=True,
                                             group_equal=["loadings"]),
    "hs_group_scalar_std_lv": lambda: ts.cfa(HS, _hs(), group="school", std_lv=True,
                                             group_equal=["loadings", "intercepts"]),
    "hs_group_lvvar_std_lv": lambda: ts.cfa(HS, _hs(), group="school", std_lv=True,
                                            group_equal=["loadings", "intercepts", "lv.variances"]),
    "hs_group_partial_std_lv": lambda: ts.cfa(HS, _hs(), group="school", std_lv=True,
                                              group_equal=["loadings", "intercepts"],
                                              group_partial=["visual=~x2", "x3~1"]),
    "hs_group_scalar_mlm": lambda: ts.cfa(HS, _hs(), group="school", estimator="MLM",
                                          group_equal=["loadings", "intercepts"]),
    "hs_mimic_ml": lambda: ts.cfa(MIMIC, _mimic(), missing="fiml"),
    "hs_mimic_ml_y": lambda: ts.cfa(MIMIC, _mimic(y_missing=True), missing="fiml"),
    "hs_mimic_mlx": lambda: ts.cfa(MIMIC, _mimic(), missing="fiml.x"),
    "hs_mimic_mlx_y": lambda: ts.cfa(MIMIC, _mimic(y_missing=True), missing="fiml.x"),
}

# warnings that lavaan also gives on these data (checked in test_sem_problems.py)
_EXPECTED_WARNINGS = {"ecsi_cfa"}
# listwise deletion on the trust survey is reported with a warning (tested elsewhere)
_EXPECTED_MISSING = {"trust_sem_listwise", "hs_mimic_ml", "hs_mimic_ml_y"}
# sparse categories make lavaan's (and our) WLSMV vcov near-singular on TikTok Shop
_EXPECTED_IDENT = {"tiktok_wlsmv_cfa", "tiktok_wlsmv_sem"}
WLSMV_CASES = {"tiktok_wlsmv_cfa", "tiktok_wlsmv_sem", "trust_wlsmv_cfa", "trust_wlsmv_sem"}


@functools.cache
def _fitted(name: str) -> ts.SEMResult:
    """The case's fit, computed once per test session (results are immutable)."""
    with warnings.catch_warnings():
        if name in _EXPECTED_WARNINGS:
            warnings.simplefilter("ignore", ts.HeywoodCaseWarning)
        if name in _EXPECTED_MISSING:
            warnings.simplefilter("ignore", ts.MissingDataWarning)
        if name in _EXPECTED_IDENT:
            warnings.simplefilter("ignore", ts.IdentificationWarning)
        return CASES[name]()


@functools.cache
def _fit_reference(name: str) -> pd.Series:
    return load_reference(name, "fit").set_index("measure")["value"]


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request):
    name = request.param
    res = _fitted(name)
    ref = load_reference(name, "estimates")
    ours = res.estimates.copy()
    keys = ["lhs", "op", "rhs"]
    if "group" in ref.columns and ref["group"].nunique() > 1:
        labels = res.options["group_labels"]
        ours["group"] = ours["group"].map(lambda g: labels.index(g) + 1 if g in labels else 0)
        ref.loc[ref["op"] == ":=", "group"] = 0
        ours.loc[ours["op"] == ":=", "group"] = 0
        keys.append("group")
    ref["rhs"] = ref["rhs"].fillna("").astype(str).str.replace(" ", "")
    ours["rhs"] = ours["rhs"].astype(str).str.replace(" ", "")
    merged = ref.merge(ours, on=keys, how="outer", suffixes=("_ref", ""), indicator=True)
    return name, res, merged, _fit_reference(name)


def test_same_parameters(case):
    name, res, merged, _ = case
    unmatched = merged[merged["_merge"] != "both"][["lhs", "op", "rhs", "_merge"]]
    assert unmatched.empty, f"{name}: rows differ from lavaan:\n{unmatched}"


def test_converged(case):
    name, res, _, _ = case
    assert res.converged, name


def test_estimates(case):
    name, _, m, _ = case
    ok = close(m["est"], m["est_ref"], TOL_EST)
    assert ok.all(), f"{name}:\n{m.loc[~ok, ['lhs', 'op', 'rhs', 'est', 'est_ref']]}"


def test_standard_errors(case):
    name, _, m, _ = case
    ref = m["se_ref"].to_numpy(float)
    ours = m["se"].to_numpy(float)
    zero = ref == 0
    ok = np.where(zero, ours == 0, np.abs(ours - ref) <= TOL_SE_REL * np.abs(ref))
    assert ok.all(), f"{name}:\n{m.loc[~ok, ['lhs', 'op', 'rhs', 'se', 'se_ref']]}"


@pytest.mark.parametrize("col", ["std_all", "std_lv"])
def test_standardized(case, col):
    name, _, m, _ = case
    ref = m[col.replace("_", ".") + "" if False else col.replace("std_", "std.")].to_numpy(float)
    ours = m[col].to_numpy(float)
    ok = close(ours, ref, TOL_EST) | (np.isnan(ref) & np.isnan(ours))
    assert ok.all(), f"{name}:\n{m.loc[~ok, ['lhs', 'op', 'rhs', col]].assign(ref=ref[~ok])}"


def test_ci_and_pvalues(case):
    name, _, m, _ = case
    free = m["se_ref"] > 0
    for ours, ref in [("ci_lower", "ci.lower"), ("ci_upper", "ci.upper")]:
        ok = close(m.loc[free, ours], m.loc[free, ref], TOL_EST + 1.96 * TOL_SE_REL * m.loc[free, "se_ref"])
        assert ok.all(), f"{name}: {ours}"
    ok = np.abs(m.loc[free, "pvalue"] - m.loc[free, "pvalue_ref"]) <= 5e-3
    assert ok.all(), f"{name}: p-values"


FIT_EXACT = ["df", "npar", "ntotal"]
WLSMV_MEASURES = ["df", "npar", "ntotal", "chisq", "pvalue", "fmin", "baseline.chisq", "baseline.df",
                  "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr",
                  "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
                  "baseline.chisq.scaled", "baseline.chisq.scaling.factor", "cfi.scaled",
                  "tli.scaled", "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled",
                  "rmsea.pvalue.scaled"]
FIT_CLOSE = ["chisq", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "nfi", "ifi", "rni",
             "srmr_bentler_nomean", "rmr_nomean",
             "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr", "rmr",
             "logl", "unrestricted.logl", "aic", "bic", "bic2", "fmin", "ecvi"]


def _fit_measure_cases() -> list[tuple[str, str]]:
    """(case, measure) for every measure the case's lavaan fixture holds: WLSMV cases
    (no likelihood) are compared on WLSMV_MEASURES, the others on FIT_EXACT + FIT_CLOSE."""
    out = []
    for name in sorted(CASES):
        wanted = WLSMV_MEASURES if name in WLSMV_CASES else FIT_EXACT + FIT_CLOSE
        held = set(_fit_reference(name).index)
        out += [(name, m) for m in dict.fromkeys(wanted) if m in held]
    return out


def test_every_case_checks_its_core_fit_measures():
    """The parametrization above does not silently shrink: each case's fixture holds
    df, npar, chisq, cfi, rmsea and srmr (the measures every lavaan fit reports)."""
    pairs = set(_fit_measure_cases())
    for name in CASES:
        for m in ["df", "npar", "chisq", "cfi", "rmsea", "srmr"]:
            assert (name, m) in pairs, (name, m)


@pytest.mark.parametrize("name,measure", _fit_measure_cases())
def test_fit_measure(name, measure):
    res, fit_ref = _fitted(name), _fit_reference(name)
    ref = float(fit_ref[measure])
    ours = float(res.fit_measures[measure.replace(".", "_")])
    if measure in FIT_EXACT:
        assert ours == ref, f"{name} {measure}: {ours} vs lavaan {ref}"
    else:
        both_nan = np.isnan(ours) and np.isnan(ref)
        assert both_nan or close(ours, ref, TOL_FIT), f"{name} {measure}: {ours} vs lavaan {ref}"


def test_nobs_matches_lavaan(case):
    name, res, _, _ = case
    meta = load_meta(name)
    assert res.options["nobs"] == meta["nobs"]


ROBUST = ["chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
          "baseline.chisq.scaled", "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled",
          "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled",
          "cfi.robust", "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust",
          "rmsea.ci.upper.robust", "rmsea.pvalue.robust"]
ROBUST_CASES = ["hs_mlm", "hs_mlr", "hs_mlr_fiml", "poldem_mlr", "tiktok_mlr", "trust_mlr_fiml",
                "hs_group_scalar_mlm"]


@pytest.fixture(scope="module", params=ROBUST_CASES)
def robust_case(request):
    name = request.param
    return name, _fitted(name), _fit_reference(name)


@pytest.mark.parametrize("measure", ROBUST)
def test_robust_fit_measure(robust_case, measure):
    name, res, ref = robust_case
    ours = float(res.fit_measures[measure.replace(".", "_")])
    assert close(ours, float(ref[measure]), TOL_FIT), f"{name} {measure}: {ours} vs {ref[measure]}"


def test_fiml_h1_information_analytic_equals_numeric():
    from trustsem.sem.engine import robust as rb
    from trustsem.sem.engine.estimate import em_saturated, make_patterns

    X = ref_data("hs_missing.csv")[[f"x{i}" for i in range(1, 10)]].to_numpy()
    pats = make_patterns(X)
    mu, S, _, _ = em_saturated(X, pats)
    assert rb.h1_trace_fiml(X, pats, mu, S) == pytest.approx(
        rb._h1_trace_fiml_numeric(X, pats, mu, S), rel=1e-7)
