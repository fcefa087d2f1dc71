"""trustsem: trust-factor survey analysis with lavaan-exact SEM/CFA."""

from __future__ import annotations

from ._meta import __version__
from .exceptions import (
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

# Functions that share their module's name are bound eagerly: otherwise the
# submodule, once imported anywhere, would hide the function (ts.efa, ...).
from .measurement.efa import efa
from .sem.fit import cfa, sem
from .sem.results import SEMResult, Summary
from .sem.spec import ModelSpec
from .structural.invariance import invariance
from .structural.moderation import moderation

# Everything else is imported on first use, so that `import trustsem` stays
# light (statsmodels, patsy, pingouin and matplotlib load only when needed;
# tests/test_packaging.py checks this).
_LAZY = {
    "simulate_survey": "data.simulate", "load_example": "data.datasets", "list_examples": "data.datasets",
    "load_codebook": "data.datasets", "load_survey": "data.io", "Codebook": "data.codebook", "screen": "data.screening",
    "research_model": "models", "load_model": "models", "list_models": "models",
    "indirect_effects": "structural.mediation", "monte_carlo_defined": "structural.mediation",
    "compare_paths": "structural.invariance", "score_tests": "structural.invariance",
    "reliability": "measurement", "item_analysis": "measurement", "htmt": "measurement",
    "fornell_larcker": "measurement", "cross_loadings": "measurement",
    "measurement_report": "measurement", "ordinal_reliability": "measurement", "cmb_battery": "measurement.cmb", "kmo": "measurement.efa",
    "bartlett": "measurement.efa", "parallel_analysis": "measurement.efa", "ols": "structural.regression", "logit": "structural.regression",
    "hierarchical": "structural.regression",
    "latent_interaction": "structural.moderation", "probe_latent_interaction": "structural.moderation",
    "scale_scores": "data.prep", "reverse_code": "data.prep",
    "compare_groups": "structural.groups", "trust_index": "structural.groups", "repurchase_by_trust": "structural.groups",
    "plot_path_diagram": "output.plotting", "plot_likert": "output.plotting",
    "plot_correlation_heatmap": "output.plotting", "plot_loadings": "output.plotting",
    "plot_paths_forest": "output.plotting", "plot_indirect_distribution": "output.plotting",
    "plot_simple_slopes": "output.plotting", "plot_johnson_neyman": "output.plotting",
    "plot_invariance": "output.plotting", "plot_scree": "output.plotting", "apa_table": "output.tables",
    "fit_table": "output.tables", "paths_table": "output.tables", "reliability_table": "output.tables",
    "validity_table": "output.tables", "indirect_table": "output.tables", "invariance_table": "output.tables",
    "regression_table": "output.tables", "descriptives_table": "output.tables",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'trustsem' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "__version__",
    "ModelSpec", "sem", "cfa", "SEMResult", "Summary", "efa", "invariance", "moderation", *_LAZY,
    "TrustsemError", "DataError", "SpecificationError", "EstimationError",
    "TrustsemWarning", "ConvergenceWarning", "HeywoodCaseWarning",
    "IdentificationWarning", "MissingDataWarning", "LowReliabilityWarning",
    "DataQualityWarning",
]
