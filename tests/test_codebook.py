"""Tests for trustsem.data.codebook: reading, validating and querying codebooks."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from trustsem.data.codebook import COLUMNS, Codebook
from trustsem.exceptions import DataError, SpecificationError

CSV = """item,construct,type,label_en,label_zh,scale_min,scale_max,reverse,missing_codes
resp_id,,id,Respondent id,,,,0,
PREP1,PREP,likert,Good reputation,口碑良好,1,5,0,-99
PREP2,PREP,likert,Well known,,1,5,1,-99;-98
TRUST1,TRUST,likert,I trust it,我信任它,1,7,true,
PREP3,PREP,likert,Certified,获得认证,1,5,no,-99
age,,numeric,Age in years,年龄,,,0,-99
"""


def write(tmp_path, text, name="codebook.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def cb(tmp_path):
    return Codebook.from_file(write(tmp_path, CSV))


def test_items_and_constructs_in_order(cb):
    assert cb.items == ["PREP1", "PREP2", "TRUST1", "PREP3"]
    assert cb.constructs == {"PREP": ["PREP1", "PREP2", "PREP3"], "TRUST": ["TRUST1"]}
    assert cb.variables == ["resp_id", "PREP1", "PREP2", "TRUST1", "PREP3", "age"]
    assert cb.types["age"] == "numeric"
    assert len(cb) == 6


def test_labels_scale_reverse_missing(cb):
    assert cb.label("PREP1") == "Good reputation"
    assert cb.label("PREP1", lang="zh") == "口碑良好"
    assert cb.label("PREP2", lang="zh") == "Well known"  # empty zh falls back to en
    assert cb.label("PREP1", lang="ZH") == "口碑良好"
    assert cb.scale("TRUST1") == (1.0, 7.0)
    assert cb.reverse_items == ["PREP2", "TRUST1"]
    assert cb.missing_codes("PREP2") == (-99.0, -98.0)
    assert cb.missing_codes("TRUST1") == ()
    assert cb.missing_codes("age") == (-99.0,)


def test_to_frame_is_a_copy(cb):
    frame = cb.to_frame()
    assert list(frame.columns) == list(COLUMNS)
    assert frame["reverse"].dtype == bool
    frame.loc[0, "item"] = "changed"
    assert cb.to_frame().loc[0, "item"] == "resp_id"


def test_from_frame_round_trip(cb):
    again = Codebook.from_frame(cb.to_frame())
    pd.testing.assert_frame_equal(again.to_frame(), cb.to_frame())


def test_from_frame_optional_columns_default():
    cb = Codebook.from_frame(
        pd.DataFrame(
            {
                "item": ["a", "b"],
                "construct": ["X", "X"],
                "type": ["Likert", "likert"],
                "scale_min": [1, 1],
                "scale_max": [5, 5],
            }
        )
    )
    assert cb.reverse_items == []
    assert cb.missing_codes("a") == ()
    assert cb.label("b") == "b"
    assert cb.types["a"] == "likert"


def test_bom_and_semicolon_csv(tmp_path, cb):
    text = CSV.replace(",", ";").replace("-99;-98", "-99,-98")
    # semicolon-separated file: codes written with a comma must be quoted
    text = text.replace("-99,-98", '"-99;-98"')
    path = write(tmp_path, text, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    other = Codebook.from_file(path)
    pd.testing.assert_frame_equal(other.to_frame(), cb.to_frame())


def test_xlsx_and_yaml_match_csv(tmp_path, cb):
    xlsx = tmp_path / "codebook.xlsx"
    pd.read_csv(tmp_path / "codebook.csv", dtype=str, keep_default_na=False).to_excel(
        xlsx, index=False
    )
    assert Codebook.from_file(xlsx).to_frame().equals(cb.to_frame())
    yaml_text = """
items:
  - {item: resp_id, type: id, label_en: Respondent id}
  - {item: PREP1, construct: PREP, type: likert, label_en: Good reputation,
     label_zh: 口碑良好, scale_min: 1, scale_max: 5, missing_codes: -99}
  - {item: PREP2, construct: PREP, type: likert, label_en: Well known,
     scale_min: 1, scale_max: 5, reverse: true, missing_codes: [-99, -98]}
  - {item: TRUST1, construct: TRUST, type: likert, label_en: I trust it,
     label_zh: 我信任它, scale_min: 1, scale_max: 7, reverse: yes}
  - {item: PREP3, construct: PREP, type: likert, label_en: Certified,
     label_zh: 获得认证, scale_min: 1, scale_max: 5, reverse: 0, missing_codes: "-99"}
  - {item: age, type: numeric, label_en: Age in years, label_zh: 年龄,
     missing_codes: -99}
