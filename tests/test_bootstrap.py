"""Bootstrap: reproducible whatever the number of workers, robust to bad draws, all CI types."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import trustsem as ts
from trustsem.sem.bootstrap import bootstrap_ci

from conftest import load_reference, ref_data

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
TALOR = "pmi ~ a*cond\nreaction ~ c*cond + b*pmi\nab := a*b\ntotal := c + a*b"


@pytest.fixture(scope="module")
def hs():
    return ref_data("holzinger_swineford_1939.csv")


def test_same_draws_for_any_number_of_workers(hs):
    a = ts.cfa(HS, hs, se="bootstrap", bootstrap=40, seed=11, n_jobs=1, progress=False)
    b = ts.cfa(HS, hs, se="bootstrap", bootstrap=40, seed=11, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(a.bootstrap.est, b.bootstrap.est)
    pd.testing.assert_series_equal(a.estimates["se"], b.estimates["se"])
    c = ts.cfa(HS, hs, se="bootstrap", bootstrap=40, seed=12, n_jobs=1, progress=False)
    assert not np.allclose(a.estimates["se"], c.estimates["se"])


def test_bootstrap_columns_and_point_estimates(hs):
    std = ts.cfa(HS, hs)
    res = ts.cfa(HS, hs, se="bootstrap", bootstrap=200, seed=3, n_jobs=1, progress=False)
    est = res.estimates
    # point estimates are the full-sample ML estimates
    np.testing.assert_allclose(est["est"], std.estimates["est"], atol=1e-9)
    assert {"std_all_ci_lower", "std_all_ci_upper"} <= set(est.columns)
    free = est["se"] > 0
    assert (est.loc[free, "ci_lower"] < est.loc[free, "est"]).all()
    assert (est.loc[free, "ci_upper"] > est.loc[free, "est"]).all()
    assert (est.loc[free, "std_all_ci_lower"] <= est.loc[free, "std_all"]).all()
    # fixed loadings keep se 0 and a degenerate interval
    marker = est.query("lhs == 'visual' and rhs == 'x1'").iloc[0]
    assert marker["se"] == 0 and marker["ci_lower"] == marker["ci_upper"] == 1
    assert res.bootstrap.n_ok == 200 and res.bootstrap.n_failed == 0
    assert "bootstrap (200 draws" in res.options["se_label"]
    assert any(n.startswith("Bootstrap: 200 of 200") for n in res.notes)


def test_matches_lavaan_bootstrap(hs):
    """Against lavaan se="bootstrap" (B = 2000, tests/reference/r/hs_bootstrap.R).

    Two independent Monte Carlo estimates are compared, so the tolerances are
    simulation-error sized, not 1 %: SEs within 20 % each and 5 % on average
    (the speed =~ x9 loading has a heavy-tailed bootstrap distribution), and
    percentile bounds within 0.08.
    """
    ref = load_reference("hs_bootstrap", "estimates")
    res = ts.cfa(HS, hs, se="bootstrap", bootstrap=1000, seed=1, n_jobs=1, progress=False)
    m = ref.merge(res.estimates, on=["lhs", "op", "rhs"], suffixes=("_ref", ""))
    free = m["se_ref"] > 0
    rel = (m["se"] / m["se_ref"] - 1)[free].abs()
    assert rel.max() < 0.20 and rel.mean() < 0.05, rel
    assert (m["ci_lower"] - m["ci.lower"])[free].abs().max() < 0.08
    assert (m["ci_upper"] - m["ci.upper"])[free].abs().max() < 0.08


def test_defined_parameters_get_bootstrap_intervals():
    res = ts.sem(TALOR, ref_data("tal_or.csv"), se="bootstrap", bootstrap=300, seed=5,
                 n_jobs=1, progress=False)
    ab = res.estimates.query("op == ':='").set_index("lhs")
    assert ab.loc["ab", "est"] == pytest.approx(0.2413, abs=1e-4)    # Hayes (2013)
    assert ab.loc["ab", "ci_lower"] > 0                               # bootstrap CI excludes 0
    assert ab.loc["ab", "std_all_ci_lower"] < ab.loc["ab", "std_all"] < ab.loc["ab", "std_all_ci_upper"]
    assert res.bootstrap.est.shape == (300, len(res.estimates))


@pytest.mark.parametrize("ci_type", ["bc", "bca"])
def test_bias_corrected_intervals(ci_type):
    res = ts.sem(TALOR, ref_data("tal_or.csv"), se="bootstrap", bootstrap=200, seed=5,
                 ci_type=ci_type, n_jobs=1, progress=False)
    ab = res.estimates.query("lhs == 'ab'").iloc[0]
    assert ab["ci_lower"] < ab["est"] < ab["ci_upper"]
    assert res.bootstrap.ci_type == ci_type


def test_zero_variance_draws_do_not_kill_the_run():
    rng = np.random.default_rng(0)
    n = 60
    f = rng.standard_normal(n)
    df = pd.DataFrame({f"y{i}": np.round(f + rng.standard_normal(n)) for i in range(1, 4)})
    # a rare item: constant except for two respondents, so many draws make it constant
    df["y4"] = 1.0
    df.loc[[3, 40], "y4"] = [2.0, 0.0]
    df["y4"] += 0.1 * f * (df["y4"] != 1)
    with pytest.warns(ts.TrustsemWarning):
        res = ts.cfa("f =~ y1 + y2 + y3 + y4", df, se="bootstrap", bootstrap=100, seed=2,
                     n_jobs=1, progress=False)
    info = res.bootstrap
    assert info.failures.get("zero-variance item", 0) > 0
    assert info.n_ok + info.n_failed == 100 and info.n_ok > 0
    assert any("failed" in n for n in res.notes)


def test_percentile_ci_function_matches_numpy_quantiles(rng):
    draws = rng.normal(size=(500, 3))
    lo, hi = bootstrap_ci(draws, draws.mean(axis=0), ci_type="perc", level=0.9)
    np.testing.assert_allclose(lo, np.quantile(draws, 0.05, axis=0))
    np.testing.assert_allclose(hi, np.quantile(draws, 0.95, axis=0))


def test_bootstrap_needs_raw_data():
    cov = ref_data("wheaton_cov.csv").set_index("var")
    with pytest.raises(ts.SpecificationError, match="raw `data`"):
        ts.sem("ses =~ education + sei", sample_cov=cov, sample_nobs=932, se="bootstrap")


def test_fiml_bootstrap_runs():
    res = ts.cfa(HS, ref_data("hs_missing.csv"), missing="fiml", se="bootstrap", bootstrap=30,
                 seed=1, n_jobs=1, progress=False)
    assert res.bootstrap.n_ok == 30
    assert (res.estimates.loc[res.estimates["se"] > 0, "se"] < 1).all()
