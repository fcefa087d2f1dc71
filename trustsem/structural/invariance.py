"""Measurement invariance across groups and cross-group comparison of paths.

``invariance()`` fits the usual ladder in one call: configural (same pattern),
metric (equal loadings), scalar (plus equal intercepts; latent means free in
groups 2+), strict (plus equal residual variances), each with lavaan's
``group.equal`` semantics, and compares each level with the previous one:

- chi-square difference test: likelihood ratio for ML, the Satorra-Bentler
  (2001) scaled difference for MLR/MLM, the scaled-shifted test for WLSMV
  (each lavaan ``lavTestLRT()``'s default for that estimator),
- change in CFI, with the usual cut-off ΔCFI <= -.01 meaning the level fails
  (Cheung & Rensvold, 2002),
- change in RMSEA, ΔRMSEA >= .015 meaning the level fails (Chen, 2007).

Every full level is shown with its own verdict; when it fails, the partial
version follows it (``"scalar (partial)"``) and the levels above are fitted on
the partial model and say so (``"strict (on partial scalar)"``). A fit that
did not converge, or whose information matrix is singular, is never read as
holding. ``ordered=True`` runs the categorical ladder (configural, thresholds,
thresholds + loadings; WLSMV).

When a level fails, the partial-invariance search frees, one at a time, the
equality constraint with the largest univariate score (Lagrange multiplier)
test, LM = (N / 4) g' I^-1 g evaluated at the constrained estimates in the
model where that one parameter is released (g the gradient of the ML
discrepancy, I the expected information per respondent), until the level holds
or ``max_free`` constraints have been released.

``compare_paths()`` tests whether each regression path differs across the
groups of a multi-group fit with a Wald test, chi2 = (C b)' (C V C')^-1 (C b),
df = G - 1.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import linalg, stats

from .._display import Summary, SummaryDisplay
from .._validation import check_option
from ..exceptions import SpecificationError, TrustsemWarning
from ..sem.engine.estimate import FIMLObjective, MLObjective
from ..sem.engine.ram import RamModel
from ..sem.fit import sem
from ..sem.results import SEMResult
from ..sem.spec import ModelSpec, ParTable
from .mediation import _check_result, _free_parameters

__all__ = ["InvarianceResult", "compare_paths", "invariance", "score_tests"]

LEVELS: dict[str, list[str]] = {
    "configural": [],
    "metric": ["loadings"],
    "scalar": ["loadings", "intercepts"],
    "strict": ["loadings", "intercepts", "residuals"],
}

#: The categorical ladder (ordered items, WLSMV, delta parameterization).
ORDERED_LEVELS: dict[str, list[str]] = {
    "configural": [],
    "thresholds": ["thresholds"],
    "thresholds + loadings": ["thresholds", "loadings"],
}


@dataclass(frozen=True)
class InvarianceResult(SummaryDisplay):
    """The invariance ladder (immutable).

    Attributes
    ----------
    table : DataFrame
        Indexed by model (each full level, then ``"<level> (partial)"`` where
        the search released constraints, and ``"<level> (on partial
        <lower>)"`` for levels fitted on a partial one): ``npar, chisq, df,
        pvalue, [chisq_scaled, pvalue_scaled,] cfi, tli, rmsea, srmr,
        delta_chisq, delta_df, p_delta, delta_cfi, delta_rmsea, converged,
        freed, verdict``; ``freed`` lists the constraints released by the
        partial search. For MLR/MLM cfi/tli/rmsea are the robust versions, for
        ordered items the scaled ones.
    fits : dict
        Table row name -> SEMResult.
    score_tests : dict
        Level name -> DataFrame of univariate score tests of that level's
        equality constraints (largest first).
    cutoffs : dict
    notes : tuple of str
    """

    table: pd.DataFrame
    fits: dict = field(repr=False)
    score_tests: dict = field(repr=False)
    cutoffs: dict
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        head = [("Groups", ", ".join(next(iter(self.fits.values())).options["group_labels"])),
                ("ΔCFI cut-off", self.cutoffs["delta_cfi"]),
                ("ΔRMSEA cut-off", self.cutoffs["delta_rmsea"])]
        blocks = [("Invariance ladder", self.table.reset_index())]
        for level, st in self.score_tests.items():
            if len(st):
                blocks.append((f"Score tests of {level} constraints (top 10)", st.head(10)))
        return Summary("Measurement invariance", head, blocks, list(self.notes))


def _fit_quiet(model, data, notes: list[str], **kw) -> SEMResult:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always", TrustsemWarning)
        res = sem(model, data, **kw)
    for w in rec:
        msg = str(w.message)
        if issubclass(w.category, TrustsemWarning) and msg not in notes:
            notes.append(msg)
            warnings.warn(msg, w.category, stacklevel=3)
    return res


def invariance(
    model: str | ModelSpec,
    data: pd.DataFrame,
    group: str,
    *,
    levels: Sequence[str] | None = None,
    estimator: str | None = None,
    ordered: bool | Sequence[str] = False,
    missing: str = "listwise",
    group_partial: Sequence[str] = (),
    partial_search: bool = True,
    max_free: int = 5,
    delta_cfi: float = -0.01,
    delta_rmsea: float = 0.015,
) -> InvarianceResult:
    """Fit the invariance ladder across the groups in ``group``.

    Parameters
    ----------
    model : str or ModelSpec
        Measurement (or full) model in lavaan syntax.
    data : DataFrame
    group : str
        Grouping column (e.g. ``"pm_exposed"``, a tenure split, ``"school"``).
    levels : sequence of str, optional
        A prefix-ordered subset of the ladder: configural, metric, scalar,
        strict (continuous items; the default is all four) or configural,
        thresholds, thresholds + loadings (``ordered``; the default is all
        three).
    estimator : {"ML", "MLR", "MLM"}, optional
        For continuous items (default ML). With MLR/MLM the Δχ² column is the
        Satorra-Bentler (2001) scaled difference and CFI, TLI and RMSEA are
        the robust versions.
    ordered : True or list of str
        Treat these items (``True``: all) as ordered categories: the
        categorical ladder, fit by WLSMV (see Notes).
    missing : {"listwise", "fiml", "pairwise"}
        ``"fiml"`` for ML/MLR; ``"pairwise"`` for ``ordered``.
    group_partial : sequence of str
        Constraints to leave free from the start, e.g. ``["visual=~x3"]``.
    partial_search : bool
        When a level fails, release constraints by the largest score test
        (ML-family fits only).
    max_free : int
        At most this many constraints released per level.
    delta_cfi, delta_rmsea : float
        Cut-offs: a level fails when ΔCFI <= delta_cfi or ΔRMSEA >= delta_rmsea.

    Returns
    -------
    InvarianceResult
        ``table`` has one row per fitted model, in the order they were
        fitted: every full level with its own verdict, then (when it failed
        and the search released constraints) ``"<level> (partial)"`` with the
        released constraints in ``freed``. A level fitted on top of a partial
        one says so: ``"strict (on partial scalar)"``. Verdicts: ``baseline``,
        ``holds``, ``holds (partial)``, ``not supported``, ``not converged``
        (the fit did not converge: no comparison is made), ``not
        identified`` (singular information matrix: df and Δχ² are not valid)
        and ``not assessed`` (the model below did not converge, or a fit index
        needed for the cut-offs is missing).

    Raises
    ------
    SpecificationError
        Unknown or out-of-order levels, an estimator the ladder does not
        support, or an unknown grouping column (from :func:`trustsem.sem`).

    Notes
    -----
    Each continuous level equals lavaan ``cfa(model, data, group = group,
    group.equal = ...)`` (tested on the HS data by school,
    tests/reference/hs_group_* and hs_invariance_mlr/mlm). As in lavaan, the
    scalar level frees the means of all latent variables in groups 2+; for a
    second-order model fix the first-order intercepts (``TF ~ 0*1``) or test
    invariance of the first-order part. Δχ² compares each model with the
    model below it: the likelihood-ratio difference for ML, the Satorra-Bentler
    (2001) scaled difference ``(T0 - T1) / cd``, ``cd = (d0 c0 - d1 c1) / (d0
    - d1)`` (T the ML statistics, c their scaling factors) for MLR/MLM, which
    is lavaan's ``lavTestLRT()`` default for these estimators.

    The categorical ladder (``ordered``) follows lavaan's ``group.equal``
    semantics in its default delta parameterization, the sequence of Wu &
    Estabrook (2016): configural (thresholds, loadings free; scale factors
    fixed at 1 and latent means at 0 in every group), thresholds (equal
    thresholds; scale factors and latent means free in groups 2+), thresholds
    + loadings. Item intercepts are fixed at 0 and residual variances are not
    parameters in this parameterization, so lavaan's "intercepts" and
    "residuals" add no constraint to it and there is no separate scalar or
    strict level. Δχ² is the scaled-shifted difference test
    (:func:`trustsem.sem.wlsmv.difference_test`, lavaan's ``lavTestLRT()``
    default for WLSMV); CFI, TLI and RMSEA are the scaled versions. The
    partial search needs score tests, which are defined here for ML only;
    pass ``group_partial`` to free threshold or loading constraints by hand
    (e.g. ``["x3|t2", "visual=~x2"]``).

    References
    ----------
    Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor
    analysis models of different levels of invariance for ordered categorical
    outcomes. *Psychometrika*, 81, 1014-1045.
    Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test
    statistic for moment structure analysis. *Psychometrika*, 66, 507-514.
    """
    cat = ordered is not False and ordered is not None
    ladder = ORDERED_LEVELS if cat else LEVELS
    if levels is None:
        levels = tuple(ladder)
    levels = list(levels)
    for lv in levels:
        if cat and lv in ("scalar", "strict"):
            raise SpecificationError(
                f"`levels` has {lv!r}, which the categorical ladder (ordered=...) does not have:"
                " in the delta parameterization item intercepts are fixed at 0 and residual"
                " variances are not parameters, so lavaan's 'intercepts' and 'residuals' add no"
                f" constraint. Use levels from {list(ORDERED_LEVELS)}.")
        check_option("levels", lv, list(ladder))
    order = [lv for lv in ladder if lv in levels]
    if levels != order:
        raise SpecificationError(f"`levels` must be in the order {list(ladder)}; got {levels}.")
    if cat:
        if estimator not in (None, "WLSMV"):
            raise SpecificationError(
                f"Ordered items are fit by WLSMV; got estimator={estimator!r}. Leave `estimator`"
                " out, or use ordered=False for ML/MLR/MLM on continuous items.")
        est_name = "WLSMV"
    else:
        est_name = (estimator or "ML").upper()
        if est_name not in _ML_FAMILY:
            raise SpecificationError(
                f"`estimator` must be one of {list(_ML_FAMILY)} for continuous items; got"
                f" {estimator!r}. For Likert items analysed as ordered use ordered=True.")
    fit_kw: dict = {"group": group, "missing": missing}
    if cat:
        fit_kw.update(ordered=ordered, estimator="WLSMV")
    elif estimator is not None:
        fit_kw["estimator"] = est_name
    notes: list[str] = []
    fits: dict[str, SEMResult] = {}
    scores: dict[str, pd.DataFrame] = {}
    rows = []
    partial = list(group_partial)
    prev: SEMResult | None = None
    prev_name = ""
    built_on_partial = ""            # name of the partial level the next levels rest on
    can_search = partial_search and not cat
    if partial_search and cat:
        notes.append("Ordered items: no automatic partial search (score tests are defined here for"
                     " ML fits); pass group_partial to release threshold or loading constraints.")
    for k, lv in enumerate(order):
        new_kinds = [x for x in ladder[lv] if x not in (ladder[order[k - 1]] if k else [])]
        res = _fit_quiet(model, data, notes, group_equal=ladder[lv],
                         group_partial=partial if ladder[lv] else [],
                         **fit_kw)
        name = f"{lv} (on partial {built_on_partial})" if built_on_partial else lv
        row, fails = _assess(res, prev, name, prev_name, est_name, delta_cfi, delta_rmsea, notes)
        row.update(level=name, freed="")
        rows.append(row)
        fits[name] = res
        if ladder[lv] and not cat and res.converged and _identified(res):
            scores[lv] = score_tests(res, kinds=[x for x in new_kinds if x in _KIND_OF.values()])
        if not fails:
            prev, prev_name = res, name
            continue
        freed: list[str] = []
        part_res = None
        while (can_search and len(freed) < max_free and lv in scores and len(scores[lv])):
            cand = [c for c in scores[lv]["constraint"] if c not in partial]
            if not cand:
                break
            partial.append(cand[0])
            freed.append(cand[0])
            part_res = _fit_quiet(model, data, notes, group_equal=ladder[lv],
                                  group_partial=partial, **fit_kw)
            if not (part_res.converged and _identified(part_res)):
                break
            prow, pfails = _assess(part_res, prev, f"{lv} (partial)", prev_name, est_name,
                                   delta_cfi, delta_rmsea, [])
            if not pfails:
                break
            scores[lv] = score_tests(part_res, kinds=[x for x in new_kinds
                                                      if x in _KIND_OF.values()])
        if part_res is None:
            prev, prev_name = res, name      # later levels rest on the failed full level
            continue
        pname = f"{lv} (partial)"
        prow, pfails = _assess(part_res, prev, pname, prev_name, est_name, delta_cfi,
                               delta_rmsea, notes)
        if prow["verdict"] == "holds":
            prow["verdict"] = "holds (partial)"
        prow.update(level=pname, freed=", ".join(freed))
        rows.append(prow)
        fits[pname] = part_res
        notes.append(f"{lv}: the full level fails; released {freed} by the largest score tests"
                     f" (partial invariance){'' if not pfails else ', and it still fails'}."
                     + (f" Higher levels are fitted on this partial {lv} model."
                        if k + 1 < len(order) else ""))
        prev, prev_name = part_res, pname
        built_on_partial = lv
    table = pd.DataFrame(rows).set_index("level")
    cols = ["npar", "chisq", "df", "pvalue"]
    if est_name != "ML":
        cols += ["chisq_scaled", "pvalue_scaled"]
    cols += ["cfi", "tli", "rmsea", "srmr", "delta_chisq", "delta_df", "p_delta", "delta_cfi",
             "delta_rmsea", "converged", "freed", "verdict"]
    notes.append(_method_note(est_name, delta_cfi, delta_rmsea))
    return InvarianceResult(table=table[cols], fits=fits, score_tests=scores,
                            cutoffs={"delta_cfi": delta_cfi, "delta_rmsea": delta_rmsea},
                            notes=tuple(notes))


def _method_note(est: str, dcfi: float, drmsea: float) -> str:
    if est == "ML":
        chi = "Δχ² is the likelihood-ratio test against the model in the row it is compared with"
        idx = ""
    elif est == "WLSMV":
        chi = ("Δχ² is the scaled-shifted difference test (lavTestLRT's default for WLSMV,"
               " Satorra 2000) against the model it is compared with")
        idx = "; CFI, TLI and RMSEA are the scaled (WLSMV) versions"
    else:
        chi = ("Δχ² is the Satorra-Bentler (2001) scaled difference test (lavTestLRT's default for"
               f" {est}) against the model it is compared with")
        idx = "; CFI, TLI and RMSEA are the robust versions (Brosseau-Liard & Savalei)"
    return (f"A level fails when ΔCFI <= {dcfi:g} (Cheung & Rensvold, 2002) or ΔRMSEA >= {drmsea:g}"
            f" (Chen, 2007); {chi}{idx}. Each level is compared with the last model that was kept"
            " (the partial model when a level needed one).")


def _indices(res: SEMResult, est: str) -> dict:
    f = res.fit_measures
    get = lambda k: float(f[k]) if k in f.index and pd.notna(f[k]) else np.nan
    row = {"npar": get("npar"), "chisq": get("chisq"), "df": get("df"), "pvalue": get("pvalue"),
           "srmr": get("srmr")}
    if est == "ML":
        row.update(cfi=get("cfi"), tli=get("tli"), rmsea=get("rmsea"))
    else:
        row.update(chisq_scaled=get("chisq_scaled"), pvalue_scaled=get("pvalue_scaled"))
        suffix = "_scaled" if est == "WLSMV" else "_robust"
        for k in ("cfi", "tli", "rmsea"):
            row[k] = get(k + suffix)
    return row


def _identified(res: SEMResult) -> bool:
    """False when the fit's information matrix was singular (no covariance matrix)."""
    if res.options.get("se", "standard") != "standard":
        return True
    return bool(np.isfinite(res.vcov.to_numpy(float)).all())


