"""Indirect effects: Hayes (2013) on Tal_Or, lavaan := fixtures, pingouin cross-check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import trustsem as ts
from trustsem.data.datasets import load_example
from trustsem.structural.mediation import indirect_effects, monte_carlo_defined
from trustsem.models import research_model

from conftest import REPO, TOL_EST, TOL_SE_REL, load_reference, ref_data

MODEL = "pmi ~ cond\nreaction ~ cond + pmi"


@pytest.fixture(scope="module")
def talor():
    return ref_data("tal_or.csv")


@pytest.fixture(scope="module")
def delta(talor):
    return indirect_effects(ts.sem(MODEL, talor))


def test_hayes_2013_values(delta):
    e = delta.effects.set_index("kind")
    # Hayes (2013), PROCESS model 4 on Tal_Or: a = .4765, b = .5064, c' = .2544, ab = .2413
    assert e.loc["specific", "est"] == pytest.approx(0.2413, abs=1e-4)
    assert e.loc["direct", "est"] == pytest.approx(0.2544, abs=1e-4)
    assert e.loc["total", "est"] == pytest.approx(0.4957, abs=1e-4)


def test_delta_matches_lavaan_defined_parameters(delta):
    """Same numbers as lavaan's ':=' rows (tests/reference/talor_mediation__*)."""
    ref = load_reference("talor_mediation", "estimates").set_index("lhs")
    e = delta.effects.set_index("kind")
    for kind, name in [("specific", "ab"), ("total", "total")]:
        assert abs(e.loc[kind, "est"] - ref.loc[name, "est"]) < TOL_EST
        assert abs(e.loc[kind, "se"] / ref.loc[name, "se"] - 1) < TOL_SE_REL
        assert abs(e.loc[kind, "std_all"] - ref.loc[name, "std.all"]) < TOL_EST


def test_point_estimates_match_pingouin(talor, delta):
    pgm = pg.mediation_analysis(data=talor, x="cond", m="pmi", y="reaction", seed=1, n_boot=500)
    pgm = pgm.set_index("path")
    e = delta.effects.set_index("kind")
    assert e.loc["specific", "est"] == pytest.approx(pgm.loc["Indirect", "coef"], abs=1e-6)
    assert e.loc["direct", "est"] == pytest.approx(pgm.loc["Direct", "coef"], abs=1e-6)
    assert e.loc["total", "est"] == pytest.approx(pgm.loc["Total", "coef"], abs=1e-6)


def test_bootstrap_and_monte_carlo_intervals(talor):
    fb = ts.sem(MODEL, talor, se="bootstrap", bootstrap=500, seed=1, n_jobs=1, progress=False)
    boot = indirect_effects(fb)
    assert boot.ci_method == "bootstrap"
    spec = boot.effects.set_index("kind").loc["specific"]
    # bootstrap interval for ab excludes 0 (Hayes reports the same conclusion)
    assert 0 < spec["ci_lower"] < spec["est"] < spec["ci_upper"]
    assert spec["std_all_ci_lower"] < spec["std_all"] < spec["std_all_ci_upper"]
    assert boot.draws.shape[0] == fb.bootstrap.n_ok
    mc = indirect_effects(ts.sem(MODEL, talor), ci="montecarlo", seed=3)
    mspec = mc.effects.set_index("kind").loc["specific"]
    assert abs(mspec["ci_lower"] - spec["ci_lower"]) < 0.05
    assert abs(mspec["ci_upper"] - spec["ci_upper"]) < 0.08
    # reproducible
    mc2 = indirect_effects(ts.sem(MODEL, talor), ci="montecarlo", seed=3)
    pd.testing.assert_frame_equal(mc.effects, mc2.effects)


def test_monte_carlo_for_defined_parameters(talor):
    fit = ts.sem("pmi ~ a*cond\nreaction ~ c*cond + b*pmi\nab := a*b", talor)
    mc = monte_carlo_defined(fit, draws=20000, seed=2).set_index("name")
    assert mc.loc["ab", "est"] == pytest.approx(0.2413, abs=1e-4)
    assert mc.loc["ab", "ci_lower"] > 0


def test_research_model_paths_enumerated():
    res = ts.sem(research_model(), load_example("trust_survey"), missing="fiml")
    med = indirect_effects(res, y="PI")
    spec = med.effects[med.effects["kind"] == "specific"]
    assert set(spec["x"]) == {"PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP"}
    assert (spec["path"].str.contains("TRUST")).all()
    # specific effect = product of the two path estimates
    est = res.estimates.set_index(["lhs", "op", "rhs"])["est"]
    row = spec.set_index("x").loc["INFO"]
    assert row["est"] == pytest.approx(est[("TRUST", "~", "INFO")] * est[("PI", "~", "TRUST")])
    verdicts = med.summary_table.set_index("x")["verdict"]
    assert verdicts["INFO"].startswith(("partial", "full", "no mediation"))
    assert "no direct path" in verdicts["PREP"]
    tot = med.effects[(med.effects["x"] == "INFO") & (med.effects["kind"] == "total")]["est"].iloc[0]
    assert tot == pytest.approx(row["est"] + est[("PI", "~", "INFO")])


