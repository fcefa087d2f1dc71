"""KMO, Bartlett, parallel analysis and EFA against psych 2.2.9.

Reference values: tests/reference/<case>__kmo.csv, __bartlett.csv,
__parallel.csv, __efa.csv, __efa_phi.csv from tests/reference/r/measurement_<case>.R
(X = complete rows of the model's items; see tests/reference/README.md).

Tolerances (absolute unless stated):
- KMO, Bartlett, principal-component eigenvalues: closed form, TOL_EXACT = 1e-6
  (Bartlett's chi-square relative above 1, via conftest.close).
- EFA loadings, communalities, factor correlations and the one-factor minres
  eigenvalues of parallel analysis: TOL_EST = 1e-3, after matching factor
  order and sign. These come from an iterative optimizer (psych: optim
  L-BFGS-B; here scipy L-BFGS-B, tighter tolerances) and rotation algorithms
  with their own stopping rules. Largest differences seen: varimax/promax
  7.4e-4, because stats::varimax stops once the criterion improves by less than
  a relative 1e-5, while trustsem iterates to 1e-12 (its varimax criterion is
  higher, i.e. better converged); everything else below 5e-5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import TOL_EST, TOL_EXACT, close, load_reference
from scipy.optimize import linear_sum_assignment

from trustsem.data.datasets import load_example
from trustsem.measurement.efa import (
    BartlettResult,
    EFAResult,
    KMOResult,
    ParallelResult,
    bartlett,
    efa,
    kmo,
    parallel_analysis,
)
from trustsem.exceptions import (
    DataError,
    HeywoodCaseWarning,
    MissingDataWarning,
    SpecificationError,
)

_DATA = {
    "hs": lambda: load_example("holzinger_swineford_1939"),
    "tiktok": lambda: load_example("tiktok_shop_impulse_buying"),
    "ecsi": lambda: load_example("ecsi_satisfaction"),
    "trust": lambda: load_example("trust_survey"),
}
_N_FACTORS = {"hs": 3, "tiktok": 7}


def _items(case: str) -> list[str]:
    return list(load_reference(case, "item_stats")["item"])


def _complete(case: str) -> pd.DataFrame:
    """The complete rows of the model items, as the R scripts use (X)."""
    return _DATA[case]()[_items(case)].dropna()


@pytest.fixture(scope="module", params=["hs", "tiktok", "ecsi", "trust"])
def case(request) -> str:
    return request.param


# --------------------------------------------------------------- KMO / Bartlett

def test_kmo(case):
    res = kmo(_complete(case))
    ref = load_reference(case, "kmo").set_index("item")
    assert isinstance(res, KMOResult)
    assert abs(res.overall - ref.loc["overall", "msa"]) <= TOL_EXACT
    got = res.table.set_index("item")["msa"]
    np.testing.assert_allclose(got, ref["msa"].drop("overall").loc[got.index],
                               atol=TOL_EXACT, rtol=0)
    assert res.label in {"marvelous", "meritorious", "middling", "mediocre",
                         "miserable", "unacceptable"}


def test_bartlett(case):
    res = bartlett(_complete(case))
    ref = load_reference(case, "bartlett").iloc[0]
    assert isinstance(res, BartlettResult)
    assert res.df == ref["df"]
    assert res.n_obs == ref["n"]
    assert close(res.chisq, ref["chisq"], TOL_EXACT)
    assert abs(res.pvalue - ref["pvalue"]) <= TOL_EXACT
    assert "factor analysis is appropriate" in res.verdict
    assert list(res.table.columns) == ["chisq", "df", "pvalue", "n_obs", "verdict"]


def test_listwise_deletion_warns_and_matches_complete_rows():
    tr = _DATA["trust"]()
    items = _items("trust")
    with pytest.warns(MissingDataWarning, match="used 402 of 600 rows"):
        res = kmo(tr, items)
    assert res.n_obs == 402
    ref = load_reference("trust", "kmo").set_index("item")
    assert abs(res.overall - ref.loc["overall", "msa"]) <= TOL_EXACT


def test_pairwise_and_fiml_options():
    tr = _DATA["trust"]()
    items = _items("trust")
    pw = kmo(tr, items, missing="pairwise")
    em = kmo(tr, items, missing="fiml")
    assert pw.n_obs == 600 and em.n_obs == 600
    # 1% missing cells: all three estimates agree to about 1e-2
    lw = kmo(_complete("trust"))
    assert abs(pw.overall - lw.overall) < 0.01 and abs(em.overall - lw.overall) < 0.01
    b = bartlett(tr, items, missing="pairwise")
    assert b.n_obs == 600


# --------------------------------------------------------------- parallel analysis

def test_parallel_observed_eigenvalues(case):
    res = parallel_analysis(_complete(case), n_iter=5, seed=1)
    ref = load_reference(case, "parallel")
    assert isinstance(res, ParallelResult)
    np.testing.assert_allclose(res.table["pc_observed"], ref["pc_observed"],
                               atol=TOL_EXACT, rtol=0)
    np.testing.assert_allclose(res.table["fa_observed"], ref["fa_observed"],
                               atol=TOL_EST, rtol=0)


def test_parallel_structure():
    X = _complete("hs")
    res = parallel_analysis(X, n_iter=15, seed=11)
    t = res.table
    p = X.shape[1]
    assert list(t["factor"]) == list(range(1, p + 1))
    for k in ("pc", "fa"):
        assert (np.diff(t[f"{k}_observed"]) <= 1e-12).all()
        assert (np.diff(t[f"{k}_sim_mean"]) <= 1e-12).all()
        assert (t[f"{k}_sim_quantile"] >= t[f"{k}_sim_mean"] - 1e-12).all()
    # random normal correlation matrices: PC eigenvalues average to 1 (trace = p)
    assert t["pc_sim_mean"].sum() == pytest.approx(p)
    assert t["pc_sim_mean"].iloc[0] > 1 > t["pc_sim_mean"].iloc[-1]
    # suggestion = leading observed eigenvalues above the simulated quantile
    obs, q = t["pc_observed"].to_numpy(), t["pc_sim_quantile"].to_numpy()
    k = res.n_components
    assert (obs[:k] > q[:k]).all() and (k == p or obs[k] <= q[k])
    # Holzinger-Swineford: three factors (psych's fa.parallel agrees, see meta)
    assert res.n_factors == 3 and res.n_components == 3
    again = parallel_analysis(X, n_iter=15, seed=11)
    pd.testing.assert_frame_equal(again.table, t)
    other = parallel_analysis(X, n_iter=15, seed=12)
    assert not np.allclose(other.table["pc_sim_mean"], t["pc_sim_mean"])
    pc = parallel_analysis(X, n_iter=3, seed=1, kind="pc")
    assert pc.n_factors is None and "fa_observed" not in pc.table


# --------------------------------------------------------------- EFA

def _match(L: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reorder/sign the columns of L to best match W; return (L', perm, signs)."""
    ri, ci = linear_sum_assignment(-np.abs(L.T @ W))
    out = np.zeros_like(W)
    perm = np.empty(W.shape[1], dtype=int)
    sign = np.empty(W.shape[1])
    for a, b in zip(ri, ci):
        s = np.sign(L[:, a] @ W[:, b])
        out[:, b] = s * L[:, a]
        perm[b], sign[b] = a, s
    return out, perm, sign


