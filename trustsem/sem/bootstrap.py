"""Nonparametric bootstrap for SEM: fast refits, parallel, reproducible.

Each draw resamples respondents (within groups), recomputes the sample
moments (or the missing-data patterns under FIML) and refits the *same*
model object starting from the full-sample estimates, with the full-sample
Fisher information as a fixed scoring matrix. Only the gradient is evaluated
per iteration, which is what makes a draw cheap.

Reproducibility: draw ``b`` uses its own generator spawned from
``SeedSequence(seed)``, so results are identical whatever ``n_jobs`` is.
A draw that fails (a resampled item with zero variance, a non-positive-
definite sample matrix, non-convergence) is counted and left out; draws with
negative variances (inadmissible) are counted and kept, as lavaan does.

Confidence intervals: ``"perc"`` (percentile), ``"bc"`` (bias-corrected:
Efron 1982) and ``"bca"`` (bias-corrected and accelerated, acceleration from a
jackknife over respondents; Efron 1987).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, stats
from threadpoolctl import threadpool_limits

from .._display import Summary, SummaryDisplay
from .context import FitContext
from .engine.estimate import FIMLObjective, MLObjective, make_patterns, minimize
from .engine.partable import ParTable
from .engine.ram import GroupStats, RamModel
from .engine.rows import RowEvaluator

__all__ = ["BootstrapInfo", "bootstrap_ci", "run_bootstrap"]

CI_TYPES = ("perc", "bc", "bca")


@dataclass(frozen=True)
class BootstrapInfo(SummaryDisplay):
    """What the bootstrap did, and its draws (for plots and custom CIs).

    Attributes
    ----------
    n_requested, n_ok, n_failed, n_inadmissible : int
    failures : dict
        Reason -> count for the failed draws.
    ci_type : str
    level : float
    seed : int or None
    est : DataFrame
        One row per successful draw, one column per estimate row (``lhs op rhs``
        with ``[group]`` for multi-group models), raw estimates.
    std_all : DataFrame
        Same layout, standardized (std.all) values.
    """

    n_requested: int
    n_ok: int
    n_failed: int
    n_inadmissible: int
    failures: dict
    ci_type: str
    level: float
    seed: int | None
    est: pd.DataFrame = field(repr=False)
    std_all: pd.DataFrame = field(repr=False)

    def summary(self) -> Summary:
        """Draws used, failed and kept as inadmissible, the interval type, level and seed."""
        head: list[tuple[str, Any]] = [
            ("Draws requested", self.n_requested), ("Draws used", self.n_ok),
            ("Draws failed", self.n_failed),
            ("Inadmissible draws kept (negative variance)", self.n_inadmissible),
            ("Confidence intervals", self.ci_type), ("Level", self.level),
            ("Seed", "none" if self.seed is None else self.seed),
        ]
        blocks = []
        if self.failures:
            blocks.append(("Failed draws by reason", pd.DataFrame(
                {"reason": list(self.failures), "draws": list(self.failures.values())})))
        return Summary("trustsem bootstrap", head, blocks, [])

    def describe(self) -> str:
        fail = ", ".join(f"{k}: {v}" for k, v in self.failures.items()) or "none"
        return (f"Bootstrap: {self.n_ok} of {self.n_requested} draws used ({self.ci_type} CIs,"
                f" level {self.level:.2f}, seed {self.seed}); failed: {self.n_failed} ({fail});"
                f" inadmissible (negative variance) kept: {self.n_inadmissible}.")


# ---------------------------------------------------------------------------
# one draw
# ---------------------------------------------------------------------------

@dataclass
class _Job:
    """Everything a worker needs (picklable)."""

    pt: ParTable
    model: RamModel
    X_groups: list[np.ndarray]
    theta0: np.ndarray
    Hinv: np.ndarray
    fiml: bool
    has_exo: bool


def _stats_from(X: np.ndarray, fiml: bool) -> GroupStats | str:
    n = len(X)
    if fiml:
        obs = ~np.isnan(X)
        if (obs.sum(axis=0) < 2).any():
            return "item with fewer than 2 observed values"
        var = np.nanvar(X, axis=0)
        if (var <= 0).any():
            return "zero-variance item"
        pats = make_patterns(X)
        mu = np.nanmean(X, axis=0)
        return GroupStats(nobs=n, cov=np.diag(var), mean=mu, patterns=pats)
    mean = X.mean(axis=0)
    Z = X - mean
    S = Z.T @ Z / n
    if (np.diag(S) <= 1e-12).any():
        return "zero-variance item"
    if np.linalg.eigvalsh(S)[0] <= 1e-10 * np.max(np.diag(S)):
        return "singular covariance matrix"
    return GroupStats(nobs=n, cov=S, mean=mean)


def _refit(job: _Job, Xs: list[np.ndarray]) -> tuple[np.ndarray | None, str]:
    """Newton from the full-sample estimate with the full-sample Hessian,
    refreshed with the draw's exact Hessian when progress slows."""
    stats_list = []
    for X in Xs:
        st = _stats_from(X, job.fiml)
        if isinstance(st, str):
            return None, st
        stats_list.append(st)
    model = RamModel(job.pt, stats_list) if job.has_exo else job.model
    obj = FIMLObjective(model, stats_list) if job.fiml else MLObjective(model, stats_list)
    theta = job.theta0.copy()
    fg = obj.value_gradient if hasattr(obj, "value_gradient") else (
        lambda th: (obj.value(th), obj.gradient(th)))
    f, g = fg(theta)
    if not np.isfinite(f) or g is None:
        return None, "starting values inadmissible"
    # quasi-Newton: BFGS updates of the inverse Hessian, started from the
    # full-sample Hessian (close to the draw's), so only values and gradients
    # are needed; the exact Hessian is taken only if the direction fails
    Hinv = job.Hinv.copy()
    exact = hasattr(obj, "hessian")
    for _ in range(100):
        step = -Hinv @ g
        slope = float(g @ step)
        if slope >= 0:
            H = _inv_or_none(obj.hessian(theta)) if exact else None
            Hinv = H if H is not None else job.Hinv.copy()
            step = -Hinv @ g
            slope = float(g @ step)
            if slope >= 0:
                break
        t = 1.0
        while t > 1e-8:
            th = theta + t * step
            fn, gn = fg(th)
            if np.isfinite(fn) and gn is not None and fn <= f + 1e-4 * t * slope:
                break
            t *= 0.5
        if t <= 1e-8:
            break
        s_vec = th - theta
        y = gn - g
        sy = float(s_vec @ y)
        if sy > 1e-14:
            Hy = Hinv @ y
            Hinv = (Hinv + ((sy + y @ Hy) / sy**2) * np.outer(s_vec, s_vec)
                    - (np.outer(Hy, s_vec) + np.outer(s_vec, Hy)) / sy)
        theta, f, g = th, fn, gn
        if np.max(np.abs(g)) < 1e-7 or np.max(np.abs(s_vec)) < 1e-9:
            return theta, "ok"
    res = minimize(obj, theta if np.isfinite(f) else job.theta0)
    if not res.converged:
        return None, "did not converge"
    return res.theta, "ok"


