"""trustsem.structural.regression (ols, logit, hierarchical) against R 4.2 fixtures.

Fixtures: tests/reference/regression_{trust,tiktok,corprep}__*.csv, made by
tests/reference/r/regression_<name>.R with lm/glm, sandwich 3.0-2 (HC0-HC3,
also checked against the hand-made sandwich formula in the script), lmtest
and car::vif.

Tolerances (stated here, per quantity):
- OLS estimates, SEs (classical and HC), t, CIs, std_all, VIF, R², F, logl,
  AIC, BIC: 1e-6 (absolute below 1, relative above; the same least-squares
  problem solved twice).
- p-values: 1e-6 absolute (they are mostly tiny).
- Logit estimates, SEs, z, CIs, odds ratios, logl and derived measures: 1e-4
  (iterative fits: Newton-Raphson in statsmodels vs IRLS in glm, each with
  its own stopping rule).
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import close, load_meta, load_reference

from trustsem.data.datasets import load_example
from trustsem.exceptions import (
    DataError,
    EstimationError,
    MissingDataWarning,
    SpecificationError,
)
from trustsem.structural.groups import trust_index
from trustsem.data.prep import scale_scores
from trustsem.structural.regression import RegressionResult, hierarchical, logit, ols
from trustsem.sem.results import Summary

TOL_OLS = 1e-6
TOL_LOGIT = 1e-4

TRUST_CONSTRUCTS = {
    "PREP": 4,
    "PASS": 5,
    "MREP": 4,
    "PQ": 3,
    "INFO": 4,
    "SOC": 4,
    "EXP": 3,
    "TF": 3,
    "TA": 3,
    "TI": 3,
    "PI": 4,
    "PC": 4,
    "PMF": 4,
    "LOY": 3,
}
TIKTOK_CONSTRUCTS = {"SC": 4, "SI": 5, "TR": 5, "HM": 3, "SL": 4, "PP": 4, "OIB": 3}


def _items(spec: dict[str, int], sep: str = "") -> dict[str, list[str]]:
    return {c: [f"{c}{sep}{i}" for i in range(1, k + 1)] for c, k in spec.items()}


def trust_data() -> pd.DataFrame:
    """Bundled survey plus composite scores, as in regression_trust.R."""
    df = load_example("trust_survey")
    items = _items(TRUST_CONSTRUCTS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingDataWarning)
        sc = scale_scores(df, items)
        trust = scale_scores(df, {"TRUST": items["TF"] + items["TA"] + items["TI"]})
        idx = trust_index(df, {k: items[k] for k in ("TF", "TA", "TI")})
    return pd.concat([df, sc, trust, idx], axis=1)


def tiktok_data() -> pd.DataFrame:
    df = load_example("tiktok_shop_impulse_buying")
    out = pd.concat([df, scale_scores(df, _items(TIKTOK_CONSTRUCTS))], axis=1)
    out["OIB_high"] = (out["OIB"] >= 4).astype(int)
    return out


def corprep_data() -> pd.DataFrame:
    df = load_example("corp_rep").replace(-99, np.nan)
    out = df.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingDataWarning)
        out["CUSL"] = scale_scores(df, {"CUSL": ["cusl_1", "cusl_2", "cusl_3"]})["CUSL"]
        out["SC"] = scale_scores(df, {"SC": [f"switch_{i}" for i in range(1, 5)]})["SC"]
    out["CUSA"] = df["cusa"]
    return out


OLS_CASES = {
    "regression_trust": (
        trust_data,
        "TRUST ~ PREP + PASS + MREP + PQ + INFO + SOC + EXP + PMF + pm_exposed",
        True,
    ),
    "regression_tiktok": (tiktok_data, "OIB ~ SC + SI + TR + HM + SL + PP", False),
    "regression_corprep": (corprep_data, "CUSL ~ CUSA + SC", True),
}


def _fit(maker, formula, has_missing, **kw):
    data = maker()
    if has_missing:
        with pytest.warns(MissingDataWarning):
            return ols(formula, data, **kw)
    return ols(formula, data, **kw)


@pytest.fixture(scope="module", params=list(OLS_CASES))
def ols_case(request):
    case = request.param
    maker, formula, miss = OLS_CASES[case]
    return {
        "case": case,
        "ref": load_reference(case, "ols"),
        "fit_ref": load_reference(case, "ols_fit").set_index("measure")["value"],
        "classic": _fit(maker, formula, miss),
        "hc3": _fit(maker, formula, miss, robust="HC3"),
        "hc1": _fit(maker, formula, miss, robust="HC1"),
    }


def _col(res: RegressionResult, col: str) -> np.ndarray:
    return res.estimates[col].to_numpy(float)


# --- OLS coefficients ----------------------------------------------------------


def test_ols_terms_in_r_order(ols_case):
    assert list(ols_case["classic"].estimates["rhs"]) == list(ols_case["ref"]["term"])


@pytest.mark.parametrize(
    "ours,theirs",
    [
        ("est", "est"),
        ("se", "se"),
        ("z", "t"),
        ("ci_lower", "ci_lower"),
        ("ci_upper", "ci_upper"),
        ("std_all", "std_all"),
    ],
)
def test_ols_classical(ols_case, ours, theirs):
    ref = ols_case["ref"][theirs].to_numpy(float)
    got = _col(ols_case["classic"], ours)
    m = ~np.isnan(ref)
    assert np.isnan(got[~m]).all()
    assert close(got[m], ref[m], TOL_OLS).all()


def test_ols_pvalue(ols_case):
    assert np.allclose(
        _col(ols_case["classic"], "pvalue"),
        ols_case["ref"]["pvalue"],
        atol=1e-6,
        rtol=0,
    )


def _kinds(ols_case):
    """HC types in this case's fixture (trust/tiktok: HC3, HC1; corprep: HC3)."""
    return [k for k in ("hc3", "hc1") if f"se_{k}" in ols_case["ref"].columns]


