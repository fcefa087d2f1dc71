"""Estimation problems are never silent: typed warnings naming the culprit, notes, strict mode."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import importlib

import trustsem as ts
from trustsem.sem.engine.estimate import OptimResult
from trustsem.data.datasets import load_example

from conftest import ref_data

sem_module = importlib.import_module("trustsem.sem.fit")

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def _data_from_cov(cov: np.ndarray, names: list[str], n: int, seed: int = 1) -> pd.DataFrame:
    """Data whose sample covariance (N-1 divisor) equals ``cov`` exactly."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, len(names)))
    Z -= Z.mean(axis=0)
    L = np.linalg.cholesky(np.cov(Z, rowvar=False))
    Z = Z @ np.linalg.inv(L).T @ np.linalg.cholesky(cov).T
    return pd.DataFrame(Z, columns=names)


def test_heywood_case_names_the_item():
    # one factor, r12 = r13 = .8, r23 = .5: lambda1^2 = .64/.5 > 1
    R = np.array([[1, .8, .8], [.8, 1, .5], [.8, .5, 1]])
    df = _data_from_cov(R, ["a", "b", "c"], 200)
    with pytest.warns(ts.HeywoodCaseWarning) as rec:
        res = ts.cfa("f =~ a + b + c", df)
    messages = [str(w.message) for w in rec]
    assert any("Negative variance" in m and "a ~~ a" in m for m in messages)
    assert any("Standardized loading above 1: f =~ a" in m for m in messages)
    assert any("Heywood" in n and "a ~~ a" in n for n in res.notes)
    var = res.estimates.query("lhs == 'a' and op == '~~' and rhs == 'a'")["est"].iloc[0]
    assert var < 0


def test_heywood_strict_raises():
    R = np.array([[1, .8, .8], [.8, 1, .5], [.8, .5, 1]])
    df = _data_from_cov(R, ["a", "b", "c"], 200)
    with pytest.raises(ts.EstimationError, match="a ~~ a"):
        ts.cfa("f =~ a + b + c", df, strict=True)


def test_non_positive_definite_latent_covariance_named():
    # ECSI: EXPE and QUAL are nearly collinear; lavaan warns too (fixture meta)
    with pytest.warns(ts.HeywoodCaseWarning, match="latent variables is not positive definite"):
        ts.cfa("""
            IMAG =~ imag1 + imag2 + imag3 + imag4 + imag5
            EXPE =~ expe1 + expe2 + expe3 + expe4 + expe5
            QUAL =~ qual1 + qual2 + qual3 + qual4 + qual5
            VAL  =~ val1 + val2 + val3 + val4
            SAT  =~ sat1 + sat2 + sat3 + sat4
            LOY  =~ loy1 + loy2 + loy3 + loy4
        """, load_example("ecsi_satisfaction"))


def test_empirical_underidentification_warns():
    # f1 has two indicators and is held uncorrelated with f2: its loading and
    # variance rest on one covariance only, although df > 0
    rng = np.random.default_rng(3)
    n = 300
    f1, f2 = rng.standard_normal(n), rng.standard_normal(n)
    df = pd.DataFrame({
        "x1": f1 + rng.standard_normal(n), "x2": f1 + rng.standard_normal(n),
        **{f"y{i}": f2 + rng.standard_normal(n) for i in range(1, 5)}})
    with pytest.warns(ts.IdentificationWarning, match=r"f1"):
        res = ts.cfa("f1 =~ x1 + x2\nf2 =~ y1 + y2 + y3 + y4\nf1 ~~ 0*f2", df)
    assert res.fit_measures["df"] > 0


def test_negative_df_is_a_specification_error():
    df = ref_data("holzinger_swineford_1939.csv")
    with pytest.raises(ts.SpecificationError, match="not identified"):
        ts.cfa("f =~ x1 + x2", df)


def test_non_convergence_warns_and_flags(monkeypatch):
    real = sem_module.minimize

    def stuck(obj, theta0, **kw):
        r = real(obj, theta0, **kw)
        return OptimResult(r.theta, r.fmin, r.grad, 500, False, "stopped after 500 iterations")

    monkeypatch.setattr(sem_module, "minimize", stuck)
    df = ref_data("holzinger_swineford_1939.csv")
    with pytest.warns(ts.ConvergenceWarning, match="did not converge"):
        res = ts.cfa(HS, df)
    assert res.converged is False
    assert any("did not converge" in n for n in res.notes)
    with pytest.raises(ts.EstimationError, match="did not converge"):
        ts.cfa(HS, df, strict=True)


