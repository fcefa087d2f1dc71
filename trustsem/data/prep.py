"""Pure data preparation: DataFrame in, new DataFrame out.

None of these functions modifies its input; each returns a copy.
:func:`trustsem.data.io.load_survey` already applies :func:`recode_missing` and
(by default) :func:`reverse_code` while reading, so use these on data that
did not come through it, or after ``load_survey(..., reverse=False)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .._validation import (
    check_columns,
    check_dataframe,
    check_numeric_columns,
    check_option,
    check_positive_int,
    format_value,
)
from ..exceptions import DataError, MissingDataWarning, SpecificationError
from ._codes import _missing_mask, _outside_scale, _plain, _set_missing
from .codebook import Codebook

__all__ = ["center", "recode_missing", "reverse_code", "scale_scores"]


def _check_codebook(codebook: Any) -> Codebook:
    if not isinstance(codebook, Codebook):
        raise SpecificationError(
            f"`codebook` must be a Codebook; got {type(codebook).__name__}."
            " Read one with Codebook.from_file()."
        )
    return codebook


def reverse_code(
    data: pd.DataFrame, codebook: Codebook, items: Sequence[str] | None = None
) -> pd.DataFrame:
    """Reverse code likert items: ``new = scale_min + scale_max - old``.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey data; not modified.
    codebook : Codebook
        Supplies each item's scale.
    items : sequence of str, optional
        Items to reverse. Default: the codebook's ``reverse_items``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with ``items`` reversed (as float).

    Raises
    ------
    SpecificationError
        If an item is not a likert item of the codebook or not in ``data``.
    DataError
        If an item holds text, or values outside its scale (recode missing
        codes first with :func:`recode_missing`).

    Notes
    -----
    Reversing twice restores the original answers, so do not call this on
    ``load_survey(...).data`` unless it was loaded with ``reverse=False``.

    Examples
    --------
    >>> cb = Codebook.from_frame(pd.DataFrame({"item": ["a"], "construct": ["X"],
    ...     "type": ["likert"], "scale_min": [1], "scale_max": [5], "reverse": [1]}))
    >>> reverse_code(pd.DataFrame({"a": [1, 2, 5]}), cb)["a"].tolist()
    [5.0, 4.0, 1.0]
    """
    data = check_dataframe(data)
    cb = _check_codebook(codebook)
    items = cb.reverse_items if items is None else list(items)
    not_likert = [i for i in items if i not in cb.items]
    if not_likert:
        raise SpecificationError(
            f"Only likert items of the codebook can be reverse coded; not likert"
            f" items: {not_likert}."
        )
    check_columns(data, items, "Items")
    values = check_numeric_columns(data, items)
    out = data.copy()
    for col in items:
        lo, hi = cb.scale(col)
        bad = _outside_scale(values[col], lo, hi)
        if bad.any():
            idx = _plain(bad.index[bad.to_numpy()][0])
            raise DataError(
                f"Column {col!r}: index {idx!r} holds {values[col].loc[idx]:g}, outside"
                f" its scale {lo:g}-{hi:g} or not a whole number ({int(bad.sum())}"
                " such cells). Recode missing codes first (recode_missing)."
            )
        out[col] = lo + hi - values[col]
    return out


def recode_missing(data: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Set the codebook's declared missing codes (e.g. -99) to NaN.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey data; not modified. Codebook columns absent from ``data`` are
        skipped (so a subset of columns can be passed).
    codebook : Codebook

    Returns
    -------
    pandas.DataFrame
        A copy of ``data``. Numeric columns that held a code become float.

    Examples
    --------
    >>> cb = Codebook.from_frame(pd.DataFrame({"item": ["a"], "construct": ["X"],
    ...     "type": ["likert"], "scale_min": [1], "scale_max": [5],
    ...     "missing_codes": ["-99;-98"]}))
    >>> recode_missing(pd.DataFrame({"a": [1, -99, -98]}), cb)["a"].tolist()
    [1.0, nan, nan]
    """
    data = check_dataframe(data)
    cb = _check_codebook(codebook)
    out = data.copy()
    for col in cb.variables:
        if col in out.columns:
            out[col] = _set_missing(
                out[col], _missing_mask(out[col], cb.missing_codes(col))
            )
    return out