EFA_CASES = [(c, m, r) for c in ("hs", "tiktok") for m in ("ml", "minres")
             for r in ("none", "varimax", "oblimin", "promax")]


@pytest.fixture(scope="module")
def efa_results() -> dict:
    out = {}
    for c, m, r in EFA_CASES:
        out[(c, m, r)] = efa(_complete(c), _N_FACTORS[c], method=m, rotation=r)
    return out


@pytest.mark.parametrize("case_,method,rotation", EFA_CASES)
def test_efa_loadings(efa_results, case_, method, rotation):
    res = efa_results[(case_, method, rotation)]
    assert isinstance(res, EFAResult) and res.converged
    ref = load_reference(case_, "efa")
    ref = ref[(ref["method"] == method) & (ref["rotation"] == rotation)]
    W = ref.pivot(index="item", columns="factor", values="loading")
    items = list(res.loadings.index)
    Lm, _perm, _sign = _match(res.loadings.to_numpy(), W.loc[items].to_numpy())
    np.testing.assert_allclose(Lm, W.loc[items].to_numpy(), atol=TOL_EST, rtol=0)


@pytest.mark.parametrize("case_,method,rotation", EFA_CASES)
def test_efa_communalities(efa_results, case_, method, rotation):
    res = efa_results[(case_, method, rotation)]
    ref = load_reference(case_, "efa")
    ref = ref[(ref["method"] == method) & (ref["rotation"] == rotation)]
    h2 = ref.drop_duplicates("item").set_index("item")
    got = res.communalities.set_index("item")
    np.testing.assert_allclose(got["communality"], h2.loc[got.index, "communality"],
                               atol=TOL_EST, rtol=0)
    np.testing.assert_allclose(got["uniqueness"], h2.loc[got.index, "uniqueness"],
                               atol=TOL_EST, rtol=0)


@pytest.mark.parametrize("case_,method,rotation",
                         [c for c in EFA_CASES if c[2] in ("oblimin", "promax")])
