"""Missing codes and scale checks on one survey column.

Small helpers shared by reading (:mod:`trustsem.data.io`) and preparing
(:mod:`trustsem.data.prep`) survey data: which cells hold a declared missing
code, which answers fall outside an item's scale, and setting cells to NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__: list[str] = []


def _plain(label: Any) -> Any:
    """A numpy scalar index label as a plain Python value (for messages)."""
    return label.item() if isinstance(label, np.generic) else label


def _outside_scale(values: pd.Series, lo: float, hi: float) -> pd.Series:
    """Boolean mask of answered cells outside ``[lo, hi]`` or not whole numbers."""
    v = values.astype(float)
    return v.notna() & ((v < lo) | (v > hi) | (v != np.round(v)))


def _missing_mask(values: pd.Series, codes: Sequence[float]) -> pd.Series:
    """Boolean mask of cells equal (as numbers) to one of ``codes``."""
    if not codes:
        return pd.Series(False, index=values.index)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        num = values
    else:
        stripped = values.astype(object).map(
            lambda v: v.strip() if isinstance(v, str) else v
        )
        num = pd.to_numeric(stripped, errors="coerce")
    return num.isin(list(codes))


def _set_missing(values: pd.Series, mask: pd.Series) -> pd.Series:
    if not mask.any():
        return values
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float).where(~mask, np.nan)
    return values.astype(object).where(~mask, np.nan)