def _difference(res: SEMResult, prev: SEMResult, est: str) -> tuple[float, float, float]:
    """(Δχ², Δdf, p) of ``res`` (restricted) against ``prev``, as lavTestLRT computes it."""
    f, pf = res.fit_measures, prev.fit_measures
    ddf = float(f["df"] - pf["df"])
    if ddf <= 0:
        return np.nan, ddf, np.nan
    if est == "WLSMV":
        from ..sem.wlsmv import difference_test

        out = difference_test(res, prev)
        return float(out["chisq_diff"]), float(out["df_diff"]), float(out["pvalue"])
    dchi = float(f["chisq"] - pf["chisq"])
    if est != "ML":
        # Satorra & Bentler (2001): scaling of the difference from the two models'
        # scaling factors and df
        c0, c1 = float(f["chisq_scaling_factor"]), float(pf["chisq_scaling_factor"])
        cd = (float(f["df"]) * c0 - float(pf["df"]) * c1) / ddf
        if not cd > 0:
            return np.nan, ddf, np.nan
        dchi = dchi / cd
    return dchi, ddf, float(stats.chi2.sf(dchi, ddf))


def _assess(res: SEMResult, prev: SEMResult | None, name: str, prev_name: str, est: str,
            dcfi: float, drmsea: float, notes: list[str]) -> tuple[dict, bool]:
    """The table row of ``res`` compared with ``prev``, and whether it fails."""
    row = _indices(res, est)
    row.update(delta_chisq=np.nan, delta_df=np.nan, p_delta=np.nan, delta_cfi=np.nan,
               delta_rmsea=np.nan, converged=bool(res.converged))
    if not res.converged:
        row["verdict"] = "not converged"
        notes.append(f"{name}: the optimizer did not converge, so this level is not assessed;"
                     " its fit indices are not trustworthy. Check the model (Heywood cases,"
                     " sparse groups) before reading the levels above it.")
        return row, True
    if not _identified(res):
        row["verdict"] = "not identified"
        notes.append(f"{name}: the information matrix is singular (some parameters are not"
                     " identified), so its df and Δχ² are not valid and the level is not assessed."
                     " In a second-order model the scalar level frees the means of the first-order"
                     " factors as well: fix their intercepts (e.g. TF ~ 0*1) or test the"
                     " first-order part.")
        return row, True
    if prev is None:
        row["verdict"] = "baseline"
        return row, False
    if not (prev.converged and _identified(prev)):
        row["verdict"] = "not assessed"
        notes.append(f"{name}: not compared, because {prev_name} did not converge or is not"
                     " identified.")
        return row, False
    prow = _indices(prev, est)
    row["delta_chisq"], row["delta_df"], row["p_delta"] = _difference(res, prev, est)
    row["delta_cfi"] = row["cfi"] - prow["cfi"]
    row["delta_rmsea"] = row["rmsea"] - prow["rmsea"]
    if not (np.isfinite(row["delta_cfi"]) and np.isfinite(row["delta_rmsea"])):
        row["verdict"] = "not assessed"
        notes.append(f"{name}: CFI or RMSEA is not available for this fit, so the cut-offs"
                     " cannot be applied; read the Δχ² test.")
        return row, False
    fails = bool(row["delta_cfi"] <= dcfi or row["delta_rmsea"] >= drmsea)
    row["verdict"] = "not supported" if fails else "holds"
    return row, fails