@pytest.mark.parametrize(
    "ours,theirs",
    [("se", "se"), ("z", "t"), ("ci_lower", "ci_lower"), ("ci_upper", "ci_upper")],
)
def test_ols_robust(ols_case, ours, theirs):
    for kind in _kinds(ols_case):
        ref = ols_case["ref"][f"{theirs}_{kind}"]
        assert close(_col(ols_case[kind], ours), ref, TOL_OLS).all(), kind


def test_ols_robust_pvalue(ols_case):
    for kind in _kinds(ols_case):
        assert np.allclose(
            _col(ols_case[kind], "pvalue"),
            ols_case["ref"][f"pvalue_{kind}"],
            atol=1e-6,
            rtol=0,
        ), kind


def test_ols_robust_keeps_estimates(ols_case):
    assert close(
        _col(ols_case["hc3"], "est"), _col(ols_case["classic"], "est"), 1e-12
    ).all()


@pytest.mark.parametrize(
    "measure",
    [
        "nobs",
        "npar",
        "r2",
        "r2_adj",
        "f",
        "f_df1",
        "f_df2",
        "sigma",
        "logl",
        "aic",
        "bic",
    ],
)
def test_ols_fit_measure(ols_case, measure):
    assert close(
        ols_case["classic"].fit_measures[measure], ols_case["fit_ref"][measure], TOL_OLS
    )


def test_ols_f_pvalue(ols_case):
    assert (
        abs(
            ols_case["classic"].fit_measures["f_pvalue"]
            - ols_case["fit_ref"]["f_pvalue"]
        )
        < 1e-6
    )


def test_ols_robust_wald_f(ols_case):
    assert close(
        ols_case["hc3"].fit_measures["f"], ols_case["fit_ref"]["f_hc3"], TOL_OLS
    )


def test_ols_df_resid(ols_case):
    fm = ols_case["classic"].fit_measures
    assert fm["df_resid"] == ols_case["fit_ref"]["df_resid"] == fm["nobs"] - fm["npar"]


def test_ols_vif():
    for case, (maker, formula, miss) in OLS_CASES.items():
        if case == "regression_corprep":
            continue
        ref = load_reference(case, "ols_vif")
        vif = _fit(maker, formula, miss).vif
        assert list(vif["term"]) == list(ref["term"])
        assert close(vif["vif"], ref["vif"], TOL_OLS).all()
        assert close(vif["tolerance"], 1 / ref["vif"], TOL_OLS).all()


def test_ols_standardize_matches_lm_on_z_scores():
    maker, formula, _ = OLS_CASES["regression_trust"]
    ref = load_reference("regression_trust", "ols_std")
    with pytest.warns(MissingDataWarning):
        res = ols(formula, maker(), standardize=True)
    assert close(_col(res, "est"), ref["est"], TOL_OLS).all()
    assert close(_col(res, "se"), ref["se"], TOL_OLS).all()
    # main-effect std_all equals the standardized estimate
    assert close(_col(res, "std_all")[1:], _col(res, "est")[1:], 1e-10).all()


