"""Pieces of a fitted solution shared by the ML/FIML and WLSMV fits.

R² of the endogenous variables, the checks for Heywood cases and
non-positive-definite matrices, delta-method standard errors and the library
versions recorded on every :class:`~trustsem.SEMResult`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._meta import library_versions
from ..exceptions import HeywoodCaseWarning
from .engine.partable import ParTable
from .engine.ram import RamModel

__all__ = ["delta_se", "heywood_checks", "r_squared", "versions"]


def delta_se(func, theta: np.ndarray, vcov: np.ndarray) -> np.ndarray:
    """Delta-method SEs of func(theta) with a central-difference Jacobian."""
    base = func(theta)
    J = np.zeros((len(base), len(theta)))
    for k in range(len(theta)):
        h = 1e-6 * max(1.0, abs(theta[k]))
        tp, tm = theta.copy(), theta.copy()
        tp[k] += h
        tm[k] -= h
        J[:, k] = (func(tp) - func(tm)) / (2 * h)
    cov = J @ vcov @ J.T
    return np.sqrt(np.clip(np.diag(cov), 0, None))


def r_squared(pt: ParTable, model: RamModel, theta: np.ndarray) -> pd.DataFrame:
    """R² of every endogenous variable (indicators and outcomes), per group."""
    tab = pt.table
    endo = []
    for v in model.names:
        if (((tab["op"] == "=~") & (tab["rhs"] == v)).any()
                or ((tab["op"] == "~") & (tab["lhs"] == v)).any()):
            endo.append(v)
    out = []
    for g in range(pt.ngroups):
        V, _ = model.total_cov(theta, g)
        _, S, _ = model.matrices(theta, g)
        for v in endo:
            i = model.index[v]
            r2 = 1 - S[i, i] / V[i, i] if V[i, i] > 0 else np.nan
            row = {"variable": v, "r2": r2}
            if pt.ngroups > 1:
                row["group"] = pt.group_labels[g]
            out.append(row)
    cols = ["variable", "group", "r2"] if pt.ngroups > 1 else ["variable", "r2"]
    return pd.DataFrame(out, columns=cols)


def heywood_checks(rows: pd.DataFrame, pt: ParTable, model: RamModel,
                   theta: np.ndarray) -> list[tuple[type, str]]:
    """Negative variances, standardized loadings above 1 and non-positive-definite matrices."""
    problems = []
    gtxt = (lambda r: f" in group {r['group']}") if "group" in rows.columns else (lambda r: "")
    var_rows = rows[(rows["op"] == "~~") & (rows["lhs"] == rows["rhs"])]
    for _, r in var_rows.iterrows():
        if r["est"] < 0:
            problems.append((HeywoodCaseWarning,
                             f"Negative variance (Heywood case): {r['lhs']} ~~ {r['lhs']} ="
                             f" {r['est']:.3f}{gtxt(r)}. Check that item's loading, its wording"
                             " and the number of indicators of its factor; fix the variance at"
                             " a small positive value only as a last resort."))
    load = rows[rows["op"] == "=~"]
    for _, r in load.iterrows():
        if np.isfinite(r["std_all"]) and abs(r["std_all"]) > 1:
            problems.append((HeywoodCaseWarning,
                             f"Standardized loading above 1: {r['lhs']} =~ {r['rhs']} ="
                             f" {r['std_all']:.3f}{gtxt(r)}."))
    lv = pt.latent
    for g in range(pt.ngroups):
        V, _ = model.total_cov(theta, g)
        p = model.p
        if lv:
            Vl = V[p:, p:]
            w, vecs = np.linalg.eigh(Vl)
            if w[0] <= 0:
                d = np.sqrt(np.abs(np.diag(Vl)))
                C = Vl / np.outer(d, d)
                np.fill_diagonal(C, 0)
                i, j = np.unravel_index(np.argmax(np.abs(C)), C.shape)
                where = f" in group {pt.group_labels[g]}" if pt.ngroups > 1 else ""
                problems.append((HeywoodCaseWarning,
                                 f"The covariance matrix of the latent variables{where} is not"
                                 f" positive definite: the correlation of {lv[i]} and {lv[j]} is"
                                 f" {C[i, j]:.3f}. The factors may not be distinct; consider"
                                 " merging them or check discriminant validity (HTMT)."))
        Sig = V[:p, :p]
        if np.linalg.eigvalsh(Sig)[0] <= 0:
            problems.append((HeywoodCaseWarning,
                             "The model-implied covariance matrix of the observed variables is"
                             " not positive definite."))
    return problems


def versions() -> dict:
    """Versions of the numerical libraries behind a fit, recorded on the result."""
    return library_versions("numpy", "scipy", "pandas")
