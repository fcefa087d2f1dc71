"""Checks run at the public boundary; every message names the culprit.

Message template: "`{param}` must be {constraint}; got {value!r}." followed by
what to do when that is known.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import DataError, SpecificationError

#: Largest magnitude accepted in an analysed column. Beyond it the squares and
#: fourth powers behind covariances and robust standard errors overflow (a
#: survey answer this large is an export or data-entry error).
MAX_ABS_VALUE = 1e50


def plain(value: Any) -> Any:
    """A numpy scalar (or a list/tuple of them) as plain Python values, so that
    messages print ``5`` and ``['x1']`` rather than ``np.float64(5.0)``."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isfinite(value) and value == int(value):
        if abs(value) < 1e15:
            return int(value)
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    return value


def format_value(value: Any) -> str:
    """A cell value as a person writes it: ``5``, ``2.5``, ``inf``, ``1e+300``, ``'abc'``."""
    v = plain(value)
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (int, np.integer)):
        return str(v)
    return repr(v)


def _as_float(x: Any) -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.number)):
        return np.nan
    try:
        return float(x)
    except OverflowError:
        return np.inf if x > 0 else -np.inf


def check_finite_values(
    values: pd.DataFrame, row_label: Any = None, prefix: str = ""
) -> None:
    """Raise DataError if a numeric column holds inf, -inf or a value so large
    (beyond ``MAX_ABS_VALUE``) that its covariance overflows.

    ``row_label(pos, index)`` words the row in the message; by default the
    DataFrame index is named.
    """
    for col in values.columns:
        s = values[col]
        if pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_numeric_dtype(s):
            v = s.to_numpy(dtype=float, na_value=np.nan)
        elif s.dtype == object:
            # Excel readers give numbers beyond the float range as Python ints
            v = np.array([_as_float(x) for x in s], dtype=float)
        else:
            continue
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(np.isinf(v) | (np.abs(v) > MAX_ABS_VALUE))
        if bad.size == 0:
            continue
        pos = int(bad[0])
        where = (
            row_label(pos, s.index[pos])
            if row_label is not None
            else f"the row with index {format_value(s.index[pos])}"
        )
        raise DataError(
            f"{prefix}{'column' if prefix else 'Column'} {str(col)!r}: {where} holds {format_value(v[pos])},"
            f" which cannot be analysed (infinite or beyond +/-{MAX_ABS_VALUE:g},"
            f" so the covariances overflow); {bad.size} such cell(s) in this"
            " column. Fix the value or leave the cell empty (missing)."
        )


def check_option(param: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Return ``value`` (lower-cased if a string) if it is one of ``allowed``."""
    allowed = list(allowed)
    key = value.lower() if isinstance(value, str) else value
    lowered = [a.lower() if isinstance(a, str) else a for a in allowed]
    if key not in lowered:
        raise SpecificationError(
            f"`{param}` must be one of {allowed}; got {format_value(value)}."
        )
    return allowed[lowered.index(key)]


def check_dataframe(data: Any, param: str = "data") -> pd.DataFrame:
    """Require a non-empty DataFrame with unique column names.

    A :class:`trustsem.data.io.SurveyData` (what ``load_survey`` returns), or any
    object whose ``.data`` is a DataFrame, stands for that frame, so
    ``ts.sem(model, load_survey(path))`` works.
    """
    if not isinstance(data, pd.DataFrame) and isinstance(getattr(data, "data", None),
                                                         pd.DataFrame):
        data = data.data
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"`{param}` must be a pandas DataFrame; got {type(data).__name__}."
            " Load files with trustsem.load_survey()."
        )
    if data.shape[0] == 0:
        raise DataError(f"`{param}` has no rows.")
    dup = data.columns[data.columns.duplicated()].tolist()
    if dup:
        raise DataError(
            f"`{param}` has duplicate column names: {sorted(map(str, set(dup)))}."
            " Rename them so each column is unique."
        )
    return data


def check_columns(
    data: pd.DataFrame, columns: Sequence[str], what: str = "Variables"
) -> None:
    """Raise if any of ``columns`` is not a column of ``data``."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise SpecificationError(
            f"{what} not in data: {missing}. Check the model syntax, the codebook"
            " or the column names."
        )