def _inv_or_none(H: np.ndarray) -> np.ndarray | None:
    try:
        L = linalg.cholesky(H, lower=True)
    except linalg.LinAlgError:
        return None
    Li = linalg.solve_triangular(L, np.eye(len(L)), lower=True)
    return Li.T @ Li


def _run_chunk(job: _Job, seeds: list[np.random.SeedSequence], jackknife: list[tuple[int, int]] | None):
    out = []
    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if jackknife is not None:
            for g, i in jackknife:
                Xs = [X if k != g else np.delete(X, i, axis=0) for k, X in enumerate(job.X_groups)]
                out.append(_refit(job, Xs))
            return out
        for ss in seeds:
            rng = np.random.default_rng(ss)
            Xs = [X[rng.integers(0, len(X), len(X))] for X in job.X_groups]
            out.append(_refit(job, Xs))
    return out


def _parallel(job: _Job, tasks: list, n_jobs: int, progress: bool, desc: str, jack: bool):
    from joblib import Parallel, delayed, effective_n_jobs

    n_workers = max(1, effective_n_jobs(n_jobs))
    n_chunks = max(1, min(len(tasks), n_workers * 8))
    chunks = [tasks[i::n_chunks] for i in range(n_chunks)]
    order = [list(range(i, len(tasks), n_chunks)) for i in range(n_chunks)]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), desc=desc, unit="draw", leave=False)
    results: list = [None] * len(tasks)
    if n_workers == 1:
        gen = (_run_chunk(job, c, None) if not jack else _run_chunk(job, [], c) for c in chunks)
    else:
        par = Parallel(n_jobs=n_workers, return_as="generator")
        gen = par(delayed(_run_chunk)(job, c if not jack else [], c if jack else None) for c in chunks)
    for idxs, res in zip(order, gen):
        for i, r in zip(idxs, res):
            results[i] = r
        if bar is not None:
            bar.update(len(res))
    if bar is not None:
        bar.close()
    return results