def _release(pt: ParTable, row_ids: list[int]) -> ParTable:
    tab = pt.table.copy()
    q = int(tab["free"].max())
    for k, ri in enumerate(row_ids):
        tab.loc[ri, "free"] = q + k + 1
        tab.loc[ri, "label"] = ""
    return ParTable(table=tab, observed=pt.observed, latent=pt.latent, exogenous=pt.exogenous,
                    ngroups=pt.ngroups, group_labels=pt.group_labels,
                    meanstructure=pt.meanstructure, defined=pt.defined, constraints=pt.constraints)


#: Estimators whose discrepancy is the normal-theory likelihood (score tests apply).
_ML_FAMILY = ("ML", "MLR", "MLM")

_KIND_OF = {"=~": "loadings", "~1": "intercepts", "~~": "residuals", "~": "regressions"}


def score_tests(result: SEMResult, *, kinds: Sequence[str] | None = None) -> pd.DataFrame:
    """Univariate score tests for releasing each cross-group equality constraint.

    For every parameter held equal across groups (by ``group_equal``), and
    every group, the test frees that parameter in that group only:
    LM = (N / 4) g' I^-1 g at the constrained estimates (1 df). Returns
    ``constraint`` (a ``group_partial`` entry), ``group``, ``lm``, ``df``,
    ``pvalue``, sorted by ``lm``.
    """
    _check_result(result)
    ctx = result.context
    pt = ctx.pt
    if pt.ngroups < 2:
        raise SpecificationError("Score tests of cross-group constraints need a multi-group fit.")
    if result.estimator not in _ML_FAMILY:
        raise SpecificationError(
            f"Score tests are defined here for maximum-likelihood fits (ML, MLR, MLM, FIML);"
            f" this fit used {result.estimator}. For WLSMV compare nested fits with"
            " trustsem.sem.wlsmv.difference_test(restricted, unrestricted) instead.")
    tab = pt.table
    eq = tab[tab["label"].astype(str).str.startswith(".eq.") & (tab["free"] > 0)]
    lvset = set(pt.latent)
    N = sum(s.nobs for s in ctx.stats)
    fiml = ctx.options["missing"] == "fiml"
    eq_rows = [int(i) for i in eq.index]
    if not eq_rows:
        return pd.DataFrame(columns=["constraint", "group", "kind", "lm", "df", "pvalue"])
    # Gradient and information once, in the model where every constrained row
    # has its own parameter; each released model is a linear reparameterization
    # of it (I_released = K' I_full K), which is what makes this fast.
    q = int(tab["free"].max())
    full_pt = _release(pt, eq_rows)
    full_idx = {ri: q + k for k, ri in enumerate(eq_rows)}       # 0-based in full theta
    model = RamModel(full_pt, ctx.stats)
    theta_full = np.concatenate([ctx.theta, [ctx.theta[int(tab.loc[ri, "free"]) - 1] for ri in eq_rows]])
    obj = FIMLObjective(model, ctx.stats) if fiml else MLObjective(model, ctx.stats)
    g_full = obj.gradient(theta_full)
    I_full = obj.expected_information(theta_full) if fiml else obj.information(theta_full)
    base = np.zeros((len(theta_full), q))
    base[np.arange(q), np.arange(q)] = 1.0
    for ri in eq_rows:
        base[full_idx[ri], int(tab.loc[ri, "free"]) - 1] = 1.0
    out = []
    for ri in eq_rows:
        r = tab.loc[ri]
        kind = _KIND_OF.get(r["op"], "other")
        if r["op"] == "~~":
            kind = "residuals" if r["lhs"] == r["rhs"] and r["lhs"] not in lvset else "other"
        if r["op"] == "~1" and r["lhs"] in lvset:
            kind = "means"
        if kinds is not None and kind not in kinds:
            continue
        K = np.zeros((len(theta_full), q + 1))
        K[:, :q] = base
        K[full_idx[ri], :] = 0.0
        K[full_idx[ri], q] = 1.0
        g = K.T @ g_full
        info = K.T @ I_full @ K
        try:
            with warnings.catch_warnings():
                # an ill-conditioned information matrix means the released
                # parameter is not identified: reported as NaN, not warned about
                warnings.simplefilter("ignore", linalg.LinAlgWarning)
                lm = float(N / 4.0 * g @ linalg.solve(info, g, assume_a="sym"))
        except (linalg.LinAlgError, ValueError):
            lm = np.nan
        rhs = "1" if r["op"] == "~1" else r["rhs"]
        op = "~" if r["op"] == "~1" else r["op"]
        out.append({"constraint": f"{r['lhs']}{op}{rhs}", "group": pt.group_labels[int(r["group"]) - 1],
                    "kind": kind, "lm": lm, "df": 1, "pvalue": float(stats.chi2.sf(lm, 1))})
    df = pd.DataFrame(out, columns=["constraint", "group", "kind", "lm", "df", "pvalue"])
    if df.empty:
        return df
    # one row per constraint: the largest statistic over groups
    df = df.sort_values("lm", ascending=False).drop_duplicates("constraint").reset_index(drop=True)
    return df


