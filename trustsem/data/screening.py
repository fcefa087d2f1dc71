"""Data screening: missingness, straightlining, speeding and constant items.

:func:`screen` only flags; it never removes anything. Dropping flagged
respondents is an explicit, counted step: ``ScreeningResult.drop_flagged``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._display import SummaryDisplay
from .._validation import (
    check_columns,
    check_dataframe,
    check_interval,
    check_numeric_columns,
    check_positive_int,
)
from ..exceptions import DataError, DataQualityWarning, SpecificationError

__all__ = ["ScreeningResult", "longstring", "screen"]

#: Default straightlining threshold, as a share of the number of items.
LONGSTRING_SHARE = 0.8


@dataclass(frozen=True, slots=True, eq=False)
class ScreeningResult(SummaryDisplay):
    """What :func:`screen` found. Nothing has been removed from the data.

    Attributes
    ----------
    items : tuple of str
        Items screened.
    item_missing : pandas.DataFrame
        One row per item: ``item``, ``n_missing``, ``pct_missing`` (0-100).
    respondent_missing : pandas.Series
        Number of unanswered items per respondent, indexed like the data.
    straightlining : pandas.DataFrame
        Indexed like the data: ``n_answered``, ``longstring`` (longest run of
        identical consecutive answers, skipping unanswered items),
        ``all_identical`` (at least two answers, all the same) and
        ``straightliner`` (``longstring >= longstring_threshold``).
    speeders : pandas.DataFrame or None
        Indexed like the data: ``duration`` and ``speeder``; None when no
        duration column was given.
    constant_items : tuple of str
        Items with fewer than two distinct answers (zero variance).
    flags : pandas.DataFrame
        Boolean columns ``straightliner``, ``speeder``, ``high_missing`` and
        ``any``, indexed like the data.
    longstring_threshold : int
        Run length at which a respondent counts as a straightliner.
    min_duration : float or None
        Duration (seconds) below which a respondent counts as a speeder.
    max_missing : float
        Share of unanswered items above which ``high_missing`` is set.
    notes : tuple of str
    """

    items: tuple[str, ...]
    item_missing: pd.DataFrame
    respondent_missing: pd.Series
    straightlining: pd.DataFrame
    speeders: pd.DataFrame | None
    constant_items: tuple[str, ...]
    flags: pd.DataFrame
    longstring_threshold: int
    min_duration: float | None
    max_missing: float
    notes: tuple[str, ...] = ()

    @property
    def n_flagged(self) -> int:
        """Number of respondents with any flag."""
        return int(self.flags["any"].sum())

    def summary(self) -> str:
        """Return a short plain-text report of the screening."""
        n = len(self.flags)
        f = self.flags
        speed = (
            f"{int(f['speeder'].sum())} (duration < {self.min_duration:g} s)"
            if self.min_duration is not None
            else "not checked (no duration column)"
        )
        worst = self.item_missing.sort_values("pct_missing", ascending=False).head(1)
        lines = [
            f"Screening of {n} respondents on {len(self.items)} items",
            f"Straightliners: {int(f['straightliner'].sum())}"
            f" (longstring >= {self.longstring_threshold})",
            f"Speeders: {speed}",
            f"High missing: {int(f['high_missing'].sum())}"
            f" (> {100 * self.max_missing:g}% of items unanswered)",
            f"Flagged (any): {self.n_flagged} of {n}"
            f" ({100.0 * self.n_flagged / n if n else 0.0:.1f}%); nothing was dropped",
        ]
        if len(worst):
            lines.append(
                f"Most missing item: {worst['item'].iloc[0]}"
                f" ({worst['pct_missing'].iloc[0]:.1f}%)"
            )
        lines.append(
            "Constant items: "
            + (", ".join(self.constant_items) if self.constant_items else "none")
        )
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  - {note}" for note in self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"ScreeningResult(n={len(self.flags)}, items={len(self.items)},"
            f" flagged={self.n_flagged})"
        )

    def drop_flagged(self, data: pd.DataFrame) -> tuple[pd.DataFrame, int]:
        """Return a copy of ``data`` without flagged respondents, and how many left.

        Parameters
        ----------
        data : pandas.DataFrame
            The data that was screened (same index).

        Returns
        -------
        clean : pandas.DataFrame
            Rows whose ``flags["any"]`` is False, in their original order.
        n_dropped : int

        Raises
        ------
        DataError
            If ``data`` is not indexed like the screened data.
        """
        if hasattr(data, "recoded") and hasattr(data, "data"):
            data = data.data
        data = check_dataframe(data)
        if not data.index.equals(self.flags.index):
            raise DataError(
                "`data` must have the same rows (index) as the screened data;"
                f" got {len(data)} rows vs {len(self.flags)} screened."
            )
        keep = ~self.flags["any"].to_numpy()
        return data.loc[keep].copy(), int((~keep).sum())


def longstring(values: pd.DataFrame) -> pd.Series:
    """Longest run of identical consecutive answers per row, skipping NaN.

    Parameters
    ----------
    values : pandas.DataFrame
        Numeric item responses, items in questionnaire order.

    Returns
    -------
    pandas.Series of int
        0 for a row with no answers.

    Examples
    --------
    >>> longstring(pd.DataFrame([[1, 1, 2, 2, 2], [3, None, 3, 1, 2]]))
    0    3
    1    2
    Name: longstring, dtype: int64
    """
    arr = values.to_numpy(dtype=float)
    out = np.zeros(arr.shape[0], dtype=np.int64)
    for r, row in enumerate(arr):
        row = row[~np.isnan(row)]
        if row.size == 0:
            continue
        breaks = np.flatnonzero(np.diff(row) != 0)
        edges = np.concatenate(([-1], breaks, [row.size - 1]))
        out[r] = int(np.diff(edges).max())
    return pd.Series(out, index=values.index, name="longstring")


def screen(
    data: Any,
    items: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    *,
    duration: str | None = None,
    min_seconds_per_item: float = 2.0,
    longstring_threshold: int | None = None,
    max_missing: float = 0.2,
) -> ScreeningResult:
    """Flag careless or incomplete responses; remove nothing.

    Parameters
    ----------
    data : pandas.DataFrame or SurveyData
        Survey responses. With a :class:`~trustsem.data.io.SurveyData`, items
        default to its items and reverse coding done at load time is undone
        for the straightlining check (see Notes).
    items : sequence of str or mapping of construct to items
        Item columns in questionnaire order. Required with a DataFrame.
    duration : str, optional
        Column with the completion time in seconds.
    min_seconds_per_item : float, default 2.0
        A respondent whose duration is below ``min_seconds_per_item * n_items``
        is flagged as a speeder (2 s per item: Huang et al., 2012, J. Bus.
        Psychol. 27:99-114). Lower it for very short items.
    longstring_threshold : int, optional
        Flag respondents with at least this many identical consecutive
        answers. Default ``ceil(0.8 * n_items)`` (at least 2), which includes
        everyone who gave the same answer to every item.
    max_missing : float, default 0.2
        Flag respondents who left more than this share of items unanswered.

    Returns
    -------
    ScreeningResult
        ``item_missing``, ``respondent_missing``, ``straightlining``,
        ``speeders``, ``constant_items``, ``flags`` (``straightliner``,
        ``speeder``, ``high_missing``, ``any``), ``summary()`` and
        ``drop_flagged()``.

    Raises
    ------
    SpecificationError
        If items are missing from ``data`` or an option is out of range.
    DataError
        If an item or the duration column holds text.

    Warns
    -----
    DataQualityWarning
        Naming items with zero variance.

    Notes
    -----
    Longstring is computed on answered items only (an unanswered item neither
    breaks nor extends a run). It should be computed on the answers as given:
    after reverse coding, a respondent who ticked "5" everywhere no longer
    looks like a straightliner. Pass a ``SurveyData`` (its reversal is undone
    here) or data loaded with ``reverse=False``.
    A respondent with a missing duration is not flagged as a speeder.

    References
    ----------
    Huang, J. L., Curran, P. G., Keeney, J., Poposki, E. M., & DeShon, R. P.
    (2012). Detecting and deterring insufficient effort responding to
    surveys. Journal of Business and Psychology, 27(1), 99-114.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 3, 5], "b": [1, 4, 2], "c": [1, 2, 4]})
    >>> res = screen(df, ["a", "b", "c"])
    >>> res.flags["straightliner"].tolist()
    [True, False, False]
    """
    notes: list[str] = []
    undo: dict[str, tuple[float, float]] = {}
    if hasattr(data, "recoded") and hasattr(data, "data"):  # SurveyData
        survey = data
        data = survey.data
        if items is None:
            items = survey.items
        if survey.codebook is not None and len(survey.recoded):
            rev = survey.recoded.loc[survey.recoded["reversed"], "column"]
            undo = {c: survey.codebook.scale(c) for c in rev}
    data = check_dataframe(data)
    if items is None:
        raise SpecificationError("`items` must list the item columns; got None.")
    if isinstance(items, Mapping):
        items = [i for its in items.values() for i in its]
    elif isinstance(items, str):
        items = [items]
    items = list(dict.fromkeys(items))
    if not items:
        raise SpecificationError("`items` must list at least one item; got [].")
    check_columns(data, items, "Items")
    min_seconds_per_item = check_interval(
        "min_seconds_per_item", min_seconds_per_item, 0, math.inf, closed="left"
    )
    max_missing = check_interval("max_missing", max_missing, 0, 1, closed="both")
    n_items = len(items)
    if longstring_threshold is None:
        threshold = max(2, math.ceil(LONGSTRING_SHARE * n_items))
    else:
        threshold = check_positive_int("longstring_threshold", longstring_threshold, 2)
    x = check_numeric_columns(data, items)

    # Missingness
    na = x.isna()
    n_missing = na.sum(axis=0).astype(int)
    item_missing = pd.DataFrame(
        {
            "item": items,
            "n_missing": n_missing.to_numpy(),
            "pct_missing": 100.0 * n_missing.to_numpy() / len(x),
        }
    )
    respondent_missing = na.sum(axis=1).astype(int).rename("n_missing")
    high_missing = (respondent_missing / n_items) > max_missing

    # Straightlining, on the answers as given
    raw = x.copy()
    for col, (lo, hi) in undo.items():
        if col in raw.columns:
            raw[col] = lo + hi - raw[col]
    if undo:
        notes.append(
            f"Longstring computed on the answers as given (reverse coding of"
            f" {sorted(undo)} undone)."
        )
    n_answered = raw.notna().sum(axis=1).astype(int)
    runs = longstring(raw)
    n_distinct = raw.nunique(axis=1, dropna=True)
    straight = pd.DataFrame(
        {
            "n_answered": n_answered,
            "longstring": runs,
            "all_identical": (n_answered >= 2) & (n_distinct == 1),
            "straightliner": runs >= threshold,
        },
        index=data.index,
    )

    # Speeding
    speeders = None
    min_duration = None
    speeder = pd.Series(False, index=data.index)
    if duration is not None:
        check_columns(data, [duration], "Duration column")
        dur = check_numeric_columns(data, [duration])[duration]
        min_duration = min_seconds_per_item * n_items
        speeder = (dur < min_duration).fillna(False).astype(bool)
        speeders = pd.DataFrame({"duration": dur, "speeder": speeder}, index=data.index)
        n_na = int(dur.isna().sum())
        if n_na:
            notes.append(
                f"{n_na} respondents have no duration; not flagged as speeders."
            )
    else:
        notes.append("Speeding not checked: no `duration` column given.")

    # Constant items
    constant = tuple(c for c in items if x[c].nunique(dropna=True) < 2)
    if constant:
        warnings.warn(
            f"Items with zero variance (fewer than two distinct answers): "
            f"{list(constant)}. They carry no information; drop them from the model.",
            DataQualityWarning,
            stacklevel=2,
        )

    flags = pd.DataFrame(
        {
            "straightliner": straight["straightliner"].astype(bool),
            "speeder": speeder.astype(bool),
            "high_missing": high_missing.astype(bool),
        },
        index=data.index,
    )
    flags["any"] = flags.any(axis=1)
    return ScreeningResult(
        items=tuple(items),
        item_missing=item_missing,
        respondent_missing=respondent_missing,
        straightlining=straight,
        speeders=speeders,
        constant_items=constant,
        flags=flags,
        longstring_threshold=threshold,
        min_duration=min_duration,
        max_missing=max_missing,
        notes=tuple(notes),
    )
