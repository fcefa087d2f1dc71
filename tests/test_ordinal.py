"""Ordinal first stage (trustsem.sem.engine.ordinal) against lavaan 0.6-14.

Fixtures: tests/reference/ordinal_{tiktok,trust,edge}__* from
tests/reference/r/ordinal_<case>.R (lavCor() thresholds and polychorics, and
lavInspect(fit, "gamma") of a WLSMV CFA).

Tolerances (the agreement actually reached is ~1e-14 for thresholds, ~2e-8 for
correlations and ~4e-9 relative for Gamma; the gaps are lavaan's nlminb
stopping rule):
- thresholds: 1e-6 absolute (closed form on both sides);
- polychoric correlations: 1e-5 absolute;
- Gamma: 1e-3 times max |Gamma entry| (element-wise absolute difference).
- bivariate normal CDF: 1e-10 absolute against scipy.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest
from conftest import REF, REPO
from scipy import optimize
from scipy.special import ndtr, owens_t
from scipy.stats import multivariate_normal

from trustsem.sem.engine.ordinal import (
    OrdinalMoments,
    bvn_cdf,
    ordinal_moments,
    polychoric,
    thresholds,
)
from trustsem.exceptions import (
    DataError,
    DataQualityWarning,
    MissingDataWarning,
    SpecificationError,
)

TOL_TH = 1e-6
TOL_COR = 1e-5
TOL_GAMMA_REL = 1e-3

TIKTOK_ITEMS = ["TR1", "TR2", "TR3", "TR4", "TR5", "OIB1", "OIB2", "OIB3"]
TRUST_ITEMS = ["PQ1", "PQ2", "PQ3", "INFO1", "INFO2", "INFO3", "INFO4", "TF1", "TF2", "TF3"]


def _meta(case):
    return json.loads((REF / f"{case}__meta.json").read_text())


def _data(case):
    if case == "ordinal_tiktok":
        return pd.read_csv(REPO / "trustsem" / "data" / "datasets" / "tiktok_shop_impulse_buying.csv")[TIKTOK_ITEMS]
    if case == "ordinal_trust":
        return pd.read_csv(REPO / "trustsem" / "data" / "datasets" / "trust_survey.csv")[TRUST_ITEMS]
    cols = _meta(case)["data"]
    return pd.DataFrame({k: [np.nan if v is None else v for v in col] for k, col in cols.items()})


@pytest.fixture(scope="module", params=["ordinal_tiktok", "ordinal_trust", "ordinal_edge"])
def case(request):
    name = request.param
    return name, _data(name), ordinal_moments(_data(name), True)


# --------------------------------------------------------------------------- lavaan

def test_thresholds_match_lavaan(case):
    name, _, om = case
    ref = pd.read_csv(REF / f"{name}__thresholds.csv")
    assert om.th_labels == ref["label"].tolist()
    np.testing.assert_allclose(om.th_vector, ref["value"].to_numpy(), rtol=0, atol=TOL_TH)


def test_polychoric_matrix_matches_lavaan(case):
    name, _, om = case
    ref = pd.read_csv(REF / f"{name}__polychoric.csv", index_col=0)
    assert ref.index.tolist() == om.names
    np.testing.assert_allclose(om.cor, ref.to_numpy(), rtol=0, atol=TOL_COR)
    np.testing.assert_array_equal(np.diag(om.cor), 1.0)


def test_gamma_matches_lavaan(case):
    name, _, om = case
    ref = pd.read_csv(REF / f"{name}__gamma.csv", index_col=0)
    assert om.labels == ref.index.tolist() == ref.columns.tolist()
    G = ref.to_numpy()
    assert np.abs(om.gamma - G).max() <= TOL_GAMMA_REL * np.abs(G).max()
    np.testing.assert_array_equal(om.gamma, om.gamma.T)


def test_nobs_and_pairwise_n_match_lavaan(case):
    name, _, om = case
    meta = _meta(name)
    assert om.nobs == meta["nobs"]
    np.testing.assert_array_equal(om.n_pairs, np.array(meta["n_pairs"]))
    assert sorted(om.zero_cell_pairs) == sorted(tuple(s.split(" x ")) for s in meta["zero_cell_pairs"])


def test_trust_notes_state_pairwise_and_n_range():
    om = ordinal_moments(_data("ordinal_trust"), TRUST_ITEMS)
    lo, hi = _meta("ordinal_trust")["n_pairs_range"]
    note = " ".join(om.notes)
    assert "pairwise" in note.lower()
    assert f"N = {lo}-{hi}" in note
    assert om.missing == "pairwise" and om.n_rows == 600


def test_edge_case_notes():
    om = ordinal_moments(_data("ordinal_edge"), True)
    note = " ".join(om.notes)
    assert "g1: observed categories [1, 2, 4, 5]" in note
    assert "1 row(s) with no observed item" in note
    assert om.thresholds["g1"].size == 3 and om.thresholds["b1"].size == 1
    np.testing.assert_array_equal(om.levels["g1"], [1, 2, 4, 5])
    assert om.nobs == 149 and om.n_rows == 150


def test_single_pair_polychoric_matches_lavaan():
    d = _data("ordinal_tiktok")
    C = d.to_numpy() - 1
    th = thresholds(C, 5)
    ref = pd.read_csv(REF / "ordinal_tiktok__polychoric.csv", index_col=0)
    r = polychoric(C[:, 0], C[:, 1], th[0], th[1])
    assert abs(r - ref.loc["TR1", "TR2"]) < TOL_COR
    # OIB items have nearly empty low categories: many zero cells
    r = polychoric(C[:, 5], C[:, 7], th[5], th[7])
    assert abs(r - ref.loc["OIB1", "OIB3"]) < TOL_COR


# --------------------------------------------------------------------------- numerics

def test_bvn_cdf_matches_scipy():
    rng = np.random.default_rng(20261122)
    n = 400
    x = rng.uniform(-5, 5, n)
    y = rng.uniform(-5, 5, n)
    r = rng.uniform(-0.9999, 0.9999, n)
    # every branch of Genz's algorithm, both signs
    r[:16] = [-0.9999, -0.99, -0.95, -0.925, -0.8, -0.5, -0.2, 0.0,
              0.1, 0.3, 0.6, 0.75, 0.9, 0.925, 0.97, 0.9999]
    ref = np.array([multivariate_normal.cdf([a, b], mean=[0, 0], cov=[[1, c], [c, 1]],
                                            abseps=1e-14, releps=1e-14)
                    for a, b, c in zip(x, y, r)])
    assert np.abs(bvn_cdf(x, y, r) - ref).max() < 1e-10


def test_bvn_cdf_owens_t_identity_and_limits():
    rng = np.random.default_rng(7)
    h = rng.uniform(-3, 3, 1000)
    k = rng.uniform(-3, 3, 1000)
    r = rng.uniform(-0.99, 0.99, 1000)
    s = np.sqrt(1 - r * r)
    owen = (0.5 * (ndtr(h) + ndtr(k)) - owens_t(h, (k - r * h) / (h * s))
            - owens_t(k, (h - r * k) / (k * s)) - np.where(h * k < 0, 0.5, 0.0))
    assert np.abs(bvn_cdf(h, k, r) - owen).max() < 1e-12
    # infinite bounds, independence and the rho = +-1 limits
    assert bvn_cdf(np.inf, 0.3, 0.5) == pytest.approx(ndtr(0.3), abs=1e-15)
    assert bvn_cdf(-0.2, np.inf, -0.5) == pytest.approx(ndtr(-0.2), abs=1e-15)
    assert bvn_cdf(-np.inf, 0.3, 0.5) == 0.0
    assert bvn_cdf(0.4, -0.7, 0.0) == pytest.approx(ndtr(0.4) * ndtr(-0.7), abs=1e-15)
    assert bvn_cdf(0.4, -0.7, 1.0) == pytest.approx(ndtr(-0.7), abs=1e-15)
    assert bvn_cdf(0.4, -0.7, -1.0) == pytest.approx(0.0, abs=1e-15)
    assert bvn_cdf(0.4, 0.7, -1.0) == pytest.approx(ndtr(0.4) + ndtr(0.7) - 1, abs=1e-15)
    assert bvn_cdf(np.array([[0.0]]), 0.0, 0.5).shape == (1, 1)


def _brute_force_rho(tab, t1, t2):
    """ML rho by bounded scalar minimisation with scipy's bivariate normal CDF."""
    e1 = np.concatenate(([-np.inf], t1, [np.inf]))
    e2 = np.concatenate(([-np.inf], t2, [np.inf]))

    def negll(rho):
        F = np.zeros((e1.size, e2.size))
        for a, u in enumerate(e1):
            for b, v in enumerate(e2):
                if np.isinf(u) or np.isinf(v):
                    F[a, b] = 0.0 if (u == -np.inf or v == -np.inf) else (
                        ndtr(v) if u == np.inf else ndtr(u))
                else:
                    F[a, b] = multivariate_normal.cdf([u, v], cov=[[1, rho], [rho, 1]],
                                                      abseps=1e-14, releps=1e-14)
        PI = F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]
        return -np.sum(tab * np.log(np.maximum(PI, 1e-300)))

    return optimize.minimize_scalar(negll, bounds=(-0.999, 0.999), method="bounded",
                                    options={"xatol": 1e-10}).x


