"""Every analysis that takes a fit, under every estimator (ML, MLR, MLM, FIML, bootstrap, WLSMV).

Reference numbers come from lavaan fits of one latent mediation model
(tests/reference/r/mediation_estimators.R): paths, their SEs and std.all, the := rows
and fitMeasures(). Analyses with no lavaan counterpart are checked against the fit's own
estimates table, which the per-estimator suites check against lavaan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import trustsem as ts
from trustsem.output import tables
from trustsem.data.datasets import load_example
from trustsem.structural.mediation import indirect_effects, monte_carlo_defined
from trustsem.structural.moderation import latent_interaction, probe_latent_interaction

from conftest import TOL_EST, TOL_FIT, TOL_SE_REL, close, load_reference, ref_data

HS_MED = """visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ visual
speed ~ textual + visual"""

CASES = {
    "ML": ("hs_med_ml", "holzinger_swineford_1939.csv", {}),
    "MLR": ("hs_med_mlr", "holzinger_swineford_1939.csv", {"estimator": "MLR"}),
    "MLM": ("hs_med_mlm", "holzinger_swineford_1939.csv", {"estimator": "MLM"}),
    "FIML": ("hs_med_fiml", "hs_missing.csv", {"missing": "fiml"}),
    "WLSMV": ("hs4_med_wlsmv", "hs_ordinal4.csv", {"ordered": True, "estimator": "WLSMV"}),
    "bootstrap": ("hs_med_ml", "holzinger_swineford_1939.csv",
                  {"se": "bootstrap", "bootstrap": 200, "seed": 7, "n_jobs": 1, "progress": False}),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    name, data, kw = CASES[request.param]
    return request.param, name, ts.sem(HS_MED, ref_data(data), **kw)


def _paths_ref(name: str) -> pd.DataFrame:
    ref = load_reference(name, "estimates")
    return ref[ref["op"] == "~"].set_index(["lhs", "rhs"])


def test_paths_table(case):
    estimator, name, fit = case
    t = tables.paths_table(fit)
    ref = _paths_ref(name)
    assert len(t) == len(ref) == 3
    own = fit.estimates[fit.estimates["op"] == "~"]
    for (lhs, rhs), row in zip(zip(own["lhs"], own["rhs"]), t.itertuples(index=False)):
        assert row.path == f"{rhs} → {lhs}"
        assert abs(row.b - ref.loc[(lhs, rhs), "est"]) < TOL_EST, (estimator, lhs, rhs)
        assert abs(row.beta - ref.loc[(lhs, rhs), "std.all"]) < TOL_EST, (estimator, lhs, rhs)
        if estimator == "bootstrap":
            # bootstrap SEs are draws' SDs: the table shows the fit's own
            assert row.se == own[(own["lhs"] == lhs) & (own["rhs"] == rhs)]["se"].iloc[0]
        else:
            assert abs(row.se / ref.loc[(lhs, rhs), "se"] - 1) < TOL_SE_REL, (estimator, lhs, rhs)
    if estimator == "bootstrap":
        assert {"beta_ci_lower", "beta_ci_upper"} <= set(t.columns)


def test_indirect_table(case):
    estimator, name, fit = case
    med = indirect_effects(fit)
    t = tables.indirect_table(med)
    ref = load_reference(name, "estimates")
    ref = ref[ref["op"] == ":="].set_index("lhs")
    eff = med.effects.set_index("kind")
    assert abs(eff.loc["specific", "est"] - ref.loc["ab", "est"]) < TOL_EST
    if estimator != "bootstrap":
        assert abs(eff.loc["specific", "se"] / ref.loc["ab", "se"] - 1) < TOL_SE_REL, estimator
    else:
        assert med.ci_method == "bootstrap"
    assert len(t) == len(med.effects)
    assert np.allclose(t["b"].to_numpy(float), med.effects["est"].to_numpy(float))


def test_fit_table(case):
    estimator, name, fit = case
    ref = load_reference(name, "fit").set_index("measure")["value"]
    row = tables.fit_table({"m": fit}).iloc[0]
    assert row["df"] == ref["df"]
    for ours, theirs in [("chisq", "chisq"), ("cfi", "cfi"), ("tli", "tli"), ("rmsea", "rmsea"),
                         ("srmr", "srmr")]:
        assert close(row[ours], ref[theirs], TOL_FIT), (estimator, ours)
    if estimator in ("MLR", "MLM", "WLSMV"):
        assert close(row["chisq_scaled"], ref["chisq.scaled"], TOL_FIT), estimator
        assert close(row["p_scaled"], ref["pvalue.scaled"], TOL_FIT), estimator
    else:
        assert "chisq_scaled" not in row.index


def test_monte_carlo_defined(case):
    estimator, name, fit = case
    model = HS_MED.replace("textual ~ visual", "textual ~ a*visual").replace(
        "speed ~ textual + visual", "speed ~ b*textual + visual") + "\nab := a*b"
    _, data, kw = CASES[estimator]
    fit = ts.sem(model, ref_data(data), **kw)
    mc = monte_carlo_defined(fit, draws=5000, seed=1).set_index("name")
    ref = load_reference(name, "estimates")
    ref = ref[ref["op"] == ":="].set_index("lhs")
    assert abs(mc.loc["ab", "est"] - ref.loc["ab", "est"]) < TOL_EST
    # Monte Carlo SD vs first-order delta SE (and, for the bootstrap, the draws'
    # covariance): 5000 draws and the second-order term leave a few per cent
    assert mc.loc["ab", "se"] == pytest.approx(ref.loc["ab", "se"],
                                               rel=0.25 if estimator == "bootstrap" else 0.05)


# ---------------------------------------------------------------------------
# invariance and path comparisons: tables of the ML-family and ordered ladders


HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.mark.parametrize("estimator", ["ML", "MLR"])
def test_invariance_table(estimator):
    inv = ts.invariance(HS, ref_data("holzinger_swineford_1939.csv"), "school",
                        estimator=estimator)
    t = tables.invariance_table(inv)
    assert list(t["model"][:4]) == ["configural", "metric", "scalar", "scalar (partial)"]
    assert t["model"].iloc[-1] == "strict (on partial scalar)"
    assert t.loc[t["model"] == "scalar", "verdict"].iloc[0] == "not supported"
    assert ("chisq_scaled" in t.columns) == (estimator == "MLR")
    assert "freed" in t.columns


def test_invariance_table_ordered():
    inv = ts.invariance(HS, ref_data("hs_ordinal4.csv"), "school", ordered=True)
    t = tables.invariance_table(inv)
    assert list(t["model"]) == ["configural", "thresholds", "thresholds + loadings"]
    assert t["chisq_scaled"].notna().all()


# ---------------------------------------------------------------------------
# latent interaction probe: its slope at the mean is b1, with b1's SE from the fit

LATENT = """
PMF =~ PMF1 + PMF2 + PMF3 + PMF4
PC =~ PC1 + PC2 + PC3 + PC4
PCxPMF =~ PC1_PMF1 + PC2_PMF2 + PC3_PMF3 + PC4_PMF4
TRUST =~ TF1 + TF2 + TF3
TRUST ~ b1*PMF + b2*PC + b3*PCxPMF
"""


@pytest.fixture(scope="module")
def product_data():
    pmf = [f"PMF{i}" for i in range(1, 5)]
    pc = [f"PC{i}" for i in range(1, 5)]
    return latent_interaction(load_example("trust_survey"), pmf, pc).data


@pytest.mark.parametrize("kw", [
    {"estimator": "MLR", "missing": "fiml"}, {"missing": "fiml"},
    {"missing": "fiml", "se": "bootstrap", "bootstrap": 100, "seed": 2, "n_jobs": 1,
     "progress": False}], ids=["MLR", "FIML", "bootstrap"])
def test_probe_latent_interaction(product_data, kw):
    fit = ts.sem(LATENT, product_data, **kw)
    pr = probe_latent_interaction(fit, x="PMF", w="PC", xw="PCxPMF", y="TRUST")
    at_mean = pr.simple_slopes.set_index("level").loc["mean"]
    b1 = fit.estimates.query("lhs == 'TRUST' and op == '~' and rhs == 'PMF'").iloc[0]
    assert at_mean["est"] == pytest.approx(b1["est"], rel=1e-9)
    assert at_mean["se"] == pytest.approx(b1["se"], rel=1e-6)


def test_probe_refuses_fit_without_vcov(product_data):
    fit = ts.sem(LATENT, product_data, missing="fiml", se="none")
    with pytest.raises(ts.SpecificationError, match="covariance matrix"):
        probe_latent_interaction(fit, x="PMF", w="PC", xw="PCxPMF", y="TRUST")