def test_efa_factor_correlations(efa_results, case_, method, rotation):
    res = efa_results[(case_, method, rotation)]
    ref = load_reference(case_, "efa")
    ref = ref[(ref["method"] == method) & (ref["rotation"] == rotation)]
    W = ref.pivot(index="item", columns="factor", values="loading")
    items = list(res.loadings.index)
    _Lm, perm, sign = _match(res.loadings.to_numpy(), W.loc[items].to_numpy())
    P = res.phi.to_numpy()[np.ix_(perm, perm)] * np.outer(sign, sign)
    ph = load_reference(case_, "efa_phi")
    ph = ph[(ph["method"] == method) & (ph["rotation"] == rotation)]
    Pr = ph.pivot(index="factor", columns="factor2", values="phi").loc[W.columns, W.columns]
    np.testing.assert_allclose(P, Pr.to_numpy(), atol=TOL_EST, rtol=0)


def test_efa_structure_of_result(efa_results):
    res = efa_results[("hs", "minres", "oblimin")]
    L, Phi = res.loadings.to_numpy(), res.phi.to_numpy()
    np.testing.assert_allclose(res.structure.to_numpy(), L @ Phi)
    np.testing.assert_allclose(np.diag(Phi), 1.0)
    ss = res.variance["ss_loadings"].to_numpy()
    assert (np.diff(ss) <= 1e-12).all()                  # ordered as psych orders
    assert (res.loadings.sum(axis=0) > 0).all()           # positive column sums
    assert list(res.table.columns) == ["item", "factor", "loading"]
    assert efa_results[("hs", "ml", "varimax")].phi is None
    assert "Exploratory factor analysis" in str(res.summary(cut=0.3))


def test_efa_one_factor_and_unrotated_none():
    X = _complete("hs")
    one = efa(X, 1, method="ml", rotation="oblimin")
    assert one.loadings.shape == (9, 1) and one.phi is None
    assert efa(X, 2, rotation=None).rotation == "none"


# --------------------------------------------------------------- bad input

def test_singular_correlation_names_items():
    X = _complete("hs").copy()
    X["x10"] = X["x1"] + X["x2"]
    with pytest.raises(DataError, match=r"singular.*x10"):
        efa(X, 3)
    with pytest.raises(DataError, match=r"x1.*x2|x2.*x1|x10"):
        kmo(X)


def test_efa_bad_options():
    X = _complete("hs")
    with pytest.raises(SpecificationError, match="rotation"):
        efa(X, 2, rotation="quartimax")
    with pytest.raises(SpecificationError, match="method"):
        efa(X, 2, method="pa")
    with pytest.raises(SpecificationError, match="n_factors"):
        efa(X, 9)
    with pytest.raises(SpecificationError, match="x99"):
        efa(X, 2, items=["x1", "x2", "x99"])
    with pytest.raises(DataError, match="'school'"):
        efa(load_example("holzinger_swineford_1939"), 2)   # a text column


def test_constant_item_named():
    X = _complete("hs").copy()
    X["x4"] = 2.0
    with pytest.raises(DataError, match="'x4'"):
        bartlett(X)


def test_heywood_case_warns():
    rng = np.random.default_rng(0)
    f = rng.standard_normal(300)
    X = pd.DataFrame({f"v{i}": f + rng.standard_normal(300) for i in range(4)})
    X["v4"] = f + 0.05 * rng.standard_normal(300)       # almost pure factor measures,
    X["v5"] = X["v4"] + 0.05 * rng.standard_normal(300)  # near-duplicates of each other
    with pytest.warns(HeywoodCaseWarning, match=r"\['v4', 'v5'\]"):
        res = efa(X, 1, method="ml")
    assert res.communalities.set_index("item").loc["v5", "communality"] > 0.99
    assert any("Heywood" in n for n in res.notes)


def test_bartlett_level_and_deprecated_alpha():
    import warnings

    X = _complete("hs")
    default = bartlett(X)
    assert "(p < 0.05)" in default.verdict
    strict = bartlett(X, level=0.99)
    assert "(p < 0.01)" in strict.verdict
    assert strict.chisq == default.chisq
    with pytest.warns(FutureWarning, match="level="):
        old = bartlett(X, alpha=0.01)
    assert old.verdict == strict.verdict
    with pytest.raises(SpecificationError, match="not both"):
        bartlett(X, level=0.99, alpha=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        bartlett(X, level=0.95)
    # a weak correlation matrix: the decision itself follows 1 - level
    rng = np.random.default_rng(3)
    W = pd.DataFrame(rng.standard_normal((40, 3)), columns=["a", "b", "c"])
    p = bartlett(W).pvalue
    assert ("not appropriate" in bartlett(W, level=1 - p / 2).verdict)
    assert ("not appropriate" not in bartlett(W, level=1 - min(2 * p, 0.999)).verdict)
