"""Run every analysis of a trust-survey study once and collect the results.

:func:`run_analyses` is the computing half of ``trustsem report``: it screens
the responses, evaluates the measurement model (reliability, validity,
common-method bias), fits the structural model with bootstrap standard
errors, enumerates the indirect effects and, when asked, tests measurement
invariance and path differences across groups and probes a moderation. It
returns an immutable :class:`AnalysisBundle`; :func:`trustsem.output.report.render_report`
only lays that bundle out.

Optional sections (everything except loading the data and fitting the
structural model) run on their own: a :class:`~trustsem.exceptions.TrustsemError`
in one of them is recorded in ``sections_failed`` (section name -> one-line
message), announced once as a :class:`~trustsem.exceptions.TrustsemWarning`,
and the other sections still run. Any other exception is a bug and is not
caught.
"""

from __future__ import annotations

import platform
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd

from .._meta import library_versions
from .._validation import check_n_jobs, check_option, format_value
from ..exceptions import (
    ConvergenceWarning,
    HeywoodCaseWarning,
    IdentificationWarning,
    SpecificationError,
    TrustsemError,
    TrustsemWarning,
)
from ..sem.results import SEMResult
from ..sem.spec import ModelSpec

__all__ = ["SECTION_TITLES", "AnalysisBundle", "Invocation", "run_analyses", "significance_rule"]

#: Section names used in ``AnalysisBundle.sections_failed`` and ``notes``.
SECTION_TITLES = {
    "data": "Data",
    "screening": "Screening",
    "measurement": "Measurement model",
    "structural": "Structural model",
    "mediation": "Mediation",
    "invariance": "Measurement invariance",
    "group_paths": "Path differences between groups",
    "group_means": "Construct means by group",
    "moderation": "Moderation",
}

#: Warning classes whose messages the report shows in red.
SERIOUS_WARNINGS = (ConvergenceWarning, HeywoodCaseWarning, IdentificationWarning)

#: Significance level used to pick "significant" paths for the write-up.
ALPHA = 0.05


@dataclass(frozen=True, slots=True)
class Invocation:
    """How a run was asked for on the command line (for the re-run command).

    Attributes
    ----------
    data : str or None
        Survey file as an absolute path; None for the bundled trust survey.
    model_kind : {"shipped", "file", "default"}
        A shipped model by name, a model file, or the default research model
        of the bundled survey.
    model : str or None
        The shipped model's name or the model file's absolute path.
    codebook : str or None
        Codebook file (absolute path), when one was given.
    sheet : str or int or None
        Excel sheet, when one was given.
    out : str or None
        Output folder, when one was given.
    jobs : int or None
        ``--jobs``, when given.
    """

    data: str | None = None
    model_kind: str = "default"
    model: str | None = None
    codebook: str | None = None
    sheet: str | int | None = None
    out: str | None = None
    jobs: int | None = None

    def model_label(self) -> str:
        """How the model is named in the report."""
        if self.model_kind == "shipped":
            return f"shipped model {self.model}"
        if self.model_kind == "file":
            return str(self.model)
        return "research model (second-order trust, shipped)"


def significance_rule(bootstrapped: bool, ci_type: str | None = "perc", level: float = 0.95,
                      lang: str = "en") -> str:
    """The one sentence saying how paths are called significant.

    With a bootstrap a path is significant when its bootstrap interval
    (``ci_type``) excludes 0; without one when p < .05 (normal-theory p from
    the fit's standard errors).
    """
    lvl = f"{100 * level:g}%"
    names = {"perc": ("percentile", "百分位"), "bc": ("bias-corrected", "偏差校正"),
             "bca": ("bias-corrected and accelerated", "偏差校正加速")}
    kind = names.get(ci_type or "perc", (str(ci_type), str(ci_type)))
    if lang == "zh":
        if bootstrapped:
            return f"显著：{lvl} Bootstrap {kind[1]}置信区间不包含 0（* 标记）。"
        return f"显著：p < {ALPHA:g}（依据模型标准误；*** p < .001，** p < .01，* p < .05）。"
    if bootstrapped:
        return f"Significant: the {lvl} bootstrap {kind[0]} interval excludes 0 (marked *)."
    return (f"Significant: p < {_apa_alpha()} from the model's standard errors"
            " (*** p < .001, ** p < .01, * p < .05).")


def _apa_alpha() -> str:
    return f"{ALPHA:.2f}".lstrip("0")