def test_ols_estimates_layout(ols_case):
    est = ols_case["classic"].estimates
    assert list(est.columns) == [
        "lhs",
        "op",
        "rhs",
        "label",
        "est",
        "se",
        "z",
        "pvalue",
        "ci_lower",
        "ci_upper",
        "std_all",
    ]
    assert set(est["op"]) == {"~"}
    assert est["rhs"].iloc[0] == "(Intercept)"
    assert est["lhs"].nunique() == 1


# --- missing data --------------------------------------------------------------


def test_listwise_count_in_notes_and_warning():
    data = trust_data()
    formula = OLS_CASES["regression_trust"][1]
    with pytest.warns(MissingDataWarning, match="195 row"):
        res = ols(formula, data)
    meta = load_meta("regression_trust")
    assert res.n_obs == meta["n_ols"] == 405
    assert any("used 405 of 600 rows" in n for n in res.notes)


def test_no_warning_without_missing_values():
    res = ols("OIB ~ TR", tiktok_data())
    assert not any("Listwise" in n for n in res.notes)


# --- logit ---------------------------------------------------------------------

LOGIT_CASES = {
    "regression_trust": (
        trust_data,
        "repurchase ~ TRUST + PMF + pm_exposed + tenure_years",
        True,
    ),
    "regression_tiktok": (tiktok_data, "OIB_high ~ TR + SC + HM", False),
}


@pytest.fixture(scope="module", params=list(LOGIT_CASES))
def logit_case(request):
    case = request.param
    maker, formula, miss = LOGIT_CASES[case]
    data = maker()

    def run(**kw):
        if miss:
            with pytest.warns(MissingDataWarning):
                return logit(formula, data, **kw)
        return logit(formula, data, **kw)

    return {
        "ref": load_reference(case, "logit"),
        "fit_ref": load_reference(case, "logit_fit").set_index("measure")["value"],
        "classic": run(),
        "hc0": run(robust="HC0"),
        "hc1": run(robust="HC1"),
    }


@pytest.mark.parametrize(
    "col",
    [
        "est",
        "se",
        "z",
        "ci_lower",
        "ci_upper",
        "std_all",
        "or",
        "or_ci_lower",
        "or_ci_upper",
    ],
)
def test_logit_coefficients(logit_case, col):
    ref = logit_case["ref"][col].to_numpy(float)
    got = _col(logit_case["classic"], col)
    m = ~np.isnan(ref)
    assert np.isnan(got[~m]).all()
    assert close(got[m], ref[m], TOL_LOGIT).all()


def test_logit_pvalue(logit_case):
    assert np.allclose(
        _col(logit_case["classic"], "pvalue"),
        logit_case["ref"]["pvalue"],
        atol=TOL_LOGIT,
        rtol=0,
    )


@pytest.mark.parametrize("kind", ["hc0", "hc1"])
def test_logit_robust_se(logit_case, kind):
    assert close(
        _col(logit_case[kind], "se"), logit_case["ref"][f"se_{kind}"], TOL_LOGIT
    ).all()


@pytest.mark.parametrize(
    "measure",
    [
        "nobs",
        "npar",
        "logl",
        "logl_null",
        "r2_mcfadden",
        "lr_chisq",
        "lr_df",
        "lr_pvalue",
        "deviance",
        "null_deviance",
        "aic",
        "bic",
    ],
)
def test_logit_fit_measure(logit_case, measure):
    assert close(
        logit_case["classic"].fit_measures[measure],
        logit_case["fit_ref"][measure],
        TOL_LOGIT,
    )


def test_logit_converged(logit_case):
    assert logit_case["classic"].converged


def test_logit_rejects_robust_hc3():
    with pytest.raises(SpecificationError, match="robust"):
        logit("OIB_high ~ TR", tiktok_data(), robust="HC3")


def test_logit_outcome_must_be_binary():
    with pytest.raises(DataError, match="0/1"):
        logit("OIB ~ TR", tiktok_data())


