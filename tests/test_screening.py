"""Tests for trustsem.data.screening: flags careless/incomplete responses, drops nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trustsem.data.codebook import Codebook
from trustsem.exceptions import DataError, DataQualityWarning, SpecificationError
from trustsem.data.io import load_survey
from trustsem.data.screening import ScreeningResult, longstring, screen

ITEMS = [f"q{i}" for i in range(1, 11)]


@pytest.fixture
def data():
    rows = [
        [1, 2, 3, 4, 5, 1, 2, 3, 4, 5],  # 0 varied
        [3, 3, 3, 3, 3, 3, 3, 3, 3, 3],  # 1 straightliner (all identical)
        [4, 4, 4, 4, 4, 4, 4, 4, 2, 1],  # 2 run of 8 = 0.8 * 10 -> flagged
        [5, 5, 5, 5, 5, 5, 5, 1, 2, 3],  # 3 run of 7 -> not flagged
        [2, None, None, None, 3, 4, 1, 2, 5, 4],  # 4 30% missing
        [1, 3, 2, 4, 3, 5, 2, 1, 4, 3],  # 5 varied
    ]
    df = pd.DataFrame(rows, columns=ITEMS, index=[f"r{i}" for i in range(6)])
    df["secs"] = [300, 240, 5, 120, np.nan, 9.5]
    return df


def test_longstring_skips_missing():
    df = pd.DataFrame([[1, 1, 2, 2, 2], [3, None, 3, 1, 2], [None] * 5, [4] * 5])
    assert longstring(df).tolist() == [3, 2, 0, 5]


def test_screen_flags(data):
    before = data.copy()
    res = screen(data, ITEMS, duration="secs")
    pd.testing.assert_frame_equal(data, before)
    assert isinstance(res, ScreeningResult)
    assert res.longstring_threshold == 8
    st = res.straightlining
    assert st["longstring"].tolist() == [1, 10, 8, 7, 1, 1]
    assert st["all_identical"].tolist() == [False, True, False, False, False, False]
    f = res.flags
    assert list(f.columns) == ["straightliner", "speeder", "high_missing", "any"]
    assert f.index.equals(data.index)
    assert f["straightliner"].tolist() == [False, True, True, False, False, False]
    # 10 items * 2 s: r2 (5 s) and r5 (9.5 s) are speeders; NaN duration is not
    assert f["speeder"].tolist() == [False, False, True, False, False, True]
    assert res.min_duration == 20.0
    assert f["high_missing"].tolist() == [False, False, False, False, True, False]
    assert f["any"].tolist() == [False, True, True, False, True, True]
    assert res.n_flagged == 4
    assert res.respondent_missing.tolist() == [0, 0, 0, 0, 3, 0]
    im = res.item_missing.set_index("item")
    assert im.loc["q2", "n_missing"] == 1
    assert im.loc["q2", "pct_missing"] == pytest.approx(100 / 6)
    assert im.loc["q1", "n_missing"] == 0
    assert res.constant_items == ()
    assert any("no duration" in n for n in res.notes)
    text = res.summary()
    assert "Straightliners: 2" in text and "Speeders: 2" in text
    assert "Flagged (any): 4 of 6" in text and "nothing was dropped" in text


def test_options_change_flags(data):
    res = screen(
        data,
        ITEMS,
        longstring_threshold=7,
        max_missing=0.5,
        duration="secs",
        min_seconds_per_item=0.6,
    )
    assert res.flags["straightliner"].tolist() == [
        False,
        True,
        True,
        True,
        False,
        False,
    ]
    assert not res.flags["high_missing"].any()
    assert res.flags["speeder"].tolist() == [False, False, True, False, False, False]
    assert res.speeders is not None and res.speeders["duration"].iloc[2] == 5.0


def test_no_duration_means_no_speeders(data):
    res = screen(data, ITEMS)
    assert res.speeders is None
    assert not res.flags["speeder"].any()
    assert "not checked" in res.summary()


def test_drop_flagged_is_explicit_and_counted(data):
    res = screen(data, ITEMS, duration="secs")
    clean, n = res.drop_flagged(data)
    assert n == 4
    assert clean.index.tolist() == ["r0", "r3"]
    assert len(data) == 6  # input untouched
    with pytest.raises(DataError, match="same rows"):
        res.drop_flagged(data.iloc[:3])


def test_constant_items_warn(data):
    d = data.assign(q4=3)
    with pytest.warns(DataQualityWarning, match=r"\['q4'\]"):
        res = screen(d, ITEMS)
    assert res.constant_items == ("q4",)
    assert "Constant items: q4" in res.summary()


def test_items_as_constructs_mapping(data):
    res = screen(data, {"A": ITEMS[:5], "B": ITEMS[5:]})
    assert res.items == tuple(ITEMS)


def test_errors(data):
    with pytest.raises(SpecificationError, match="'zz'"):
        screen(data, ITEMS + ["zz"])
    with pytest.raises(SpecificationError, match="'dur'"):
        screen(data, ITEMS, duration="dur")
    with pytest.raises(SpecificationError, match="items"):
        screen(data, [])
    with pytest.raises(SpecificationError, match="items"):
        screen(data)
    with pytest.raises(SpecificationError, match="longstring_threshold"):
        screen(data, ITEMS, longstring_threshold=1)
    with pytest.raises(SpecificationError, match="max_missing"):
        screen(data, ITEMS, max_missing=1.5)
    with pytest.raises(SpecificationError, match="min_seconds_per_item"):
        screen(data, ITEMS, min_seconds_per_item=-1)
    with pytest.raises(DataError, match="'q3'"):
        screen(data.astype({"q3": object}).assign(q3="x"), ITEMS)
    with pytest.raises(DataError, match="'secs'"):
        screen(data.assign(secs="fast"), ITEMS, duration="secs")


def test_survey_data_reversal_is_undone(tmp_path):
    cb = Codebook.from_frame(
        pd.DataFrame(
            {
                "item": ["a", "b", "c", "d"],
                "construct": ["X"] * 4,
                "type": ["likert"] * 4,
                "scale_min": [1] * 4,
                "scale_max": [5] * 4,
                "reverse": [0, 1, 0, 1],
            }
        )
    )
    path = tmp_path / "s.csv"
    pd.DataFrame(
        {"a": [5, 1, 2], "b": [5, 2, 3], "c": [5, 4, 5], "d": [5, 1, 3]}
    ).to_csv(path, index=False)
    survey = load_survey(path, cb)
    assert survey.data.loc[0].tolist() == [5.0, 1.0, 5.0, 1.0]  # reversed for analysis
    on_frame = screen(survey.data, survey.items)
    assert not on_frame.flags.loc[0, "straightliner"]  # reversal hides it
    res = screen(survey)
    assert res.flags["straightliner"].tolist() == [True, False, False]
    assert any("undone" in n for n in res.notes)
    clean, n = res.drop_flagged(survey)
    assert n == 1 and clean.index.tolist() == [1, 2]


def test_display_comes_from_summary(data):
    from trustsem._display import SummaryDisplay

    res = screen(data, ITEMS, duration="secs")
    assert isinstance(res, SummaryDisplay)
    assert "__str__" not in vars(ScreeningResult)
    assert str(res) == res.summary()
    assert res._repr_html_().startswith("<pre>Screening of 6 respondents")
    assert repr(res).startswith("ScreeningResult(n=6")
