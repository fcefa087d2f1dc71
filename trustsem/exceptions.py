"""Error and warning classes raised by trustsem.

Every problem trustsem reports to a user goes through one of these classes, so
callers can catch trustsem's own problems (``except trustsem.TrustsemError``)
without catching unrelated bugs.
"""

from __future__ import annotations

__all__ = [
    "CONVERGENCE_DOCS",
    "ConvergenceWarning",
    "DataError",
    "DataQualityWarning",
    "EstimationError",
    "HeywoodCaseWarning",
    "IdentificationWarning",
    "LowReliabilityWarning",
    "MissingDataWarning",
    "SpecificationError",
    "TrustsemError",
    "TrustsemWarning",
]

#: Where to read about estimation problems and what to do about them.
CONVERGENCE_DOCS = (
    "See 'Estimation problems' in the trustsem README for what to try next."
)


class TrustsemError(Exception):
    """Base class for every error trustsem raises on purpose."""


class DataError(TrustsemError, ValueError):
    """The data cannot be used as given (file, column, value or size problem)."""


class SpecificationError(TrustsemError, ValueError):
    """The model syntax or an option is invalid, or does not fit the data."""


class EstimationError(TrustsemError, RuntimeError):
    """Estimation failed, or (with ``strict=True``) produced an improper solution."""


class TrustsemWarning(UserWarning):
    """Base class for every warning trustsem emits."""


class ConvergenceWarning(TrustsemWarning):
    """The optimizer stopped before reaching a proper optimum."""


class HeywoodCaseWarning(TrustsemWarning):
    """Negative variance, |standardized loading| > 1 or a non-positive-definite
    latent covariance matrix."""


class IdentificationWarning(TrustsemWarning):
    """The information matrix is singular: some parameter is not identified."""


class MissingDataWarning(TrustsemWarning):
    """Rows or cells were excluded or imputed because of missing values."""


class LowReliabilityWarning(TrustsemWarning):
    """A reliability or validity statistic is below its usual threshold."""


class DataQualityWarning(TrustsemWarning):
    """Suspicious data: constant items, careless responding, reverse-keyed items."""
