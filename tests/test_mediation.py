"""Indirect effects: Hayes (2013) on Tal_Or, lavaan := fixtures, pingouin cross-check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import trustsem as ts
from trustsem.datasets import load_example
from trustsem.mediation import indirect_effects, monte_carlo_defined
from trustsem.models import research_model

from conftest import TOL_EST, TOL_SE_REL, load_reference, ref_data

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
