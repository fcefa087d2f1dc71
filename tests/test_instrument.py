"""Tests for trustsem.models.instrument: constructs, bilingual item bank, modules."""

from __future__ import annotations

import subprocess
import sys

import pytest

from trustsem import models
from trustsem.data import simulate
from trustsem.exceptions import SpecificationError
from trustsem.models import instrument
from trustsem.models.instrument import (
    ANTECEDENTS,
    BACKGROUND_COLUMNS,
    CONSTRUCT_NAMES,
    CONSTRUCTS,
    ITEMS,
    MODULE_A,
    MODULE_B,
    OUTCOME_COLUMNS,
    SCALE_MIN,
    SCALE_POINTS,
    TRUST_DIMENSIONS,
    TRUST_SPECIFICATIONS,
    construct_of,
    item_bank,
)


def test_one_definition_everywhere():
    for name in ("CONSTRUCTS", "TRUST_SPECIFICATIONS", "item_bank"):
        assert getattr(simulate, name) is getattr(instrument, name)
        assert getattr(models, name) is getattr(instrument, name)


def test_constructs_follow_the_item_bank():
    assert len(ITEMS) == 51 and len({it for it, _, _ in ITEMS}) == 51
    assert sum(map(len, CONSTRUCTS.values())) == len(ITEMS)
    for item, en, zh in ITEMS:
        assert item in CONSTRUCTS[construct_of(item)]
        assert en.strip() and zh.strip() and en != zh
    assert all(3 <= len(v) <= 5 for v in CONSTRUCTS.values())
    assert construct_of("PREP3") == "PREP" and construct_of("TF1") == "TF"
    assert list(CONSTRUCT_NAMES) == list(CONSTRUCTS)


def test_modules_split_the_constructs():
    assert set(MODULE_A) | set(MODULE_B) == set(CONSTRUCTS)
    assert not set(MODULE_A) & set(MODULE_B)
    assert MODULE_B == ("PMF", "LOY")
    assert set(ANTECEDENTS) | set(TRUST_DIMENSIONS) | {"PI", "PC"} == set(MODULE_A)
    assert TRUST_SPECIFICATIONS == ("unidimensional", "correlated", "second_order", "chain")


def test_item_bank_frame():
    bank = item_bank()
    assert list(bank.columns) == ["item", "construct", "label_en", "label_zh"]
    assert bank["item"].tolist() == [it for it, _, _ in ITEMS]
    tf = item_bank(["TF"])
    assert tf["item"].tolist() == list(CONSTRUCTS["TF"])
    with pytest.raises(SpecificationError, match="Unknown construct"):
        item_bank(["NOPE"])


def test_simulated_codebook_uses_the_instrument():
    sim = simulate.simulate_survey(20, seed=1, module_b=False, scale_points=SCALE_POINTS[-1])
    cb = sim.codebook.set_index("item")
    likert = cb[cb["type"] == "likert"]
    assert set(likert["construct"]) == set(MODULE_A)
    wording = {it: (en, zh) for it, en, zh in ITEMS}
    for item, row in likert.iterrows():
        assert (row["label_en"], row["label_zh"]) == wording[item]
        assert (row["scale_min"], row["scale_max"]) == (SCALE_MIN, SCALE_POINTS[-1])
    first = [c for c, *_ in BACKGROUND_COLUMNS]
    last = [c for c, *_ in OUTCOME_COLUMNS]
    assert list(sim.data.columns[: len(first)]) == first
    assert list(sim.data.columns[-len(last):]) == last
    with pytest.raises(SpecificationError):
        simulate.simulate_survey(5, seed=1, scale_points=6)


def test_models_do_not_load_the_data_room():
    code = (
        "import sys, trustsem.models.instrument, trustsem.models;"
        " print([m for m in sys.modules if m.startswith('trustsem.data')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
