"""Tests for trustsem.data.prep: pure DataFrame -> DataFrame preparation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trustsem.data.codebook import Codebook
from trustsem.exceptions import DataError, MissingDataWarning, SpecificationError
from trustsem.data.prep import center, recode_missing, reverse_code, scale_scores


@pytest.fixture
def codebook():
    return Codebook.from_frame(
        pd.DataFrame(
            {
                "item": ["a1", "a2", "a3", "b1", "b2", "sex"],
                "construct": ["A", "A", "A", "B", "B", ""],
                "type": ["likert"] * 5 + ["categorical"],
                "scale_min": [1, 1, 1, 0, 0, None],
                "scale_max": [5, 5, 5, 10, 10, None],
                "reverse": [0, 1, 0, 0, 1, 0],
                "missing_codes": ["-99", "-99;-98", "", "99", "", "-9"],
            }
        )
    )


@pytest.fixture
def data():
    return pd.DataFrame(
        {
            "a1": [1, 2, 3, 4],
            "a2": [5, 4, 1, 2],
            "a3": [1, 5, 3, 2],
            "b1": [0, 10, 7, 3],
            "b2": [10, 0, 2, 9],
            "sex": ["m", "f", "-9", "f"],
        },
        index=[10, 11, 12, 13],
    )


def test_reverse_code_default_items(codebook, data):
    before = data.copy()
    out = reverse_code(data, codebook)
    pd.testing.assert_frame_equal(data, before)  # input untouched
    assert out["a2"].tolist() == [1.0, 2.0, 5.0, 4.0]
    assert out["b2"].tolist() == [0.0, 10.0, 8.0, 1.0]
    assert out["a1"].tolist() == [1, 2, 3, 4]
    assert out.index.equals(data.index)
    # twice = identity
    back = reverse_code(out, codebook)
    assert back["a2"].tolist() == data["a2"].tolist()


def test_reverse_code_explicit_items_and_nan(codebook, data):
    d = data.astype({"a1": float})
    d.loc[11, "a1"] = np.nan
    out = reverse_code(d, codebook, items=["a1"])
    assert out["a1"].tolist()[0] == 5.0 and np.isnan(out.loc[11, "a1"])
    assert out["a2"].tolist() == data["a2"].tolist()


def test_reverse_code_errors(codebook, data):
    with pytest.raises(SpecificationError, match="'sex'"):
        reverse_code(data, codebook, items=["sex"])
    with pytest.raises(SpecificationError, match="'zz'"):
        reverse_code(data, codebook, items=["zz"])
    with pytest.raises(SpecificationError, match=r"\['a2'\]"):
        reverse_code(data.drop(columns="a2"), codebook)
    with pytest.raises(DataError, match=r"'a2': index 12 holds -99.*recode_missing"):
        reverse_code(data.assign(a2=[5, 4, -99, 2]), codebook)
    with pytest.raises(DataError, match="'b2'"):
        reverse_code(data.assign(b2=["x", 1, 2, 3]), codebook)
    with pytest.raises(SpecificationError, match="Codebook"):
        reverse_code(data, {"a2": (1, 5)})  # type: ignore[arg-type]
    with pytest.raises(DataError, match="DataFrame"):
        reverse_code([1, 2], codebook)  # type: ignore[arg-type]


def test_recode_missing(codebook, data):
    d = data.assign(a1=[1, -99, 3, 4], a2=[-98, 4, -99, 2], b1=[99, 10, 7, 3])
    before = d.copy()
    out = recode_missing(d, codebook)
    pd.testing.assert_frame_equal(d, before)
    assert out["a1"].isna().tolist() == [False, True, False, False]
    assert out["a2"].isna().tolist() == [True, False, True, False]
    assert out["b1"].isna().tolist() == [True, False, False, False]
    assert out["sex"].isna().tolist() == [False, False, True, False]  # text "-9"
    assert out["a3"].tolist() == [1, 5, 3, 2]
    # a subset of codebook columns is fine
    sub = recode_missing(d[["a1"]], codebook)
    assert list(sub.columns) == ["a1"] and sub["a1"].isna().sum() == 1


def test_scale_scores_mean_and_sum(codebook, data):
    scores = scale_scores(data, codebook)
    assert list(scores.columns) == ["A", "B"]
    assert scores.index.equals(data.index)
    np.testing.assert_allclose(scores["A"], data[["a1", "a2", "a3"]].mean(axis=1))
    np.testing.assert_allclose(scores["B"], [5.0, 5.0, 4.5, 6.0])
    sums = scale_scores(data, {"A": ["a1", "a2", "a3"]}, method="sum")
    np.testing.assert_allclose(sums["A"], data[["a1", "a2", "a3"]].sum(axis=1))


def test_scale_scores_min_items(codebook, data):
    d = data.drop(columns="sex").astype(float)
    d.loc[10, "a1"] = np.nan
    d.loc[11, ["a1", "a2"]] = np.nan
    d.loc[12, ["a1", "a2", "a3"]] = np.nan
    with pytest.warns(MissingDataWarning, match=r"\{'A': 2\}"):
        strict = scale_scores(d, codebook)
    assert strict["A"].isna().tolist() == [True, True, True, False]
    with pytest.warns(MissingDataWarning, match=r"\{'A': 1\}"):
        two = scale_scores(d, codebook, min_items=2)
    assert two["A"].tolist()[0] == 3.0  # mean of 5 and 1
    assert two["A"].isna().tolist() == [False, True, True, False]
    one = scale_scores(d, codebook, min_items=1)  # no partial row lost: no warning
    assert one["A"].tolist()[1] == 5.0
    assert np.isnan(one["A"].iloc[2])
    with pytest.warns(MissingDataWarning):
        prorated = scale_scores(d, {"A": ["a1", "a2", "a3"]}, method="sum", min_items=2)
    assert prorated["A"].iloc[0] == pytest.approx(9.0)  # (5 + 1) / 2 * 3


def test_scale_scores_errors(codebook, data):
    with pytest.raises(SpecificationError, match="min_items"):
        scale_scores(data, codebook, min_items=3)  # B has 2 items
    with pytest.raises(SpecificationError, match="min_items"):
        scale_scores(data, codebook, min_items=0)
    with pytest.raises(SpecificationError, match="method"):
        scale_scores(data, codebook, method="median")
    with pytest.raises(SpecificationError, match=r"\['zz'\]"):
        scale_scores(data, {"A": ["a1", "zz"]})
    with pytest.raises(SpecificationError, match=r"\['E'\]"):
        scale_scores(data, {"A": ["a1"], "E": []})
    with pytest.raises(SpecificationError, match="constructs_or_codebook"):
        scale_scores(data, ["a1"])  # type: ignore[arg-type]
    with pytest.raises(DataError, match="'a1'"):
        scale_scores(data.assign(a1=["x", 1, 2, 3]), codebook)


def test_center(data):
    before = data.copy()
    out = center(data, ["a1", "b1"])
    pd.testing.assert_frame_equal(data, before)
    assert out["a1"].tolist() == [-1.5, -0.5, 0.5, 1.5]
    assert out["b1"].mean() == pytest.approx(0.0)
    assert out["a2"].tolist() == data["a2"].tolist()
    single = center(data.assign(a1=[1.0, np.nan, 3.0, 5.0]), "a1")
    assert single["a1"].tolist()[0] == -2.0 and np.isnan(single["a1"].iloc[1])
    with pytest.raises(SpecificationError, match="'zz'"):
        center(data, ["zz"])
    with pytest.raises(DataError, match="'sex'"):
        center(data, "sex")
