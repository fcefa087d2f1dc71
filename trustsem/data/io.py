"""Read survey files into a checked, documented :class:`SurveyData`.

``load_survey`` reads CSV/TSV, Excel, SPSS and Stata files, applies a codebook
(missing codes, range checks, reverse coding) and records everything it did.
The file is only ever opened for reading, and no row is ever dropped.
"""

from __future__ import annotations

import codecs
import csv
import io as _io
import os
import re
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_finite_values, check_option, format_value
from ..exceptions import DataError, DataQualityWarning, SpecificationError
from .codebook import Codebook
from .prep import _missing_mask, _outside_scale, _plain, _set_missing

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "SurveyData",
    "check_model_columns",
    "load_survey",
    "sheet_names",
    "sheets_with_columns",
]

_TEXT = (".csv", ".tsv")
_EXCEL = (".xlsx", ".xlsm", ".xls")
_STAT = (".sav", ".zsav", ".dta")
#: File extensions :func:`load_survey` reads.
SUPPORTED_EXTENSIONS: tuple[str, ...] = _TEXT + _EXCEL + _STAT
#: Columns with at most this many distinct integer values count as items when
#: no codebook is given (an 11-point 0-10 scale is the widest common one).
MAX_ITEM_LEVELS = 11

RowLabel = Callable[[int, Any], str]