def compare_paths(result: SEMResult, *, paths: Sequence[str] | None = None) -> pd.DataFrame:
    """Wald tests that each regression path is equal across groups.

    Parameters
    ----------
    result : SEMResult
        A multi-group fit (``group=``) with free paths in each group.
    paths : sequence of str, optional
        Paths like ``"PI~TRUST"``; default every regression path.

    Returns
    -------
    DataFrame
        ``path``, the estimate in each group (``est_<group>``), ``chisq``,
        ``df`` (G - 1), ``pvalue``.
    """
    _check_result(result)
    ctx = result.context
    pt = ctx.pt
    if pt.ngroups < 2:
        raise SpecificationError(
            "compare_paths() needs a multi-group fit (trustsem.sem(..., group=...)).")
    tab = pt.table
    reg = tab[tab["op"] == "~"]
    names = sorted({f"{a}~{b}" for a, b in zip(reg["lhs"], reg["rhs"])},
                   key=lambda s: list(reg["lhs"] + "~" + reg["rhs"]).index(s))
    if paths is not None:
        wanted = [p.replace(" ", "") for p in paths]
        unknown = [p for p in wanted if p not in names]
        if unknown:
            raise SpecificationError(f"Paths not in the model: {unknown}. Available: {names[:8]}")
        names = wanted
    # the Wald test uses the fit's own covariance matrix (robust for MLR/MLM/WLSMV,
    # from the draws for se="bootstrap"), looked up by parameter name
    fp = _free_parameters(result, what="compare_paths()")
    at = {int(k): j for j, k in enumerate(fp.pos)}
    rows = []
    for name in names:
        lhs, rhs = name.split("~")
        sel = reg[(reg["lhs"] == lhs) & (reg["rhs"] == rhs)].sort_values("group")
        idx = sel["free"].to_numpy().astype(int) - 1
        row: dict = {"path": name}
        for gi, k, fx in zip(sel["group"], idx, sel["fixedval"]):
            row[f"est_{pt.group_labels[int(gi) - 1]}"] = ctx.theta[k] if k >= 0 else float(fx)
        if (idx < 0).any() or len(set(idx)) < len(idx):
            # a path fixed or held equal in some group has nothing to test
            row.update(chisq=np.nan, df=np.nan, pvalue=np.nan)
            rows.append(row)
            continue
        b = ctx.theta[idx]
        C = np.zeros((len(idx) - 1, len(idx)))
        for i in range(len(idx) - 1):
            C[i, 0], C[i, i + 1] = 1.0, -1.0
        j = [at[int(k)] for k in idx]
        Vs = fp.V[np.ix_(j, j)]
        d = C @ b
        chi = float(d @ linalg.solve(C @ Vs @ C.T, d))
        row.update(chisq=chi, df=len(idx) - 1, pvalue=float(stats.chi2.sf(chi, len(idx) - 1)))
        rows.append(row)
    return pd.DataFrame(rows)
