"""The engine recovers the simulator's population values (the two were written independently)."""

from __future__ import annotations

import numpy as np
import pytest

import trustsem as ts
from trustsem.models import research_model
from trustsem.data.simulate import simulate_survey

# Tolerance 0.04 on standardized structural paths, not 1e-3: this compares a
# sample estimate (n = 20,000, SE about .01) with a population value, and the
# items are cut into 5-point Likert categories (which attenuates correlations
# slightly); population item loadings are for the continuous responses, so
# item loadings are not compared.
TOL = 0.04


@pytest.fixture(scope="module")
def recovered():
    sim = simulate_survey(20000, seed=7, missing_rate=0.0, careless_rate=0.0)
    res = ts.sem(research_model(module_b=True), sim.data)
    merged = res.estimates.merge(sim.population, on=["lhs", "op", "rhs"])
    return res, merged


def test_fit_is_near_perfect(recovered):
    res, _ = recovered
    assert res.converged
    assert res.fit_measures["cfi"] > 0.995
    assert res.fit_measures["rmsea"] < 0.01


def test_structural_paths(recovered):
    _, m = recovered
    paths = m[m["op"] == "~"]
    assert len(paths) == 13  # 8 paths to TRUST, 4 to PI, 1 to LOY
    bad = paths[np.abs(paths["std_all"] - paths["value"]) > TOL]
    assert bad.empty, bad[["lhs", "rhs", "std_all", "value"]]


def test_second_order_loadings(recovered):
    _, m = recovered
    so = m[(m["lhs"] == "TRUST") & (m["op"] == "=~")]
    assert set(so["rhs"]) == {"TF", "TA", "TI"}
    assert np.all(np.abs(so["std_all"] - so["value"]) <= TOL)
