"""Codebook: which column is which item, its construct, wording, scale and coding.

A codebook is a small table with one row per survey column (see
``docs/codebook.md``)::

    item,construct,type,label_en,label_zh,scale_min,scale_max,reverse,missing_codes
    PREP1,PREP,likert,This platform has a good reputation.,该平台口碑良好。,1,5,0,-99
    PREP2,PREP,likert,...,,1,5,1,-99;-98
    age,,numeric,Age in years,年龄,,,0,-99
    resp_id,,id,Respondent id,,,,0,

:class:`Codebook` reads it from CSV, Excel or YAML, checks it row by row and
answers questions about items (construct, label, scale, reverse keying,
missing codes). It never touches survey data except in :meth:`Codebook.validate`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_option, format_value
from ..exceptions import DataError
from .readers import read_excel_sheet, read_text_table

__all__ = ["COLUMNS", "TYPES", "Codebook"]

#: The codebook columns, in the order :meth:`Codebook.to_frame` returns them.
COLUMNS: tuple[str, ...] = (
    "item",
    "construct",
    "type",
    "label_en",
    "label_zh",
    "scale_min",
    "scale_max",
    "reverse",
    "missing_codes",
)
#: Columns a codebook file must have; the others default to empty / 0.
REQUIRED: tuple[str, ...] = ("item", "construct", "type", "scale_min", "scale_max")
#: Allowed values of the ``type`` column.
TYPES: tuple[str, ...] = ("likert", "numeric", "categorical", "id", "text")

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"", "0", "false", "no", "n", "f"}
_FILE_KINDS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".yaml": "yaml",
    ".yml": "yaml",
}


def _cell_str(value: Any) -> str:
    """Turn one raw codebook cell into stripped text ('' for empty)."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(_cell_str(v) for v in value)
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True, slots=True, eq=False)
class Codebook:
    """Item metadata for one survey: constructs, wording, scales and coding.

    Build it with :meth:`from_file` or :meth:`from_frame`; the constructor
    expects an already validated table and is not meant to be called directly.

    Parameters
    ----------
    table : pandas.DataFrame
        Validated codebook, one row per survey column, with the columns in
        :data:`COLUMNS` (``scale_min``/``scale_max`` float, ``reverse`` bool,
        ``missing_codes`` canonical ``"-99;-98"`` text) plus any extra columns
        the file had.
    source : str or None
        File the codebook was read from, used in messages.

    See Also
    --------
    trustsem.data.io.load_survey : Applies a codebook while reading a survey.
    """

    table: pd.DataFrame
    source: str | None = None

    # ------------------------------------------------------------------ build
    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Codebook:
        """Read and validate a codebook file (.csv, .tsv, .xlsx, .xls, .yaml, .yml).

        Parameters
        ----------
        path : str or path-like
            Codebook file. CSV files must be UTF-8 (a BOM is fine); the
            delimiter (``,``, ``;`` or tab) is detected.

        Returns
        -------
        Codebook

        Raises
        ------
        DataError
            If the file is missing, unreadable or empty, or a row is malformed
            (the message names the file, the row and the column).

        Examples
        --------
        >>> cb = Codebook.from_file("data/codebook.csv")  # doctest: +SKIP
        >>> cb.constructs["PREP"]  # doctest: +SKIP
        ['PREP1', 'PREP2', 'PREP3', 'PREP4']
        """
        p = Path(path)
        name = p.name
        if not p.is_file():
            raise DataError(f"Codebook file {str(p)!r} does not exist.")
        kind = _FILE_KINDS.get(p.suffix.lower())
        if kind is None:
            raise DataError(
                f"Codebook {name!r} has an unsupported extension {p.suffix!r}; use"
                " .csv, .xlsx or .yaml."
            )
        if p.stat().st_size == 0:
            raise DataError(f"Codebook {name!r} is empty.")
        if kind == "yaml":
            raw = _read_yaml(p)
            return cls._build(raw, source=name, first_row=1, row_word="entry")
        if kind == "excel":
            raw = read_excel_sheet(p, sheet=None, dtype=object, what="Codebook")
        else:
            raw = read_text_table(p, encoding=None, dtype=str, what="Codebook")[0]
        # Header is spreadsheet row 1, so the first entry is row 2.
        return cls._build(raw, source=name, first_row=2, row_word="row")

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> Codebook:
        """Validate a codebook given as a DataFrame (one row per column).

        Parameters
        ----------
        df : pandas.DataFrame
            Columns as in :data:`COLUMNS`; ``label_en``, ``label_zh``,
            ``reverse`` and ``missing_codes`` may be left out.

        Returns
        -------
        Codebook

        Raises
        ------
        DataError
            If a required column is missing or a row is malformed.
        """
        if not isinstance(df, pd.DataFrame):
            raise DataError(
                f"`df` must be a pandas DataFrame; got {type(df).__name__}."
            )
        return cls._build(df, source=None, first_row=1, row_word="row")

    @classmethod
    def _build(
        cls, raw: pd.DataFrame, *, source: str | None, first_row: int, row_word: str
    ) -> Codebook:
        where0 = f"Codebook {source!r}" if source else "Codebook"
        raw = raw.copy()
        raw.columns = [_cell_str(c).lower() for c in raw.columns]
        if "missing" in raw.columns and "missing_codes" not in raw.columns:
            raw = raw.rename(columns={"missing": "missing_codes"})  # short spelling
        dup = sorted({c for c in raw.columns if list(raw.columns).count(c) > 1})
        if dup:
            raise DataError(f"{where0} has duplicate column names: {dup}.")
        missing = [c for c in REQUIRED if c not in raw.columns]
        if missing:
            raise DataError(
                f"{where0} lacks required column(s) {missing}; it has"
                f" {list(raw.columns)}. See docs/codebook.md for the format."
            )
        extra = [c for c in raw.columns if c not in COLUMNS]
        rows: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        for pos, (_, rec) in enumerate(raw.iterrows()):
            cells = {c: _cell_str(rec[c]) for c in raw.columns}
            if not any(cells[c] for c in COLUMNS if c in cells):
                continue  # a blank line in the file, not an entry
            at = f"{row_word} {pos + first_row}"

            def fail(column: str, problem: str, at: str = at) -> DataError:
                return DataError(f"{where0}, {at}, column {column!r}: {problem}")

            item = cells["item"]
            if not item:
                raise fail("item", "the item id is empty.")
            if item in seen:
                raise fail(
                    "item",
                    f"duplicate item id {item!r} (first given at {seen[item]}).",
                )
            seen[item] = at
            typ = cells["type"].lower()
            if typ not in TYPES:
                raise fail(
                    "type", f"unknown type {cells['type']!r}; use one of {list(TYPES)}."
                )
            construct = cells["construct"]
            if typ == "likert" and not construct:
                raise fail("construct", f"likert item {item!r} needs a construct id.")
            lo = _parse_number(cells["scale_min"], lambda m: fail("scale_min", m))
            hi = _parse_number(cells["scale_max"], lambda m: fail("scale_max", m))
            if typ == "likert":
                for col, v in (("scale_min", lo), ("scale_max", hi)):
                    if math.isnan(v):
                        raise fail(col, f"likert item {item!r} needs a {col}.")
                    if not v.is_integer():
                        raise fail(col, f"must be a whole number; got {format_value(v)}.")
            if not (math.isnan(lo) or math.isnan(hi)) and lo >= hi:
                raise fail(
                    "scale_max",
                    f"scale_min ({lo:g}) must be smaller than scale_max ({hi:g}).",
                )
            rev_text = cells.get("reverse", "").lower()
            if rev_text in _TRUE:
                reverse = True
            elif rev_text in _FALSE:
                reverse = False
            else:
                raise fail(
                    "reverse", f"must be 0/1 (or true/false, yes/no); got {format_value(rev_text)}."
                )
            if reverse and typ != "likert":
                raise fail(
                    "reverse",
                    f"only likert items can be reverse coded; {item!r} is {typ}.",
                )
            codes = []
            for part in cells.get("missing_codes", "").replace(",", ";").split(";"):
                part = part.strip()
                if part:
                    codes.append(
                        _parse_number(
                            part,
                            lambda m: fail(
                                "missing_codes",
                                m + " List numbers separated by ';', e.g. -99;-98.",
                            ),
                        )
                    )
            row = {
                "item": item,
                "construct": construct,
                "type": typ,
                "label_en": cells.get("label_en", ""),
                "label_zh": cells.get("label_zh", ""),
                "scale_min": lo,
                "scale_max": hi,
                "reverse": reverse,
                "missing_codes": ";".join(_fmt_number(c) for c in codes),
            }
            row.update({c: rec[c] for c in extra})
            rows.append(row)
        if not rows:
            raise DataError(f"{where0} has no entries.")
        table = pd.DataFrame(rows, columns=list(COLUMNS) + extra)
        table["scale_min"] = table["scale_min"].astype(float)
        table["scale_max"] = table["scale_max"].astype(float)
        table["reverse"] = table["reverse"].astype(bool)
        return cls(table=table, source=source)

    # ----------------------------------------------------------------- access
    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the codebook table (one row per column).

        Returns
        -------
        pandas.DataFrame
            Columns ``item, construct, type, label_en, label_zh, scale_min,
            scale_max, reverse, missing_codes`` (plus extra file columns).
        """
        return self.table.copy()

    @property
    def items(self) -> list[str]:
        """Likert item ids, in codebook order."""
        return self.table.loc[self.table["type"] == "likert", "item"].tolist()

    @property
    def variables(self) -> list[str]:
        """Every column id the codebook declares (all types), in order."""
        return self.table["item"].tolist()

    @property
    def types(self) -> dict[str, str]:
        """Mapping of every declared column id to its type."""
        return dict(zip(self.table["item"], self.table["type"], strict=True))

    @property
    def constructs(self) -> dict[str, list[str]]:
        """Construct id -> its likert items, in order of first appearance."""
        out: dict[str, list[str]] = {}
        lik = self.table[self.table["type"] == "likert"]
        for item, construct in zip(lik["item"], lik["construct"], strict=True):
            out.setdefault(construct, []).append(item)
        return out

    @property
    def reverse_items(self) -> list[str]:
        """Likert items marked ``reverse = 1``, in codebook order."""
        return self.table.loc[self.table["reverse"], "item"].tolist()

    def _row(self, item: str) -> pd.Series:
        hit = self.table.index[self.table["item"] == item]
        if len(hit) == 0:
            raise DataError(
                f"Item {item!r} is not in the codebook"
                f"{' ' + repr(self.source) if self.source else ''}."
            )
        return self.table.loc[hit[0]]

    def label(self, item: str, lang: str = "en") -> str:
        """Return the wording of ``item``.

        Parameters
        ----------
        item : str
            Item (column) id.
        lang : {"en", "zh"}
            Language. An empty Chinese label falls back to the English one,
            and an empty English label to the item id.

        Returns
        -------
        str
        """
        lang = check_option("lang", lang, ["en", "zh"])
        row = self._row(item)
        text = str(row[f"label_{lang}"])
        if not text and lang == "zh":
            text = str(row["label_en"])
        return text or item

    def scale(self, item: str) -> tuple[float, float]:
        """Return ``(scale_min, scale_max)`` of ``item``.

        Raises
        ------
        DataError
            If the item is unknown or declares no scale.
        """
        row = self._row(item)
        lo, hi = float(row["scale_min"]), float(row["scale_max"])
        if math.isnan(lo) or math.isnan(hi):
            raise DataError(
                f"Item {item!r} has no scale_min/scale_max in the codebook."
            )
        return lo, hi

    def missing_codes(self, item: str) -> tuple[float, ...]:
        """Return the values of ``item`` that mean "missing" (may be empty)."""
        text = str(self._row(item)["missing_codes"])
        return tuple(float(c) for c in text.split(";") if c)

    def validate(self, data: pd.DataFrame) -> None:
        """Check that every column the codebook declares is in ``data``.

        Parameters
        ----------
        data : pandas.DataFrame

        Raises
        ------
        DataError
            Naming the codebook columns absent from ``data``.
        """
        if not isinstance(data, pd.DataFrame):
            raise DataError(
                f"`data` must be a pandas DataFrame; got {type(data).__name__}."
            )
        missing = [v for v in self.variables if v not in data.columns]
        if missing:
            raise DataError(
                f"Codebook items not in data: {missing}. Check the codebook or the"
                " column names."
            )

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        src = f", source={self.source!r}" if self.source else ""
        return (
            f"Codebook({len(self.items)} likert items in {len(self.constructs)}"
            f" constructs, {len(self.table)} columns{src})"
        )


def _parse_number(text: str, fail: Any) -> float:
    """Parse a codebook number; '' -> NaN; otherwise raise ``fail(message)``."""
    if not text:
        return math.nan
    try:
        v = float(text)
    except ValueError:
        raise fail(f"{text!r} is not a number.") from None
    if not math.isfinite(v):
        raise fail(f"{text!r} is not a finite number.")
    return v


def _fmt_number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _read_yaml(path: Path) -> pd.DataFrame:
    """Read a YAML codebook: a list of entries, ``{items: [...]}`` or ``{id: {}}``."""
    import yaml

    try:
        with open(path, encoding="utf-8-sig") as fh:
            doc = yaml.safe_load(fh)
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise DataError(
            f"Codebook {path.name!r} is not valid UTF-8 YAML: {err}".splitlines()[0]
        ) from err
    if isinstance(doc, Mapping) and "items" in doc and isinstance(doc["items"], list):
        doc = doc["items"]
    if isinstance(doc, Mapping) and all(isinstance(v, Mapping) for v in doc.values()):
        doc = [{"item": k, **v} for k, v in doc.items()]
    if (
        not isinstance(doc, list)
        or not doc
        or not all(isinstance(e, Mapping) for e in doc)
    ):
        raise DataError(
            f"Codebook {path.name!r} must be a YAML list of entries with the fields"
            f" {list(COLUMNS)}."
        )
    frame = pd.DataFrame([{str(k): v for k, v in e.items()} for e in doc], dtype=object)
    if "missing" in frame.columns and "missing_codes" not in frame.columns:
        frame = frame.rename(columns={"missing": "missing_codes"})  # short spelling
    # A key left out of a YAML entry is an empty cell, not a missing column.
    for col in COLUMNS:
        if col not in frame.columns and col != "item" and col != "type":
            frame[col] = None
    return frame