def test_polychoric_is_the_ml_estimate(rng):
    z = rng.multivariate_normal([0, 0], [[1, 0.55], [0.55, 1]], size=300)
    x = np.digitize(z[:, 0], [-1.0, 0.0, 0.8])
    y = np.digitize(z[:, 1], [-0.5, 1.1])
    tx, ty = thresholds(np.column_stack([x, y]), [4, 3])
    tab = np.zeros((4, 3))
    np.add.at(tab, (x, y), 1)
    assert polychoric(x, y, tx, ty) == pytest.approx(_brute_force_rho(tab, tx, ty), abs=1e-6)


def test_two_by_two_special_cases():
    # a*d == b*c: rho = 0 exactly
    x = np.repeat([0, 0, 1, 1], [20, 10, 40, 20])
    y = np.repeat([0, 1, 0, 1], [20, 10, 40, 20])
    tx, ty = thresholds(np.column_stack([x, y]), 2)
    assert polychoric(x, y, tx, ty) == 0.0
    # median splits: closed form -cos(2 pi p11), which is also the ML estimate
    x = np.repeat([0, 0, 1, 1], [35, 15, 15, 35])
    y = np.repeat([0, 1, 0, 1], [35, 15, 15, 35])
    tx, ty = thresholds(np.column_stack([x, y]), 2)
    r = polychoric(x, y, tx, ty)
    assert r == pytest.approx(-np.cos(2 * np.pi * 0.35), abs=1e-14)
    assert r == pytest.approx(np.sin(np.pi / 2 * 0.4), abs=1e-12)   # Sheppard: sin(pi/2 (2 p11 + 2 p22 - 1))
    # two empty cells: perfect association, as lavaan (with a warning)
    x = np.repeat([0, 1], [30, 70])
    with pytest.warns(DataQualityWarning, match="two empty cells"):
        assert polychoric(x, x.copy(), *thresholds(np.column_stack([x, x]), 2)) == 1.0


