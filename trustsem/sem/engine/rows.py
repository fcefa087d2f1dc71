"""Parameter-table rows as functions of the free parameters.

``RowEvaluator`` turns a parameter vector into the values of every row of the
parameter table (free, fixed and fixed-exogenous), their standardized
versions (lavaan's ``std.lv`` and ``std.all``) and the ``:=`` defined
parameters. The main fit, the delta method and every bootstrap draw use the
same code, so the three always agree.

Standardization (lavaan ``standardizedSolution``):

- ``f =~ x``: std.lv = est * sd(f) (/ sd(x) too when x is latent, as in a
  second-order factor); std.all = est * sd(f) / sd(x)
- ``y ~ x``: std.all = est * sd(x) / sd(y) (std.lv scales latent variables only)
- ``a ~~ a``: est / var(a)
- ``a ~~ b``: residual covariances of variables with incoming arrows are
  divided by the square roots of the two residual variances; other
  covariances by the total SDs
- ``v ~ 1``: est / sd(v)
- ``:=`` rows: the defining expression evaluated on the standardized values.
"""

from __future__ import annotations

import numpy as np

from .partable import ParTable, compile_expression
from .ram import GroupStats, RamModel


class RowEvaluator:
    """Vectorized evaluation of table rows for one model."""

    def __init__(self, pt: ParTable, model: RamModel):
        self.pt = pt
        self.model = model
        tab = pt.table
        idx = model.index
        lv = set(pt.latent)
        self.n = len(tab)
        self.free = tab["free"].to_numpy().astype(int)
        self.fixed = tab["fixedval"].to_numpy(dtype=float)
        self.exo = tab["exo"].to_numpy().astype(int)
        self.group = tab["group"].to_numpy().astype(int) - 1
        ops = tab["op"].to_numpy()
        self.ops = ops
        self.a = np.array([idx[v] for v in tab["lhs"]])
        self.b = np.array([idx[v] if op != "~1" else idx[lhs]
                           for v, op, lhs in zip(tab["rhs"], ops, tab["lhs"])])
        self.lat_a = np.array([v in lv for v in tab["lhs"]])
        self.lat_b = np.array([(v in lv) if op != "~1" else (lhs in lv)
                               for v, op, lhs in zip(tab["rhs"], ops, tab["lhs"])])
        incoming = set(tab.loc[ops == "=~", "rhs"]) | set(tab.loc[ops == "~", "lhs"])
        self.res_a = np.array([v in incoming for v in tab["lhs"]])
        self.res_b = np.array([v in incoming for v in tab["rhs"]])
        self.is_load = ops == "=~"
        self.is_reg = ops == "~"
        self.is_int = ops == "~1"
        self.is_var = (ops == "~~") & (self.a == self.b)
        self.is_cov = (ops == "~~") & (self.a != self.b)
        self.labels = tab["label"].to_numpy()
        first: dict[str, int] = {}
        for i, lab in enumerate(self.labels):
            if lab and lab not in first:
                first[lab] = i
        self.label_rows = first
        self.defined = [(name, compile_expression(expr)) for name, expr in pt.defined]

    # ------------------------------------------------------------------
    def estimates(self, theta: np.ndarray, stats: list[GroupStats]) -> np.ndarray:
        est = self.fixed.copy()
        m = self.free > 0
        est[m] = theta[self.free[m] - 1]
        for i in np.where(self.exo == 1)[0]:
            st = stats[self.group[i]]
            if self.ops[i] == "~~":
                est[i] = st.cov[self.a[i], self.b[i]]
            else:
                est[i] = st.mean[self.a[i]]
        return est

    def standardized(self, theta: np.ndarray, est: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = self.n
        sd = np.empty(n)
        sd_a = np.empty(n)
        sd_b = np.empty(n)
        res_a = np.empty(n)
        res_b = np.empty(n)
        for g in range(self.pt.ngroups):
            A, S, _ = self.model.matrices(theta, g)
            B = np.linalg.inv(np.eye(self.model.m) - A)
            V = B @ S @ B.T
            d = np.diag(V).copy()
            d[d < 0] = np.nan
            sdg = np.sqrt(d)
            rv = np.diag(S)
            sel = self.group == g
            sd_a[sel] = sdg[self.a[sel]]
            sd_b[sel] = sdg[self.b[sel]]
            res_a[sel] = rv[self.a[sel]]
            res_b[sel] = rv[self.b[sel]]
        del sd
        lv_a = np.where(self.lat_a, sd_a, 1.0)
        lv_b = np.where(self.lat_b, sd_b, 1.0)
        std_lv = np.full(n, np.nan)
        std_all = np.full(n, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            m = self.is_load
            std_lv[m] = est[m] * lv_a[m] / lv_b[m]
            std_all[m] = est[m] * sd_a[m] / sd_b[m]
            m = self.is_reg
            std_lv[m] = est[m] * lv_b[m] / lv_a[m]
            std_all[m] = est[m] * sd_b[m] / sd_a[m]
            m = self.is_int
            std_lv[m] = est[m] / lv_a[m]
            std_all[m] = est[m] / sd_a[m]
            m = self.is_var
            std_lv[m] = est[m] / (lv_a[m] * lv_b[m])
            std_all[m] = est[m] / (sd_a[m] * sd_b[m])
            m = self.is_cov
            resid = m & self.res_a & self.res_b & (res_a > 0) & (res_b > 0)
            plain = m & ~resid
            std_lv[m] = est[m] / (lv_a[m] * lv_b[m])
            std_all[plain] = est[plain] / (sd_a[plain] * sd_b[plain])
            std_all[resid] = est[resid] / np.sqrt(res_a[resid] * res_b[resid])
            both_lat = resid & self.lat_a & self.lat_b
            std_lv[both_lat] = std_all[both_lat]
        return std_lv, std_all

    def defined_values(self, values: np.ndarray) -> np.ndarray:
        if not self.defined:
            return np.zeros(0)
        env = {lab: float(values[i]) for lab, i in self.label_rows.items()}
        out = []
        for name, f in self.defined:
            try:
                v = f(env)
            except (ZeroDivisionError, OverflowError, ValueError):
                v = np.nan
            env[name] = v
            out.append(v)
        return np.array(out, dtype=float)

    def all_values(self, theta: np.ndarray, stats: list[GroupStats]):
        """(est, std_lv, std_all) for table rows followed by defined rows."""
        est = self.estimates(theta, stats)
        slv, sall = self.standardized(theta, est)
        return (np.concatenate([est, self.defined_values(est)]),
                np.concatenate([slv, self.defined_values(slv)]),
                np.concatenate([sall, self.defined_values(sall)]))