# --------------------------------------------------------------------- result
@dataclass(frozen=True, slots=True, eq=False)
class SurveyData:
    """A survey read by :func:`load_survey`, with what was done to it.

    Attributes
    ----------
    data : pandas.DataFrame
        The cleaned data: missing codes set to NaN, reverse-keyed items
        recoded (if requested). Same rows, in the same order, as the file.
    codebook : Codebook or None
        The codebook applied, if any.
    path : pathlib.Path
        The file read.
    items : list of str
        Likert item columns (from the codebook, or inferred; see ``notes``).
    constructs : dict of str to list of str
        Construct -> items (empty without a codebook).
    value_labels : dict
        Column -> {value: label}, from SPSS/Stata files (empty otherwise).
        Labels of reverse-coded items are moved to the recoded values.
    variable_labels : dict
        Column -> label, from SPSS/Stata files (empty otherwise).
    recoded : pandas.DataFrame
        One row per codebook column: ``column``, ``n_missing_codes`` (cells set
        to NaN because they held a declared missing code) and ``reversed``.
        Empty without a codebook.
    notes : tuple of str
        Everything worth knowing about how the file was read.
    sheet : str, int or None
        The Excel sheet read (as passed to ``load_survey``; None = the first).
    """

    data: pd.DataFrame
    codebook: Codebook | None
    path: Path
    items: list[str]
    constructs: dict[str, list[str]]
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)
    recoded: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {"column": [], "n_missing_codes": [], "reversed": []}
        )
    )
    notes: tuple[str, ...] = ()
    sheet: str | int | None = None

    @property
    def n_obs(self) -> int:
        """Number of rows (respondents)."""
        return int(self.data.shape[0])

    def summary(self) -> str:
        """Return a short plain-text description of the survey and its cleaning."""
        d = self.data
        lines = [f"Survey {self.path.name!r}: {d.shape[0]} rows, {d.shape[1]} columns"]
        if self.constructs:
            parts = ", ".join(f"{c} ({len(v)})" for c, v in self.constructs.items())
            lines.append(
                f"Items: {len(self.items)} in {len(self.constructs)} constructs:"
                f" {parts}"
            )
        else:
            lines.append(f"Items: {len(self.items)} (no constructs declared)")
        if self.items:
            cells = d[self.items].size
            n_na = int(d[self.items].isna().sum().sum())
            pct = 100.0 * n_na / cells if cells else 0.0
            lines.append(f"Missing item answers: {n_na} of {cells} cells ({pct:.1f}%)")
        if len(self.recoded):
            n_codes = int(self.recoded["n_missing_codes"].sum())
            cols = int((self.recoded["n_missing_codes"] > 0).sum())
            lines.append(f"Missing codes set to NaN: {n_codes} cells in {cols} columns")
            rev = self.recoded.loc[self.recoded["reversed"], "column"].tolist()
            lines.append(f"Reverse coded: {', '.join(rev) if rev else 'none'}")
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  - {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (
            f"SurveyData({self.path.name!r}, n_obs={self.n_obs},"
            f" items={len(self.items)}, constructs={len(self.constructs)})"
        )


# ----------------------------------------------------------------- front door
def load_survey(
    path: str | os.PathLike[str],
    codebook: Codebook | str | os.PathLike[str] | None = None,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    reverse: bool = True,
) -> SurveyData:
    """Read a survey file, check it against a codebook and clean it.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``, ``.tsv``, ``.xlsx``, ``.xls``, ``.sav``, ``.zsav`` or
        ``.dta`` file. It is opened read-only and never modified.
    codebook : Codebook, str, path-like or None
        Codebook (or its file, see ``docs/codebook.md``). Without one, item
        columns are inferred (numeric columns with at most 11 distinct integer
        values) and nothing is recoded.
    sheet : str or int, optional
        Excel sheet name or 0-based position; default the first sheet. A
        string of digits that is not a sheet name is taken as a position
        (``--sheet 1`` on the command line).
    encoding : str, optional
        Text encoding of CSV/TSV (and SPSS/Stata) files. By default CSV files
        are tried as UTF-8 (with or without BOM), UTF-16 (with BOM), GB18030
        (a superset of GBK, common for Chinese Excel exports) and Latin-1, in
        that order; the choice is recorded in ``notes`` when not UTF-8.
    reverse : bool, default True
        Reverse code the codebook's reverse-keyed likert items
        (``new = scale_min + scale_max - old``). Do not call
        :func:`trustsem.data.prep.reverse_code` again on the result.

    Returns
    -------
    SurveyData
        ``data`` (cleaned, same rows in the same order as the file),
        ``codebook``, ``path``, ``items``, ``constructs``, ``value_labels``,
        ``variable_labels``, ``recoded`` (``column``, ``n_missing_codes``,
        ``reversed``), ``notes`` and ``summary()``.

    Raises
    ------
    DataError
        With one sentence naming the file, if it is missing, empty,
        unreadable, of an unsupported type or has duplicate column names.
        With a codebook: if codebook columns are absent from the data, a
        likert or numeric column holds text, or a likert value is outside
        ``[scale_min, scale_max]`` or not a whole number (the message names
        the column, the spreadsheet row, the index and the value, and counts
        all such cells).
        A numeric column holding ``inf``, ``-inf`` or a number beyond +/-1e50
        (the covariances would overflow), naming the column and the row.
        A ``sheet`` the workbook does not have (the message lists its sheets);
        codebook columns missing from the sheet read name the other sheets
        that hold them.
    SpecificationError
        If ``sheet`` or ``encoding`` is given for a file type that has none.

    Warns
    -----
    DataQualityWarning
        One per problem (also kept in ``notes``) for values that look like
        undeclared missing codes: -99, 99, 999 ... in items, values cut off
        beyond every other item's range (a 9 on a 1-5 scale), classic codes
        isolated beyond the rest of a numeric column (an age of 999), and
        SPSS/Stata value labels such as "Refused" or "Don't know" on values
        that occur. The message says which ``missing_codes`` to declare.

    Notes
    -----
    Order of cleaning: text check, missing codes -> NaN, range check, reverse
    coding. Row numbers in messages are spreadsheet rows (the header is row
    1, so the first respondent is row 2) for CSV/Excel, and case numbers
    (first respondent = case 1) for SPSS/Stata. Interior blank lines of a CSV
    file are kept as empty rows so that row numbers match the file.

    Examples
    --------
    >>> survey = load_survey(
    ...     "data/wave1.csv", codebook="data/codebook.csv"
    ... )  # doctest: +SKIP
    >>> print(survey.summary())  # doctest: +SKIP
    """
    p = _check_path(path)
    name = p.name
    ext = p.suffix.lower()
    cb = _as_codebook(codebook)
    check_option("reverse", reverse, [True, False])
    notes: list[str] = []
    value_labels: dict[str, dict[Any, str]] = {}
    variable_labels: dict[str, str] = {}

    if sheet is not None and ext not in _EXCEL:
        raise SpecificationError(
            f"`sheet` applies to Excel files only; got sheet={sheet!r} for {name!r}."
        )
    if ext in _TEXT:
        df, enc, extra = _read_text_table(p, encoding=encoding, dtype=None, what="File")
        if enc not in ("utf-8", "utf-8-sig"):
            notes.append(f"Read as {enc!r} text (not UTF-8).")
        notes.extend(extra)
        row_label: RowLabel = _spreadsheet_row
    elif ext in _EXCEL:
        if encoding is not None:
            raise SpecificationError(
                f"`encoding` does not apply to Excel files; got {format_value(encoding)} for"
                f" {name!r}."
            )
        df = _read_excel_raw(p, sheet=sheet, dtype=None, what="File")
        row_label = _spreadsheet_row
    else:
        df, value_labels, variable_labels, stat_notes = _read_stat(p, encoding)
        notes.extend(stat_notes)
        row_label = _case_row
        if value_labels:
            notes.append(
                f"Kept value labels of {len(value_labels)} columns; the data hold"
                " the numeric codes."
            )

    if df.shape[0] == 0:
        raise DataError(f"File {name!r} has column names but no data rows.")
    df, renamed = _clean_names(df, name)
    if renamed:
        notes.append(f"Stripped spaces from column names: {renamed}.")

    if cb is None:
        check_finite_values(df, row_label, prefix=f"File {name!r}: ")
        items = _infer_items(df)
        for msg in suspect_missing_codes(df, items, value_labels):
            notes.append(msg)
            warnings.warn(f"File {name!r}: {msg}", DataQualityWarning, stacklevel=2)
        notes.append(
            f"No codebook: took {len(items)} numeric columns with at most"
            f" {MAX_ITEM_LEVELS} distinct whole-number values as items: {items}."
            " Nothing was recoded. Pass a codebook to declare items, constructs,"
            " scales, missing codes and reverse-keyed items."
        )
        return SurveyData(
            data=df,
            codebook=None,
            path=p,
            items=items,
            constructs={},
            value_labels=value_labels,
            variable_labels=variable_labels,
            notes=tuple(notes),
            sheet=sheet,
        )

    df, recoded, cb_notes = _apply_codebook(
        df, cb, name, row_label, reverse,
        hint=lambda missing: missing_columns_hint(p, missing, sheet),
    )
    notes.extend(cb_notes)
    not_numbers = {c for c, t in cb.types.items() if t not in ("likert", "numeric")}
    # value labels of codes the codebook declares missing are already NaN
    for msg in suspect_missing_codes(df, cb.items, value_labels, skip=not_numbers):
        notes.append(msg)
        warnings.warn(f"File {name!r}: {msg}", DataQualityWarning, stacklevel=2)
    moved = [c for c in recoded.loc[recoded["reversed"], "column"] if c in value_labels]
    if moved:
        notes.append(f"Value labels of reversed items {moved} moved with the values.")
    for col in moved:
        lo, hi = cb.scale(col)
        value_labels[col] = {
            (lo + hi - k if isinstance(k, (int, float)) and lo <= k <= hi else k): v
            for k, v in value_labels[col].items()
        }
    return SurveyData(
        data=df,
        codebook=cb,
        path=p,
        items=cb.items,
        constructs=cb.constructs,
        value_labels=value_labels,
        variable_labels=variable_labels,
        recoded=recoded,
        notes=tuple(notes),
        sheet=sheet,
    )


def check_model_columns(survey: SurveyData, spec: Any) -> None:
    """Raise if observed variables of ``spec`` (a :class:`~trustsem.ModelSpec`) are
    not columns of ``survey``
    (for an Excel file the message names the other sheets that hold them:
    "found on sheet 'wave2'; pass --sheet wave2"), or hold text (DataError
    naming the file's row: header = row 1, first respondent = row 2)."""
    observed = [str(v) for v in spec.observed]
    cols = set(map(str, survey.data.columns))
    missing = [v for v in observed if v not in cols]
    if not missing:
        # text in a model variable: name the file's row, not the DataFrame index
        row_label = _case_row if survey.path.suffix.lower() in _STAT else _spreadsheet_row
        for col in observed:
            _to_number(survey.data[col], col, survey.path.name, row_label)
        return
    hint = missing_columns_hint(survey.path, missing, survey.sheet)
    if hint:
        which = "the first sheet" if survey.sheet is None else f"sheet {survey.sheet!r}"
        raise DataError(
            f"Variables in the model are not on {which} of {survey.path.name!r}:"
            f" {missing}.{hint}"
        )
    spec.check_data(cols)


# ------------------------------------------------------------------- checking
def _check_path(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise DataError(f"`path` must be a file path; got {type(path).__name__}.")
    p = Path(path)
    if not p.exists():
        raise DataError(f"File {str(p)!r} does not exist.")
    if not p.is_file():
        raise DataError(f"{str(p)!r} is a directory, not a data file.")
    if p.suffix.lower() not in SUPPORTED_EXTENSIONS:
        raise DataError(
            f"File {p.name!r} has an unsupported extension {p.suffix!r}; trustsem"
            f" reads {', '.join(SUPPORTED_EXTENSIONS)}."
        )
    if p.stat().st_size == 0:
        raise DataError(f"File {p.name!r} is empty.")
    return p


def _as_codebook(codebook: Any) -> Codebook | None:
    if codebook is None or isinstance(codebook, Codebook):
        return codebook
    if isinstance(codebook, (str, os.PathLike)):
        return Codebook.from_file(codebook)
    if isinstance(codebook, pd.DataFrame):
        return Codebook.from_frame(codebook)
    raise DataError(
        f"`codebook` must be a Codebook or a file path; got {type(codebook).__name__}."
    )


def _spreadsheet_row(pos: int, idx: Any) -> str:
    return f"row {pos + 2} (index {_plain(idx)!r})"


def _case_row(pos: int, idx: Any) -> str:
    return f"case {pos + 1} (index {_plain(idx)!r})"


def _check_header(header: list[Any], name: str) -> None:
    """Raise on duplicate column names as written in the file."""
    names = [str(h).strip() for h in header]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DataError(
            f"File {name!r} has duplicate column names {dup}; rename them so each"
            " column is unique."
        )


def _clean_names(df: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[str]]:
    cols = [str(c) for c in df.columns]
    stripped = [c.strip() for c in cols]
    _check_header(stripped, name)
    renamed = [c for c, s in zip(cols, stripped, strict=True) if c != s]
    if renamed or list(df.columns) != cols:
        df = df.copy()
        df.columns = stripped
    return df, renamed


# -------------------------------------------------------------------- readers
_BINARY_MAGIC = {
    b"PK\x03\x04": "an Excel (.xlsx) or zip file",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) file",
    b"$FL2": "an SPSS (.sav) file",
    b"$FL3": "an SPSS (.zsav) file",
    b"%PDF": "a PDF file",
}


def _decode(raw: bytes, encoding: str | None, name: str, what: str) -> tuple[str, str]:
    """Decode file bytes; return (text, encoding used)."""
    for magic, kind in _BINARY_MAGIC.items():
        if raw.startswith(magic):
            raise DataError(
                f"{what} {name!r} is not a text table; it looks like {kind}. Give it"
                " the matching extension."
            )
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as err:
            raise DataError(
                f"{what} {name!r} cannot be decoded as {encoding!r}: {err}."
            ) from err
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif raw.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif b"\x00" in raw[:65536]:
        raise DataError(
            f"{what} {name!r} is not a readable text table (it contains binary data)."
        )
    else:
        candidates = ["utf-8", "gb18030", "latin-1"]
    for enc in candidates:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise DataError(f"{what} {name!r} cannot be decoded; pass `encoding=`.")


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    ctrl = sum(
        1 for ch in sample if ch not in "\t\r\n\f" and unicodedata.category(ch) == "Cc"
    )
    return ctrl > max(2, 0.01 * len(sample))


def _sniff_sep(text: str) -> str:
    """Pick ',', ';' or tab: the one giving a constant number (>1) of fields."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    sample = "\n".join(lines[:-1] if len(lines) > 2 else lines)
    best, best_score = ",", 0.0
    for sep in (",", ";", "\t"):
        try:
            counts = [len(r) for r in csv.reader(_io.StringIO(sample), delimiter=sep)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        consistent = sum(c == counts[0] for c in counts) / len(counts)
        score = counts[0] * (2 if consistent == 1 else consistent)
        if score > best_score:
            best, best_score = sep, score
    return best


def _read_text_table(
    path: Path, *, encoding: str | None, dtype: Any, what: str
) -> tuple[pd.DataFrame, str, list[str]]:
    """Read a delimited text file read-only; return (frame, encoding, notes)."""
    name = path.name
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as err:
        raise DataError(f"{what} {name!r} cannot be opened: {err.strerror}.") from err
    text, enc = _decode(raw, encoding, name, what)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise DataError(f"{what} {name!r} is empty.")
    if _looks_binary(text):
        raise DataError(
            f"{what} {name!r} is not a readable text table (it contains binary data)."
        )
    notes: list[str] = []
    sep = "\t" if path.suffix.lower() == ".tsv" else _sniff_sep(text)
    # Trailing blank lines are not rows; interior ones are kept so row numbers
    # in messages match the file.
    text = text.rstrip("\r\n \t") + "\n"
    kwargs: dict[str, Any] = {"sep": sep, "skip_blank_lines": False}
    if sep == ";" and re.search(r"\d,\d", text) and not re.search(r"\d\.\d", text):
        kwargs["decimal"] = ","
        notes.append("Read ';'-separated file with ',' as the decimal mark.")
    try:
        header = (
            pd.read_csv(
                _io.StringIO(text),
                header=None,
                nrows=1,
                dtype=str,
                keep_default_na=False,
                sep=sep,
            )
            .iloc[0]
            .tolist()
        )
        _check_header(header, name)
        if _check_field_counts(text, sep, len(header), name, what):
            kwargs["index_col"] = False
            notes.append(
                "Ignored empty fields after the last column (a trailing"
                f" {_SEP_NAMES[sep]} at the end of lines)."
            )
        df = pd.read_csv(
            _io.StringIO(text),
            dtype=dtype,
            **({**kwargs, "keep_default_na": False} if dtype is str else kwargs),
        )
    except DataError:
        raise
    except pd.errors.EmptyDataError as err:
        raise DataError(f"{what} {name!r} is empty.") from err
    except (pd.errors.ParserError, csv.Error, ValueError) as err:
        msg = (
            str(err).strip().splitlines()[-1]
            if str(err).strip()
            else type(err).__name__
        )
        raise DataError(
            f"{what} {name!r} cannot be read as a {_SEP_NAMES[sep]}-separated table:"
            f" {msg.rstrip('.')}."
        ) from err
    n_blank = int(df.isna().all(axis=1).sum()) if dtype is not str else 0
    if n_blank:
        notes.append(f"{n_blank} completely empty rows were kept (all values missing).")
    return df, enc, notes


_SEP_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _check_field_counts(
    text: str, sep: str, n_header: int, name: str, what: str
) -> bool:
    """Raise if a line has more fields than the header (pandas would silently
    shift the columns); return True if the extra fields are all empty, i.e.
    lines end with a trailing delimiter."""
    trailing = False
    for line_no, row in enumerate(csv.reader(_io.StringIO(text), delimiter=sep), 1):
        if len(row) <= n_header:
            continue
        if any(f.strip() for f in row[n_header:]):
            raise DataError(
                f"{what} {name!r}: line {line_no} has {len(row)} fields but the"
                f" header has {n_header} column names. Add the missing column"
                " name(s) or remove the extra values."
            )
        trailing = True
    return trailing


def _excel_engine(path: Path) -> str:
    if path.suffix.lower() == ".xls":
        try:
            import xlrd  # noqa: F401

            return "xlrd"
        except ImportError:
            pass
    return "openpyxl"


def sheet_names(path: str | os.PathLike[str]) -> list[str]:
    """Names of the sheets of an Excel workbook, in order (opened read-only)."""
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            return [str(n) for n in pd.ExcelFile(fh, engine=_excel_engine(p)).sheet_names]
    except Exception as err:
        raise DataError(
            f"File {p.name!r} cannot be read as an Excel workbook ({err})."
        ) from err


def sheets_with_columns(
    path: str | os.PathLike[str], columns: list[str], skip: str | int | None = None
) -> dict[str, list[str]]:
    """Sheets of an Excel workbook (other than ``skip``) whose header row holds
    some of ``columns``: sheet name -> the columns found there, best first."""
    p = Path(path)
    names = sheet_names(p)
    skip_name = names[skip] if isinstance(skip, int) and -len(names) <= skip < len(names) else skip
    wanted = {str(c) for c in columns}
    found: dict[str, list[str]] = {}
    for sheet in names:
        if sheet == skip_name:
            continue
        try:
            with open(p, "rb") as fh:
                head = pd.read_excel(fh, sheet_name=sheet, header=None, nrows=1,
                                     engine=_excel_engine(p))
        except Exception:  # noqa: BLE001 - an unreadable sheet holds nothing
            continue
        if head.shape[0] == 0:
            continue
        cols = [str(h).strip() for h in head.iloc[0].tolist()]
        hit = [c for c in columns if str(c) in cols and str(c) in wanted]
        if hit:
            found[sheet] = hit
    return dict(sorted(found.items(), key=lambda kv: -len(kv[1])))


def missing_columns_hint(
    path: str | os.PathLike[str], missing: list[str], sheet: str | int | None
) -> str:
    """For an Excel file, a sentence naming the other sheets that hold the
    ``missing`` columns (empty string when none do or the file is not Excel)."""
    p = Path(path)
    if p.suffix.lower() not in _EXCEL or not missing:
        return ""
    try:
        found = sheets_with_columns(p, missing, skip=0 if sheet is None else sheet)
    except DataError:
        return ""
    if not found:
        return ""
    import shlex

    best = next(iter(found))
    where = ", ".join(
        f"{'all' if len(cols) == len(missing) else f'{len(cols)} of'} {len(missing)}"
        f" on sheet {sh!r}"
        for sh, cols in found.items()
    )
    return (
        f" Found {where}; pass --sheet {shlex.quote(best)} (sheet={best!r} in"
        " load_survey)."
    )


def _resolve_sheet(path: Path, sheet: str | int | None) -> str | int:
    """A sheet name, or a 0-based position; a string of digits that is not a
    sheet name is taken as a position (so ``--sheet 1`` works)."""
    if sheet is None:
        return 0
    if isinstance(sheet, bool) or not isinstance(sheet, (str, int, np.integer)):
        raise SpecificationError(
            f"`sheet` must be a sheet name or a 0-based position; got {format_value(sheet)}."
        )
    if isinstance(sheet, str):
        names = sheet_names(path)
        if sheet in names:
            return sheet
        if sheet.strip().lstrip("-").isdigit():
            sheet = int(sheet)
        else:
            raise DataError(
                f"File {path.name!r} has no sheet {sheet!r}; its sheets are {names}."
            )
    names = sheet_names(path)
    if not -len(names) <= int(sheet) < len(names):
        raise DataError(
            f"File {path.name!r} has no sheet at position {int(sheet)} (0-based); it has"
            f" {len(names)} sheets: {names}."
        )
    return int(sheet)


def _read_excel_raw(
    path: Path, *, sheet: str | int | None, dtype: Any, what: str
) -> pd.DataFrame:
    """Read one Excel sheet read-only (via a file handle, so .xls names work)."""
    name = path.name
    sheet_name: str | int = _resolve_sheet(path, sheet)
    engines = ["openpyxl"]
    if path.suffix.lower() == ".xls":
        try:
            import xlrd  # noqa: F401

            engines.insert(0, "xlrd")
        except ImportError:
            pass
    last: Exception | None = None
    for engine in engines:
        try:
            with open(path, "rb") as fh:
                header = pd.read_excel(
                    fh, sheet_name=sheet_name, header=None, nrows=1, engine=engine
                )
            if header.shape[0] == 0:
                raise DataError(f"{what} {name!r} has an empty sheet {sheet_name!r}.")
            _check_header(header.iloc[0].tolist(), name)
            with open(path, "rb") as fh:
                return pd.read_excel(
                    fh, sheet_name=sheet_name, dtype=dtype, engine=engine
                )
        except DataError:
            raise
        except (ValueError, KeyError) as err:
            if (
                "not found" in str(err)
                or "out of range" in str(err)
                or ("Worksheet" in str(err))
            ):
                raise DataError(
                    f"{what} {name!r} has no sheet {sheet_name!r}: {err}".rstrip(".")
                    + "."
                ) from err
            last = err
        except Exception as err:  # noqa: BLE001 - any reader failure = unreadable
            last = err
    hint = ""
    if path.suffix.lower() == ".xls":
        hint = " For old .xls files install xlrd or save the file as .xlsx."
    reason = str(last).splitlines()[0] if str(last) else ""
    raise DataError(
        f"{what} {name!r} cannot be read as an Excel workbook"
        f" ({type(last).__name__}: {reason}).{hint}"
    ) from last


def _read_stat(
    path: Path, encoding: str | None
) -> tuple[pd.DataFrame, dict[str, dict[Any, str]], dict[str, str], list[str]]:
    """Read SPSS/Stata with pyreadstat; return (data, value/var labels, notes)."""
    import pyreadstat

    ext = path.suffix.lower()
    reader = pyreadstat.read_dta if ext == ".dta" else pyreadstat.read_sav
    kwargs: dict[str, Any] = {"apply_value_formats": False}
    if encoding is not None:
        kwargs["encoding"] = encoding
    try:
        df, meta = reader(str(path), **kwargs)
    except Exception as err:
        kind = "a Stata" if ext == ".dta" else "an SPSS"
        raise DataError(
            f"File {path.name!r} cannot be read as {kind} file ({err})."
        ) from err
    value_labels = {
        str(k): dict(v) for k, v in (meta.variable_value_labels or {}).items()
    }
    variable_labels = {
        str(k): str(v)
        for k, v in (meta.column_names_to_labels or {}).items()
        if v not in (None, "")
    }
    notes = []
    if ext != ".dta":
        # pyreadstat turns SPSS user-missing values into NaN; say which ones.
        _, um = pyreadstat.read_sav(
            str(path), metadataonly=True, user_missing=True, **kwargs
        )
        ranges = {
            str(col): [
                f"{r['lo']:g}" if r["lo"] == r["hi"] else f"{r['lo']:g}-{r['hi']:g}"
                for r in spec
            ]
            for col, spec in (um.missing_ranges or {}).items()
        }
        if ranges:
            notes.append(
                f"SPSS user-missing values declared in the file were read as NaN:"
                f" {ranges}."
            )
    return df, value_labels, variable_labels, notes


# ------------------------------------------------------------------- cleaning
def _infer_items(df: pd.DataFrame) -> list[str]:
    items = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            continue
        v = s.dropna().to_numpy(dtype=float)
        if v.size == 0 or not np.all(np.isfinite(v)) or not np.all(v == np.round(v)):
            continue
        if len(np.unique(v)) <= MAX_ITEM_LEVELS:
            items.append(col)
    return items


#: Value labels that mean "no answer" (SPSS/Stata files).
_MISSING_LABEL = re.compile(
    r"refus|don'?t know|do not know|dont know|no answer|not answered|not applicable"
    r"|\bn/?a\b|missing|prefer not|no opinion|can'?t say|cannot say|keine angabe"
    r"|wei(ss|ß) nicht|不知道|拒绝|拒答|不适用|无回答|说不清|不清楚",
    re.IGNORECASE,
)
#: Numbers commonly used as missing-data codes.
_CLASSIC_CODES = frozenset(
    {-9.0, -99.0, -999.0, -9999.0, -8.0, -98.0, -998.0, 99.0, 999.0, 9999.0, 98.0, 998.0}
)


def _isolated(x: float, rest: np.ndarray) -> bool:
    """``x`` lies beyond the other values of its column with a gap (not 6 after 5)."""
    return bool(rest.size) and (x > rest.max() + 1 or x < rest.min() - 1)


def _beyond_gap(u: np.ndarray, lo: float, hi: float) -> set[float]:
    """Values of the sorted unique ``u`` outside ``[lo, hi]`` that are cut off
    from the rest of the column by a gap (1-5 then 9: 9; 1-8 contiguous: none)."""
    out: set[float] = set()
    for i in range(len(u) - 1, 0, -1):
        if u[i] <= hi:
            break
        if u[i] - u[i - 1] >= 2:
            out.update(float(x) for x in u[i:])
            break
    for i in range(len(u) - 1):
        if u[i] >= lo:
            break
        if u[i + 1] - u[i] >= 2:
            out.update(float(x) for x in u[: i + 1])
            break
    return out


def _cells(n: int) -> str:
    return f"{n} cell" if n == 1 else f"{n} cells"


def _join_names(cols: list[str]) -> str:
    return ", ".join(repr(c) for c in cols)


def suspect_missing_codes(
    df: pd.DataFrame,
    items: list[str],
    value_labels: dict[str, dict[Any, str]] | None = None,
    skip: set[str] | None = None,
) -> list[str]:
    """Warnings (one line each) about values that look like undeclared missing
    codes: -99, 99, 999 ... in items, values far outside every other item's
    range, codes like 99 isolated beyond the rest of a numeric column, and
    SPSS/Stata value labels such as "Refused" or "Don't know" on values that
    occur in the data."""
    skip = skip or set()
    value_labels = value_labels or {}
    found: dict[str, set[float]] = {}
    counts: dict[tuple[str, float], int] = {}
    labelled: list[str] = []
    items = [c for c in items if c in df.columns and c not in skip]
    ordinary: dict[str, np.ndarray] = {}
    values: dict[str, np.ndarray] = {}
    for col in df.columns:
        s = df[col]
        if col in skip or pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            continue
        v = s.dropna().to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        if v.size:
            values[col] = v
            u = np.unique(v)
            ordinary[col] = u[(u > -9) & (u < 97)]
    # value labels first: they say what the code means
    for col, labels in value_labels.items():
        if col not in values:
            continue
        hits = []
        for key, lab in labels.items():
            if not isinstance(key, (int, float, np.number)) or not _MISSING_LABEL.search(str(lab)):
                continue
            n = int(np.sum(values[col] == float(key)))
            if n:
                hits.append(f"{format_value(key)} = {str(lab)!r} ({_cells(n)})")
                found.setdefault(col, set()).add(-np.inf)  # reported; no double line
                counts[(col, float(key))] = -1
        if hits:
            labelled.append(
                f"Column {str(col)!r} holds values labelled as non-answers: {'; '.join(hits)}."
                " The file does not declare them missing, so they are analysed as"
                " answers. Declare them with the codebook's missing_codes entry"
                " (missing_codes: " + ";".join(h.split(" = ")[0] for h in hits) + ")."
            )
    for col, v in values.items():
        u = np.unique(v)
        odd: set[float] = set()
        if col in items:
            odd |= {float(x) for x in u if x <= -9 or x >= 97}
            others = [ordinary[o] for o in items if o != col and o in ordinary and ordinary[o].size]
            if others and v.size >= 10:
                lo = min(o.min() for o in others)
                hi = max(o.max() for o in others)
                odd |= _beyond_gap(u, lo, hi)
        else:
            for x in u:
                if float(x) in _CLASSIC_CODES and _isolated(x, u[~np.isin(u, list(_CLASSIC_CODES))]):
                    odd.add(float(x))
        odd = {x for x in odd if counts.get((col, x)) != -1}
        n_odd = {x: int(np.sum(v == x)) for x in odd}
        # codes are the exception, not most answers (an id column 101, 102 ...)
        if sum(n_odd.values()) * 2 >= v.size:
            odd = set()
        for x in odd:
            counts[(col, x)] = n_odd[x]
        if odd:
            found.setdefault(col, set()).update(odd)
    # one line per set of values shared by several columns
    groups: dict[tuple[float, ...], list[str]] = {}
    for col, vals in found.items():
        key = tuple(sorted(x for x in vals if np.isfinite(x)))
        if key:
            groups.setdefault(key, []).append(col)
    msgs = list(labelled)
    for key, cols in groups.items():
        n = sum(counts[(c, x)] for c in cols for x in key)
        shown = ", ".join(format_value(x) for x in key)
        what = f"Column {_join_names(cols)} holds" if len(cols) == 1 else (
            f"Columns {_join_names(cols)} hold")
        one = len(key) == 1
        msgs.append(
            f"{what} {shown} ({_cells(n)}), which look{'s' if one else ''} like"
            f" {'a missing-data code' if one else 'missing-data codes'} but"
            f" {'is' if one else 'are'} analysed as {'an answer' if one else 'answers'}."
            " Declare them with the codebook's missing_codes entry (missing_codes:"
            f" {';'.join(format_value(x) for x in key)}) or leave those cells empty."
        )
    return msgs


def _to_number(s: pd.Series, col: str, name: str, row_label: RowLabel) -> pd.Series:
    """Return ``s`` as float; raise naming the first text cell."""
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.astype(float)
    obj = s.astype(object)
    obj = obj.map(lambda v: v.strip() if isinstance(v, str) else v)
    obj = obj.where(obj != "", np.nan)
    conv = pd.to_numeric(obj, errors="coerce")
    bad = np.flatnonzero((obj.notna() & conv.isna()).to_numpy())
    if bad.size:
        pos = int(bad[0])
        raise DataError(
            f"File {name!r}: column {col!r} must be numeric, but"
            f" {row_label(pos, s.index[pos])} holds {format_value(s.iloc[pos])}"
            f" ({bad.size} text cells in this column in all). Recode the text as"
            " numbers or leave those cells empty."
        )
    return conv.astype(float)


def _apply_codebook(
    df: pd.DataFrame, cb: Codebook, name: str, row_label: RowLabel, reverse: bool,
    hint: Callable[[list[str]], str] = lambda missing: "",
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Check and clean ``df`` against ``cb``: text, missing codes, range, reverse."""
    notes: list[str] = []
    missing = [v for v in cb.variables if v not in df.columns]
    if missing:
        raise DataError(
            f"File {name!r} lacks {len(missing)} codebook columns: {missing}."
            + (hint(missing) or " Check the codebook or the column names.")
        )
    types = cb.types
    df = df.copy()
    n_codes: dict[str, int] = {}
    for col in cb.variables:
        s = df[col]
        if types[col] in ("likert", "numeric"):
            s = _to_number(s, col, name, row_label)
        hit = _missing_mask(s, cb.missing_codes(col))
        n_codes[col] = int(hit.sum())
        df[col] = _set_missing(s, hit)
    check_finite_values(df, row_label, prefix=f"File {name!r}: ")

    bad_cells: list[tuple[str, int, float, float, float]] = []
    per_col: dict[str, int] = {}
    for col in cb.items:
        lo, hi = cb.scale(col)
        mask = _outside_scale(df[col], lo, hi).to_numpy()
        if mask.any():
            per_col[col] = int(mask.sum())
            pos = int(np.flatnonzero(mask)[0])
            bad_cells.append((col, pos, float(df[col].iloc[pos]), lo, hi))
    if bad_cells:
        col, pos, val, lo, hi = bad_cells[0]
        total = sum(per_col.values())
        raise DataError(
            f"File {name!r}: column {col!r}, {row_label(pos, df.index[pos])} holds"
            f" {val:g}, which is not a whole number in the codebook scale"
            f" {lo:g}-{hi:g}. {total} such cells in all ({per_col}). Fix the data,"
            " or add the value to the item's missing_codes."
        )

    rev_items = cb.reverse_items if reverse else []
    for col in rev_items:
        lo, hi = cb.scale(col)
        df[col] = lo + hi - df[col]
    recoded = pd.DataFrame(
        {
            "column": cb.variables,
            "n_missing_codes": [n_codes[c] for c in cb.variables],
            "reversed": [c in rev_items for c in cb.variables],
        }
    )
    total_codes = sum(n_codes.values())
    if total_codes:
        notes.append(
            f"Set {total_codes} cells holding declared missing codes to NaN"
            " (see `recoded`)."
        )
    if rev_items:
        notes.append(
            f"Reverse coded {len(rev_items)} items ({', '.join(rev_items)}) as"
            " scale_min + scale_max - value; do not reverse them again."
        )
    elif cb.reverse_items:
        notes.append(
            f"reverse=False: reverse-keyed items {cb.reverse_items} are left as"
            " answered."
        )
    extra = [c for c in df.columns if c not in set(cb.variables)]
    if extra:
        notes.append(
            f"{len(extra)} columns not in the codebook were kept as read: {extra}."
        )
    return df, recoded, notes
