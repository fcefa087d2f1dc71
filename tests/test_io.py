"""Tests for trustsem.data.io.load_survey: formats, codebook cleaning, error paths."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from trustsem.data.codebook import Codebook
from trustsem.exceptions import DataError, DataQualityWarning, SpecificationError
from trustsem.data.io import SurveyData, load_survey
from trustsem.sem.spec import ModelSpec

CODEBOOK = pd.DataFrame(
    {
        "item": ["rid", "tr1", "tr2", "tr3", "pr1", "pr2", "gender", "age"],
        "construct": ["", "TRUST", "TRUST", "TRUST", "PRIV", "PRIV", "", ""],
        "type": [
            "id",
            "likert",
            "likert",
            "likert",
            "likert",
            "likert",
            "categorical",
            "numeric",
        ],
        "label_en": [
            "id",
            "Trust 1",
            "Trust 2",
            "Trust 3",
            "Privacy 1",
            "Privacy 2",
            "Gender",
            "Age",
        ],
        "label_zh": ["", "信任1", "信任2", "", "隐私1", "", "性别", "年龄"],
        "scale_min": [None, 1, 1, 1, 1, 1, None, None],
        "scale_max": [None, 5, 5, 5, 7, 7, None, None],
        "reverse": [0, 0, 0, 1, 0, 1, 0, 0],
        "missing_codes": ["", "-99", "-99;-98", "-99", "", "99", "-99", "-99"],
    }
)

DATA = pd.DataFrame(
    {
        "rid": [101, 102, 103, 104, 105],
        "tr1": [5, 4, -99, 2, 1],
        "tr2": [4, -98, 3, -99, 1],
        "tr3": [1, 2, 3, 4, 5],
        "pr1": [7, 6, 5, 1, 2],
        "pr2": [1, 99, 7, 3, 2],
        "gender": [1, 2, -99, 1, 2],
        "age": [25, 31, 44, -99, 52],
        "note": ["ok", "", "late", "", "ok"],
    }
)


@pytest.fixture
def codebook():
    return Codebook.from_frame(CODEBOOK)


@pytest.fixture
def codebook_file(tmp_path):
    path = tmp_path / "codebook.csv"
    CODEBOOK.to_csv(path, index=False)
    return path


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_csv(tmp_path, df=DATA, name="survey.csv", **kwargs):
    path = tmp_path / name
    df.to_csv(path, index=False, **kwargs)
    return path


# ------------------------------------------------------------------ cleaning
def test_codebook_cleaning(tmp_path, codebook_file):
    path = write_csv(tmp_path)
    before = digest(path)
    survey = load_survey(path, codebook_file)
    assert digest(path) == before
    assert isinstance(survey, SurveyData)
    d = survey.data
    assert d.shape == DATA.shape
    assert d["rid"].tolist() == DATA["rid"].tolist()  # row order kept
    assert d["tr1"].isna().tolist() == [False, False, True, False, False]
    assert d["tr2"].isna().sum() == 2
    assert d["tr3"].tolist() == [5.0, 4.0, 3.0, 2.0, 1.0]  # 1..5 reversed
    assert d["pr2"].tolist()[0] == 7.0 and np.isnan(d["pr2"].iloc[1])
    assert d["pr2"].tolist()[2:] == [1.0, 5.0, 6.0]  # 8 - x
    assert d["gender"].isna().sum() == 1 and d["age"].isna().sum() == 1
    assert d["note"].tolist()[0] == "ok"  # column outside the codebook kept
    rec = survey.recoded.set_index("column")
    assert rec.loc["tr2", "n_missing_codes"] == 2
    assert rec.loc["pr2", "n_missing_codes"] == 1
    assert rec.loc["rid", "n_missing_codes"] == 0
    assert rec["reversed"][rec["reversed"]].index.tolist() == ["tr3", "pr2"]
    assert survey.items == ["tr1", "tr2", "tr3", "pr1", "pr2"]
    assert survey.constructs == {"TRUST": ["tr1", "tr2", "tr3"], "PRIV": ["pr1", "pr2"]}
    assert isinstance(survey.codebook, Codebook)
    assert any("['note']" in n for n in survey.notes)
    text = survey.summary()
    assert "5 rows" in text and "TRUST (3)" in text and "tr3, pr2" in text
    assert "6 cells in 5 columns" in text  # tr1 1, tr2 2, pr2 1, gender 1, age 1


def test_reverse_false_keeps_answers(tmp_path, codebook):
    survey = load_survey(write_csv(tmp_path), codebook, reverse=False)
    assert survey.data["tr3"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert not survey.recoded["reversed"].any()
    assert any("reverse=False" in n for n in survey.notes)


def test_out_of_range_names_row_column_value_and_count(tmp_path, codebook):
    bad = DATA.copy()
    bad.loc[2, "tr3"] = 6
    bad.loc[4, "tr3"] = 0
    bad.loc[0, "pr1"] = 8
    path = write_csv(tmp_path, bad)
    with pytest.raises(
        DataError, match=r"'tr3', row 4 \(index 2\) holds 6.*1-5\. 3 such"
    ):
        load_survey(path, codebook)


def test_non_integer_likert(tmp_path, codebook):
    bad = DATA.astype({"pr1": float})
    bad.loc[3, "pr1"] = 2.5
    with pytest.raises(DataError, match=r"'pr1', row 5 \(index 3\) holds 2\.5"):
        load_survey(write_csv(tmp_path, bad), codebook)


def test_missing_code_outside_scale_is_not_a_range_error(tmp_path, codebook):
    survey = load_survey(write_csv(tmp_path), codebook)  # -99 in tr1 is declared
    assert survey.data["tr1"].min() >= 1


@pytest.mark.parametrize("column", ["tr2", "age"])
def test_text_in_numeric_column(tmp_path, codebook, column):
    bad = DATA.astype({column: object})
    bad.loc[3, column] = "agree"
    with pytest.raises(
        DataError, match=rf"'{column}'.*row 5 \(index 3\) holds 'agree'"
    ):
        load_survey(write_csv(tmp_path, bad), codebook)


def test_codebook_items_missing_from_data(tmp_path, codebook):
    path = write_csv(tmp_path, DATA.drop(columns=["tr2", "age"]))
    with pytest.raises(DataError, match=r"survey\.csv.*\['tr2', 'age'\]"):
        load_survey(path, codebook)


def test_blank_cells_and_spaces(tmp_path, codebook):
    path = tmp_path / "survey.csv"
    text = (
        DATA.to_csv(index=False)
        .replace("\n101,5,", "\n101, 5 ,")
        .replace("\n104,2,", "\n104,,")
    )
    path.write_text(text)
    survey = load_survey(path, codebook)
    assert survey.data["tr1"].iloc[0] == 5.0
    assert np.isnan(survey.data["tr1"].iloc[3])


# -------------------------------------------------------------- no codebook
def test_infers_items_without_codebook(tmp_path):
    df = DATA.assign(score=np.linspace(0.5, 9.5, 5), big=[1, 20, 300, 4000, 5])
    with pytest.warns(DataQualityWarning) as record:
        survey = load_survey(write_csv(tmp_path, df))
    lines = "\n".join(str(w.message) for w in record)
    assert len(record) == 4  # one line per set of values
    for part in ["Columns 'tr1', 'gender', 'age' hold -99 (3 cells)",
                 "Column 'pr2' holds 99 (1 cell)", "Column 'tr2' holds -99, -98 (2 cells)",
                 "Column 'big' holds 300, 4000 (2 cells)", "missing_codes: -99;-98"]:
        assert part in lines
    assert "np." not in lines
    # Small data: the id and "big" also have <= 11 distinct whole numbers.
    assert survey.items == [
        "rid",
        "tr1",
        "tr2",
        "tr3",
        "pr1",
        "pr2",
        "gender",
        "age",
        "big",
    ]
    assert "score" not in survey.items and "note" not in survey.items
    assert survey.constructs == {} and survey.codebook is None
    assert survey.recoded.empty
    assert survey.data["tr3"].tolist() == [1, 2, 3, 4, 5]  # nothing recoded
    assert any("No codebook" in n for n in survey.notes)
    assert any("-99" in n and "missing_codes" in n for n in survey.notes)


def test_infers_items_with_many_levels_excluded(tmp_path):
    df = pd.DataFrame({"a": list(range(12)) * 2, "b": [1, 2, 3] * 8})
    survey = load_survey(write_csv(tmp_path, df))
    assert survey.items == ["b"]


# ------------------------------------------------------------------ formats
def test_semicolon_tab_and_tsv(tmp_path, codebook):
    expected = load_survey(write_csv(tmp_path), codebook).data
    for name, sep in (("semi.csv", ";"), ("tab.csv", "\t"), ("data.tsv", "\t")):
        got = load_survey(write_csv(tmp_path, name=name, sep=sep), codebook).data
        pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gbk"])
def test_encodings(tmp_path, encoding):
    df = pd.DataFrame(
        {"城市": ["北京", "上海"], "名字": ["李雷", "张伟"], "q1": [1, 2]}
    )
    path = write_csv(tmp_path, df, encoding=encoding)
    survey = load_survey(path)
    assert list(survey.data.columns) == ["城市", "名字", "q1"]
    assert survey.data["名字"].tolist() == ["李雷", "张伟"]
    assert any("gb18030" in n for n in survey.notes) == (encoding == "gbk")


def test_latin1_and_explicit_encoding(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,q1\nZoë,1\nRené,2\n".encode("latin-1"))
    assert load_survey(latin, encoding="latin-1").data["name"].tolist() == [
        "Zoë",
        "René",
    ]
    assert load_survey(latin).data["name"].tolist() == ["Zoë", "René"]
    with pytest.raises(DataError, match=r"latin\.csv.*'ascii'"):
        load_survey(latin, encoding="ascii")


def test_decimal_comma_with_semicolons(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("q1;w\n1;0,5\n2;1,25\n")
    survey = load_survey(path)
    assert survey.data["w"].tolist() == [0.5, 1.25]


def test_trailing_delimiter_is_not_a_shifted_column(tmp_path):
    path = tmp_path / "trail.csv"
    path.write_text("a,b\n1,2,\n4,5,\n")
    survey = load_survey(path)
    assert survey.data.to_dict("list") == {"a": [1, 4], "b": [2, 5]}
    assert any("trailing comma" in n for n in survey.notes)


def test_interior_blank_line_kept_as_empty_row(tmp_path):
    path = tmp_path / "gap.csv"
    path.write_text("q1,q2\n1,2\n\n3,4\n\n\n")
    survey = load_survey(path)
    assert len(survey.data) == 3
    assert survey.data.iloc[1].isna().all()
    assert any("empty rows" in n for n in survey.notes)


def test_xlsx(tmp_path, codebook):
    path = tmp_path / "survey.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="info", index=False)
        DATA.to_excel(xw, sheet_name="wave1", index=False)
    before = digest(path)
    survey = load_survey(path, codebook, sheet="wave1")
    assert digest(path) == before
    expected = load_survey(write_csv(tmp_path), codebook).data
    pd.testing.assert_frame_equal(
        survey.data.drop(columns="note"), expected.drop(columns="note")
    )
    assert list(load_survey(path, sheet=0).data.columns) == ["x"]
    with pytest.raises(DataError, match=r"survey\.xlsx.*'wave2'"):
        load_survey(path, codebook, sheet="wave2")


def test_xlsx_error_row_numbers(tmp_path, codebook):
    bad = DATA.copy()
    bad.loc[1, "tr1"] = 9
    path = tmp_path / "bad.xlsx"
    bad.to_excel(path, index=False)
    with pytest.raises(DataError, match=r"bad\.xlsx.*'tr1', row 3 \(index 1\) holds 9"):
        load_survey(path, codebook)


@pytest.mark.filterwarnings("ignore::trustsem.exceptions.DataQualityWarning")  # -99 in DATA
def test_xls_named_xlsx_content_reads(tmp_path):
    path = tmp_path / "old.xls"
    DATA.to_excel(path, index=False, engine="openpyxl")
    assert load_survey(path).data.shape == DATA.shape


@pytest.mark.filterwarnings("ignore::trustsem.exceptions.DataQualityWarning")  # -99 in DATA
def test_sav_keeps_labels_and_reverses_them(tmp_path, codebook):
    path = tmp_path / "survey.sav"
    labels = {1: "Strongly disagree", 5: "Strongly agree"}
    pyreadstat.write_sav(
        DATA.drop(columns="note"),
        str(path),
        column_labels={"tr1": "I trust the platform", "tr3": "Reversed item"},
        variable_value_labels={"tr1": labels, "tr3": labels},
    )
    before = digest(path)
    survey = load_survey(path, codebook)
    assert digest(path) == before
    assert survey.variable_labels["tr1"] == "I trust the platform"
    assert survey.value_labels["tr1"] == {
        1.0: "Strongly disagree",
        5.0: "Strongly agree",
    }
    # tr3 is reversed, so the answer "Strongly disagree" (1) is now stored as 5.
    assert survey.value_labels["tr3"] == {
        5.0: "Strongly disagree",
        1.0: "Strongly agree",
    }
    assert survey.data["tr3"].tolist() == [5.0, 4.0, 3.0, 2.0, 1.0]
    raw = load_survey(path)
    assert raw.value_labels["tr3"] == {1.0: "Strongly disagree", 5.0: "Strongly agree"}


def test_sav_user_missing_is_reported(tmp_path):
    path = tmp_path / "um.sav"
    df = pd.DataFrame({"q1": [1.0, 2.0, 99.0], "q2": [1.0, 2.0, 3.0]})
    pyreadstat.write_sav(df, str(path), missing_ranges={"q1": [99]})
    survey = load_survey(path)
    assert np.isnan(survey.data["q1"].iloc[2])
    assert any("user-missing" in n and "'q1': ['99']" in n for n in survey.notes)


def test_sav_error_uses_case_numbers(tmp_path, codebook):
    bad = DATA.drop(columns="note")
    bad.loc[3, "pr1"] = 12
    path = tmp_path / "bad.sav"
    pyreadstat.write_sav(bad, str(path))
    with pytest.raises(
        DataError, match=r"bad\.sav.*'pr1', case 4 \(index 3\) holds 12"
    ):
        load_survey(path, codebook)


def test_zsav_and_dta(tmp_path, codebook):
    plain = DATA.drop(columns="note")
    zsav = tmp_path / "survey.zsav"
    pyreadstat.write_sav(plain, str(zsav), compress=True)
    dta = tmp_path / "survey.dta"
    pyreadstat.write_dta(plain, str(dta))
    expected = load_survey(write_csv(tmp_path, plain), codebook).data
    for path in (zsav, dta):
        got = load_survey(path, codebook).data
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)


# -------------------------------------------------------------- error paths
@pytest.mark.parametrize(
    ("name", "content", "pattern"),
    [
        ("empty.csv", b"", r"empty\.csv' is empty"),
        ("spaces.csv", b"  \n\n", r"spaces\.csv' is empty"),
        ("header.csv", b"q1,q2\n", r"header\.csv' has column names but no data rows"),
        ("garbage.csv", bytes(range(256)) * 8, r"garbage\.csv.*binary"),
        ("ctrl.csv", b"\x01\x02\x03\x04\x05\x06" * 50, r"ctrl\.csv.*binary"),
        ("zip.csv", b"PK\x03\x04rest", r"zip\.csv.*Excel"),
        ("garbage.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(200), r"garbage\.xlsx.*Excel"),
        ("garbage.xls", b"hello", r"garbage\.xls.*xlrd"),
        ("garbage.sav", b"not spss", r"garbage\.sav.*SPSS"),
        ("garbage.dta", b"not stata", r"garbage\.dta.*Stata"),
        ("data.json", b"{}", r"data\.json.*unsupported extension"),
        ("ragged.csv", b"a,b\n1,2\n1,2,3,4\n", r"ragged\.csv': line 3 has 4 fields"),
        ("short.csv", b'a,b,c\n1,2,3\n1,"2\n', r"short\.csv.*comma-separated"),
        ("shift.csv", b"a,b\n1,2,3\n4,5,6\n", r"shift\.csv': line 2 has 3 fields"),
        ("dups.csv", b"q1,q2,q1\n1,2,3\n", r"dups\.csv.*\['q1'\]"),
        ("dups2.csv", b"q1,q1 ,q2\n1,2,3\n", r"dups2\.csv.*\['q1'\]"),
    ],
)
def test_unreadable_files(tmp_path, name, content, pattern):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=pattern):
        load_survey(path)
    assert path.read_bytes() == content


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataError, match=r"nothere\.csv' does not exist"):
        load_survey(tmp_path / "nothere.csv")
    with pytest.raises(DataError, match="directory"):
        load_survey(tmp_path)
    with pytest.raises(DataError, match="path"):
        load_survey(42)  # type: ignore[arg-type]


def test_duplicate_columns_in_xlsx(tmp_path):
    path = tmp_path / "dups.xlsx"
    frame = pd.DataFrame([[1, 2, 3]], columns=["q1", "q2", "q3"])
    frame.to_excel(path, index=False)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active["C1"] = "q1"
    wb.save(path)
    with pytest.raises(DataError, match=r"dups\.xlsx.*\['q1'\]"):
        load_survey(path)


def test_bad_options(tmp_path, codebook):
    path = write_csv(tmp_path)
    with pytest.raises(SpecificationError, match="sheet"):
        load_survey(path, sheet="x")
    with pytest.raises(DataError, match="codebook"):
        load_survey(path, codebook=3)  # type: ignore[arg-type]
    with pytest.raises(DataError, match=r"cb\.csv' does not exist"):
        load_survey(path, codebook=tmp_path / "cb.csv")


@pytest.mark.filterwarnings("ignore::trustsem.exceptions.DataQualityWarning")  # -99 in DATA
def test_frozen_result(tmp_path):
    survey = load_survey(write_csv(tmp_path))
    with pytest.raises(AttributeError):
        survey.items = []  # type: ignore[misc]
    assert "SurveyData('survey.csv', n_obs=5" in repr(survey)


# ----------------------------------------------------- infinite / huge values
@pytest.mark.parametrize("ext, where", [(".csv", "row 4"), (".xlsx", "row 4"), (".sav", "case 3")])
@pytest.mark.parametrize("value", [np.inf, -np.inf, 1e300])
def test_nonfinite_value_names_file_row(tmp_path, ext, where, value):
    if ext == ".xlsx" and np.isinf(value):
        pytest.skip("Excel cells cannot hold infinity")
    d = pd.DataFrame({"x1": [1.0, 2, 3, 4], "x2": [2.0, 3, value, 1]})
    p = tmp_path / f"inf{ext}"
    if ext == ".csv":
        d.to_csv(p, index=False)
    elif ext == ".xlsx":
        d.to_excel(p, index=False)
    else:
        pyreadstat.write_sav(d, str(p))
    with pytest.raises(DataError, match=rf"'x2': {where} \(index 2\)"):
        load_survey(p)
    cb = Codebook.from_frame(pd.DataFrame({
        "item": ["x1", "x2"], "construct": ["", ""], "type": ["numeric", "numeric"],
        "scale_min": [None, None], "scale_max": [None, None]}))
    with pytest.raises(DataError, match=rf"'x2': {where}"):
        load_survey(p, codebook=cb)


@pytest.mark.filterwarnings("ignore::trustsem.exceptions.DataQualityWarning")  # -99 in DATA
def test_sheet_by_position_string_and_hint(tmp_path, codebook):
    from trustsem.data.io import check_model_columns, sheet_names, sheets_with_columns

    path = tmp_path / "survey.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="info", index=False)
        DATA.to_excel(xw, sheet_name="wave 1", index=False)
    assert sheet_names(path) == ["info", "wave 1"]
    assert sheets_with_columns(path, ["tr1", "zz"], skip=0) == {"wave 1": ["tr1"]}
    assert load_survey(path, sheet="1").sheet == "1"
    assert "tr1" in load_survey(path, sheet=1).data.columns
    with pytest.raises(DataError, match=r"position 2 .*\['info', 'wave 1'\]"):
        load_survey(path, sheet=2)
    with pytest.raises(DataError, match=r"lacks 8 codebook columns.*on sheet 'wave 1'; pass"
                                        r" --sheet 'wave 1'"):
        load_survey(path, codebook)
    survey = load_survey(path)
    with pytest.raises(DataError, match=r"first sheet.*\['tr1', 'tr2'\].*all 2 on sheet 'wave 1'"):
        check_model_columns(survey, ModelSpec("T =~ tr1 + tr2"))


# ------------------------------------------------------ undeclared missing codes
def _likert_frame(n=40, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({f"q{i}": rng.integers(1, 6, n).astype(float) for i in range(1, 5)})


def test_value_outside_every_other_items_range_warns(tmp_path):
    d = _likert_frame()
    d.loc[[3, 7], "q2"] = 9
    p = tmp_path / "nine.csv"
    d.to_csv(p, index=False)
    with pytest.warns(DataQualityWarning, match=r"Column 'q2' holds 9 \(2 cells\).*missing_codes: 9"):
        load_survey(p)
    d.loc[[3, 7], "q2"] = 6          # a wider scale, contiguous: no warning
    d.to_csv(p, index=False)
    assert load_survey(p).items == ["q1", "q2", "q3", "q4"]


def test_spss_non_answer_labels_warn(tmp_path):
    d = _likert_frame()
    d.loc[[1, 2, 5], "q1"] = 8
    d.loc[4, "q1"] = 9
    p = tmp_path / "labels.sav"
    pyreadstat.write_sav(d, str(p), variable_value_labels={
        "q1": {1: "Strongly disagree", 5: "Strongly agree", 8: "Don't know", 9: "Refused"}})
    with pytest.warns(DataQualityWarning) as record:
        load_survey(p)
    msg = next(str(w.message) for w in record if "labelled" in str(w.message))
    assert "Column 'q1'" in msg and "8 = \"Don't know\" (3 cells)" in msg
    assert "9 = 'Refused' (1 cell)" in msg and "missing_codes: 8;9" in msg
    # declared in a codebook: no warning
    cb = Codebook.from_frame(pd.DataFrame({
        "item": ["q1", "q2", "q3", "q4"], "construct": ["A"] * 4, "type": ["likert"] * 4,
        "scale_min": [1] * 4, "scale_max": [5] * 4, "missing": ["8;9", "", "", ""]}))
    survey = load_survey(p, codebook=cb)
    assert survey.data["q1"].isna().sum() == 4


def test_codebook_numeric_column_with_isolated_code_warns(tmp_path):
    d = _likert_frame().assign(age=np.arange(20, 60).astype(float))
    d.loc[6, "age"] = 999
    p = tmp_path / "age.csv"
    d.to_csv(p, index=False)
    cb = Codebook.from_frame(pd.DataFrame({
        "item": ["q1", "q2", "q3", "q4", "age"], "construct": ["A"] * 4 + [""],
        "type": ["likert"] * 4 + ["numeric"], "scale_min": [1] * 4 + [None],
        "scale_max": [5] * 4 + [None]}))
    with pytest.warns(DataQualityWarning, match=r"'age' holds 999 \(1 cell\)"):
        load_survey(p, codebook=cb)


# ------------------------------------------------------- readers and display
def test_readers_module_reads_for_io_and_codebook(tmp_path):
    from trustsem.data import io as io_mod
    from trustsem.data import readers

    assert io_mod.sheet_names is readers.sheet_names
    assert io_mod.sheets_with_columns is readers.sheets_with_columns
    assert io_mod.SUPPORTED_EXTENSIONS == readers.SUPPORTED_EXTENSIONS
    path = tmp_path / "semi.csv"
    path.write_text("a;b\n1,5;2\n3,0;4\n", encoding="utf-8")
    df, enc, notes = readers.read_text_table(path, encoding=None, dtype=None, what="File")
    assert df["a"].tolist() == [1.5, 3.0] and enc == "utf-8"
    assert any("decimal mark" in n for n in notes)
    with pytest.raises(DataError, match="duplicate column names"):
        readers.check_header(["a", "b ", "b"], "x.csv")


def test_missing_code_helpers():
    from trustsem.data._codes import _missing_mask, _outside_scale, _plain, _set_missing

    s = pd.Series([" -99", "3", "x", None])
    assert _missing_mask(s, (-99.0,)).tolist() == [True, False, False, False]
    assert not _missing_mask(s, ()).any()
    v = pd.Series([1.0, 5.0, 6.0, 2.5, np.nan])
    assert _outside_scale(v, 1, 5).tolist() == [False, False, True, True, False]
    out = _set_missing(pd.Series([1, 2, 3]), pd.Series([False, True, False]))
    assert out.isna().tolist() == [False, True, False]
    assert type(_plain(np.int64(4))) is int


def test_survey_data_display_comes_from_summary(tmp_path, codebook_file):
    from trustsem._display import SummaryDisplay

    survey = load_survey(write_csv(tmp_path), codebook_file)
    assert isinstance(survey, SummaryDisplay)
    assert "__str__" not in vars(SurveyData) and "_repr_html_" not in vars(SurveyData)
    assert str(survey) == survey.summary()
    html = survey._repr_html_()
    assert html.startswith("<pre>") and "TRUST (3)" in html
    assert repr(survey).startswith("SurveyData('survey.csv'")