def check_numeric_columns(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Return ``data[columns]`` as float, raising on text in a numeric column."""
    out = {}
    for col in columns:
        s = data[col]
        if pd.api.types.is_bool_dtype(s):
            out[col] = s.astype(float)
            continue
        if pd.api.types.is_numeric_dtype(s):
            out[col] = s.astype(float)
            continue
        conv = pd.to_numeric(s, errors="coerce")
        bad = s[conv.isna() & s.notna()]
        if len(bad):
            row = bad.index[0]
            raise DataError(
                f"Column {str(col)!r} must be numeric; the row with index"
                f" {format_value(row)} holds {format_value(bad.iloc[0])}"
                f" ({len(bad)} non-numeric value(s) in all). Recode the text or"
                " declare it as a missing code in the codebook."
            )
        out[col] = conv.astype(float)
    frame = pd.DataFrame(out, index=data.index)
    check_finite_values(frame)
    return frame


def check_positive_int(param: str, value: Any, minimum: int = 1) -> int:
    """Require an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SpecificationError(f"`{param}` must be an integer; got {format_value(value)}.")
    if value < minimum:
        raise SpecificationError(f"`{param}` must be >= {minimum}; got {format_value(value)}.")
    return int(value)


def check_n_jobs(value: Any, param: str = "n_jobs") -> int | None:
    """Require ``None`` (automatic), ``-1`` (all cores) or a whole number >= 1."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SpecificationError(
            f"`{param}` must be a whole number (-1 for all cores, or 1, 2, ...) or None;"
            f" got {format_value(value)}.")
    if value == 0 or value < -1:
        raise SpecificationError(
            f"`{param}` must be -1 (all cores) or at least 1; got {format_value(value)}.")
    return int(value)


def check_interval(
    param: str, value: Any, low: float, high: float, closed: str = "neither"
) -> float:
    """Require a number within (low, high), with ``closed`` ends included."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SpecificationError(f"`{param}` must be a number; got {format_value(value)}.") from None
    lo_ok = v >= low if closed in ("left", "both") else v > low
    hi_ok = v <= high if closed in ("right", "both") else v < high
    if not (lo_ok and hi_ok and np.isfinite(v)):
        lb = "[" if closed in ("left", "both") else "("
        rb = "]" if closed in ("right", "both") else ")"
        raise SpecificationError(
            f"`{param}` must be in {lb}{low}, {high}{rb}; got {format_value(value)}."
        )
    return v


def check_level(level: float | None, alpha: float | None, *, default: float = 0.95,
                where: str = "", stacklevel: int = 3) -> tuple[float, float]:
    """Validated ``(level, alpha)`` from the ``level=`` keyword or its ``alpha=`` alias.

    Parameters
    ----------
    level : float or None
        Confidence level in (0, 1); None when not given.
    alpha : float or None
        Deprecated significance level in (0, 1); None when not given.
    default : float
        The level used when neither is given.
    where : str
        Name of the calling function, for the messages.
    stacklevel : int
        ``stacklevel`` of the ``FutureWarning`` (3 = the caller of the function
        that calls this one).

    Returns
    -------
    (level, alpha) : tuple of float
        ``alpha`` is ``1 - level`` rounded to 12 digits (so that ``level=0.95``
        decides at exactly 0.05); given as ``alpha=``, it is kept as given.

    Raises
    ------
    SpecificationError
        Both given, or a value outside (0, 1).
    """
    name = f"{where}(): " if where else ""
    if alpha is not None:
        if level is not None:
            raise SpecificationError(
                f"{name}give `level` (the confidence level) or its deprecated alias `alpha`,"
                " not both.")
        alpha = check_interval("alpha", alpha, 0.0, 1.0)
        warnings.warn(
            f"{name}`alpha=` is deprecated and will be removed; use `level=` (the confidence"
            f" level): alpha={alpha:g} is level={round(1.0 - alpha, 12):g}.",
            FutureWarning, stacklevel=stacklevel)
        return round(1.0 - alpha, 12), alpha
    level = check_interval("level", default if level is None else level, 0.0, 1.0)
    return level, round(1.0 - level, 12)