def _significance(fit: SEMResult) -> pd.DataFrame:
    """One row per regression path: whether it is significant, and its marker.

    The single place where significance is decided: the write-up, the tables,
    the forest plot and the path diagram all read this frame.
    """
    est = fit.estimates
    rows = est[est["op"] == "~"]
    cols = [c for c in ("group", "lhs", "op", "rhs", "est", "std_all", "ci_lower", "ci_upper",
                        "pvalue") if c in rows.columns]
    out = rows[cols].reset_index(drop=True).copy()
    p = pd.to_numeric(out["pvalue"], errors="coerce") if "pvalue" in out else pd.Series(np.nan, out.index)
    if fit.bootstrap is not None:
        lo = pd.to_numeric(out["ci_lower"], errors="coerce")
        hi = pd.to_numeric(out["ci_upper"], errors="coerce")
        sig = (lo > 0) | (hi < 0)
        marker = np.where(sig, "*", "")
        rule = "ci"
    else:
        sig = p < ALPHA
        marker = np.where(p < 0.001, "***", np.where(p < 0.01, "**", np.where(sig, "*", "")))
        rule = "p"
    out["significant"] = sig.fillna(False).astype(bool).to_numpy()
    out["marker"] = marker
    out["rule"] = rule
    return out


@dataclass(frozen=True, slots=True, eq=False)
class AnalysisBundle:
    """Every result of :func:`run_analyses` (immutable).

    Attributes
    ----------
    data_name : str
        Name of the data set (file stem).
    model : str
        The lavaan model syntax that was fitted.
    model_source : str
        Where the model came from (file, shipped model, text).
    data : pandas.DataFrame
        The analysed data (cleaned by :func:`trustsem.load_survey` if a file).
    survey : SurveyData or None
        The loaded survey, when one was passed.
    codebook : Codebook or None
    constructs : dict of str to list of str
        First-order factor -> its observed indicators (from the model).
    data_summary : pandas.DataFrame
        ``quantity, value``: rows, columns, model items, factors, missing cells.
    screening : ScreeningResult or None
    screening_table : pandas.DataFrame or None
        ``check, criterion, n, pct``: one row per screening flag.
    measurement : MeasurementReport or None
        Reliability, validity, item analysis and the CMB battery (``.cmb``).
    fit : SEMResult
        The structural model (bootstrap SEs and CIs when ``bootstrap > 0``);
        for a model without regressions, the CFA itself.
    fit_table : pandas.DataFrame
        :func:`trustsem.output.tables.fit_table` of the measurement CFA and the
        structural model, side by side.
    paths : pandas.DataFrame
        :func:`trustsem.output.tables.paths_table` of ``fit`` plus ``significant``
        and ``marker`` taken from ``significance`` (no rows for a model
        without regressions).
    significance : pandas.DataFrame
        ``[group,] lhs, op, rhs, est, std_all, ci_lower, ci_upper, pvalue,
        significant, marker, rule``, one row per regression path: the one
        decision of which paths are significant (bootstrap interval excludes
        0 when bootstrapped, else p < .05), read by every table, figure and
        the write-up. ``marker`` is "*" (interval rule) or the p stars.
    mediation : MediationResult or None
    invariance : InvarianceResult or None
    group_fit : SEMResult or None
        Multi-group fit of the structural model (``group=``).
    group_paths : pandas.DataFrame or None
        :func:`trustsem.compare_paths` Wald tests.
    group_means : pandas.DataFrame or None
        ``construct, group_1, group_2, n_1, n_2, mean_1, mean_2, mean_diff,
        t, df, pvalue, hedges_g`` (two groups only).
    moderation : ModerationResult or None
    digest : dict
        The few summary numbers the write-up quotes (ranges, counts,
        significant effects), computed here so the report only formats.
    options : dict
        Every option as used (missing, estimator, bootstrap, ci_type, level,
        seed, group, moderation, n_jobs).
    versions : dict
        trustsem and dependency versions (the fit's ``versions`` plus
        matplotlib, statsmodels, scipy, Python).
    notes : tuple of (section, severity, message)
        ``severity`` is ``"serious"`` (non-convergence, Heywood cases,
        identification; shown in red), ``"warning"`` or ``"note"``.
    sections_failed : dict of str to str
        Section name -> one-line reason, for optional sections that raised a
        :class:`TrustsemError`.
    lang : str
    created : str
        ISO time stamp (UTC).
    invocation : Invocation or None
        The command-line call (data, model, codebook, sheet, out), for the
        re-run command; None when called from Python.
    """

    data_name: str
    model: str
    model_source: str
    data: pd.DataFrame = field(repr=False)
    survey: Any = field(repr=False)
    codebook: Any = field(repr=False)
    constructs: dict
    data_summary: pd.DataFrame = field(repr=False)
    screening: Any = field(repr=False)
    screening_table: pd.DataFrame | None = field(repr=False)
    measurement: Any = field(repr=False)
    fit: SEMResult = field(repr=False)
    fit_table: pd.DataFrame = field(repr=False)
    paths: pd.DataFrame = field(repr=False)
    mediation: Any = field(repr=False)
    invariance: Any = field(repr=False)
    group_fit: Any = field(repr=False)
    group_paths: pd.DataFrame | None = field(repr=False)
    group_means: pd.DataFrame | None = field(repr=False)
    moderation: Any = field(repr=False)
    digest: dict = field(repr=False)
    options: dict
    versions: dict
    notes: tuple = ()
    sections_failed: dict = field(default_factory=dict)
    lang: str = "en"
    created: str = ""
    significance: pd.DataFrame | None = field(default=None, repr=False)
    invocation: Invocation | None = None

    @property
    def has_structural(self) -> bool:
        """True when the model has regressions (a structural part)."""
        return bool(len(self.paths))

    @property
    def significance_rule(self) -> str:
        """The rule, in words (see :func:`significance_rule`)."""
        o = self.options
        return significance_rule(self.fit.bootstrap is not None, o.get("ci_type"),
                                 o.get("level", 0.95), self.lang)

    @property
    def cmb(self) -> Any:
        """The common-method-bias battery (``measurement.cmb``), or None."""
        return None if self.measurement is None else self.measurement.cmb

    def summary(self) -> str:
        """A few lines saying what was run and what failed."""
        fm = self.fit.fit_measures
        lines = [
            (f"trustsem analysis of {self.data_name!r}: N = {self.fit.n_obs},"
             f" {self.options['estimator']}, missing = {self.options['missing']}"),
            (f"chi2({int(fm['df'])}) = {fm['chisq']:.2f}, CFI = {fm['cfi']:.3f},"
             f" RMSEA = {fm['rmsea']:.3f}, SRMR = {fm['srmr']:.3f}"),
        ]
        if self.sections_failed:
            names = ", ".join(SECTION_TITLES.get(k, k) for k in self.sections_failed)
            lines.append(f"Skipped (reasons in sections_failed and the report): {names}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


# ---------------------------------------------------------------------------
# helpers


class _Run:
    """Progress lines, warning collection and failure bookkeeping."""

    def __init__(self, n_steps: int, progress: bool) -> None:
        self.n = n_steps
        self.k = 0
        self.progress = progress
        self.notes: list[tuple[str, str, str]] = []
        self.failed: dict[str, str] = {}
        self._seen: set[str] = set()

    def step(self, text: str) -> None:
        self.k += 1
        if self.progress:
            print(f"step {self.k}/{self.n}: {text}", file=sys.stderr, flush=True)

    def note(self, section: str, message: str, severity: str = "note") -> None:
        if message not in self._seen:
            self._seen.add(message)
            self.notes.append((section, severity, message))

    def collect(self, section: str, fn: Callable[[], Any]) -> Any:
        """Run ``fn``; record its trustsem warnings as notes and show each once."""
        caught: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                return fn()
        finally:
            # replayed outside the recording block, so they reach the console
            self._replay(section, caught)

    def _replay(self, section: str, caught: list[warnings.WarningMessage]) -> None:
        for w in caught:
            if issubclass(w.category, TrustsemWarning):
                msg = str(w.message)
                severity = "serious" if issubclass(w.category, SERIOUS_WARNINGS) else "warning"
                first = msg not in self._seen
                self.note(section, msg, severity)
                if first:
                    warnings.warn(msg, w.category, stacklevel=4)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    def optional(self, section: str, fn: Callable[[], Any]) -> Any:
        """Run an optional section; a TrustsemError is recorded, not raised."""
        try:
            return self.collect(section, fn)
        except TrustsemError as err:
            text = str(err).strip().splitlines()
            msg = text[0] if text else type(err).__name__
            self.failed[section] = f"{type(err).__name__}: {msg}"
            warnings.warn(f"{SECTION_TITLES.get(section, section)} was skipped:"
                          f" {self.failed[section]}", TrustsemWarning, stacklevel=3)
            return None


def _constructs(spec: ModelSpec) -> dict[str, list[str]]:
    lv = set(spec.latent)
    out: dict[str, list[str]] = {}
    for s in spec.statements:
        if s.op == "=~" and s.rhs not in lv:
            out.setdefault(s.lhs, [])
            if s.rhs not in out[s.lhs]:
                out[s.lhs].append(s.rhs)
    return out


def _versions(fit: SEMResult) -> dict[str, str]:
    v = {str(k): str(val) for k, val in fit.versions.items()}
    v.update(library_versions("numpy", "scipy", "pandas", "matplotlib", "statsmodels"))
    v["python"] = platform.python_version()
    return v


def _data_summary(data: pd.DataFrame, items: Sequence[str], constructs: Mapping[str, list[str]],
                  survey: Any) -> pd.DataFrame:
    cells = data[list(items)].size if items else 0
    n_na = int(data[list(items)].isna().sum().sum()) if items else 0
    complete = int(data[list(items)].notna().all(axis=1).sum()) if items else len(data)
    rows = [
        ("rows", len(data)),
        ("columns", data.shape[1]),
        ("model_items", len(items)),
        ("factors", len(constructs)),
        ("missing_cells", n_na),
        ("missing_pct", 100.0 * n_na / cells if cells else 0.0),
        ("complete_rows", complete),
    ]
    if survey is not None:
        rows.append(("survey_items", len(survey.items)))
        rows.append(("codebook", "yes" if survey.codebook is not None else "no"))
    return pd.DataFrame(rows, columns=["quantity", "value"])


def _screening_table(scr: Any) -> pd.DataFrame:
    f = scr.flags
    n = len(f)
    speed_crit = (f"duration < {scr.min_duration:g} s" if scr.min_duration is not None
                  else "not checked (no duration column)")
    rows = [
        ("straightliner", f"longstring >= {scr.longstring_threshold}", int(f["straightliner"].sum())),
        ("speeder", speed_crit, int(f["speeder"].sum()) if scr.min_duration is not None else np.nan),
        ("high_missing", f"> {100 * scr.max_missing:g}% of items unanswered",
         int(f["high_missing"].sum())),
        ("any", "at least one flag (nothing was dropped)", int(f["any"].sum())),
    ]
    out = pd.DataFrame(rows, columns=["check", "criterion", "n"])
    out["pct"] = 100.0 * out["n"] / n if n else np.nan
    return out


def _moderation_spec(moderation: Any) -> dict[str, Any]:
    if isinstance(moderation, Mapping):
        spec = dict(moderation)
    elif isinstance(moderation, str):
        parts = [p.strip() for p in moderation.replace(":", ",").split(",") if p.strip()]
        spec = dict(zip(("y", "x", "w"), parts)) if len(parts) == 3 else {}
    elif isinstance(moderation, Sequence) and len(moderation) == 3:
        spec = dict(zip(("y", "x", "w"), moderation))
    else:
        spec = {}
    if not {"y", "x", "w"} <= set(spec):
        raise SpecificationError(
            "`moderation` must name the outcome, focal predictor and moderator, e.g."
            f" {{'y': 'TF', 'x': 'PMF', 'w': 'PC'}} or 'TF,PMF,PC'; got {format_value(moderation)}.")
    return spec


def _moderation(data: pd.DataFrame, spec: dict[str, Any], constructs: Mapping[str, list[str]],
                survey: Any) -> Any:
    from ..data.prep import scale_scores
    from ..structural.moderation import moderation as _mod

    pool = dict(getattr(survey, "constructs", {}) or {})
    pool.update(constructs)
    names = [spec["y"], spec["x"], spec["w"], *spec.get("covariates", ())]
    scored = {n: pool[n] for n in names if n not in data.columns and n in pool}
    unknown = [n for n in names if n not in data.columns and n not in pool]
    if unknown:
        raise SpecificationError(
            f"Moderation variables are neither data columns nor constructs: {unknown}."
            f" Constructs: {sorted(pool)}.")
    frame = data.copy()
    if scored:
        frame = pd.concat([frame.drop(columns=[c for c in scored if c in frame]),
                           scale_scores(data, scored)], axis=1)
    kw = {k: v for k, v in spec.items() if k not in ("y", "x", "w")}
    return _mod(frame, spec["y"], spec["x"], spec["w"], **kw)


def _check_groups(data: pd.DataFrame, group: str) -> None:
    if group not in data.columns:
        raise SpecificationError(
            f"`group` column {group!r} is not in the data. Available columns include"
            f" {list(map(str, data.columns[:8]))}.")
    levels = pd.unique(data[group].dropna())
    if len(levels) < 2:
        shown = repr(levels[0].item() if hasattr(levels[0], "item") else levels[0]) if len(levels) else "none"
        raise SpecificationError(
            f"`group` column {group!r} has only one value ({shown}); group comparisons need at"
            " least two groups.")


def _group_means(data: pd.DataFrame, group: str, constructs: Mapping[str, list[str]]) -> pd.DataFrame:
    from ..data.prep import scale_scores
    from ..structural.groups import compare_groups

    _check_groups(data, group)
    levels = pd.unique(data[group].dropna())
    if len(levels) != 2:
        raise SpecificationError(
            f"Construct means are compared for exactly two groups; {group!r} has"
            f" {len(levels)} ({list(map(str, levels[:5]))}).")
    scores = scale_scores(data, dict(constructs))
    frame = pd.concat([scores, data[[group]]], axis=1)
    rows = []
    for c in constructs:
        res = compare_groups(frame, c, group)
        g, t = res.groups, res.test
        es = res.effect_sizes.set_index("effect")["est"]
        rows.append({
            "construct": c, "group_1": str(g["group"].iloc[0]), "group_2": str(g["group"].iloc[1]),
            "n_1": int(g["n"].iloc[0]), "n_2": int(g["n"].iloc[1]),
            "mean_1": float(g["mean"].iloc[0]), "mean_2": float(g["mean"].iloc[1]),
            "mean_diff": float(t["mean_diff"]), "ci_lower": float(t["ci_lower"]),
            "ci_upper": float(t["ci_upper"]), "t": float(t["t"]), "df": float(t["df"]),
            "pvalue": float(t["pvalue"]), "hedges_g": float(es.get("hedges_g", np.nan)),
        })
    return pd.DataFrame(rows)


def _single_construct_measurement(data: pd.DataFrame, spec: ModelSpec, missing: str) -> Any:
    """Measurement report for a model with fewer than two multi-item constructs.

    HTMT and the Fornell-Larcker criterion compare constructs, so they are
    left empty; reliability, item analysis, cross-loadings, KMO/Bartlett and
    the CMB battery run as in :func:`trustsem.measurement.measurement_report`.
    """
    from ..measurement import core as _m
    from ..measurement.cmb import cmb_battery
    from ..measurement.efa import bartlett, kmo
    model = spec.measurement().text
    struct = _m._structure(model)
    fit = _m._fit_measurement(struct, data, missing)
    rel = _m.reliability(data, model, fit=fit)
    ia = _m.item_analysis(data, model, fit=fit)
    cl = _m.cross_loadings(data, model)
    cm = "fiml" if missing == "fiml" else "listwise"
    km = kmo(data, struct.items, missing=cm)
    bt = bartlett(data, struct.items, missing=cm)
    notes = ["HTMT and the Fornell-Larcker criterion need two or more constructs with at least"
             " two items each; they are not reported for this model."]
    try:
        cb = cmb_battery(data, model, missing=missing, fit=fit)
    except TrustsemError as err:
        cb = None
        notes.append(f"The common-method-bias battery could not be run: {err}")
    for part in (fit, rel, ia, cl, km, bt) + ((cb,) if cb is not None else ()):
        notes.extend(getattr(part, "notes", ()))
    kmo_tab = pd.concat([km.table, pd.DataFrame({"item": ["overall"], "msa": [km.overall],
                                                 "label": [km.label]})], ignore_index=True)
    return _m.MeasurementReport(
        reliability=rel.table, items=ia.items, responses=ia.responses,
        htmt=pd.DataFrame(columns=["construct1", "construct2", "htmt", "htmt2", "verdict"]),
        fornell_larcker=pd.DataFrame(dtype=float),
        fornell_larcker_table=pd.DataFrame(columns=["construct", "passed"]),
        cross_loadings=cl.matrix, kmo=kmo_tab, bartlett=bt.table, cmb=cb, fit=fit,
        notes=tuple(dict.fromkeys(notes)))


def _ranges(table: pd.DataFrame, cols: Sequence[str]) -> dict[str, tuple[float, float]]:
    out = {}
    for c in cols:
        if c in table.columns:
            v = pd.to_numeric(table[c], errors="coerce").dropna()
            if len(v):
                out[c] = (float(v.min()), float(v.max()))
    return out


def _digest(fit: SEMResult, paths: pd.DataFrame, measurement: Any, mediation: Any,
            data_summary: pd.DataFrame) -> dict[str, Any]:
    ds = dict(zip(data_summary["quantity"], data_summary["value"]))
    d: dict[str, Any] = {"n_obs": int(fit.n_obs), "n_rows": int(ds["rows"]),
                         "n_items": int(ds["model_items"]), "n_factors": int(ds["factors"]),
                         "missing_pct": float(ds["missing_pct"]), "alpha": ALPHA,
                         "converged": bool(fit.converged),
                         "significance_rule": "ci" if fit.bootstrap is not None else "p",
                         "structural": bool(len(paths))}
    sig = paths[paths["significant"]]
    d["significant_paths"] = sig.reset_index(drop=True)
    d["nonsignificant_paths"] = paths[~paths["significant"]].reset_index(drop=True)
    endo = {s.lhs for s in fit.spec.structural()}
    r2 = fit.r2
    d["r2"] = r2[r2["variable"].isin(endo)].reset_index(drop=True)
    if measurement is not None:
        rel = measurement.reliability
        d["reliability_ranges"] = _ranges(rel, ["alpha", "alpha_std", "omega", "cr", "ave"])
        d["n_constructs"] = len(rel)
        d["low_ave"] = [str(c) for c in rel.index[rel["low_ave"].fillna(False).astype(bool)]]
        ht = measurement.htmt
        d["htmt_max"] = float(ht["htmt2"].max()) if len(ht) else np.nan
        d["htmt_pairs"] = len(ht)
        d["htmt_above_85"] = int((ht["htmt2"] >= 0.85).sum()) if len(ht) else 0
        d["htmt_above_90"] = int((ht["htmt2"] >= 0.90).sum()) if len(ht) else 0
        flt = measurement.fornell_larcker_table
        d["fl_failed"] = ([str(x) for x in flt.loc[~flt["passed"].astype(bool), "construct"]]
                          if {"passed", "construct"} <= set(flt.columns) else [])
        d["loading_range"] = _ranges(measurement.items, ["loading"]).get("loading")
        d["cfa_fit"] = measurement.fit.fit_measures
        if measurement.cmb is not None:
            v = measurement.cmb.verdicts
            d["cmb_flagged"] = [str(t) for t in v.loc[v["flagged"].fillna(False).astype(bool), "test"]]
            d["cmb_tests"] = len(v)
    if mediation is not None:
        eff = mediation.effects
        spec = eff[eff["kind"] == "specific"]
        excl = (spec["ci_lower"] > 0) | (spec["ci_upper"] < 0)
        d["indirect_significant"] = spec[excl].reset_index(drop=True)
        d["indirect_nonsignificant"] = spec[~excl].reset_index(drop=True)
    return d


# ---------------------------------------------------------------------------
# front door


def run_analyses(
    data: Any,
    model: str | ModelSpec,
    *,
    codebook: Any = None,
    missing: str = "fiml",
    estimator: str = "ML",
    bootstrap: int = 1000,
    seed: int | None = 20240517,
    ci_type: str = "perc",
    group: str | None = None,
    moderation: Any = None,
    duration: str | None = "auto",
    lang: str = "en",
    progress: bool = True,
    n_jobs: int | None = None,
    data_name: str | None = None,
    model_source: str | None = None,
    invocation: Invocation | None = None,
) -> AnalysisBundle:
    """Run the whole analysis of a trust survey and collect the results.

    Parameters
    ----------
    data : SurveyData or pandas.DataFrame
        A survey from :func:`trustsem.load_survey` (its codebook is used), or
        a data frame.
    model : str or ModelSpec
        Full model in lavaan syntax (measurement and structural part).
    codebook : Codebook or DataFrame, optional
        Item wording and constructs for a data frame (ignored for a
        ``SurveyData``, which carries its own).
    missing : {"fiml", "listwise"}
        Missing-data handling for every model (FIML: lavaan ``missing = "ml"``).
    estimator : {"ML", "MLR"}
        Estimator of the structural model.
    bootstrap : int
        Bootstrap draws for the structural model's SEs, CIs and indirect
        effects; 0 uses information-based SEs and delta-method indirect
        effects.
    seed : int, optional
        Seed of the bootstrap (the default is fixed, so runs repeat exactly).
    ci_type : {"perc", "bc", "bca"}
        Bootstrap interval type.
    group : str, optional
        Grouping column: adds measurement invariance, cross-group path tests
        and (two groups) construct-mean comparisons.
    moderation : dict, str or (y, x, w), optional
        E.g. ``{"y": "TF", "x": "PMF", "w": "PC"}`` or ``"TF,PMF,PC"``:
        names are data columns or constructs (scored as item means).
        Further keys are passed to :func:`trustsem.moderation`.
    duration : str or None
        Completion-time column for the speeder check; ``"auto"`` uses
        ``duration_sec`` or ``duration`` when present.
    lang : {"en", "zh"}
        Default language of the report rendered from this bundle.
    progress : bool
        Print "step k/n: ..." lines on stderr and show the bootstrap bar.
    n_jobs : int, optional
        Worker processes for the bootstrap (-1: all cores; default: chosen by
        :func:`trustsem.sem` from the model size). Results do not depend on it.
    data_name, model_source : str, optional
        Labels for the report (default: the file name / "model text", or
        the invocation's model).
    invocation : Invocation, optional
        How the command line named the data, model, codebook, sheet and
        output folder, so the report can print a re-run command.

    Returns
    -------
    AnalysisBundle

    Raises
    ------
    TrustsemError
        Bad options, data that cannot be used, or a structural model that
        cannot be fitted. Failures of optional sections are recorded in
        ``sections_failed`` instead.

    Warns
    -----
    TrustsemWarning
        Each distinct warning of the analyses, once (they are also in
        ``notes``), and one per skipped section.
    """
    missing = check_option("missing", missing, ["fiml", "listwise"])
    estimator = check_option("estimator", estimator, ["ML", "MLR"])
    lang = check_option("lang", lang, ["en", "zh"])
    ci_type = check_option("ci_type", ci_type, ["perc", "bc", "bca"])
    n_jobs = check_n_jobs(n_jobs)
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)) or bootstrap < 0:
        raise SpecificationError(f"`bootstrap` must be an integer >= 0; got {format_value(bootstrap)}.")
    if bootstrap == 1:
        raise SpecificationError("`bootstrap` must be 0 (no bootstrap) or at least 2; got 1.")
    spec = ModelSpec(model)
    mod_spec = _moderation_spec(moderation) if moderation is not None else None

    from ..data.io import SurveyData

    survey = data if isinstance(data, SurveyData) else None
    frame = survey.data if survey is not None else data
    if not isinstance(frame, pd.DataFrame):
        raise SpecificationError(
            f"`data` must be a SurveyData or a pandas DataFrame; got {type(data).__name__}.")
    cb = survey.codebook if survey is not None else codebook
    if data_name is None:
        data_name = survey.path.stem if survey is not None else "data"
    spec.check_data(frame.columns)
    constructs = _constructs(spec)
    model_items = [v for v in spec.observed if v in frame.columns]
    if survey is not None and survey.codebook is not None:
        screen_items = [i for i in survey.items if i in frame.columns]
    else:
        screen_items = [i for its in constructs.values() for i in its]
    if duration == "auto":
        duration = next((c for c in ("duration_sec", "duration") if c in frame.columns), None)
    regressions = [s for s in spec.statements if s.op == "~"]
    has_chain = bool({s.lhs for s in regressions} & {s.rhs for s in regressions})
    fit_name = "structural model" if regressions else "model (no regressions: CFA only)"

    steps = ["screening responses", "measurement model: reliability, validity, common-method bias",
             fit_name + (f" with {bootstrap} bootstrap draws" if bootstrap else "")]
    if has_chain:
        steps.append("indirect effects")
    if group is not None:
        steps += [f"measurement invariance across {group!r}",
                  f"structural paths by {group!r}", f"construct means by {group!r}"]
    if mod_spec is not None:
        steps.append("moderation")
    run = _Run(len(steps), progress)
    it = iter(steps)

    if survey is not None:
        for n in survey.notes:
            run.note("data", n)

    # 1 screening -----------------------------------------------------------
    from ..data.screening import screen

    run.step(next(it))
    scr = run.optional("screening", lambda: screen(survey if survey is not None else frame,
                                                   screen_items, duration=duration))
    scr_table = _screening_table(scr) if scr is not None else None
    if scr is not None:
        for n in scr.notes:
            run.note("screening", n)

    # 2 measurement -----------------------------------------------------------
    from ..measurement.core import measurement_report

    run.step(next(it))
    multi = sum(len(v) >= 2 for v in constructs.values()) >= 2
    mr = run.optional("measurement", lambda: measurement_report(
        frame, spec.text, missing=missing, bootstrap=0, seed=seed, cmb=True) if multi else
        _single_construct_measurement(frame, spec, missing))
    if mr is not None:
        for n in mr.notes:
            run.note("measurement", n)

    # 3 structural model (required) --------------------------------------------
    from ..sem.fit import sem

    run.step(next(it))
    se = "bootstrap" if bootstrap else "standard"
    fit = run.collect("structural", lambda: sem(
        spec.text, frame, missing=missing, estimator=estimator, se=se,
        bootstrap=bootstrap if bootstrap else 1000, seed=seed, ci_type=ci_type,
        n_jobs=n_jobs, progress=progress))
    for n in fit.notes:
        run.note("structural", n)
    if not fit.converged:
        run.note("structural", "The structural model did not converge: its estimates, standard"
                 " errors and fit indices are not trustworthy.", "serious")

    from .tables import fit_table, paths_table

    models = {}
    if mr is not None:
        models["Measurement model (CFA)"] = mr.fit
    if regressions or mr is None:
        models["Structural model" if regressions else "Model (CFA)"] = fit
    ftab = fit_table(models)
    significance = _significance(fit)
    paths = paths_table(fit)
    paths["significant"] = significance["significant"].to_numpy()
    paths["marker"] = significance["marker"].to_numpy()

    # 4 mediation (only when some regression chain exists) ------------------------
    from ..structural.mediation import indirect_effects

    med = None
    if has_chain:
        run.step(next(it))
        med = run.optional("mediation", lambda: indirect_effects(fit))
        if med is not None:
            for n in med.notes:
                run.note("mediation", n)

    # 5-7 groups ------------------------------------------------------------------
    inv = gfit = gpaths = gmeans = None
    if group is not None:
        from ..structural.invariance import compare_paths, invariance

        run.step(next(it))
        def _invariance() -> Any:
            _check_groups(frame, group)
            return invariance(spec.measurement().text, frame, group, missing=missing,
                              estimator=estimator)

        def _group_fit() -> Any:
            _check_groups(frame, group)
            return sem(spec.text, frame, group=group, missing=missing, estimator=estimator)

        inv = run.optional("invariance", _invariance)
        if inv is not None:
            for n in inv.notes:
                run.note("invariance", n)
        run.step(next(it))
        gfit = run.optional("group_paths", _group_fit)
        if gfit is not None:
            gpaths = run.optional("group_paths", lambda: compare_paths(gfit))
        run.step(next(it))
        gmeans = run.optional("group_means", lambda: _group_means(frame, group, constructs))

    # 8 moderation ------------------------------------------------------------------
    mod = None
    if mod_spec is not None:
        run.step(next(it))
        mod = run.optional("moderation", lambda: _moderation(frame, mod_spec, constructs, survey))
        if mod is not None:
            for n in mod.notes:
                run.note("moderation", n)

    summary = _data_summary(frame, model_items, constructs, survey)
    boot = fit.bootstrap
    options = {
        "missing": missing, "estimator": estimator, "bootstrap": int(bootstrap),
        "bootstrap_ok": int(boot.n_ok) if boot is not None else 0,
        "bootstrap_failed": int(boot.n_failed) if boot is not None else 0,
        "ci_type": ci_type if bootstrap else None, "level": float(fit.options.get("level", 0.95)),
        "seed": seed, "group": group, "moderation": mod_spec, "duration": duration,
        "n_jobs": n_jobs, "se": fit.options.get("se_label", ""),
        "information": fit.options.get("information", ""),
        "mediation_ci": getattr(med, "ci_method", None),
        "lang": lang, "structural": bool(regressions), "mediation_applicable": has_chain,
    }
    if model_source is None and invocation is not None:
        model_source = invocation.model_label()
    return AnalysisBundle(
        data_name=str(data_name), model=spec.text,
        model_source=model_source or "model text", data=frame, survey=survey, codebook=cb,
        constructs=constructs, data_summary=summary, screening=scr, screening_table=scr_table,
        measurement=mr, fit=fit, fit_table=ftab, paths=paths, mediation=med, invariance=inv,
        group_fit=gfit, group_paths=gpaths, group_means=gmeans, moderation=mod,
        digest=_digest(fit, paths, mr, med, summary), options=options, versions=_versions(fit),
        notes=tuple(run.notes), sections_failed=dict(run.failed), lang=lang,
        created=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        significance=significance, invocation=invocation)
