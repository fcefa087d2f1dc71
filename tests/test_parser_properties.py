"""Property tests of the lavaan-syntax parser: whatever the text, the only error is
SpecificationError, and comments, blank lines and spacing never change a model.

CI runs a few hundred derandomized examples; for a long local run set
``TRUSTSEM_PARSER_EXAMPLES=50000``.
"""

from __future__ import annotations

import os

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from trustsem.exceptions import SpecificationError  # noqa: E402
from trustsem.sem.spec import ModelSpec  # noqa: E402

N_EXAMPLES = int(os.environ.get("TRUSTSEM_PARSER_EXAMPLES", "300"))
SETTINGS = settings(max_examples=N_EXAMPLES, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))

OPS = ["=~", "~", "~~", ":=", "==", "<", ">", "|", "<~", "=", "~~~", "=~~", "%"]
NAMES = ["x1", "x2", "x3", "f", "g", "a", "b", "社会1", "社会", "é", "x1:x2", ".x", "_", "1x", "NA",
         "c", "start", "label", "sqrt", "pi", "lambda", "__import__", "True", "F", "SC"]
NUMS = ["1", "0", "-1", "1.5", ".5", "1e3", "1e999", "-1e-400", "NA", "nan", "inf", "1e300"]
TOKENS = OPS + NAMES + NUMS + ["+", "-", "*", "/", "^", "(", ")", ",", ";", "\n", "#", "!", " ",
                               "\t", '"a"', "'b'", "start(", "label(", "c(", "equal(", "[", "]",
                               "{", "@", "\\", "\x00", "\u2028", "\r", "\ufeff", "\u00a0"]

name = st.sampled_from(NAMES) | st.text(st.characters(exclude_categories=["Cs"]), min_size=1,
                                        max_size=4)
num = st.sampled_from(NUMS)
modifier = st.one_of(
    name, num,
    st.builds(lambda f, a: f"{f}({a})", st.sampled_from(["start", "label", "c", "equal", "foo"]),
              st.lists(st.one_of(name, num), max_size=3).map(", ".join)))
term = st.builds(lambda ms, v: "*".join([*ms, v]), st.lists(modifier, max_size=2),
                 st.one_of(name, num))
expr = st.lists(st.one_of(name, num, st.sampled_from(["+", "-", "*", "/", "^", "(", ")", "sqrt(",
                                                       ",", "**"])),
                min_size=1, max_size=8).map(" ".join)
statement = st.one_of(
    st.builds(lambda lhs, op, ts: f"{lhs} {op} {' + '.join(ts)}", name, st.sampled_from(OPS),
              st.lists(term, max_size=4)),
    st.builds(lambda lhs, op, e: f"{lhs} {op} {e}", st.one_of(name, num),
              st.sampled_from([":=", "==", "<", ">"]), expr),
)
separator = st.sampled_from(["\n", ";", "\n\n", " # note\n", " ! note\n", "\r\n", "\n+ ", "\u2028"])
structured = st.builds(
    lambda ss, seps: "".join(s + seps[i % len(seps)] for i, s in enumerate(ss)),
    st.lists(statement, min_size=1, max_size=6), st.lists(separator, min_size=1, max_size=6))
token_soup = st.lists(st.sampled_from(TOKENS) | st.text(max_size=3), max_size=30).map(
    lambda ts: "".join(ts) if len(ts) % 2 else " ".join(ts))


def _parse_or_spec_error(text: str) -> None:
    try:
        spec = ModelSpec(text)
    except SpecificationError as err:
        assert str(err).strip()
        return
    # a model that parses can be inspected and printed
    assert isinstance(spec.observed, list) and isinstance(spec.latent, list)
    repr(spec)


@SETTINGS
@given(structured)
def test_structured_statements_raise_only_specification_error(text):
    _parse_or_spec_error(text)


@SETTINGS
@given(token_soup)
def test_token_soup_raises_only_specification_error(text):
    _parse_or_spec_error(text)


@SETTINGS
@given(st.one_of(st.text(max_size=60), st.binary(max_size=40).map(
    lambda b: b.decode("latin-1"))))
def test_any_text_raises_only_specification_error(text):
    _parse_or_spec_error(text)


BASE = ["visual =~ x1 + a*x2 + b*x3", "textual =~ x4 + x5 + x6", "textual ~ c*visual",
        "x1 ~~ x4", "ab := a*b", "a == b"]


@SETTINGS
@given(st.lists(st.sampled_from(["", "  ", "# comment", "! note", "\t", "# a =~ b; c"]),
                min_size=len(BASE), max_size=len(BASE)),
       st.sampled_from(["\n", "\r\n"]), st.sampled_from([" ", "  ", "\t"]),
       st.booleans())
def test_comments_blank_lines_and_spacing_do_not_change_a_model(junk, newline, pad, semicolons):
    ref = [(s.lhs, s.op, s.rhs, s.modifier) for s in ModelSpec("\n".join(BASE)).statements]
    lines = []
    for stmt, j in zip(BASE, junk, strict=True):
        lines.append(pad + stmt.replace(" ", pad) + pad + j)   # trailing comment or blanks
        lines.append(j)                                         # comment or blank line
    text = newline.join(lines)
    if semicolons:
        text = "; ".join(BASE[:2]) + newline + text.split(newline, 4)[-1]
    spec = ModelSpec(text)
    assert [(s.lhs, s.op, s.rhs, s.modifier) for s in spec.statements] == ref


# ------------------------------------------------------------- named mistakes
@pytest.mark.parametrize("line, words", [
    ("1==11", "compares two constants"),
    ("2 == 2", "compares two constants"),
    ("1 < 2", "compares two constants"),
    ("F:=F", "in terms of itself"),
    ("SC := SC", "in terms of itself"),
    ("ab := ab*2", "in terms of itself"),
    ("x1 := a*b", "name of a variable"),
    ("visual := a*b", "name of a variable"),
    ("a := a*b", "name of a parameter label"),
])
def test_bad_constraint_or_definition_names_the_line(line, words):
    with pytest.raises(SpecificationError, match=rf"line 3: .*{words}"):
        ModelSpec(f"visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\n{line}")


def test_duplicated_defined_name_names_both_lines():
    with pytest.raises(SpecificationError, match=r"line 3: 'ab' is defined twice.*line 2"):
        ModelSpec("visual =~ x1 + a*x2 + b*x3\nab := a*b\nab := a + b")


def test_constraints_and_definitions_still_accepted():
    spec = ModelSpec("visual =~ x1 + a*x2 + b*x3\nab := a*b\ncd := ab*2\na == b\nb > 0\nk := 2")
    assert spec.defined == ["ab", "cd", "k"]


def test_non_ascii_names():
    spec = ModelSpec("社会 =~ 社会1 + 社会2 + 社会3\n信任 =~ 信任1 + 信任2 + 信任3\n信任 ~ 社会")
    assert spec.latent == ["社会", "信任"]
    assert spec.observed[:3] == ["社会1", "社会2", "社会3"]
    with pytest.raises(SpecificationError, match="1社会"):
        ModelSpec("1社会 =~ x1 + x2")
