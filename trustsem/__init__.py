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

# Functions that share their module's name are bound eagerly: otherwise the
# submodule, once imported anywhere, would hide the function (ts.efa, ...).
from .efa import efa  # noqa: E402
from .invariance import invariance  # noqa: E402
from .moderation import moderation  # noqa: E402

# Everything else is imported on first use, so that `import trustsem` stays
# light (statsmodels, patsy, pingouin and matplotlib load only when needed;
# tests/test_packaging.py checks this).
_LAZY = {
    "simulate_survey": "simulate", "load_example": "datasets", "list_examples": "datasets",
    "load_codebook": "datasets", "load_survey": "io", "Codebook": "codebook", "screen": "screening",
    "research_model": "models", "load_model": "models", "list_models": "models",
    "indirect_effects": "mediation", "monte_carlo_defined": "mediation",
    "compare_paths": "invariance", "score_tests": "invariance",
    "reliability": "measurement", "item_analysis": "measurement", "htmt": "measurement",
    "fornell_larcker": "measurement", "cross_loadings": "measurement",
    "measurement_report": "measurement", "ordinal_reliability": "measurement", "cmb_battery": "cmb", "kmo": "efa",
    "bartlett": "efa", "parallel_analysis": "efa", "ols": "regression", "logit": "regression",
    "hierarchical": "regression",
    "latent_interaction": "moderation", "probe_latent_interaction": "moderation",
    "scale_scores": "prep", "reverse_code": "prep",
    "compare_groups": "groups", "trust_index": "groups", "repurchase_by_trust": "groups",
    "plot_path_diagram": "plotting", "plot_likert": "plotting",
    "plot_correlation_heatmap": "plotting", "plot_loadings": "plotting",
    "plot_paths_forest": "plotting", "plot_indirect_distribution": "plotting",
    "plot_simple_slopes": "plotting", "plot_johnson_neyman": "plotting",
    "plot_invariance": "plotting", "plot_scree": "plotting", "apa_table": "tables",
    "fit_table": "tables", "paths_table": "tables", "reliability_table": "tables",
    "validity_table": "tables", "indirect_table": "tables", "invariance_table": "tables",
    "regression_table": "tables", "descriptives_table": "tables",
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
