"""Read survey tables from disk: delimited text, Excel workbooks, SPSS and Stata files.

Every reader opens its file read-only and raises :class:`~trustsem.exceptions.DataError`
with one sentence naming the file when it cannot be read. Delimited text is decoded
(UTF-8, UTF-16, GB18030, Latin-1) and its separator sniffed (comma, semicolon or
tab); Excel sheets are picked by name or position; SPSS/Stata files keep their value
and variable labels. :func:`trustsem.data.io.load_survey` and
:meth:`trustsem.data.codebook.Codebook.from_file` read through these functions.
"""

from __future__ import annotations

import codecs
import csv
import io as _io
import os
import re
import shlex
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import format_value
from ..exceptions import DataError, SpecificationError

__all__ = [
    "EXCEL_EXTENSIONS",
    "STAT_EXTENSIONS",
    "SUPPORTED_EXTENSIONS",
    "TEXT_EXTENSIONS",
    "check_header",
    "missing_columns_hint",
    "read_excel_sheet",
    "read_stat_file",
    "read_text_table",
    "sheet_names",
    "sheets_with_columns",
]

#: Delimited text files (the separator of ``.csv`` is sniffed; ``.tsv`` is tab).
TEXT_EXTENSIONS: tuple[str, ...] = (".csv", ".tsv")
#: Excel workbooks.
EXCEL_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm", ".xls")
#: SPSS and Stata files (read with pyreadstat).
STAT_EXTENSIONS: tuple[str, ...] = (".sav", ".zsav", ".dta")
#: File extensions :func:`trustsem.data.io.load_survey` reads.
SUPPORTED_EXTENSIONS: tuple[str, ...] = TEXT_EXTENSIONS + EXCEL_EXTENSIONS + STAT_EXTENSIONS


def check_header(header: list[Any], name: str) -> None:
    """Raise on duplicate column names as written in the file."""
    names = [str(h).strip() for h in header]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DataError(
            f"File {name!r} has duplicate column names {dup}; rename them so each"
            " column is unique."
        )


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


def read_text_table(
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
        check_header(header, name)
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
    if p.suffix.lower() not in EXCEL_EXTENSIONS or not missing:
        return ""
    try:
        found = sheets_with_columns(p, missing, skip=0 if sheet is None else sheet)
    except DataError:
        return ""
    if not found:
        return ""
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


def read_excel_sheet(
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
            check_header(header.iloc[0].tolist(), name)
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


def read_stat_file(
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
