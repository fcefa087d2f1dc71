"""Tests for trustsem.data.simulate.simulate_survey."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from trustsem.exceptions import SpecificationError
from trustsem.data.simulate import (
    CONSTRUCTS,
    TRUST_SPECIFICATIONS,
    SimulatedSurvey,
    item_bank,
    simulate_survey,
)

DEMOGRAPHICS = [
    "resp_id",
    "age_band",
    "gender",
    "platform_type",
    "tenure_years",
    "purchases_12m",
    "pm_exposed",
]
OUTCOMES = ["repurchase", "shares", "duration_sec"]
CORE = [
    "PREP",
    "PASS",
    "MREP",
    "PQ",
    "INFO",
    "SOC",
    "EXP",
    "TF",
    "TA",
    "TI",
    "PI",
    "PC",
]


def items_of(constructs):
    return [it for c in constructs for it in CONSTRUCTS[c]]


def cronbach_alpha(df: pd.DataFrame) -> float:
    df = df.dropna()
    k = df.shape[1]
    return k / (k - 1) * (1 - df.var(ddof=1).sum() / df.sum(axis=1).var(ddof=1))


@pytest.fixture(scope="module")
def big() -> SimulatedSurvey:
    return simulate_survey(40_000, seed=7)


@pytest.fixture(scope="module")
def small() -> SimulatedSurvey:
    return simulate_survey(600, seed=20261122)


# --- structure ---------------------------------------------------------------


def test_item_counts_match_research_model():
    expected = {"PREP": 4, "PASS": 5, "MREP": 4, "PQ": 3, "INFO": 4, "SOC": 4,
                "EXP": 3, "TF": 3, "TA": 3, "TI": 3, "PI": 4, "PC": 4, "PMF": 4,
                "LOY": 3}  # fmt: skip
    assert {c: len(v) for c, v in CONSTRUCTS.items()} == expected
    bank = item_bank()
    assert len(bank) == 51
    assert (
        bank.loc[bank["item"] == "PREP1", "label_zh"].item()
        == "该平台在消费者中口碑良好。"
    )
    assert (
        bank.loc[bank["item"] == "TI2", "label_en"]
        .item()
        .startswith("Laws and regulations")
    )
    assert list(item_bank(["PQ"])["item"]) == ["PQ1", "PQ2", "PQ3"]
    with pytest.raises(SpecificationError, match="XYZ"):
        item_bank(["XYZ"])


def test_columns_module_b(small):
    cols = DEMOGRAPHICS + items_of(CORE + ["PMF", "LOY"]) + OUTCOMES
    assert set(small.data.columns) == set(cols)
    assert small.data.shape == (600, len(cols))
    assert list(small.data.columns[: len(DEMOGRAPHICS)]) == DEMOGRAPHICS
    assert list(small.data.columns[-3:]) == OUTCOMES


def test_columns_without_module_b():
    sim = simulate_survey(300, seed=1, module_b=False)
    assert not any(c.startswith(("PMF", "LOY")) for c in sim.data.columns)
    assert set(items_of(CORE)) <= set(sim.data.columns)
    assert "PMF" not in set(sim.population["lhs"]) | set(sim.population["rhs"])
    assert not (sim.population["rhs"] == "PC:PMF").any()


def test_codebook_rows_match_data(small):
    cb = small.codebook
    assert list(cb.columns) == [
        "item",
        "construct",
        "type",
        "label_en",
        "label_zh",
        "scale_min",
        "scale_max",
        "reverse",
        "missing_codes",
    ]
    assert list(cb["item"]) == list(small.data.columns)
    assert set(cb["type"]) <= {"likert", "numeric", "categorical", "id", "text"}
    lik = cb[cb["type"] == "likert"]
    assert len(lik) == 51
    assert (lik["construct"] == lik["item"].str.rstrip("0123456789")).all()
    assert (lik["scale_min"] == 1).all() and (lik["scale_max"] == 5).all()
    assert (cb["reverse"] == 0).all()  # no reverse-keyed item exists in the model
    assert (cb.loc[cb["type"] != "likert", "construct"] == "").all()
    assert cb["label_en"].str.len().gt(0).all() and cb["label_zh"].str.len().gt(0).all()
    assert cb.loc[cb["item"] == "resp_id", "type"].item() == "id"
    bank = item_bank().set_index("item")
    assert (lik.set_index("item")["label_zh"] == bank["label_zh"]).all()


def test_seven_point_scale():
    sim = simulate_survey(2000, seed=3, scale_points=7)
    items = sim.codebook.loc[sim.codebook["type"] == "likert", "item"]
    vals = sim.data[items].stack().dropna()
    assert set(np.unique(vals)) == set(range(1, 8))
    assert (sim.codebook.loc[sim.codebook["type"] == "likert", "scale_max"] == 7).all()


def test_likert_range_and_mild_negative_skew(big):
    items = big.codebook.loc[big.codebook["type"] == "likert", "item"]
    vals = big.data[items]
    observed = vals.stack().dropna()
    assert set(np.unique(observed)) == {1.0, 2.0, 3.0, 4.0, 5.0}
    attentive = vals[big.careless.eq("attentive").to_numpy()]
    skew = attentive.skew()
    assert (skew < 0).all() and (skew > -1.2).all()
    assert 3.3 < attentive.mean().mean() < 3.9


def test_demographics(big):
    d = big.data
    assert d["resp_id"].is_unique and d["resp_id"].notna().all()
    assert set(d["age_band"]) == {"18-24", "25-34", "35-44", "45-54", "55+"}
    assert set(d["gender"]) == {"female", "male", "other"}
    assert set(d["platform_type"]) == {"C2C", "B2C", "O2O"}
    assert set(d["pm_exposed"]) == {0, 1} and set(d["repurchase"]) == {0, 1}
    assert (d["tenure_years"] > 0).all() and (d["purchases_12m"] >= 0).all()
    assert (d["shares"] >= 0).all() and (d["duration_sec"] > 0).all()
    r = np.corrcoef(np.log(d["tenure_years"]), big.latent_scores["EXP"])[0, 1]
    assert 0.4 < r < 0.65
    non_items = DEMOGRAPHICS + OUTCOMES
    assert d[non_items].notna().all().all()


# --- determinism and validation -----------------------------------------------


def test_deterministic_given_seed():
    a = simulate_survey(500, seed=123)
    b = simulate_survey(500, seed=123)
    pd.testing.assert_frame_equal(a.data, b.data)
    pd.testing.assert_frame_equal(a.latent_scores, b.latent_scores)
    pd.testing.assert_frame_equal(a.population, b.population)
    c = simulate_survey(500, seed=124)
    assert not a.data.equals(c.data)
    assert a.seed == 123


def test_seed_none_is_recorded_and_reproducible():
    a = simulate_survey(200)
    b = simulate_survey(200, seed=a.seed)
    pd.testing.assert_frame_equal(a.data, b.data)


def test_result_is_frozen(small):
    with pytest.raises(AttributeError):
        small.seed = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": 0}, "n"),
        ({"n": 10.5}, "n"),
        ({"scale_points": 6}, "scale_points"),
        ({"careless_rate": 1.5}, "careless_rate"),
        ({"missing_rate": -0.1}, "missing_rate"),
        ({"trust": "bifactor"}, "trust"),
        ({"module_b": "yes"}, "module_b"),
    ],
)
def test_invalid_arguments(kwargs, match):
    with pytest.raises(SpecificationError, match=match):
        simulate_survey(**{"n": 50, "seed": 1, **kwargs})


def test_fast_for_large_n():
    simulate_survey(1000, seed=1)  # warm the population cache
    start = time.perf_counter()
    sim = simulate_survey(100_000, seed=1)
    assert time.perf_counter() - start < 5.0
    assert sim.data.shape[0] == 100_000


# --- careless respondents and missing answers ----------------------------------


def test_careless_and_missing_rates(big):
    n = big.data.shape[0]
    items = big.codebook.loc[big.codebook["type"] == "likert", "item"]
    kinds = big.careless.value_counts()
    n_care = round(0.02 * n)
    assert kinds["straightliner"] == n_care // 2
    assert kinds["speeder"] == n_care - n_care // 2
    # straight-liners answer the same on every item (ignoring missing cells)
    spread = big.data[items].max(axis=1) - big.data[items].min(axis=1)
    assert (spread[big.careless.eq("straightliner").to_numpy()] == 0).all()
    assert (spread == 0).sum() == kinds["straightliner"]
    dur = big.data["duration_sec"]
    speed = big.careless.eq("speeder").to_numpy()
    assert dur[speed].max() < dur[big.careless.eq("attentive").to_numpy()].median() / 2
    rate = big.data[items].isna().to_numpy().mean()
    se = np.sqrt(0.01 * 0.99 / big.data[items].size)
    assert abs(rate - 0.01) < 4 * se


def test_no_careless_no_missing():
    sim = simulate_survey(1000, seed=2, careless_rate=0, missing_rate=0)
    assert sim.data.notna().all().all()
    assert (sim.careless == "attentive").all()


def test_higher_missing_rate():
    sim = simulate_survey(2000, seed=2, missing_rate=0.2)
    items = sim.codebook.loc[sim.codebook["type"] == "likert", "item"]
    assert 0.18 < sim.data[items].isna().to_numpy().mean() < 0.22
    assert sim.data["resp_id"].notna().all()


# --- population values -----------------------------------------------------------


def pop_value(pop, lhs, op, rhs):
    hit = pop[(pop["lhs"] == lhs) & (pop["op"] == op) & (pop["rhs"] == rhs)]
    assert len(hit) == 1, (lhs, op, rhs)
    return hit["value"].item()


def test_population_table(small):
    pop = small.population
    assert list(pop.columns) == ["lhs", "op", "rhs", "value"]
    assert set(pop["op"]) == {"=~", "~", "~~", "r2"}
    load = pop[(pop["op"] == "=~") & pop["rhs"].str.match(r"^[A-Z]+\d$")]
    assert len(load) == 51
    assert load["value"].between(0.65, 0.85).all()
    for dim in ("TF", "TA", "TI"):
        assert 0.75 <= pop_value(pop, "TRUST", "=~", dim) <= 0.85
    trust_paths = [pop_value(pop, "TRUST", "~", a) for a in
                   ("PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP", "PMF")]  # fmt: skip
    assert all(0.10 <= b <= 0.30 for b in trust_paths)
    assert 0.5 <= pop_value(pop, "TRUST", "r2", "TRUST") <= 0.6
    assert 0.45 <= pop_value(pop, "PI", "~", "TRUST") <= 0.55
    assert pop_value(pop, "PI", "~", "INFO") == pytest.approx(0.10)
    assert pop_value(pop, "PI", "~", "SOC") == pytest.approx(0.10)
    assert pop_value(pop, "LOY", "~", "TRUST") == pytest.approx(0.55)
    assert pop_value(pop, "TRUST", "~", "PC:PMF") == pytest.approx(-0.10)
    assert pop_value(pop, "PI", "~", "PASS:TRUST") == pytest.approx(0.08)
    exo = pop[(pop["op"] == "~~") & (pop["lhs"] != pop["rhs"])
              & pop["lhs"].isin(["PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP", "PMF"])
              & pop["rhs"].isin(["PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP", "PMF"])]  # fmt: skip
    assert exo["value"].between(0.3, 0.5).all() and len(exo) == 28
    for e in ("TRUST", "TF", "TA", "TI", "PI", "LOY"):
        r2 = pop_value(pop, e, "r2", e)
        assert pop_value(pop, e, "~~", e) == pytest.approx(1 - r2)


def test_latent_scores_are_standardized(big):
    ls = big.latent_scores
    assert {"TRUST", "TF", "TA", "TI", "PI", "LOY", "PMF", "PC", "z_trust"} <= set(ls)
    np.testing.assert_allclose(ls.var(), 1.0, atol=0.04)
    np.testing.assert_allclose(ls.mean(), 0.0, atol=0.03)


def _std_product(a, b):
    p = a * b
    return (p - p.mean()) / p.std()


def test_structural_paths_recovered_from_latent_scores(big):
    """OLS on the true latent scores recovers the population paths."""
    ls, pop = big.latent_scores, big.population
    pm = big.data["pm_exposed"].to_numpy()
    preds = ["PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP", "PMF"]
    x = np.column_stack([ls[preds], _std_product(ls["PC"], ls["PMF"]), pm - pm.mean()])
    x = np.column_stack([np.ones(len(x)), x])
    beta = np.linalg.lstsq(x, ls["TRUST"].to_numpy(), rcond=None)[0]
    for name, b in zip(preds + ["PC:PMF"], beta[1:]):
        assert b == pytest.approx(pop_value(pop, "TRUST", "~", name), abs=0.02)
    std_pm = beta[-1] * pm.std()
    assert std_pm == pytest.approx(pop_value(pop, "TRUST", "~", "pm_exposed"), abs=0.02)
    x = np.column_stack([np.ones(len(ls)), ls[["TRUST", "INFO", "SOC", "PMF"]],
                         _std_product(ls["PASS"], ls["TRUST"])])  # fmt: skip
    beta = np.linalg.lstsq(x, ls["PI"].to_numpy(), rcond=None)[0]
    for name, b in zip(["TRUST", "INFO", "SOC", "PMF", "PASS:TRUST"], beta[1:]):
        assert b == pytest.approx(pop_value(pop, "PI", "~", name), abs=0.02)


def test_pm_exposure_effect_is_tempered(big):
    t, pm = big.latent_scores["TRUST"], big.data["pm_exposed"]
    d = (t[pm == 1].mean() - t[pm == 0].mean()) / np.sqrt(
        (t[pm == 1].var() + t[pm == 0].var()) / 2
    )
    assert d == pytest.approx(0.5, abs=0.05)


def test_behavioural_outcomes_follow_calibration(big):
    z = big.latent_scores["z_trust"].to_numpy()
    rep = big.data["repurchase"].to_numpy()
    top, bottom = z >= np.quantile(z, 0.8), z <= np.quantile(z, 0.2)
    # N10: about 68 % vs 42 % repurchase in the top vs bottom trust quintile
    assert rep[top].mean() == pytest.approx(0.68, abs=0.03)
    assert rep[bottom].mean() == pytest.approx(0.42, abs=0.03)
    # N11: high-trust users share about 2.3 times as much ("about": the source quotes a
    # rounded ratio of two sample means of counts, so 12 % is the check's resolution)
    shares = big.data["shares"].to_numpy()
    assert shares[top].mean() / shares[bottom].mean() == pytest.approx(2.3, rel=0.12)


@pytest.mark.parametrize("trust", TRUST_SPECIFICATIONS)
@pytest.mark.parametrize("module_b", [True, False])
def test_every_trust_structure(trust, module_b):
    sim = simulate_survey(20_000, seed=11, trust=trust, module_b=module_b)
    ls, pop = sim.latent_scores, sim.population
    np.testing.assert_allclose(ls.var(), 1.0, atol=0.05)
    r2 = pop[pop["op"] == "r2"].set_index("lhs")["value"]
    assert r2.between(0.2, 0.8).all()
    dims = (
        ["TRUST"] if trust in ("second_order", "unidimensional") else ["TF", "TA", "TI"]
    )
    assert set(dims) <= set(ls.columns)
    if trust == "unidimensional":
        assert "TF" not in ls.columns
        assert (
            pop[(pop["lhs"] == "TRUST") & (pop["op"] == "=~")]["rhs"].str.len() == 3
        ).all()
    # trust (composite) correlates positively with PI everywhere
    assert 0.3 < np.corrcoef(ls["z_trust"], ls["PI"])[0, 1] < 0.8


# --- recovery with simple methods (no SEM engine) ----------------------------------


def test_cronbach_alpha_each_construct(small):
    for c, items in CONSTRUCTS.items():
        alpha = cronbach_alpha(small.data[list(items)])
        assert 0.7 < alpha < 0.95, (c, alpha)


def test_no_reverse_keyed_items(small):
    d = small.data[small.careless.eq("attentive").to_numpy()]
    for items in CONSTRUCTS.values():
        corr = d[list(items)].corr()
        assert (corr.to_numpy() > 0.2).all()


def test_scale_score_correlations(small):
    score = {c: small.data[list(items)].mean(axis=1) for c, items in CONSTRUCTS.items()}
    trust = small.data[items_of(["TF", "TA", "TI"])].mean(axis=1)
    r = trust.corr(score["PI"])
    assert 0.3 < r < 0.7
    assert 0.3 < trust.corr(score["LOY"]) < 0.7
    # antecedents correlate positively with trust, below the .8+ danger zone
    for a in ("PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP", "PMF"):
        assert 0.2 < trust.corr(score[a]) < 0.75
    # discriminant validity: scale scores of different antecedents below .6
    ante = pd.DataFrame(
        {a: score[a] for a in ("PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP")}
    )
    off = ante.corr().to_numpy()[np.triu_indices(7, 1)]
    assert (off < 0.6).all() and (off > 0.1).all()
