"""Tests for trustsem.models (bundled lavaan syntax)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from trustsem import models
from trustsem.exceptions import SpecificationError
from trustsem.models import list_models, load_model, research_model
from trustsem.data.simulate import CONSTRUCTS, TRUST_SPECIFICATIONS, simulate_survey

COMBOS = list(itertools.product(TRUST_SPECIFICATIONS, [False, True], [True, False]))
OPS = ("=~", "~~", "~")


def statements(text: str) -> list[tuple[str, str, list[str]]]:
    """(lhs, op, rhs terms) per statement; fails on anything unexpected."""
    out = []
    for line in text.splitlines():
        stmt = line.split("#", 1)[0].strip()
        if not stmt:
            continue
        assert ":=" not in stmt and ";" not in stmt
        op = next(o for o in OPS if o in stmt)
        assert (
            sum(stmt.count(o) for o in ("=~", "~~"))
            + (stmt.replace("=~", "").replace("~~", "").count("~"))
            == 1
        ), stmt
        lhs, rhs = (s.strip() for s in stmt.split(op))
        terms = [t.strip() for t in rhs.split("+")]
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", lhs), stmt
        assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", t) for t in terms), stmt
        out.append((lhs, op, terms))
    return out


@pytest.fixture(scope="module")
def codebook_items() -> set[str]:
    cb = simulate_survey(20, seed=1).codebook
    return set(cb.loc[cb["type"] == "likert", "item"])


def test_every_variant_is_listed():
    table = list_models()
    assert list(table.columns) == [
        "name",
        "trust",
        "module_b",
        "structural",
        "description",
    ]
    names = set(table["name"])
    assert len(names) == len(table) == 4 * 2 * 2 + 1
    assert "measurement_full" in names
    for trust, module_b, structural in COMBOS:
        row = table[(table["trust"] == trust) & (table["module_b"] == module_b)
                    & (table["structural"] == structural)]  # fmt: skip
        assert len(row) >= 1
    lav = {p.stem for p in Path(models.__file__).parent.glob("*.lav")}
    assert lav == names


@pytest.mark.parametrize("name", list(list_models()["name"]))
def test_lav_files_match_composer_and_parse(name, codebook_items):
    text = load_model(name)
    assert text.startswith(f"# trustsem model: {name}\n")
    if name == "measurement_full":
        assert text == models._measurement_full()
    else:
        assert text == models._compose(*models._registry()[name])
    stmts = statements(text)
    latents = {lhs for lhs, op, _ in stmts if op == "=~"}
    for lhs, op, terms in stmts:
        for t in terms:
            if op == "=~":
                assert t in codebook_items or t in latents, (name, t)
            else:
                assert t in latents, (name, t)
    # every observed variable used is a Likert item of the codebook
    used = {t for _, op, terms in stmts if op == "=~" for t in terms} - latents
    assert used <= codebook_items
    # each first-order factor has at least three indicators
    for lhs, op, terms in stmts:
        if op == "=~":
            assert len(terms) >= 3


@pytest.mark.parametrize("trust, module_b, structural", COMBOS)
def test_research_model_variants(trust, module_b, structural):
    text = research_model(trust=trust, module_b=module_b, structural=structural)
    stmts = statements(text)
    ops = {op for _, op, _ in stmts}
    latents = {lhs for lhs, op, _ in stmts if op == "=~"}
    assert "PC" not in latents  # PC is a moderator, not in the research models
    assert ("PMF" in latents) == module_b and ("LOY" in latents) == module_b
    if not structural:
        assert ops == {"=~"}
        return
    regs = {(lhs, t) for lhs, op, terms in stmts if op == "~" for t in terms}
    targets = {"second_order": ["TRUST"], "unidimensional": ["TRUST"],
               "correlated": ["TF", "TA", "TI"], "chain": ["TF"]}[trust]  # fmt: skip
    for a in ("PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP"):
        for t in targets:
            assert (t, a) in regs
    assert ("PI", "INFO") in regs and ("PI", "SOC") in regs
    if module_b:
        assert ("PI", "PMF") in regs and all((t, "PMF") in regs for t in targets)
        assert any(lhs == "LOY" for lhs, _ in regs)
    if trust == "second_order":
        assert ("TRUST", "=~", ["TF", "TA", "TI"]) in stmts
    if trust == "unidimensional":
        trust_items = next(t for lhs, op, t in stmts if lhs == "TRUST")
        assert trust_items == [i for d in ("TF", "TA", "TI") for i in CONSTRUCTS[d]]
    if trust == "correlated":
        covs = {(a, c[0]) for a, b, c in stmts if b == "~~"}
        assert covs == {("TF", "TA"), ("TF", "TI"), ("TA", "TI")}
        assert {("PI", d) for d in ("TF", "TA", "TI")} <= regs
    if trust == "chain":
        assert ("TA", "TF") in regs and ("TI", "TA") in regs and ("PI", "TI") in regs


def test_default_model_names_hypotheses():
    text = research_model()
    for h in ("H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8", "H9", "H9a", "H9b"):
        assert re.search(rf"\b{h}\b", text), h
    line = next(l for l in text.splitlines() if l.startswith("TRUST ~ PREP"))
    assert "# H1" in line
    text_b = research_model(module_b=True)
    assert re.search(r"TRUST ~ PMF\s+# H14", text_b)
    assert re.search(r"PI ~ PMF\s+# H14", text_b)
    assert re.search(r"LOY ~ TRUST\s+# H15", text_b)


def test_measurement_full_has_every_construct():
    stmts = statements(load_model("measurement_full"))
    latents = {lhs for lhs, op, _ in stmts if op == "=~"}
    assert set(CONSTRUCTS) | {"TRUST"} == latents
    assert {op for _, op, _ in stmts} == {"=~"}


def test_errors():
    with pytest.raises(SpecificationError, match="trust"):
        research_model(trust="bifactor")
    with pytest.raises(SpecificationError, match="module_b"):
        research_model(module_b="yes")  # type: ignore[arg-type]
    with pytest.raises(SpecificationError, match="second_order"):
        load_model("nonexistent")


def test_research_model_default_equals_named_file():
    assert research_model() == load_model("second_order")
    assert research_model(structural=False) == load_model("cfa_second_order")
    assert research_model("chain", True) == load_model("chain_module_b")
