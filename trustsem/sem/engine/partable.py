"""The parameter table: the estimator's input format.

:class:`ParTable` holds one row per model parameter and group, in the order of
``lavaan::parameterEstimates()``; the parser (:mod:`trustsem.sem.spec`) builds
it and the engine (RAM matrices, row evaluation) reads it. Also here: the
``:=`` expression compiler, the names of the free parameters and the merging
of ``==`` equality constraints into shared free indices.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...exceptions import SpecificationError

__all__ = ["ParTable", "apply_equality_constraints", "compile_expression", "param_names"]


@dataclass
class ParTable:
    """The full parameter table: one row per model parameter and group.

    Columns: ``id, lhs, op, rhs, group, user, free, ustart, start, label,
    plabel, exo``. ``free`` is the 1-based index into the free-parameter
    vector (0 = fixed); rows sharing a label share an index. ``user`` is 1
    for rows written by the user, 0 for rows lavaan adds by default, 2 for
    ``:=`` rows. ``exo`` flags variances/covariances of fixed exogenous
    covariates (fixed to sample values, as lavaan's ``fixed.x = TRUE``).
    """

    table: pd.DataFrame
    observed: list[str]
    latent: list[str]
    exogenous: list[str]
    ngroups: int
    group_labels: list[str]
    meanstructure: bool
    defined: list[tuple[str, str]]          # (name, expression)
    constraints: list[tuple[str, str, str]]  # (lhs, op, rhs) of == < >

    @property
    def nfree(self) -> int:
        return int(self.table["free"].max()) if len(self.table) else 0


_ALLOWED_FUNCS = {
    "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "abs": np.abs,
    "tanh": np.tanh, "pnorm": None, "pi": math.pi,
}


def compile_expression(expr: str):
    """Compile a defined-parameter expression into ``f(values: dict) -> float``."""
    code = compile(ast.parse(expr.replace("^", "**"), mode="eval"), "<model>", "eval")
    from scipy.stats import norm

    env = {k: v for k, v in _ALLOWED_FUNCS.items() if v is not None}
    env["pnorm"] = norm.cdf

    def f(values: dict[str, float]) -> float:
        return float(eval(code, {"__builtins__": {}}, {**env, **values}))

    return f


def param_names(pt: ParTable) -> list[str]:
    """One name per free parameter (``lhs op rhs`` with ``[group g]``), in index order."""
    names: dict[int, str] = {}
    for r in pt.table.itertuples(index=False):
        if r.free > 0 and r.free not in names:
            g = f" [group {pt.group_labels[r.group - 1]}]" if pt.ngroups > 1 else ""
            rhs = "1" if r.op == "~1" else r.rhs
            op = "~" if r.op == "~1" else r.op
            names[r.free] = f"{r.lhs}{op}{rhs}{g}"
    return [names[k] for k in sorted(names)]


def apply_equality_constraints(pt: ParTable) -> None:
    """Merge the free indices of labels tied by ``==`` and renumber them 1..q (in place)."""
    tab = pt.table
    for lhs, op, rhs in pt.constraints:
        if op != "==":
            raise SpecificationError(
                f"Inequality constraints ('{lhs} {op} {rhs}') are not supported; use"
                " equality ('==') between labels.")
        a, b = lhs.strip(), rhs.strip()
        fa = tab.loc[tab["label"] == a, "free"]
        fb = tab.loc[tab["label"] == b, "free"]
        if fa.empty or fb.empty:
            raise SpecificationError(
                f"Constraint '{lhs} == {rhs}': both sides must be labels of parameters"
                " (expressions are not supported).")
        ka, kb = int(fa.iloc[0]), int(fb.iloc[0])
        if ka == 0 or kb == 0:
            raise SpecificationError(f"Constraint '{lhs} == {rhs}' involves a fixed parameter.")
        if ka != kb:
            tab.loc[tab["free"] == kb, "free"] = ka
    # renumber 1..q
    free = tab["free"].to_numpy()
    uniq = sorted(set(free[free > 0]), key=lambda k: np.where(free == k)[0][0])
    remap = {k: i + 1 for i, k in enumerate(uniq)}
    tab["free"] = [remap.get(k, 0) for k in free]
