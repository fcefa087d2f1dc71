"""Indirect effects enumerated from a fitted model, with delta, bootstrap and Monte Carlo CIs.

``indirect_effects(result)`` finds every directed path of regression arrows
(``~`` rows) from each antecedent to each outcome through one or more
mediators, so no ``:=`` lines have to be written by hand. For each
antecedent-outcome pair it reports the specific indirect effects (products of
the path coefficients), the total indirect effect, the direct effect and the
total effect, on the raw and the standardized (std.all) scale, with

- ``delta``: first-order delta-method SEs from the information-based
  covariance matrix (Sobel-type; normal-theory CIs);
- ``bootstrap``: percentile / bias-corrected intervals computed from the
  model's own bootstrap draws (fit with ``se="bootstrap"``): standardized
  effects get bootstrap intervals too, not delta-method ones;
- ``montecarlo``: parameters drawn from N(theta_hat, V) (Preacher & Selig 2012),
  a cheap alternative to the bootstrap.

Delta and Monte Carlo intervals use the fit's own covariance matrix,
``result.vcov``, looked up by parameter name: information-based for ML and
FIML, sandwich for MLR/MLM, robust for WLSMV (whose vcov also holds the
thresholds, on which no effect depends), and the covariance of the draws for
a ``se="bootstrap"`` fit. The delta-method SEs equal lavaan's ``:=`` rows under
each of these estimators (tests/reference/r/mediation_estimators.R).

The verdict follows Zhao, Lynch & Chen (2010): indirect-only (full), 
complementary or competitive (partial), direct-only or no effect (none),
judged by whether each interval excludes zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._display import Summary, SummaryDisplay
from .._validation import check_interval, check_option, check_positive_int
from ..exceptions import SpecificationError
from ..sem.bootstrap import bootstrap_ci
from ..sem.engine.rows import RowEvaluator
from ..sem.results import SEMResult

__all__ = ["MediationResult", "indirect_effects", "monte_carlo_defined"]

ARROW = " → "


@dataclass(frozen=True)
class MediationResult(SummaryDisplay):
    """Indirect, direct and total effects (immutable).

    Attributes
    ----------
    effects : DataFrame
        One row per effect: ``x, y, [group,] kind`` ("specific", "total
        indirect", "direct", "total"), ``path``, ``est, se, z, pvalue,
        ci_lower, ci_upper, std_all, std_all_ci_lower, std_all_ci_upper``.
    summary_table : DataFrame
        Per antecedent-outcome pair: total indirect, direct, total,
        ``proportion_mediated`` and ``verdict``.
    ci_method : str
    level : float
    notes : tuple of str
    """

    effects: pd.DataFrame
    summary_table: pd.DataFrame
    ci_method: str
    level: float
    notes: tuple[str, ...]
    draws: pd.DataFrame | None = None

    def summary(self) -> Summary:
        head = [("CI method", self.ci_method), ("Level", self.level)]
        cols = ["x", "y", "kind", "path", "est", "se", "pvalue", "ci_lower", "ci_upper",
                "std_all", "std_all_ci_lower", "std_all_ci_upper"]
        if "group" in self.effects.columns:
            cols.insert(2, "group")
        return Summary("Indirect effects", head,
                       [("Effects", self.effects[cols]),
                        ("Mediation verdicts", self.summary_table)],
                       list(self.notes))


@dataclass(frozen=True)
class _FreeParameters:
    """The fit's free parameters as ``result.vcov`` names them, mapped onto the model.

    ``x0`` and ``V`` are the estimates and their covariance matrix restricted to
    the parameters the model-implied moments depend on (``names``): for WLSMV
    the thresholds are left out, because no path, loading or variance is a
    function of them (their Jacobian columns are zero, so dropping them is
    exact). ``theta(x)`` turns such a vector into the engine's full parameter
    vector; residual variances that are not free parameters (ordered items in
    the delta parameterization) are recomputed so that the latent-response
    variances stay at their fitted values, as lavaan does.
    """

    names: list[str]
    x0: np.ndarray
    V: np.ndarray
    theta0: np.ndarray
    pos: np.ndarray
    derived: list[tuple[int, int, int, float]]
    model: Any

    def theta(self, x: np.ndarray) -> np.ndarray:
        th = self.theta0.copy()
        th[self.pos] = x
        if self.derived:
            implied = {}
            for k, g, i, total in self.derived:
                if g not in implied:
                    implied[g] = self.model.implied(th, g)[0]
                th[k] = th[k] + total - implied[g][i, i]
        return th


def _vcov_from_bootstrap(result: SEMResult) -> pd.DataFrame | None:
    """Covariance of the bootstrap draws of the free parameters (lavaan's vcov with se="bootstrap")."""
    from ..sem.fit import _param_names

    binfo = result.bootstrap
    if binfo is None or binfo.n_ok < 2:
        return None
    tab = result.context.pt.table
    first: dict[int, int] = {}
    for pos_, k in enumerate(tab["free"].to_numpy().astype(int)):
        if k > 0 and k not in first:
            first[k] = pos_
    cols = [first[k] for k in sorted(first)]
    E = binfo.est.to_numpy(float)[:, cols]
    E = E[np.isfinite(E).all(axis=1)]
    if len(E) < 2:
        return None
    names = _param_names(result.context.pt)
    return pd.DataFrame(np.cov(E, rowvar=False, ddof=1).reshape(len(cols), len(cols)),
                        index=names, columns=names)


def _free_parameters(result: SEMResult, *, what: str) -> _FreeParameters:
    """Map ``result.vcov`` (by name) onto the engine's parameter vector.

    Raises SpecificationError, naming ``what`` needs it, when the fit carries
    no usable covariance matrix of the estimates.
    """
    from ..sem.fit import _param_names

    ctx = result.context
    pt, model, theta = ctx.pt, ctx.model, np.asarray(ctx.theta, float)
    vc = result.vcov
    if vc is None or not np.isfinite(vc.to_numpy(float)).all():
        boot = _vcov_from_bootstrap(result) if result.bootstrap is not None else None
        if boot is None:
            how = (" The model was fit with se='bootstrap': use the bootstrap draws (ci='bootstrap')."
                   if result.bootstrap is not None else
                   " Refit with se='standard' (and check identification warnings).")
            raise SpecificationError(
                f"{what} needs the covariance matrix of the estimates, which this fit does not"
                f" have (se={result.options.get('se', 'standard')!r} or a singular information"
                f" matrix).{how}")
        vc = boot
    pnames = _param_names(pt)
    if len(pnames) != len(theta):
        raise SpecificationError(
            f"{what}: the fit's parameter vector ({len(theta)} entries) does not match its"
            f" parameter table ({len(pnames)} free parameters); refit the model.")
    at = {n: k for k, n in enumerate(pnames)}
    vnames = [str(n) for n in vc.index]
    keep = [j for j, n in enumerate(vnames) if n in at]
    names = [vnames[j] for j in keep]
    pos = np.array([at[n] for n in names], dtype=int)
    V = vc.to_numpy(float)[np.ix_(keep, keep)]
    tab = pt.table
    ov = set(pt.observed)
    inv = set(names)
    derived: list[tuple[int, int, int, float]] = []
    for k, n in enumerate(pnames):
        if n in inv:
            continue
        rows = tab[tab["free"] == k + 1]
        r = rows.iloc[0]
        if not (r["op"] == "~~" and r["lhs"] == r["rhs"] and r["lhs"] in ov):
            raise SpecificationError(
                f"{what}: parameter {n!r} is free in the model but missing from result.vcov;"
                " the covariance matrix of this fit cannot be used.")
        for _, rr in rows.iterrows():
            g = int(rr["group"]) - 1
            i = model.index[rr["lhs"]]
            derived.append((k, g, i, float(model.implied(theta, g)[0][i, i])))
    return _FreeParameters(names=names, x0=theta[pos], V=V, theta0=theta, pos=pos,
                           derived=derived, model=model)


def _check_result(result: Any) -> None:
    if not isinstance(result, SEMResult) or result.context is None:
        raise SpecificationError(
            f"`result` must be a fitted model from trustsem.sem(); got {type(result).__name__}.")


def _paths(edges: dict[str, list[str]], x: str, y: str, max_len: int = 8) -> list[list[str]]:
    out: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        if len(path) > max_len:
            return
        for nxt in edges.get(node, []):
            if nxt in path:
                continue
            if nxt == y:
                out.append(path + [nxt])
            else:
                walk(nxt, path + [nxt])

    walk(x, [x])
    return out


def indirect_effects(
    result: SEMResult,
    *,
    x: str | list[str] | None = None,
    y: str | list[str] | None = None,
    ci: str = "auto",
    level: float = 0.95,
    mc_draws: int = 20000,
    seed: int | None = None,
) -> MediationResult:
    """All specific, total indirect, direct and total effects of a fitted model.

    Parameters
    ----------
    result : SEMResult
        From :func:`trustsem.sem`.
    x, y : str or list of str, optional
        Restrict to these antecedents / outcomes (default: every pair linked
        by at least one indirect path).
    ci : {"auto", "delta", "bootstrap", "montecarlo"}
        ``"auto"`` uses the bootstrap when the model was fit with
        ``se="bootstrap"`` and the delta method otherwise.
    level : float
        Confidence level.
    mc_draws : int
        Draws for ``ci="montecarlo"``.
    seed : int, optional
        Seed for the Monte Carlo draws.

    Returns
    -------
    MediationResult

    Examples
    --------
    >>> import trustsem as ts
    >>> from trustsem.data.datasets import load_example
    >>> fit = ts.sem("pmi ~ cond\\nreaction ~ cond + pmi", load_example("tal_or"))
    >>> med = ts.indirect_effects(fit)
    >>> round(med.effects.query("kind == 'specific'")["est"].iloc[0], 4)   # Hayes (2013)
    0.2413
    """
    _check_result(result)
    ci = check_option("ci", ci, ["auto", "delta", "bootstrap", "montecarlo"])
    level = check_interval("level", level, 0, 1)
    mc_draws = check_positive_int("mc_draws", mc_draws, minimum=100)
    if ci == "auto":
        ci = "bootstrap" if result.bootstrap is not None else "delta"
    if ci == "bootstrap" and result.bootstrap is None:
        raise SpecificationError(
            "`ci='bootstrap'` needs a model fit with se='bootstrap' (the draws are reused);"
            " refit with trustsem.sem(..., se='bootstrap') or use ci='montecarlo'.")
    ctx = result.context
    pt, model = ctx.pt, ctx.model
    rowev = RowEvaluator(pt, model)
    tab = pt.table
    xs = [x] if isinstance(x, str) else x
    ys = [y] if isinstance(y, str) else y
    for name, vals in (("x", xs), ("y", ys)):
        if vals:
            unknown = [v for v in vals if v not in model.index]
            if unknown:
                raise SpecificationError(f"`{name}` names variables not in the model: {unknown}.")

    defs = _effect_definitions(tab, pt.ngroups, xs, ys)
    stats_list = ctx.stats
    fp = (_free_parameters(result, what=f"ci={ci!r}") if ci in ("delta", "montecarlo") else None)

    def raw_at(th: np.ndarray) -> np.ndarray:
        return _effects_from(defs, rowev.estimates(th, stats_list))

    def std_at(th: np.ndarray) -> np.ndarray:
        est = rowev.estimates(th, stats_list)
        return _effects_from(defs, rowev.standardized(th, est)[1])

    est = raw_at(ctx.theta)
    std = std_at(ctx.theta)
    notes: list[str] = []
    draws_df = None
    if ci == "delta":
        se, lo, hi, slo, shi = _delta_intervals(raw_at, std_at, fp, est, std, level, notes)
    elif ci == "bootstrap":
        se, lo, hi, slo, shi, draws_df = _bootstrap_intervals(
            defs, result.bootstrap, rowev.n, est, std, level, notes)
    else:
        se, lo, hi, slo, shi, draws_df = _montecarlo_intervals(
            defs, raw_at, std_at, fp, est, std, level, mc_draws, seed, notes)
    table, no_direct = _effects_table(defs, pt, est, se, lo, hi, std, slo, shi, notes)
    summ = _verdicts(table, no_direct)
    return MediationResult(effects=table, summary_table=summ, ci_method=ci, level=level,
                           notes=tuple(notes), draws=draws_df)


# effect definitions: (group, x, y, kind, path, [row indices of the path]); the rows of
# "total indirect" are [-1] and of "total" [-2] (sums of the others), of a missing direct [].
_EffectDef = tuple[int, str, str, str, str, list[int]]


def _effect_definitions(tab: pd.DataFrame, ngroups: int, xs: list[str] | None,
                        ys: list[str] | None) -> list[_EffectDef]:
    """Every specific, total indirect, direct and total effect of the regression paths."""
    defs: list[_EffectDef] = []
    for g in range(ngroups):
        sub = tab[(tab["op"] == "~") & (tab["group"] == g + 1)]
        edges: dict[str, list[str]] = {}
        row_of: dict[tuple[str, str], int] = {}
        for i, r in sub.iterrows():
            edges.setdefault(r["rhs"], []).append(r["lhs"])
            row_of[(r["rhs"], r["lhs"])] = int(i)
        sources = [v for v in edges if not xs or v in xs]
        targets = sorted({t for ts_ in edges.values() for t in ts_})
        targets = [t for t in targets if not ys or t in ys]
        for a in sources:
            for b in targets:
                if a == b:
                    continue
                paths = [p for p in _paths(edges, a, b) if len(p) > 2]
                if not paths:
                    continue
                for p in paths:
                    rows = [row_of[(p[k], p[k + 1])] for k in range(len(p) - 1)]
                    defs.append((g, a, b, "specific", ARROW.join(p), rows))
                defs.append((g, a, b, "total indirect", f"{a}{ARROW}…{ARROW}{b}", [-1]))
                direct = row_of.get((a, b))
                defs.append((g, a, b, "direct", f"{a}{ARROW}{b}",
                             [direct] if direct is not None else []))
                defs.append((g, a, b, "total", f"{a} ⇒ {b}", [-2]))
    if not defs:
        raise SpecificationError(
            "The model has no indirect paths (a chain of at least two regression arrows"
            " such as x -> m -> y)" + (" for the x/y given." if xs or ys else "."))
    return defs


def _effects_from(defs: list[_EffectDef], values: np.ndarray) -> np.ndarray:
    """Effect values from a vector of row values (raw or standardized)."""
    out = np.empty(len(defs))
    acc_ind: dict[tuple[int, str, str], float] = {}
    acc_dir: dict[tuple[int, str, str], float] = {}
    for k, (g, a, b, kind, _, rows) in enumerate(defs):
        key = (g, a, b)
        if kind == "specific":
            v = float(np.prod(values[rows]))
            acc_ind[key] = acc_ind.get(key, 0.0) + v
        elif kind == "total indirect":
            v = acc_ind.get(key, 0.0)
        elif kind == "direct":
            v = float(values[rows[0]]) if rows else 0.0
            acc_dir[key] = v
        else:
            v = acc_ind.get(key, 0.0) + acc_dir.get(key, 0.0)
        out[k] = v
    return out


def _delta_intervals(raw_at: Any, std_at: Any, fp: _FreeParameters, est: np.ndarray,
                     std: np.ndarray, level: float, notes: list[str]) -> tuple[np.ndarray, ...]:
    """Delta-method SEs and normal-theory intervals: se, lo, hi, std lo, std hi."""
    z_crit = stats.norm.ppf(1 - (1 - level) / 2)
    se = _delta(lambda x: raw_at(fp.theta(x)), fp.x0, fp.V)
    se_std = _delta(lambda x: std_at(fp.theta(x)), fp.x0, fp.V)
    notes.append("Delta-method (first-order) SEs and normal-theory intervals; indirect"
                 " effects are often skewed, so prefer bootstrap or Monte Carlo intervals.")
    return (se, est - z_crit * se, est + z_crit * se,
            std - z_crit * se_std, std + z_crit * se_std)


def _bootstrap_intervals(defs: list[_EffectDef], binfo: Any, n_rows: int, est: np.ndarray,
                         std: np.ndarray, level: float, notes: list[str]) -> tuple[Any, ...]:
    """Intervals from the model's stored bootstrap draws: se, lo, hi, slo, shi, draws."""
    E = binfo.est.to_numpy(float)[:, :n_rows]
    S = binfo.std_all.to_numpy(float)[:, :n_rows]
    raw_draws = np.array([_effects_from(defs, e) for e in E])
    std_draws = np.array([_effects_from(defs, s) for s in S])
    ci_type = binfo.ci_type if binfo.ci_type != "bca" else "bc"
    if binfo.ci_type == "bca":
        notes.append("BCa was requested for the model; effects use bias-corrected (BC)"
                     " intervals because products of parameters have no stored jackknife.")
    se = np.std(raw_draws, axis=0, ddof=1)
    lo, hi = bootstrap_ci(raw_draws, est, ci_type=ci_type, level=level)
    slo, shi = bootstrap_ci(std_draws, std, ci_type=ci_type, level=level)
    notes.append(f"Bootstrap ({ci_type}) intervals from {binfo.n_ok} draws, raw and standardized.")
    draws_df = pd.DataFrame(raw_draws, columns=[_label(d) for d in defs])
    return se, lo, hi, slo, shi, draws_df


def _montecarlo_intervals(defs: list[_EffectDef], raw_at: Any, std_at: Any,
                          fp: _FreeParameters, est: np.ndarray, std: np.ndarray, level: float,
                          mc_draws: int, seed: int | None,
                          notes: list[str]) -> tuple[Any, ...]:
    """Monte Carlo intervals from draws of N(theta, V): se, lo, hi, slo, shi, draws."""
    rng = np.random.default_rng(seed)
    sims = rng.multivariate_normal(fp.x0, fp.V, size=mc_draws, method="eigh")
    raw_draws = np.array([raw_at(fp.theta(t)) for t in sims])
    n_std = min(mc_draws, 5000)
    std_draws = np.array([std_at(fp.theta(t)) for t in sims[:n_std]])
    se = np.std(raw_draws, axis=0, ddof=1)
    lo, hi = bootstrap_ci(raw_draws, est, ci_type="perc", level=level)
    slo, shi = bootstrap_ci(std_draws, std, ci_type="perc", level=level)
    notes.append(f"Monte Carlo intervals: {mc_draws} draws from N(theta, V) for raw effects,"
                 f" {n_std} for standardized effects (seed {seed}).")
    draws_df = pd.DataFrame(raw_draws, columns=[_label(d) for d in defs])
    return se, lo, hi, slo, shi, draws_df


def _effects_table(defs: list[_EffectDef], pt: Any, est: np.ndarray, se: np.ndarray,
                   lo: np.ndarray, hi: np.ndarray, std: np.ndarray, slo: np.ndarray,
                   shi: np.ndarray, notes: list[str]
                   ) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The tidy effects table and the (x, y) pairs without a direct path."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, est / se, np.nan)
    table = pd.DataFrame({
        "x": [d[1] for d in defs], "y": [d[2] for d in defs],
        "group": [pt.group_labels[d[0]] for d in defs],
        "kind": [d[3] for d in defs], "path": [d[4] for d in defs],
        "est": est, "se": se, "z": z, "pvalue": 2 * stats.norm.sf(np.abs(z)),
        "ci_lower": lo, "ci_upper": hi, "std_all": std,
        "std_all_ci_lower": slo, "std_all_ci_upper": shi,
    })
    no_direct = [(d[1], d[2]) for d in defs if d[3] == "direct" and not d[5]]
    zero_mask = np.array([d[3] == "direct" and not d[5] for d in defs])
    table.loc[zero_mask, ["se", "z", "pvalue"]] = np.nan
    table.loc[zero_mask, ["ci_lower", "ci_upper", "std_all_ci_lower", "std_all_ci_upper"]] = 0.0
    if no_direct:
        notes.append("Pairs without a direct path in the model have a direct effect fixed at 0:"
                     f" {sorted(set(f'{a}{ARROW}{b}' for a, b in no_direct))[:6]}"
                     f"{' …' if len(set(no_direct)) > 6 else ''}.")
    if pt.ngroups == 1:
        table = table.drop(columns="group")
    return table, no_direct


def _label(d) -> str:
    g, a, b, kind, path, _ = d
    return f"{kind}: {path}" + (f" [{g}]" if g else "")


def _delta(fn, theta: np.ndarray, V: np.ndarray) -> np.ndarray:
    base = fn(theta)
    J = np.zeros((len(base), len(theta)))
    for k in range(len(theta)):
        h = 1e-6 * max(1.0, abs(theta[k]))
        tp, tm = theta.copy(), theta.copy()
        tp[k] += h
        tm[k] -= h
        J[:, k] = (fn(tp) - fn(tm)) / (2 * h)
    return np.sqrt(np.clip(np.einsum("ij,jk,ik->i", J, V, J), 0, None))


def _excludes_zero(lo: float, hi: float) -> bool:
    return bool((lo > 0) or (hi < 0))


def _verdicts(table: pd.DataFrame, no_direct) -> pd.DataFrame:
    keys = ["x", "y"] + (["group"] if "group" in table.columns else [])
    rows = []
    for key, sub in table.groupby(keys, sort=False):
        sub = sub.set_index("kind")
        ind = sub.loc["total indirect"]
        dr = sub.loc["direct"]
        tot = sub.loc["total"]
        ind_sig = _excludes_zero(ind["ci_lower"], ind["ci_upper"])
        has_direct = (key[0], key[1]) not in no_direct
        dir_sig = has_direct and _excludes_zero(dr["ci_lower"], dr["ci_upper"])
        if ind_sig and not dir_sig:
            verdict = ("full mediation (indirect-only)" if has_direct
                       else "indirect effect (no direct path in the model)")
        elif ind_sig and dir_sig:
            same = np.sign(ind["est"]) == np.sign(dr["est"])
            verdict = ("partial mediation (complementary)" if same
                       else "partial mediation (competitive)")
        elif dir_sig:
            verdict = "no mediation (direct-only)"
        else:
            verdict = "no mediation (no effect)"
        prop = ind["est"] / tot["est"] if tot["est"] != 0 else np.nan
        row: dict[str, Any] = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        row.update(total_indirect=ind["est"], direct=dr["est"] if has_direct else 0.0,
                   total=tot["est"], proportion_mediated=prop,
                   n_paths=int((sub.index == "specific").sum()), verdict=verdict)
        rows.append(row)
    return pd.DataFrame(rows)


def monte_carlo_defined(result: SEMResult, *, draws: int = 20000, level: float = 0.95,
                        seed: int | None = None) -> pd.DataFrame:
    """Monte Carlo intervals for the model's ``:=`` parameters.

    Draws theta from N(theta_hat, V) and evaluates each defined parameter;
    returns ``name, est, se, ci_lower, ci_upper`` (percentile of the draws).
    """
    _check_result(result)
    ctx = result.context
    draws = check_positive_int("draws", draws, minimum=100)
    level = check_interval("level", level, 0, 1)
    rowev = RowEvaluator(ctx.pt, ctx.model)
    if not rowev.defined:
        raise SpecificationError("The model has no ':=' defined parameters.")
    fp = _free_parameters(result, what="monte_carlo_defined()")
    rng = np.random.default_rng(seed)
    sims = rng.multivariate_normal(fp.x0, fp.V, size=draws, method="eigh")
    vals = np.array([rowev.defined_values(rowev.estimates(fp.theta(t), ctx.stats)) for t in sims])
    est = rowev.defined_values(rowev.estimates(ctx.theta, ctx.stats))
    lo, hi = bootstrap_ci(vals, est, ci_type="perc", level=level)
    return pd.DataFrame({"name": [n for n, _ in rowev.defined], "est": est,
                         "se": vals.std(axis=0, ddof=1), "ci_lower": lo, "ci_upper": hi})
