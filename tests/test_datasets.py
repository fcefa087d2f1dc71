"""Tests for trustsem.data.datasets and the shipped example data."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trustsem.data.datasets import (
    TRUST_SURVEY_CALL,
    example_path,
    list_examples,
    load_codebook,
    load_example,
)
from trustsem.exceptions import DataError
from trustsem.data.simulate import simulate_survey

REPO = Path(__file__).resolve().parents[1]
NAMES = [
    "trust_survey",
    "tiktok_shop_impulse_buying",
    "lancelot_miltgen_2016",
    "corp_rep",
    "ecsi_satisfaction",
    "holzinger_swineford_1939",
    "political_democracy",
    "tal_or",
]


def test_list_examples():
    index = list_examples()
    assert list(index.columns) == ["name", "file", "n_rows", "n_cols", "description",
                                   "source", "licence", "citation"]  # fmt: skip
    assert list(index["name"]) == NAMES
    for col in ("description", "source", "licence", "citation"):
        assert index[col].notna().all() and index[col].str.len().gt(10).all()


@pytest.mark.parametrize("name", NAMES)
def test_index_matches_files(name):
    entry = list_examples().set_index("name").loc[name]
    path = example_path(name)
    assert path.is_file() and path.name == entry["file"]
    df = load_example(name)
    assert df.shape == (entry["n_rows"], entry["n_cols"])


def test_load_example_default():
    df = load_example()
    assert df.shape == (600, 61)
    assert df.isna().to_numpy().any()  # missing answers are NaN
    assert df["resp_id"].notna().all()


def test_shipped_trust_survey_equals_simulation():
    assert TRUST_SURVEY_CALL == {
        "n": 600, "seed": 20261122, "scale_points": 5, "module_b": True,
        "careless_rate": 0.02, "missing_rate": 0.01, "trust": "second_order",
    }  # fmt: skip
    sim = simulate_survey(**TRUST_SURVEY_CALL)
    shipped = load_example("trust_survey")
    pd.testing.assert_frame_equal(shipped, sim.data, check_dtype=False)
    book = load_codebook("trust_survey")
    pd.testing.assert_frame_equal(book, sim.codebook, check_dtype=False)


def test_codebook_file_format():
    raw = pd.read_csv(REPO / "trustsem" / "data" / "datasets" / "trust_survey_codebook.csv",
                      encoding="utf-8", keep_default_na=False, dtype=str)  # fmt: skip
    assert list(raw.columns) == [
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
    assert list(raw["item"]) == list(load_example().columns)
    assert raw.loc[raw["item"] == "PC3", "label_zh"].item() == (
        '当推荐内容显得"过于了解我"时，我会感到不安。'
    )
    likert = raw[raw["type"] == "likert"]
    assert (likert["scale_min"] == "1").all() and (likert["scale_max"] == "5").all()
    assert (raw["reverse"] == "0").all()


def test_shipped_data_values():
    df = load_example()
    book = load_codebook()
    items = book.loc[book["type"] == "likert", "item"]
    vals = df[items].stack().dropna()
    assert set(np.unique(vals)) <= {1, 2, 3, 4, 5}
    raw = pd.read_csv(example_path("trust_survey"), dtype=str, keep_default_na=False)
    cells = raw[items].to_numpy().ravel()
    assert set(cells) == {"", "1", "2", "3", "4", "5"}  # integers, empty = missing


def test_unknown_name_lists_available():
    with pytest.raises(DataError, match="trust_survey"):
        load_example("nope")
    with pytest.raises(DataError, match="holzinger_swineford_1939"):
        example_path("nope")
    with pytest.raises(DataError, match="codebook"):
        load_codebook("corp_rep")


def test_readme_documents_generating_call():
    text = (REPO / "trustsem" / "data" / "datasets" / "README.md").read_text("utf-8")
    assert "seed=20261122" in text and "n=600" in text
    for name in NAMES:
        assert name in text


@pytest.mark.skipif(not (REPO / "data").is_dir(), reason="no data/ folder")
@pytest.mark.parametrize(
    "link",
    ["trust_survey.csv", "trust_survey_codebook.csv"]
    + [f"external/{n}.csv" for n in NAMES[1:]],
)
def test_data_symlinks(link):
    path = REPO / "data" / link
    assert path.is_symlink()
    target = os.readlink(path)
    assert not os.path.isabs(target) and "trustsem/data/datasets/" in target
    assert (
        path.resolve() == (REPO / "trustsem" / "data" / "datasets" / Path(link).name).resolve()
    )
    assert (REPO / "data" / "README.md").is_file()