def test_thresholds_closed_form_and_missing():
    x = np.array([0, 0, 1, 2, 2, 2, -1, 1, 0, 2])
    t = thresholds(x, 3)
    obs = x[x >= 0]
    np.testing.assert_allclose(t, [optimize.brentq(lambda q: ndtr(q) - np.mean(obs <= 0), -5, 5),
                                   optimize.brentq(lambda q: ndtr(q) - np.mean(obs <= 1), -5, 5)],
                               atol=1e-12)
    t2 = thresholds(np.where(x >= 0, x, np.nan), 3)        # NaN = missing as well
    np.testing.assert_allclose(t, t2, atol=0)


def test_listwise_equals_pairwise_on_complete_rows():
    d = _data("ordinal_trust")
    lw = ordinal_moments(d, True, missing="listwise")
    cc = ordinal_moments(d.dropna(), True)
    assert lw.nobs == len(d.dropna()) < 600
    np.testing.assert_allclose(lw.cor, cc.cor, atol=1e-14)
    np.testing.assert_allclose(lw.gamma, cc.gamma, rtol=1e-12, atol=1e-12)
    assert any("Listwise deletion" in s for s in lw.notes)


def test_vectors_and_labels_are_consistent():
    om = ordinal_moments(_data("ordinal_tiktok"), True)
    assert isinstance(om, OrdinalMoments)
    assert len(om.wls_obs) == len(om.labels) == om.gamma.shape[0] == 4 * 8 + 28
    i = om.labels.index("TR2~~OIB1")
    assert om.wls_obs[i] == om.cor[om.names.index("OIB1"), om.names.index("TR2")]
    assert om.labels[:2] == ["TR1|t1", "TR1|t2"] and om.labels[32:34] == ["TR1~~TR2", "TR1~~TR3"]
    # positive semi-definite; for these data singular, in lavaan too (OIB1-OIB3 have
    # categories chosen by 1 or 2 respondents), which is why the CFA warns about vcov
    ev = np.linalg.eigvalsh(om.gamma)
    assert ev.min() > -1e-12 * ev.max() and ev.min() < 1e-10 * ev.max()
    assert ordinal_moments(_data("ordinal_tiktok"), True, gamma=False).gamma is None


