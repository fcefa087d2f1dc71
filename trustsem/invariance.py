"""Measurement invariance across groups and cross-group comparison of paths.

``invariance()`` fits the usual ladder in one call: configural (same pattern),
metric (equal loadings), scalar (plus equal intercepts; latent means free in
groups 2+), strict (plus equal residual variances), each with lavaan's
``group.equal`` semantics, and compares each level with the previous one:

- chi-square difference test (likelihood ratio; ML),
- change in CFI, with the usual cut-off ΔCFI <= -.01 meaning the level fails
  (Cheung & Rensvold, 2002),
- change in RMSEA, ΔRMSEA >= .015 meaning the level fails (Chen, 2007).

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

from ._engine.estimate import FIMLObjective, MLObjective
from ._engine.ram import RamModel
from ._validation import check_option
from .exceptions import SpecificationError, TrustsemWarning
from .mediation import _check_result, _free_parameters
from .results import SEMResult, Summary
from .sem import sem
from .spec import ModelSpec, ParTable

__all__ = ["invariance", "InvarianceResult", "score_tests", "compare_paths"]

LEVELS: dict[str, list[str]] = {
    "configural": [],
    "metric": ["loadings"],
    "scalar": ["loadings", "intercepts"],
    "strict": ["loadings", "intercepts", "residuals"],
}


@dataclass(frozen=True)
class InvarianceResult:
    """The invariance ladder (immutable).

    Attributes
    ----------
    table : DataFrame
        Indexed by level: ``npar, chisq, df, pvalue, cfi, tli, rmsea, srmr,
        delta_chisq, delta_df, p_delta, delta_cfi, delta_rmsea, verdict``;
        ``freed`` lists constraints released by the partial search.
    fits : dict
        Level name -> SEMResult (partial levels as ``"scalar (partial)"``).
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

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


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
    levels: Sequence[str] = ("configural", "metric", "scalar", "strict"),
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
    levels : sequence of str
        A prefix-ordered subset of configural, metric, scalar, strict.
    missing : {"listwise", "fiml"}
    group_partial : sequence of str
        Constraints to leave free from the start, e.g. ``["visual=~x3"]``.
    partial_search : bool
        When a level fails, release constraints by the largest score test.
    max_free : int
        At most this many constraints released per level.
    delta_cfi, delta_rmsea : float
        Cut-offs: a level fails when ΔCFI <= delta_cfi or ΔRMSEA >= delta_rmsea.

    Returns
    -------
    InvarianceResult

    Notes
    -----
    Each level equals lavaan ``cfa(model, data, group = group, group.equal =
    ...)`` (tested on the HS data by school, tests/reference/hs_group_*). As in
    lavaan, the scalar level frees the means of all latent variables in groups
    2+; for a second-order model fix the first-order intercepts
    (``TF ~ 0*1``) or test invariance of the first-order part.
    """
    for lv in levels:
        check_option("levels", lv, list(LEVELS))
    order = [lv for lv in LEVELS if lv in levels]
    if list(levels) != order:
        raise SpecificationError(f"`levels` must be in the order {list(LEVELS)}; got {list(levels)}.")
    notes: list[str] = []
    fits: dict[str, SEMResult] = {}
    scores: dict[str, pd.DataFrame] = {}
    rows = []
    partial = list(group_partial)
    prev: SEMResult | None = None
    for lv in order:
        res = _fit_quiet(model, data, notes, group=group, group_equal=LEVELS[lv],
                         group_partial=partial, missing=missing)
        name = lv
        freed: list[str] = []
        row = _row(res, prev)
        fails = prev is not None and _fails(row, delta_cfi, delta_rmsea)
        if LEVELS[lv]:
            st = score_tests(res, kinds=[k for k in LEVELS[lv] if k not in _prev_kinds(lv)])
            scores[lv] = st
        while fails and partial_search and len(freed) < max_free and lv in scores and len(scores[lv]):
            cand = [c for c in scores[lv]["constraint"] if c not in partial]
            if not cand:
                break
            pick = cand[0]
            partial.append(pick)
            freed.append(pick)
            res = _fit_quiet(model, data, notes, group=group, group_equal=LEVELS[lv],
                             group_partial=partial, missing=missing)
            row = _row(res, prev)
            fails = _fails(row, delta_cfi, delta_rmsea)
            scores[lv] = score_tests(res, kinds=[k for k in LEVELS[lv] if k not in _prev_kinds(lv)])
            name = f"{lv} (partial)"
        row["level"] = name
        row["freed"] = ", ".join(freed)
        row["verdict"] = ("baseline" if prev is None else
                          ("not supported" if fails else ("holds (partial)" if freed else "holds")))
        rows.append(row)
        fits[name] = res
        if freed:
            notes.append(f"{lv}: released {freed} by the largest score tests (partial invariance).")
        prev = res
    table = pd.DataFrame(rows).set_index("level")
    cols = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "delta_chisq",
            "delta_df", "p_delta", "delta_cfi", "delta_rmsea", "freed", "verdict"]
    notes.append(f"A level fails when ΔCFI <= {delta_cfi} (Cheung & Rensvold, 2002) or ΔRMSEA >="
                 f" {delta_rmsea} (Chen, 2007); Δχ² is the likelihood-ratio test against the previous level.")
    return InvarianceResult(table=table[cols], fits=fits, score_tests=scores,
                            cutoffs={"delta_cfi": delta_cfi, "delta_rmsea": delta_rmsea},
                            notes=tuple(notes))


def _prev_kinds(level: str) -> list[str]:
    names = list(LEVELS)
    i = names.index(level)
    return LEVELS[names[i - 1]] if i > 0 else []


def _row(res: SEMResult, prev: SEMResult | None) -> dict:
    f = res.fit_measures
    row = {k: float(f[k]) for k in ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"]}
    if prev is None:
        row.update(delta_chisq=np.nan, delta_df=np.nan, p_delta=np.nan, delta_cfi=np.nan,
                   delta_rmsea=np.nan)
    else:
        pf = prev.fit_measures
        dchi = float(f["chisq"] - pf["chisq"])
        ddf = float(f["df"] - pf["df"])
        row.update(delta_chisq=dchi, delta_df=ddf,
                   p_delta=float(stats.chi2.sf(dchi, ddf)) if ddf > 0 else np.nan,
                   delta_cfi=float(f["cfi"] - pf["cfi"]), delta_rmsea=float(f["rmsea"] - pf["rmsea"]))
    return row


def _fails(row: dict, dcfi: float, drmsea: float) -> bool:
    return bool(row["delta_cfi"] <= dcfi or row["delta_rmsea"] >= drmsea)


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
    ctx = result._context
    pt = ctx.pt
    if pt.ngroups < 2:
        raise SpecificationError("Score tests of cross-group constraints need a multi-group fit.")
    if result.estimator not in _ML_FAMILY:
        raise SpecificationError(
            f"Score tests are defined here for maximum-likelihood fits (ML, MLR, MLM, FIML);"
            f" this fit used {result.estimator}. For WLSMV compare nested fits with"
            " trustsem.wlsmv.difference_test(restricted, unrestricted) instead.")
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
    ctx = result._context
    pt = ctx.pt
    if pt.ngroups < 2:
        raise SpecificationError("compare_paths() needs a multi-group fit (trustsem.sem(..., group=...)).")
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
