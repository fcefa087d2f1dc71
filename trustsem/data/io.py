"""Read survey files into a checked, documented :class:`SurveyData`.

``load_survey`` reads CSV/TSV, Excel, SPSS and Stata files, applies a codebook
(missing codes, range checks, reverse coding) and records everything it did.
The file is only ever opened for reading, and no row is ever dropped.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._display import SummaryDisplay
from .._validation import check_finite_values, check_option, format_value
from ..exceptions import DataError, DataQualityWarning, SpecificationError
from ._codes import _missing_mask, _outside_scale, _plain, _set_missing
from .codebook import Codebook
from .readers import (
    EXCEL_EXTENSIONS,
    STAT_EXTENSIONS,
    SUPPORTED_EXTENSIONS,
    TEXT_EXTENSIONS,
    check_header,
    missing_columns_hint,
    read_excel_sheet,
    read_stat_file,
    read_text_table,
    sheet_names,
    sheets_with_columns,
)

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "SurveyData",
    "check_model_columns",
    "load_survey",
    "sheet_names",
    "sheets_with_columns",
]

#: Columns with at most this many distinct integer values count as items when
#: no codebook is given (an 11-point 0-10 scale is the widest common one).
MAX_ITEM_LEVELS = 11

RowLabel = Callable[[int, Any], str]


# --------------------------------------------------------------------- result
@dataclass(frozen=True, slots=True, eq=False)
class SurveyData(SummaryDisplay):
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
    cb = _as_codebook(codebook)
    check_option("reverse", reverse, [True, False])
    df, notes, value_labels, variable_labels, row_label = _read_file(p, sheet, encoding)

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
        row_label = _case_row if survey.path.suffix.lower() in STAT_EXTENSIONS else _spreadsheet_row
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


# -------------------------------------------------------------------- reading
def _read_file(
    p: Path, sheet: str | int | None, encoding: str | None
) -> tuple[pd.DataFrame, list[str], dict[str, dict[Any, str]], dict[str, str], RowLabel]:
    """Read the survey file with the reader its extension calls for; strip column names.

    Returns (data, notes, value labels, variable labels, row labeller for messages).
    """
    name = p.name
    ext = p.suffix.lower()
    notes: list[str] = []
    value_labels: dict[str, dict[Any, str]] = {}
    variable_labels: dict[str, str] = {}

    if sheet is not None and ext not in EXCEL_EXTENSIONS:
        raise SpecificationError(
            f"`sheet` applies to Excel files only; got sheet={sheet!r} for {name!r}."
        )
    if ext in TEXT_EXTENSIONS:
        df, enc, extra = read_text_table(p, encoding=encoding, dtype=None, what="File")
        if enc not in ("utf-8", "utf-8-sig"):
            notes.append(f"Read as {enc!r} text (not UTF-8).")
        notes.extend(extra)
        row_label: RowLabel = _spreadsheet_row
    elif ext in EXCEL_EXTENSIONS:
        if encoding is not None:
            raise SpecificationError(
                f"`encoding` does not apply to Excel files; got {format_value(encoding)} for"
                f" {name!r}."
            )
        df = read_excel_sheet(p, sheet=sheet, dtype=None, what="File")
        row_label = _spreadsheet_row
    else:
        df, value_labels, variable_labels, stat_notes = read_stat_file(p, encoding)
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
    return df, notes, value_labels, variable_labels, row_label


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




def _clean_names(df: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[str]]:
    cols = [str(c) for c in df.columns]
    stripped = [c.strip() for c in cols]
    check_header(stripped, name)
    renamed = [c for c, s in zip(cols, stripped, strict=True) if c != s]
    if renamed or list(df.columns) != cols:
        df = df.copy()
        df.columns = stripped
    return df, renamed




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
            regular = u[~np.isin(u, list(_CLASSIC_CODES))]
            for x in u:
                if float(x) in _CLASSIC_CODES and _isolated(x, regular):
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
