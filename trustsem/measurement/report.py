"""The measurement battery: every measurement check run once, in one bundle.

:func:`measurement_report` fits the measurement CFA once and runs reliability,
item analysis, HTMT, Fornell-Larcker, cross-loadings, KMO/Bartlett and the
common-method-bias battery on it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .._display import Summary, SummaryDisplay
from ..exceptions import TrustsemError
from ..sem.results import SEMResult
from ..sem.spec import ModelSpec
from ._structure import (
    _check_missing,
    _fit_measurement,
    _numeric_items,
    _quiet,
    _single_thread,
    _structure,
    _summary_table,
)
from .cmb import cmb_battery
from .factorability import bartlett, kmo
from .items import item_analysis
from .reliability import reliability
from .validity import cross_loadings, fornell_larcker, htmt

__all__ = ["MeasurementReport", "measurement_report"]

# ---------------------------------------------------------------------------
# report bundle
# ---------------------------------------------------------------------------

_REPORT_TITLES = {
    "reliability": "Reliability and convergent validity", "items": "Item analysis",
    "htmt": "Discriminant validity: HTMT",
    "fornell_larcker": "Fornell-Larcker: sqrt(AVE) (diagonal) and latent correlations",
    "fornell_larcker_table": "Fornell-Larcker criterion",
    "cross_loadings": "Cross-loadings (item x construct mean score)",
    "kmo": "Kaiser-Meyer-Olkin sampling adequacy", "bartlett": "Bartlett's test of sphericity",
    "cmb_verdicts": "Common-method bias",
}


@dataclass(frozen=True, slots=True, eq=False)
class MeasurementReport(SummaryDisplay):
    """Every measurement-model table, ready for a report to render.

    Attributes
    ----------
    reliability : pandas.DataFrame
        :attr:`ReliabilityResult.table` (indexed by construct).
    items : pandas.DataFrame
        :attr:`ItemAnalysisResult.items`.
    responses : pandas.DataFrame
        :attr:`ItemAnalysisResult.responses`.
    htmt : pandas.DataFrame
        :attr:`HTMTResult.table`.
    fornell_larcker : pandas.DataFrame
        :attr:`FornellLarckerResult.matrix` (sqrt(AVE) on the diagonal).
    fornell_larcker_table : pandas.DataFrame
    cross_loadings : pandas.DataFrame
        :attr:`CrossLoadingsResult.matrix`.
    kmo : pandas.DataFrame
        Per-item MSA plus an ``overall`` row (:func:`trustsem.measurement.efa.kmo`).
    bartlett : pandas.DataFrame
        One row: ``chisq, df, pvalue, n_obs``.
    cmb : CMBResult or None
        The common-method-bias battery (:func:`trustsem.measurement.cmb.cmb_battery`).
    fit : SEMResult
        The CFA of the measurement model all CFA-based numbers come from.
    notes : tuple of str
        Notes of every part and every warning raised while computing them.
    """

    reliability: pd.DataFrame
    items: pd.DataFrame
    responses: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    fornell_larcker_table: pd.DataFrame
    cross_loadings: pd.DataFrame
    kmo: pd.DataFrame
    bartlett: pd.DataFrame
    cmb: Any
    fit: SEMResult = field(repr=False)
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables by name (for renderers)."""
        out = {
            "reliability": _summary_table(self.reliability), "items": self.items,
            "responses": self.responses, "htmt": self.htmt,
            "fornell_larcker": _summary_table(self.fornell_larcker),
            "fornell_larcker_table": self.fornell_larcker_table,
            "cross_loadings": _summary_table(self.cross_loadings), "kmo": self.kmo,
            "bartlett": self.bartlett,
        }
        if self.cmb is not None:
            out["cmb_verdicts"] = self.cmb.verdicts
        return out

    def summary(self) -> Summary:
        """Text/HTML summary of every table (response distribution left out)."""
        blocks = [(_REPORT_TITLES.get(k, k), v) for k, v in self.tables().items()
                  if k != "responses"]
        head = [("Observations (CFA)", self.fit.n_obs),
                ("Missing data", self.fit.options.get("missing", ""))]
        return Summary("Measurement model report", head, blocks, list(self.notes))


@_single_thread
def measurement_report(
    data: pd.DataFrame,
    model: str | ModelSpec,
    *,
    missing: str = "listwise",
    bootstrap: int = 0,
    seed: int | None = None,
    marker: str | None = None,
    cmb: bool = True,
) -> MeasurementReport:
    """Run every measurement check once and collect the tables.

    Parameters
    ----------
    data : pandas.DataFrame
    model : str or ModelSpec
        lavaan syntax; only the measurement part is used.
    missing : {"listwise", "fiml"}
        Used by the CFA (reliability, loadings, Fornell-Larcker, CMB) and by
        the item correlations (HTMT, KMO, Bartlett: complete rows, or the EM
        estimate under FIML).
    bootstrap : int
        Bootstrap draws for the HTMT intervals (cheap) and the reliability
        intervals (one CFA refit per draw).
    seed : int, optional
    marker : str, optional
        Marker-variable column for the Lindell-Whitney adjustment.
    cmb : bool
        Run the common-method-bias battery (three extra CFA fits).

    Returns
    -------
    MeasurementReport
        Frozen bundle of DataFrames, the CFA, the CMB result and notes.

    Notes
    -----
    The CFA of the measurement model is fitted once and shared. Warnings
    raised by the parts are collected, de-duplicated, re-raised once each and
    copied into ``notes``.
    """
    missing = _check_missing(missing)
    struct = _structure(model)
    _numeric_items(data, struct.items)
    messages: list[tuple[str, type[Warning]]] = []
    notes: list[str] = []

    def run(fn: Callable[[], Any]) -> Any:
        out, msgs = _quiet(fn)
        messages.extend(msgs)
        return out

    fit = run(lambda: _fit_measurement(struct, data, missing))
    rel = run(lambda: reliability(data, model, fit=fit, bootstrap=bootstrap, seed=seed))
    ia = run(lambda: item_analysis(data, model, fit=fit))
    ht = run(lambda: htmt(data, model, missing=missing, bootstrap=bootstrap, seed=seed))
    fl = run(lambda: fornell_larcker(fit=fit, model=model))
    cl = run(lambda: cross_loadings(data, model))
    cm = "fiml" if missing == "fiml" else "listwise"
    km = run(lambda: kmo(data, struct.items, missing=cm))
    bt = run(lambda: bartlett(data, struct.items, missing=cm))
    cb = None
    if cmb:
        try:
            cb = run(lambda: cmb_battery(data, model, marker=marker, missing=missing,
                                              fit=fit))
        except TrustsemError as err:
            notes.append(f"The common-method-bias battery could not be run: {err}")
    for part in (fit, rel, ia, ht, fl, cl, km, bt) + ((cb,) if cb is not None else ()):
        notes.extend(getattr(part, "notes", ()))
    seen = list(dict.fromkeys(messages))
    for msg, cat in seen:
        warnings.warn(msg, cat, stacklevel=3)
    notes.extend(msg for msg, _ in seen)
    kmo_tab = pd.concat([km.table, pd.DataFrame({"item": ["overall"], "msa": [km.overall],
                                                 "label": [km.label]})],
                        ignore_index=True)
    return MeasurementReport(
        reliability=rel.table, items=ia.items, responses=ia.responses, htmt=ht.table,
        fornell_larcker=fl.matrix, fornell_larcker_table=fl.table,
        cross_loadings=cl.matrix, kmo=kmo_tab, bartlett=bt.table, cmb=cb, fit=fit,
        notes=tuple(dict.fromkeys(notes)))