def test_errors():
    fit = ts.sem("y ~ x", pd.DataFrame({"x": np.arange(20.0), "y": np.arange(20.0) ** 1.5}))
    with pytest.raises(ts.SpecificationError, match="no indirect paths"):
        indirect_effects(fit)
    fit = ts.sem(MODEL, ref_data("tal_or.csv"))
    with pytest.raises(ts.SpecificationError, match="se='bootstrap'"):
        indirect_effects(fit, ci="bootstrap")
    with pytest.raises(ts.SpecificationError, match="nope"):
        indirect_effects(fit, x="nope")


# ---------------------------------------------------------------------------
# every estimator: the same latent mediation model against lavaan's := rows
# (tests/reference/r/mediation_estimators.R)

HS_MED = """visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ visual
speed ~ textual + visual"""
HS_MED_DEFINED = HS_MED.replace("textual ~ visual", "textual ~ a*visual").replace(
    "speed ~ textual + visual", "speed ~ b*textual + c*visual") + "\nab := a*b\ntotal := c + a*b"

ESTIMATOR_CASES = {
    "ML": ("hs_med_ml", "holzinger_swineford_1939.csv", {}),
    "MLR": ("hs_med_mlr", "holzinger_swineford_1939.csv", {"estimator": "MLR"}),
    "MLM": ("hs_med_mlm", "holzinger_swineford_1939.csv", {"estimator": "MLM"}),
    "FIML": ("hs_med_fiml", "hs_missing.csv", {"missing": "fiml"}),
    "WLSMV": ("hs4_med_wlsmv", "hs_ordinal4.csv", {"ordered": True, "estimator": "WLSMV"}),
    "WLSMV-theta": ("hs4_med_wlsmv_theta", "hs_ordinal4.csv",
                    {"ordered": True, "estimator": "WLSMV", "parameterization": "theta"}),
}


def _fit_case(estimator: str, model: str = HS_MED):
    case, data, kw = ESTIMATOR_CASES[estimator]
    return case, ts.sem(model, ref_data(data), **kw)


@pytest.fixture(scope="module", params=list(ESTIMATOR_CASES))
def by_estimator(request):
    case, fit = _fit_case(request.param)
    return request.param, case, fit, indirect_effects(fit)


def test_delta_equals_lavaan_under_every_estimator(by_estimator):
    """Estimates, SEs and std.all of the indirect and total effects equal lavaan's := rows."""
    estimator, case, fit, med = by_estimator
    ref = load_reference(case, "estimates")
    ref = ref[ref["op"] == ":="].set_index("lhs")
    std = load_reference(case, "std")
    std = std[std["op"] == ":="].set_index("lhs")
    e = med.effects.set_index("kind")
    z = 1.959963984540054
    for kind, name in [("specific", "ab"), ("total indirect", "ab"), ("total", "total")]:
        assert abs(e.loc[kind, "est"] - ref.loc[name, "est"]) < TOL_EST, (estimator, kind)
        assert abs(e.loc[kind, "se"] / ref.loc[name, "se"] - 1) < TOL_SE_REL, (estimator, kind)
        assert abs(e.loc[kind, "std_all"] - std.loc[name, "est.std"]) < TOL_EST, (estimator, kind)
        std_se = (e.loc[kind, "std_all_ci_upper"] - e.loc[kind, "std_all"]) / z
        assert abs(std_se / std.loc[name, "se"] - 1) < TOL_SE_REL, (estimator, kind)
    # the direct effect's SE is the path's own SE in the fit's estimates table (and lavaan's)
    est = load_reference(case, "estimates")
    path = est[(est["op"] == "~") & (est["lhs"] == "speed") & (est["rhs"] == "visual")].iloc[0]
    assert abs(e.loc["direct", "se"] / path["se"] - 1) < TOL_SE_REL, estimator
    ours = fit.estimates.query("op == '~' and lhs == 'speed' and rhs == 'visual'")["se"].iloc[0]
    assert e.loc["direct", "se"] == pytest.approx(ours, rel=1e-6)


def test_wlsmv_vcov_holds_thresholds_and_is_mapped_by_name():
    """WLSMV's vcov lists the thresholds first; the Jacobian is mapped onto it by name."""
    _, fit = _fit_case("WLSMV")
    assert any("|" in n for n in fit.vcov.index)
    assert len(fit.vcov) > len(fit._context.theta)