def run_bootstrap(ctx: FitContext, X_groups: list[np.ndarray], *, B: int, seed: int | None, n_jobs: int,
                  progress: bool, ci_type: str, level: float, info: np.ndarray, row_names: list[str]):
    """Run B draws; return (BootstrapInfo, est_draws, std_draws, jackknife or None).

    ``ctx`` is the refit handle of the full-sample fit (``SEMResult.context``):
    every draw refits its model object from its estimates.
    """
    model: RamModel = ctx.model
    fiml = ctx.options["missing"] == "fiml"
    obj = ctx.objective
    H = obj.hessian(ctx.theta) if hasattr(obj, "hessian") else 2.0 * info
    Hinv = _inv_or_none(H)
    if Hinv is None:
        Hinv = np.linalg.pinv(2.0 * info)
    job = _Job(ctx.pt, model, X_groups, ctx.theta, Hinv, fiml, bool(ctx.pt.exogenous))
    seeds = np.random.SeedSequence(seed).spawn(B)
    results = _parallel(job, seeds, n_jobs, progress, "bootstrap", jack=False)
    rowev = RowEvaluator(ctx.pt, model)
    ests, stds, fails = [], [], {}
    n_inad = 0
    var_rows = rowev.is_var
    for theta, status in results:
        if theta is None:
            fails[status] = fails.get(status, 0) + 1
            continue
        # exogenous rows: the draw's own sample values are not kept; the
        # fixed-x rows have no sampling variance in lavaan either
        e, _, sa = rowev.all_values(theta, ctx.stats)
        ests.append(e)
        stds.append(sa)
        if (e[: rowev.n][var_rows & (rowev.free > 0)] < 0).any():
            n_inad += 1
    est_df = pd.DataFrame(ests, columns=row_names) if ests else pd.DataFrame(columns=row_names)
    std_df = pd.DataFrame(stds, columns=row_names) if stds else pd.DataFrame(columns=row_names)
    jack = None
    if ci_type == "bca" and len(ests):
        tasks = [(g, i) for g, X in enumerate(X_groups) for i in range(len(X))]
        jres = _parallel(job, tasks, n_jobs, progress, "jackknife", jack=True)
        je, js = [], []
        for theta, status in jres:
            if theta is None:
                continue
            e, _, sa = rowev.all_values(theta, ctx.stats)
            je.append(e)
            js.append(sa)
        jack = (np.array(je), np.array(js))
    info_obj = BootstrapInfo(
        n_requested=B, n_ok=len(ests), n_failed=B - len(ests), n_inadmissible=n_inad,
        failures=fails, ci_type=ci_type, level=level, seed=seed, est=est_df, std_all=std_df)
    return info_obj, jack


def bootstrap_ci(draws: np.ndarray, est: np.ndarray, *, ci_type: str = "perc", level: float = 0.95,
                 jack: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap CIs column by column.

    Parameters
    ----------
    draws : (B, k) array
    est : (k,) full-sample estimates
    ci_type : {"perc", "bc", "bca"}
    jack : (n, k) jackknife estimates, needed for ``"bca"``.
    """
    draws = np.asarray(draws, float)
    alpha = 1 - level
    lo_q, hi_q = alpha / 2, 1 - alpha / 2
    k = draws.shape[1]
    lower = np.full(k, np.nan)
    upper = np.full(k, np.nan)
    for j in range(k):
        x = draws[:, j]
        x = x[np.isfinite(x)]
        if len(x) < 2:
            continue
        if np.ptp(x) == 0:
            lower[j] = upper[j] = x[0]
            continue
        if ci_type == "perc":
            lower[j], upper[j] = np.quantile(x, [lo_q, hi_q])
            continue
        prop = np.mean(x < est[j]) + 0.5 * np.mean(x == est[j])
        prop = np.clip(prop, 1 / (len(x) + 1), 1 - 1 / (len(x) + 1))
        z0 = stats.norm.ppf(prop)
        a = 0.0
        if ci_type == "bca" and jack is not None:
            jj = jack[:, j]
            jj = jj[np.isfinite(jj)]
            d = jj.mean() - jj
            den = 6.0 * np.sum(d**2) ** 1.5
            a = float(np.sum(d**3) / den) if den > 0 else 0.0
        zl, zh = stats.norm.ppf(lo_q), stats.norm.ppf(hi_q)
        pl = stats.norm.cdf(z0 + (z0 + zl) / (1 - a * (z0 + zl)))
        ph = stats.norm.cdf(z0 + (z0 + zh) / (1 - a * (z0 + zh)))
        lower[j], upper[j] = np.quantile(x, [pl, ph])
    return lower, upper