def test_listwise_deletion_is_reported():
    df = ref_data("hs_missing.csv")
    with pytest.warns(ts.MissingDataWarning, match=r"used 111 of 301 rows"):
        res = ts.cfa(HS, df)
    assert res.n_obs == 111
    assert res.fit_measures["nobs"] == 111
    assert any("Listwise deletion" in n for n in res.notes)


def test_fiml_never_pairwise_and_reports_patterns():
    res = ts.cfa(HS, ref_data("hs_missing.csv"), missing="fiml")
    assert res.n_obs == 301
    assert any("missing-data pattern" in n for n in res.notes)


@pytest.mark.parametrize("bad, match", [
    ("visual =~ x1 + x2 + x99", r"x99.*model line 1"),
    ("visual =~ x1 + + x2", "empty term"),
    ("visual x1 x2", "no operator"),
    ("visual =~ x1 + x2 + x3\nvisual =~ x1", "specified twice"),
    ("f =~ x1 + x2 + x3\nd := a*b", "not labels"),
])
def test_bad_models_name_the_problem(bad, match):
    with pytest.raises(ts.SpecificationError, match=match):
        ts.cfa(bad, ref_data("holzinger_swineford_1939.csv"))


def test_constant_item_is_named():
    df = ref_data("holzinger_swineford_1939.csv")
    df["x2"] = 3.0
    with pytest.raises(ts.DataError, match="'x2'.*zero variance"):
        ts.cfa(HS, df)


def test_all_missing_item_is_named():
    df = ref_data("holzinger_swineford_1939.csv")
    df["x5"] = np.nan
    with pytest.raises(ts.DataError, match="'x5'.*no observed values"):
        ts.cfa(HS, df)


def test_text_in_item_column_is_named():
    df = ref_data("holzinger_swineford_1939.csv").astype({"x3": object})
    df.loc[7, "x3"] = "n/a"
    with pytest.raises(ts.DataError, match="'x3'.*'n/a'"):
        ts.cfa(HS, df)


def test_too_few_respondents():
    df = ref_data("holzinger_swineford_1939.csv").head(8)
    with pytest.raises(ts.DataError, match="Too few respondents"):
        ts.cfa(HS, df)


def test_collinear_items_named():
    df = ref_data("holzinger_swineford_1939.csv")
    df["x3"] = df["x1"] + df["x2"]
    with pytest.raises(ts.DataError, match="linearly dependent"):
        ts.cfa(HS, df)


def test_result_is_immutable_and_spec_untouched():
    df = ref_data("holzinger_swineford_1939.csv")
    spec = ts.ModelSpec(HS)
    before = spec.text
    res = ts.cfa(spec, df)
    assert spec.text == before
    with pytest.raises(AttributeError):
        res.converged = False  # type: ignore[misc]


def test_summary_text_and_html():
    res = ts.cfa(HS, ref_data("holzinger_swineford_1939.csv"))
    text = str(res.summary())
    assert "Latent variables" in text and "visual" in text and "85.306" in text
    html = res._repr_html_()
    assert "<table" in html and "CFI" in html


def test_likert_items_get_a_recommendation_not_a_switch():
    from trustsem.models import research_model

    res = ts.sem(research_model(), load_example("trust_survey"), missing="fiml")
    assert res.estimator == "ML"
    note = next(n for n in res.notes if "categories (Likert" in n)
    assert "estimator='MLR'" in note and "WLSMV" in note and "skewness" in note
    robust = ts.sem(research_model(), load_example("trust_survey"), missing="fiml", estimator="MLR")
    assert not any("categories (Likert" in n for n in robust.notes)
    text = robust.summary().as_text()
    assert "Yuan-Bentler" in text and "Robust CFI" in text


def test_continuous_items_get_no_likert_note():
    res = ts.cfa(HS, ref_data("holzinger_swineford_1939.csv"))
    assert not any("Likert" in n for n in res.notes)


def test_robust_estimator_option_errors():
    df = ref_data("hs_missing.csv")
    with pytest.raises(ts.SpecificationError, match="MLM"):
        ts.cfa(HS, df, estimator="MLM", missing="fiml")
    with pytest.raises(ts.SpecificationError, match="fixed_x=False"):
        ts.sem("pmi ~ cond\nreaction ~ cond + pmi", ref_data("tal_or.csv"), estimator="MLR")
    res = ts.sem("pmi ~ cond\nreaction ~ cond + pmi", ref_data("tal_or.csv"), estimator="MLR",
                 fixed_x=False)
    assert res.fit_measures["df"] == 0