def test_input_types_give_the_same_answer():
    d = _data("ordinal_edge")
    ref = ordinal_moments(d, True)
    cat = d.copy()
    cat["o3"] = pd.Categorical(d["o3"].map({1: "low", 2: "mid", 3: "high"}),
                               categories=["low", "mid", "high"], ordered=True)
    cat["b1"] = d["b1"].astype("Int64")
    alt = ordinal_moments(cat, list(d.columns))
    np.testing.assert_allclose(alt.cor, ref.cor, atol=1e-14)
    np.testing.assert_allclose(alt.gamma, ref.gamma, atol=1e-12)
    # shifting the codes changes nothing
    shifted = ordinal_moments(d + 10, True)
    np.testing.assert_allclose(shifted.cor, ref.cor, atol=1e-14)


# --------------------------------------------------------------------------- errors

def _small():
    rng = np.random.default_rng(3)
    return pd.DataFrame({"a": rng.integers(1, 6, 60), "b": rng.integers(1, 6, 60),
                         "c": rng.integers(1, 4, 60)}).astype(float)


def test_error_single_category():
    d = _small()
    d["const"] = 3.0
    with pytest.raises(DataError, match="const"):
        ordinal_moments(d, True)


def test_error_all_missing_column():
    d = _small()
    d["gone"] = np.nan
    with pytest.raises(DataError, match="gone"):
        ordinal_moments(d, True)


def test_error_non_integer_values():
    d = _small()
    d.loc[4, "b"] = 2.5
    with pytest.raises(DataError, match="'b'.*non-integer"):
        ordinal_moments(d, True)


def test_error_non_numeric_column():
    d = _small()
    d["txt"] = "agree"
    with pytest.raises(DataError, match="txt"):
        ordinal_moments(d, True)


def test_error_continuous_column_not_declared():
    d = _small()
    with pytest.raises(DataError, match="c.*not declared ordered"):
        ordinal_moments(d, ["a", "b"])
    with pytest.raises(DataError, match="zz"):
        ordinal_moments(d, ["a", "b", "c", "zz"])


def test_error_pair_never_observed_together():
    d = _small()
    d.loc[:29, "a"] = np.nan
    d.loc[30:, "b"] = np.nan
    with pytest.raises(DataError, match="a and b"):
        ordinal_moments(d, True)


def test_error_bad_missing_option():
    with pytest.raises(SpecificationError, match="missing"):
        ordinal_moments(_small(), True, missing="ml")


def test_thresholds_error_empty_category():
    x = np.array([[0, 0], [1, 2], [2, 2], [0, 0]])   # PQ2: category 1 empty
    with pytest.raises(DataError, match="PQ2"):
        thresholds(x, [3, 3], names=["PQ1", "PQ2"])
    with pytest.raises(DataError, match="non-integer|whole"):
        thresholds(np.array([0.0, 1.5, 1.0]), 3)


def test_warns_many_categories_and_low_coverage():
    rng = np.random.default_rng(5)
    d = _small()
    wide = rng.integers(1, 15, 60).astype(float)
    wide[:14] = np.arange(1, 15)
    d["wide"] = wide
    with pytest.warns(DataQualityWarning, match="wide"):
        ordinal_moments(d, True, gamma=False)
    d = _small()
    d.loc[5:, "a"] = np.nan          # a observed on 5 of 60 rows only
    d.loc[:4, "a"] = [1, 2, 1, 2, 2]
    with pytest.warns(MissingDataWarning, match="coverage"):
        ordinal_moments(d, True, gamma=False)


def test_warns_nearly_perfect_correlation():
    rng = np.random.default_rng(11)
    a = rng.integers(1, 6, 200).astype(float)
    b = a.copy()
    b[:3] = np.clip(b[:3] + 1, 1, 5)
    with pytest.warns(DataQualityWarning, match="nearly"):
        om = ordinal_moments(pd.DataFrame({"a": a, "b": b}), True, gamma=False)
    assert om.cor[0, 1] > 0.99


# --------------------------------------------------------------------------- speed

def test_speed_44_items_800_rows():
    from trustsem.data.simulate import simulate_survey

    sim = simulate_survey(800, seed=1, missing_rate=0.0).data
    cons = ("PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP", "TF", "TA", "TI", "PI", "PC")
    items = [c for c in sim.columns if c.rstrip("0123456789") in cons]
    assert len(items) == 44
    t = time.perf_counter()
    om = ordinal_moments(sim[items], True)
    elapsed = time.perf_counter() - t
    assert om.gamma.shape == (44 * 4 + 946,) * 2
    # typically 0.1-0.4 s; generous bound for a loaded shared machine
    assert elapsed < 10.0