"""
    for name in ("codebook.yaml", "codebook.yml"):
        got = Codebook.from_file(write(tmp_path, yaml_text, name=name)).to_frame()
        pd.testing.assert_frame_equal(got, cb.to_frame())


def test_yaml_mapping_form(tmp_path):
    text = "a: {construct: X, type: likert, scale_min: 1, scale_max: 5}\n"
    cb = Codebook.from_file(write(tmp_path, text, name="cb.yaml"))
    assert cb.constructs == {"X": ["a"]}


def test_blank_lines_are_skipped_but_row_numbers_kept(tmp_path):
    text = CSV.splitlines()
    text.insert(2, ",,,,,,,,")
    text.append("bad,X,likert,,,5,1,0,")
    with pytest.raises(DataError, match="row 9"):
        Codebook.from_file(write(tmp_path, "\n".join(text) + "\n"))


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (
            "PREP3,PREP,likert,Certified,获得认证,1,5",
            "PREP3,PREP,likert,Certified,获得认证,5,5",
            r"codebook\.csv'.*row 6.*'scale_max'.*smaller",
        ),
        (
            "PREP3,PREP,likert",
            "PREP1,PREP,likert",
            r"row 6.*'item'.*duplicate item id 'PREP1' \(first given at row 3\)",
        ),
        ("age,,numeric", "age,,number", r"row 7.*'type'.*unknown type 'number'"),
        (
            "TRUST1,TRUST,likert,I trust it,我信任它,1,7,true",
            "TRUST1,TRUST,likert,I trust it,我信任它,1,7,maybe",
            r"row 5.*'reverse'",
        ),
        ("-99;-98", "-99;missing", r"row 4.*'missing_codes'.*'missing'"),
        (
            "age,,numeric,Age in years,年龄,,,0",
            "age,,numeric,Age in years,年龄,,,1",
            r"row 7.*'reverse'.*only likert",
        ),
        ("TRUST1,TRUST,likert", "TRUST1,,likert", r"row 5.*'construct'"),
        (
            "TRUST1,TRUST,likert,I trust it,我信任它,1,7",
            "TRUST1,TRUST,likert,I trust it,我信任它,,7",
            r"row 5.*'scale_min'",
        ),
        (
            "TRUST1,TRUST,likert,I trust it,我信任它,1,7",
            "TRUST1,TRUST,likert,I trust it,我信任它,1,seven",
            r"row 5.*'scale_max'.*'seven'",
        ),
        (
            "TRUST1,TRUST,likert,I trust it,我信任它,1,7",
            "TRUST1,TRUST,likert,I trust it,我信任它,1,6.5",
            r"row 5.*'scale_max'.*whole",
        ),
        ("resp_id,,id", ",,id", r"row 2.*'item'.*empty"),
    ],
)
def test_malformed_rows_name_file_row_and_column(tmp_path, old, new, pattern):
    assert old in CSV
    path = write(tmp_path, CSV.replace(old, new, 1))
    with pytest.raises(DataError, match=pattern):
        Codebook.from_file(path)


def test_missing_required_column(tmp_path):
    text = "\n".join(
        ",".join(f for i, f in enumerate(line.split(",")) if i != 6)
        for line in CSV.splitlines()
    )
    with pytest.raises(DataError, match=r"codebook\.csv.*\['scale_max'\]"):
        Codebook.from_file(write(tmp_path, text))


def test_from_frame_errors_name_row_and_column():
    df = pd.DataFrame(
        {
            "item": ["a", "b"],
            "construct": ["X", "X"],
            "type": ["likert", "likert"],
            "scale_min": [1, 3],
            "scale_max": [5, 2],
        }
    )
    with pytest.raises(DataError, match=r"row 2, column 'scale_max'"):
        Codebook.from_frame(df)
    with pytest.raises(DataError, match="'construct'"):
        Codebook.from_frame(df.drop(columns="construct"))
    with pytest.raises(DataError, match="DataFrame"):
        Codebook.from_frame("not a frame")


@pytest.mark.parametrize(
    ("name", "content", "pattern"),
    [
        ("nofile.csv", None, "nofile.csv' does not exist"),
        ("cb.json", b"{}", r"cb\.json.*unsupported extension"),
        ("empty.csv", b"", r"empty\.csv' is empty"),
        ("blank.csv", b"\xef\xbb\xbf\n\n", r"blank\.csv' is empty"),
        ("bad.yaml", b"- [unclosed", r"bad\.yaml"),
        ("list.yaml", b"just a string", r"list\.yaml.*YAML list"),
        ("garbage.csv", bytes(range(256)) * 4, r"garbage\.csv.*binary"),
        ("garbage.xlsx", b"not a zip file at all", r"garbage\.xlsx"),
    ],
)
def test_unreadable_files(tmp_path, name, content, pattern):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=pattern):
        Codebook.from_file(path)


def test_validate_names_missing_items(cb):
    data = pd.DataFrame({c: [1] for c in cb.variables if c not in ("PREP2", "age")})
    with pytest.raises(DataError, match=r"\['PREP2', 'age'\]"):
        cb.validate(data)
    cb.validate(data.assign(PREP2=1, age=30, extra=0))  # extra columns are fine


def test_unknown_item_and_bad_language(cb):
    with pytest.raises(DataError, match="'nope'"):
        cb.label("nope")
    with pytest.raises(DataError, match="'nope'"):
        cb.scale("nope")
    with pytest.raises(DataError, match="'age' has no scale"):
        cb.scale("age")
    with pytest.raises(SpecificationError, match="lang"):
        cb.label("PREP1", lang="fr")


def test_frozen_and_repr(cb):
    with pytest.raises(AttributeError):
        cb.source = "x"  # type: ignore[misc]
    assert "4 likert items in 2 constructs" in repr(cb)
    assert math.isnan(cb.to_frame().set_index("item").loc["age", "scale_min"])


@pytest.mark.parametrize("name, text", [
    ("cb.yaml", "- {item: a, construct: X, type: likert, scale_min: 1, scale_max: 5,"
                " missing: [-99, 9]}\n"),
    ("cb.csv", "item,construct,type,scale_min,scale_max,missing\na,X,likert,1,5,-99;9\n"),
])
def test_missing_is_a_short_spelling_of_missing_codes(tmp_path, name, text):
    cb = Codebook.from_file(write(tmp_path, text, name=name))
    assert cb.missing_codes("a") == (-99.0, 9.0)