def test_large_wlsmv_model_equals_lavaan():
    """Second-order trust model (pairwise WLSMV): H1-H7 indirect effects, lavaan trust_med_wlsmv."""
    model = (REPO / "trustsem" / "models" / "second_order.lav").read_text()
    fit = ts.sem(model, load_example("trust_survey"), ordered=True, estimator="WLSMV",
                 missing="pairwise")
    med = indirect_effects(fit, y="PI").effects
    ref = load_reference("trust_med_wlsmv", "estimates")
    ref = ref[ref["op"] == ":="].set_index("lhs")
    std = load_reference("trust_med_wlsmv", "std")
    std = std[std["op"] == ":="].set_index("lhs")
    for k, x in enumerate(["PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP"], start=1):
        row = med[(med["x"] == x) & (med["kind"] == "specific")].iloc[0]
        assert abs(row["est"] - ref.loc[f"ind{k}", "est"]) < TOL_EST, x
        assert abs(row["se"] / ref.loc[f"ind{k}", "se"] - 1) < TOL_SE_REL, x
        assert abs(row["std_all"] - std.loc[f"ind{k}", "est.std"]) < TOL_EST, x
    for k, x in [(5, "INFO"), (6, "SOC")]:
        row = med[(med["x"] == x) & (med["kind"] == "total")].iloc[0]
        assert abs(row["est"] - ref.loc[f"tot{k}", "est"]) < TOL_EST, x
        assert abs(row["se"] / ref.loc[f"tot{k}", "se"] - 1) < TOL_SE_REL, x


@pytest.mark.parametrize("estimator", list(ESTIMATOR_CASES))
def test_monte_carlo_under_every_estimator(estimator):
    """Monte Carlo draws come from the fit's own vcov: their SD matches lavaan's delta SE.

    The exact variance of a product of normal estimates adds var(a) var(b) + cov(a, b)^2 to
    the first-order (delta) variance, for ab and for c + ab alike; that term is added to
    lavaan's SE. Tolerance 2 % relative: the sampling error of an SD from 20,000 draws of a
    heavy-tailed product (a wrong covariance matrix is off by far more: 0.072 vs 0.115).
    """
    case, fit = _fit_case(estimator, HS_MED_DEFINED)
    ref = load_reference(case, "estimates")
    ref = ref[ref["op"] == ":="].set_index("lhs")
    V = fit.vcov
    a, b = "textual~visual", "speed~textual"
    extra = V.loc[a, a] * V.loc[b, b] + V.loc[a, b] ** 2
    mc = monte_carlo_defined(fit, draws=20000, seed=11).set_index("name")
    med = indirect_effects(fit, ci="montecarlo", mc_draws=20000, seed=11).effects.set_index("kind")
    for name, kind in [("ab", "specific"), ("total", "total")]:
        want = np.sqrt(ref.loc[name, "se"] ** 2 + extra)
        assert abs(mc.loc[name, "est"] - ref.loc[name, "est"]) < TOL_EST
        # a Monte Carlo SD from 20,000 draws has a relative sampling error of about
        # 1/sqrt(2 * 20000) = 0.5 %: 2 % is four of those
        assert mc.loc[name, "se"] == pytest.approx(want, rel=0.02), (estimator, name)
        assert med.loc[kind, "se"] == pytest.approx(want, rel=0.02), (estimator, kind)


def test_bootstrap_fit_effects():
    """se='bootstrap': effects from the draws; delta and Monte Carlo use the draws' covariance."""
    fit = ts.sem(HS_MED_DEFINED, ref_data("holzinger_swineford_1939.csv"), se="bootstrap",
                 bootstrap=300, seed=5, n_jobs=1, progress=False)
    boot = indirect_effects(fit).effects.set_index("kind")
    assert indirect_effects(fit).ci_method == "bootstrap"
    ml = load_reference("hs_med_ml", "estimates")
    ml = ml[ml["op"] == ":="].set_index("lhs")
    assert abs(boot.loc["total", "est"] - ml.loc["total", "est"]) < TOL_EST
    # the bootstrap SD, the delta SE on the bootstrap covariance matrix and the Monte Carlo
    # SD estimate one quantity: agreement within bootstrap noise (300 draws: ~ 8 %)
    dl = indirect_effects(fit, ci="delta").effects.set_index("kind")
    mc = monte_carlo_defined(fit, draws=5000, seed=1).set_index("name")
    for kind, name in [("specific", "ab"), ("total", "total")]:
        assert dl.loc[kind, "se"] == pytest.approx(boot.loc[kind, "se"], rel=0.15)
        assert mc.loc[name, "se"] == pytest.approx(boot.loc[kind, "se"], rel=0.15)
        assert boot.loc[kind, "se"] == pytest.approx(ml.loc[name, "se"], rel=0.25)


def test_no_covariance_matrix_is_refused():
    fit = ts.sem(HS_MED_DEFINED, ref_data("holzinger_swineford_1939.csv"), se="none")
    with pytest.raises(ts.SpecificationError, match="covariance matrix of the estimates"):
        indirect_effects(fit, ci="delta")
    with pytest.raises(ts.SpecificationError, match="covariance matrix of the estimates"):
        monte_carlo_defined(fit)
    with pytest.raises(ts.SpecificationError, match="fitted model"):
        monte_carlo_defined("not a fit")
