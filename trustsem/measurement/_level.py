"""One spelling of confidence: ``level=`` (e.g. 0.95), with ``alpha=`` as its old alias.

Functions that make a test decision take ``level`` (the confidence level) and
decide at ``1 - level``. Those that took ``alpha=`` (the significance level)
keep accepting it for now: it warns (``FutureWarning``, naming ``level``) and
means ``level = 1 - alpha``. Giving both is an error.
"""

from __future__ import annotations

import warnings

from .._validation import check_interval
from ..exceptions import SpecificationError

__all__ = ["check_level"]


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