def test_logit_perfect_separation_names_predictor():
    d = tiktok_data()
    d["sep"] = (d["TR"] > d["TR"].median()).astype(int)
    with pytest.raises(EstimationError, match="'TR'"):
        logit("sep ~ TR + SC", d)


def test_logit_quasi_separation_by_dummy():
    d = tiktok_data()
    d["flag"] = 0
    d.loc[d["OIB_high"] == 1, "flag"] = (
        d.loc[d["OIB_high"] == 1].index % 2 == 0
    ).astype(int)
    with pytest.raises(EstimationError, match="flag"):
        logit("OIB_high ~ TR + flag", d)


# --- hierarchical ---------------------------------------------------------------

STEPS = [
    "TRUST ~ tenure_years + pm_exposed",
    "TRUST ~ tenure_years + pm_exposed + PREP + PASS + MREP + PQ + INFO + SOC + EXP",
    "TRUST ~ tenure_years + pm_exposed + PREP + PASS + MREP + PQ + INFO + SOC + EXP"
    " + PMF * PC",
]


@pytest.fixture(scope="module")
def hier():
    with pytest.warns(MissingDataWarning):
        return hierarchical(STEPS, trust_data())


@pytest.mark.parametrize("col", ["r2", "r2_adj", "delta_r2", "f_change", "p_change"])
def test_hierarchical_against_anova(hier, col):
    ref = load_reference("regression_trust", "hier")
    assert close(hier.steps[col], ref[col], TOL_OLS).all()


def test_hierarchical_df(hier):
    ref = load_reference("regression_trust", "hier")
    assert list(hier.steps["df1"]) == list(ref["df1"])
    assert list(hier.steps["df2"]) == list(ref["df2"])
    assert list(hier.steps["npar"]) == list(ref["npar"])


def test_hierarchical_same_sample(hier):
    ref = load_reference("regression_trust", "hier")
    assert hier.n_obs == ref["n"].iloc[0] == 387
    assert {m.n_obs for m in hier.models} == {387}
    assert any("same 387 rows" in n for n in hier.notes)


def test_hierarchical_requires_nesting():
    with pytest.raises(SpecificationError, match="step 1"):
        hierarchical(["OIB ~ TR + SC", "OIB ~ TR + HM"], tiktok_data())


def test_hierarchical_requires_same_outcome():
    with pytest.raises(SpecificationError, match="same outcome"):
        hierarchical(["OIB ~ TR", "TR ~ SC"], tiktok_data())


def test_hierarchical_needs_two_steps():
    with pytest.raises(SpecificationError, match="two or more"):
        hierarchical(["OIB ~ TR"], tiktok_data())


# --- bad input -------------------------------------------------------------------


def test_unknown_column_named():
    with pytest.raises(SpecificationError, match="TRX"):
        ols("OIB ~ TRX + SC", tiktok_data())


def test_unknown_column_inside_function():
    with pytest.raises(SpecificationError, match="nope"):
        ols("OIB ~ np.log(nope)", tiktok_data())


def test_text_column_is_data_error():
    with pytest.raises(DataError, match="Q1_PROVINCE_CITY.*C\\(column\\)"):
        ols("OIB ~ Q1_PROVINCE_CITY", tiktok_data())


def test_text_column_inside_c_is_categorical():
    res = ols("OIB ~ TR + C(Q4_INCOME)", tiktok_data())
    assert any(t.startswith("C(Q4_INCOME)[T.") for t in res.estimates["rhs"])


def test_constant_predictor():
    d = tiktok_data().assign(k=1.0)
    with pytest.raises(DataError, match="'k' is constant"):
        ols("OIB ~ TR + k", d)


def test_constant_outcome():
    d = tiktok_data().assign(k=1.0)
    with pytest.raises(DataError, match="outcome 'k'"):
        ols("k ~ TR", d)


def test_collinear_predictors():
    d = tiktok_data()
    d["TR2x"] = 2 * d["TR"] + 1
    with pytest.raises(DataError, match="collinear"):
        ols("OIB ~ TR + TR2x", d)


def test_bad_formula():
    with pytest.raises(SpecificationError, match="formula"):
        ols("OIB TR", tiktok_data())


def test_bad_robust_option():
    with pytest.raises(SpecificationError, match="HC3"):
        ols("OIB ~ TR", tiktok_data(), robust="HC9")


def test_data_must_be_dataframe():
    with pytest.raises(DataError, match="DataFrame"):
        ols("y ~ x", {"y": [1, 2], "x": [2, 3]})