# ---------------------------------------------------------------------------
# options that would have no effect are refused, not ignored
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kw, match", [
    (dict(group_equal=["loadings"]), "group_equal.*without `group=`"),
    (dict(group_equal="loadings"), "group_equal.*without `group=`"),
    (dict(group_partial=["visual=~x2"]), "group_partial.*without `group=`"),
    (dict(group="school", group_partial=["visual=~x2"]), "group_partial.*without it"),
    (dict(ci_type="bca"), "ci_type='bca'.*se='bootstrap'"),
    (dict(bootstrap=200), "bootstrap=200.*se='bootstrap'"),
    (dict(se="none", information="observed"), "information='observed'.*no effect"),
    (dict(sample_nobs=301), "sample_nobs.*raw `data`"),
    (dict(missing="fiml", meanstructure=False), "meanstructure=False.*FIML"),
    (dict(group="school", meanstructure=False), "meanstructure=False.*multi-group"),
])
def test_options_without_effect_are_refused(kw, match):
    hs = ref_data("holzinger_swineford_1939.csv")
    with pytest.raises(ts.SpecificationError, match=match):
        ts.cfa(HS, hs, **kw)


def test_group_equal_as_a_string_is_one_entry():
    hs = ref_data("holzinger_swineford_1939.csv")
    a = ts.cfa(HS, hs, group="school", group_equal="loadings")
    b = ts.cfa(HS, hs, group="school", group_equal=["loadings"])
    assert a.fit_measures["df"] == b.fit_measures["df"] == 54


def test_wald_intervals_at_the_requested_level():
    from conftest import TOL_EST, TOL_SE_REL, load_reference

    ref = load_reference("hs_level90", "estimates")
    res = ts.cfa(HS, ref_data("holzinger_swineford_1939.csv"), level=0.90)
    m = ref.merge(res.estimates, on=["lhs", "op", "rhs"])
    assert len(m) == len(ref)
    tol = TOL_EST + 1.645 * TOL_SE_REL * m["se_x"]
    assert np.all(np.abs(m["ci_lower"] - m["ci.lower"]) <= tol)
    assert np.all(np.abs(m["ci_upper"] - m["ci.upper"]) <= tol)
    # narrower than the 95 % default
    d95 = ts.cfa(HS, ref_data("holzinger_swineford_1939.csv")).estimates
    free = res.estimates["se"] > 0
    assert np.all((res.estimates["ci_upper"] - res.estimates["ci_lower"])[free]
                  < (d95["ci_upper"] - d95["ci_lower"])[free])


def test_robust_test_is_kept_with_bootstrap_ses():
    hs = ref_data("holzinger_swineford_1939.csv")
    res = ts.cfa(HS, hs, estimator="MLR", se="bootstrap", bootstrap=20, seed=1, progress=False)
    ref = ts.cfa(HS, hs, estimator="MLR")
    assert res.fit_measures["chisq_scaled"] == pytest.approx(ref.fit_measures["chisq_scaled"])
    assert np.isfinite(res.estimates.loc[res.estimates["op"] == "=~", "se"].iloc[1])


MIMIC = HS + "\nvisual + textual + speed ~ ageyr"


def _mimic_data() -> pd.DataFrame:
    return ref_data("hs_mimic_missing_x.csv")[["ageyr"] + [f"x{i}" for i in range(1, 10)]]


def test_fiml_drops_rows_with_a_missing_covariate_and_says_so():
    with pytest.warns(ts.MissingDataWarning, match=r"15 of 301 row\(s\).*\['ageyr'\].*fiml\.x"):
        res = ts.sem(MIMIC, _mimic_data(), missing="fiml")
    assert res.n_obs == 286
    assert res.options["missing_x"] == "listwise"
    assert any("fiml.x" in n for n in res.notes)


def test_fiml_x_keeps_them_without_a_warning():
    res = ts.sem(MIMIC, _mimic_data(), missing="fiml.x")
    assert res.n_obs == 301
    assert res.options["missing"] == "fiml" and res.options["missing_x"] == "fiml"
    # lavaan's names are accepted
    alias = ts.sem(MIMIC, _mimic_data(), missing="ml.x")
    assert alias.fit_measures["cfi"] == pytest.approx(res.fit_measures["cfi"])


def test_pairwise_cov_equals_ml_cov_for_complete_columns():
    X = np.random.default_rng(3).standard_normal((50, 3))
    assert np.allclose(sem_module._pairwise_cov(X), np.cov(X.T, bias=True))


def test_group_partial_must_name_a_parameter_of_the_model():
    hs = ref_data("holzinger_swineford_1939.csv")
    with pytest.raises(ts.SpecificationError, match=r"not in the model: \['visual=~x9'\]"):
        ts.cfa(HS, hs, group="school", group_equal=["loadings"], group_partial=["visual=~x9"])
    res = ts.cfa(HS, hs, group="school", group_equal=["loadings", "intercepts"],
                 group_partial=["visual =~ x2", "x3 ~ 1", "x1~~x1"])
    assert res.fit_measures["df"] == 58
