"""The refit handle of a fitted model: everything needed to fit it again.

A :class:`FitContext` is built at the end of every fit and kept on the result as
:attr:`trustsem.SEMResult.context`. The bootstrap refits the same model object
on resampled moments with it, invariance testing re-evaluates the likelihood
with constraints released, and mediation recomputes defined parameters along
the parameter vector, all without parsing or building the table again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine.partable import ParTable
from .engine.ram import GroupStats, RamModel
from .spec import ModelSpec

__all__ = ["FitContext"]


@dataclass
class FitContext:
    """Everything needed to refit the same model on new moments.

    Attributes
    ----------
    spec : ModelSpec
        The parsed model.
    pt : ParTable
        The parameter table as estimated (equality constraints applied).
    model : RamModel
        The RAM matrices built from ``pt``.
    stats : list of GroupStats
        Sample moments per group (covariances, means, missing-data patterns).
    theta : ndarray
        Free-parameter estimates (RAM parameters; for WLSMV the structural ones).
    objective : object
        The fitted objective: ``MLObjective``/``FIMLObjective`` for ML, MLM and
        MLR, the second-stage model (``WLSMVModel``) for WLSMV.
    options : dict
        Estimation options as used (the same dict as ``SEMResult.options``).
    """

    spec: ModelSpec
    pt: ParTable
    model: RamModel
    stats: list[GroupStats]
    theta: np.ndarray
    objective: Any
    options: dict