def test_log_of_zero_is_data_error():
    d = tiktok_data().assign(z=0.0)
    d.loc[0, "z"] = 1.0
    with pytest.raises(DataError, match="infinite|missing"):
        ols("OIB ~ np.log(z)", d)


# --- result object ------------------------------------------------------------------


def test_result_is_frozen():
    res = ols("OIB ~ TR", tiktok_data())
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.n_obs = 3  # type: ignore[misc]


def test_summary_renders():
    res = ols("OIB ~ TR * SC", tiktok_data(), robust="HC3")
    s = res.summary()
    assert isinstance(s, Summary)
    text = s.as_text()
    assert "t-value" in text and "TR:SC" in text and "HC3" in text
    assert "<table" in s.as_html() and "tabular" in s.as_latex()
    assert str(res) == text


def test_logit_summary_has_odds_ratios():
    text = str(logit("OIB_high ~ TR", tiktok_data()))
    assert "Odds ratio" in text and "McFadden" in text


def test_vcov_named_by_terms():
    res = ols("OIB ~ TR * SC", tiktok_data(), robust="HC3")
    assert list(res.vcov.index) == list(res.estimates["rhs"])
    assert np.allclose(np.sqrt(np.diag(res.vcov)), res.estimates["se"])


def test_to_dict_is_plain():
    d = ols("OIB ~ TR", tiktok_data()).to_dict()
    assert d["estimator"] == "OLS" and d["estimates"][0]["rhs"] == "(Intercept)"


# --- level= and the deprecated alpha= ------------------------------------------------


def test_ols_level_sets_interval_width_and_alpha_is_a_deprecated_alias():
    d = tiktok_data()
    base = ols("OIB ~ TR + SC", d)
    wide = ols("OIB ~ TR + SC", d, level=0.99)
    assert base.options["level"] == 0.95 and wide.options["level"] == 0.99
    assert (wide.estimates["ci_upper"] - wide.estimates["ci_lower"]
            > base.estimates["ci_upper"] - base.estimates["ci_lower"]).all()
    with pytest.warns(FutureWarning, match="level="):
        old = ols("OIB ~ TR + SC", d, alpha=0.01)
    pd.testing.assert_frame_equal(old.estimates, wide.estimates)
    assert old.options["alpha"] == 0.01
    with pytest.raises(SpecificationError, match="not both"):
        ols("OIB ~ TR + SC", d, level=0.99, alpha=0.01)
    with pytest.raises(SpecificationError, match="level"):
        ols("OIB ~ TR + SC", d, level=95)


def test_logit_and_hierarchical_take_level():
    d = tiktok_data()
    a = logit("OIB_high ~ TR", d, level=0.9)
    with pytest.warns(FutureWarning):
        b = logit("OIB_high ~ TR", d, alpha=0.1)
    pd.testing.assert_frame_equal(a.estimates, b.estimates)
    c = logit("OIB_high ~ TR", d)
    assert (a.estimates["ci_upper"] < c.estimates["ci_upper"]).all()
    forms = ["OIB ~ SC", "OIB ~ SC + TR"]
    h = hierarchical(forms, d, level=0.9)
    with pytest.warns(FutureWarning):
        h_old = hierarchical(forms, d, alpha=0.1)
    pd.testing.assert_frame_equal(h.models[1].estimates, h_old.models[1].estimates)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        hierarchical(forms, d)
    with pytest.raises(SpecificationError, match="not both"):
        hierarchical(forms, d, level=0.9, alpha=0.1)


def test_structural_results_share_one_display():
    import trustsem.structural as structural_pkg
    from trustsem._display import SummaryDisplay
    from trustsem.structural import (
        groups,
        invariance,
        latent_interaction,
        mediation,
        moderation,
        regression_results,
    )

    classes = [getattr(m, n) for m in (groups, invariance, latent_interaction, mediation,
                                       moderation, regression_results)
               for n in m.__all__ if isinstance(getattr(m, n), type)]
    assert len(classes) >= 9, structural_pkg
    for cls in classes:
        assert issubclass(cls, SummaryDisplay), cls
        assert "__str__" not in vars(cls) and "_repr_html_" not in vars(cls), cls
    res = ols("OIB ~ TR", tiktok_data())
    assert str(res) == res.summary().as_text()
    assert res._repr_html_() == res.summary().as_html()