def scale_scores(
    data: pd.DataFrame,
    constructs_or_codebook: Codebook | Mapping[str, Sequence[str]],
    method: str = "mean",
    min_items: int | None = None,
) -> pd.DataFrame:
    """Score each construct as the mean (or prorated sum) of its items.

    Parameters
    ----------
    data : pandas.DataFrame
        Item responses (already reverse coded where needed); not modified.
    constructs_or_codebook : Codebook or mapping of str to list of str
        Construct -> items.
    method : {"mean", "sum"}
        ``"mean"``: mean of the answered items. ``"sum"``: that mean times
        the number of items (a prorated sum, so a skipped item does not lower
        the score).
    min_items : int, optional
        Fewest answered items needed for a score; rows with fewer get NaN.
        Default: all items of the construct.

    Returns
    -------
    pandas.DataFrame
        One float column per construct, indexed like ``data``.

    Raises
    ------
    SpecificationError
        If a construct has no items, an item is not in ``data`` or
        ``min_items`` exceeds a construct's number of items.
    DataError
        If an item column holds text.

    Warns
    -----
    MissingDataWarning
        If some respondents answered at least one item of a construct but
        fewer than ``min_items`` and so got no score.

    Examples
    --------
    >>> df = pd.DataFrame({"a1": [1, 2], "a2": [3, None]})
    >>> scale_scores(df, {"A": ["a1", "a2"]}, min_items=1)["A"].tolist()
    [2.0, 2.0]
    """
    data = check_dataframe(data)
    if isinstance(constructs_or_codebook, Codebook):
        constructs = constructs_or_codebook.constructs
    elif isinstance(constructs_or_codebook, Mapping):
        constructs = {
            str(k): [v] if isinstance(v, str) else list(v)
            for k, v in constructs_or_codebook.items()
        }
    else:
        raise SpecificationError(
            "`constructs_or_codebook` must be a Codebook or a dict of construct ->"
            f" items; got {type(constructs_or_codebook).__name__}."
        )
    if not constructs:
        raise SpecificationError("`constructs_or_codebook` declares no constructs.")
    empty = [c for c, its in constructs.items() if not its]
    if empty:
        raise SpecificationError(f"Constructs without items: {empty}.")
    method = check_option("method", method, ["mean", "sum"])
    if min_items is not None:
        min_items = check_positive_int("min_items", min_items)
    all_items = list(dict.fromkeys(i for its in constructs.values() for i in its))
    check_columns(data, all_items, "Items")
    x = check_numeric_columns(data, all_items)
    scores = {}
    lost: dict[str, int] = {}
    for construct, its in constructs.items():
        need = len(its) if min_items is None else min_items
        if need > len(its):
            raise SpecificationError(
                f"`min_items` must be <= the number of items of {construct!r}"
                f" ({len(its)}); got {format_value(min_items)}."
            )
        answered = x[its].notna().sum(axis=1)
        score = x[its].mean(axis=1).where(answered >= need)
        if method == "sum":
            score = score * len(its)
        n_lost = int(((answered > 0) & (answered < need)).sum())
        if n_lost:
            lost[construct] = n_lost
        scores[construct] = score
    if lost:
        warnings.warn(
            f"Respondents with fewer than the required answered items got no score"
            f" (NaN): {lost}. Lower `min_items` to score partial answers.",
            MissingDataWarning,
            stacklevel=2,
        )
    return pd.DataFrame(scores, index=data.index)


def center(data: pd.DataFrame, columns: str | Sequence[str]) -> pd.DataFrame:
    """Mean-center columns (subtract each column's mean, ignoring NaN).

    Parameters
    ----------
    data : pandas.DataFrame
        Not modified.
    columns : str or sequence of str
        Numeric columns to center.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with ``columns`` replaced by centered floats.

    Examples
    --------
    >>> center(pd.DataFrame({"x": [1, 2, 3]}), "x")["x"].tolist()
    [-1.0, 0.0, 1.0]
    """
    data = check_dataframe(data)
    cols = [columns] if isinstance(columns, str) else list(columns)
    if not cols:
        raise SpecificationError("`columns` must name at least one column; got [].")
    check_columns(data, cols, "Columns")
    x = check_numeric_columns(data, cols)
    out = data.copy()
    for col in cols:
        out[col] = x[col] - x[col].mean()
    return out
