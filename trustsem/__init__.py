"""trustsem: trust-factor survey analysis with lavaan-exact SEM/CFA."""

from __future__ import annotations

__version__ = "0.1.0"

from .exceptions import (  # noqa: E402
    ConvergenceWarning,
    DataError,
    DataQualityWarning,
    EstimationError,
    HeywoodCaseWarning,
    IdentificationWarning,
    LowReliabilityWarning,
    MissingDataWarning,
    SpecificationError,
    TrustsemError,
    TrustsemWarning,
)
from .results import SEMResult, Summary  # noqa: E402
from .sem import cfa, sem  # noqa: E402
from .spec import ModelSpec  # noqa: E402

__all__ = [
    "__version__",
    "ModelSpec", "sem", "cfa", "SEMResult", "Summary",
    "TrustsemError", "DataError", "SpecificationError", "EstimationError",
    "TrustsemWarning", "ConvergenceWarning", "HeywoodCaseWarning",
    "IdentificationWarning", "MissingDataWarning", "LowReliabilityWarning",
    "DataQualityWarning",
]
