"""WLSMV for ordered (Likert) items: two-step polychorics, DWLS, robust SEs, scaled-shifted test.

Equals lavaan ``sem(..., ordered = TRUE, estimator = "WLSMV")`` with its
defaults (delta parameterization, listwise or pairwise first stage): see
``trustsem/sem/engine/ordinal.py`` (and ``polychoric.py``) for the first stage and
``trustsem/sem/engine/dwls.py`` for the second. Validated against lavaan 0.6-14
(tests/reference/*_wlsmv_*).

Supported: models whose observed variables are all ordered, in one or more
groups (``group=``, ``group_equal`` including ``"thresholds"``,
``group_partial`` including thresholds such as ``"x3|t2"``), with ``:=``
defined parameters and ``==`` label equalities, ``parameterization="theta"``;
and ordered and continuous variables together
(``mixed_moments`` in the first stage: a continuous variable contributes minus
its mean, its variance and covariances). :func:`difference_test`
compares two nested WLSMV fits as lavaan's ``lavTestLRT()``.

Delta parameterization (lavaan's default), per group g and ordered item j with
scale factor ``delta_j`` (fixed to 1 in group 1; free in groups 2+ when the
thresholds are held equal across groups)::

    model thresholds    tau*_jk = delta_j (tau_jk - mu_j)
    model correlations  rho*_ij = delta_i delta_j Sigma_ij        (i != j)
    residual variances  theta_jj = 1 / delta_j^2 - (Sigma without theta)_jj

where ``Sigma`` and ``mu`` are the RAM-implied moments of the latent responses
(intercepts of ordered items fixed to 0). Latent means are free in groups 2+
when thresholds or intercepts are held equal (and means are not), as lavaan.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, optimize, stats

from .._validation import check_dataframe, check_numeric_columns, format_value
from ..exceptions import (
    CONVERGENCE_DOCS,
    ConvergenceWarning,
    DataError,
    EstimationError,
    IdentificationWarning,
    MissingDataWarning,
    SpecificationError,
)
from .context import FitContext
from .engine import fitmeasures as fm
from .engine import robust_fit
from .engine.dwls import scaled_shifted, u_matrix
from .engine.ordinal import mixed_moments, ordinal_moments
from .engine.partable import apply_equality_constraints, param_names
from .engine.ram import GroupStats, RamModel
from .engine.rows import RowEvaluator
from .engine.start import start_values
from .options import check_ordered
from .prepare import split_groups
from .results import SEMResult
from .solution import delta_se, heywood_checks, r_squared, versions
from .spec import ModelSpec, build_partable

__all__ = ["difference_test", "fit_wlsmv"]


@dataclass
class WLSMVModel:
    """The second stage of one WLSMV fit: parameters, implied statistics and Jacobian.

    The free-parameter vector is ``x = (thresholds, structural RAM parameters,
    scale factors)``; residual variances of the ordered items are not in ``x``
    (delta parameterization) and are filled in by :meth:`ram_theta`.
    """

    model: RamModel
    p: int
    ngroups: int
    nth_par: int                    # threshold parameters
    struct_idx: np.ndarray          # RAM indices estimated directly
    res_map: list                   # (ram index, group, item) of derived residual variances
    th_index: list                  # per group: parameter index of each sample threshold
    th_item: list                   # per group: item index of each sample threshold
    delta_index: list               # per group: parameter index per item, or None (fixed 1)
    rows: np.ndarray
    cols: np.ndarray
    names: list
    theta_param: bool = False       # theta parameterization: scale factors derived
    num_idx: np.ndarray = None      # continuous variables (their variances follow the thresholds)

    @property
    def nx(self) -> int:
        return len(self.names)

    def split(self, x: np.ndarray):
        a = self.nth_par
        b = a + len(self.struct_idx)
        return x[:a], x[a:b], x[b:]

    def deltas(self, x: np.ndarray, g: int) -> np.ndarray:
        if self.theta_param:
            Sigma = self.model.implied(self.ram_theta(x), g)[0]
            return 1.0 / np.sqrt(np.diag(Sigma))
        d = np.ones(self.p)
        di = self.delta_index[g]
        if di is not None:                 # -1: a continuous variable (no scale factor)
            d[di >= 0] = x[di[di >= 0]]
        return d

    def ram_theta(self, x: np.ndarray, *, fill: bool = True) -> np.ndarray:
        _, ts, _ = self.split(x)
        theta = np.zeros(self.model.q)
        theta[self.struct_idx] = ts
        if fill and self.res_map:
            diag = [np.diag(self.model.implied(theta, g)[0]) for g in range(self.ngroups)]
            d = [self.deltas(x, g) for g in range(self.ngroups)]
            for k, g, i in self.res_map:
                theta[k] = 1.0 / d[g][i] ** 2 - diag[g][i]
        return theta

    def implied(self, x: np.ndarray, jacobian: bool = False):
        """Per group the model thresholds, variances and correlations (and their Jacobian).

        A continuous variable has minus its mean in the threshold block and its
        variance in the variance block (lavaan's WLS.obs layout).
        """
        thp, _, _ = self.split(x)
        theta = self.ram_theta(x, fill=False)
        out, jac = [], []
        nts = len(self.struct_idx)
        nu = self.num_idx if self.num_idx is not None else np.zeros(0, dtype=int)
        for g in range(self.ngroups):
            it = self.th_item[g]
            ti_all = self.th_index[g]
            num = ti_all < 0
            ordr = ~num
            ti = ti_all[ordr]
            if jacobian:
                Sigma, mu, dS, dmu = self.model.derivatives(theta, g)
            else:
                Sigma, mu = self.model.implied(theta, g)
            d = 1.0 / np.sqrt(np.diag(Sigma)) if self.theta_param else self.deltas(x, g)
            io = it[ordr]
            dev = thp[ti] - mu[io]
            m_th = np.empty(len(it))
            m_th[ordr] = d[io] * dev
            m_th[num] = -mu[it[num]]
            m_var = Sigma[nu, nu]
            m_cor = d[self.rows] * d[self.cols] * Sigma[self.rows, self.cols]
            out.append(np.concatenate([m_th, m_var, m_cor]))
            if jacobian:
                nth, nv, nc = len(it), len(nu), len(self.rows)
                J = np.zeros((nth + nv + nc, self.nx))
                ro = np.flatnonzero(ordr)
                J[ro, ti] = d[io]
                ds = dS[self.struct_idx][:, self.rows, self.cols].T   # nc x nts
                dm = dmu[self.struct_idx][:, it].T                   # nth x nts
                a = self.nth_par
                J[:nth, a:a + nts] = -np.where(ordr, d[it], 1.0)[:, None] * dm
                if nv:
                    J[nth:nth + nv, a:a + nts] = dS[self.struct_idx][:, nu, nu].T
                J[nth + nv:, a:a + nts] = (d[self.rows] * d[self.cols])[:, None] * ds
                if self.theta_param:
                    # d_j = Sigma_jj^-1/2 depends on the structural parameters too
                    dd = -0.5 * d[:, None] ** 3 * np.diagonal(dS[self.struct_idx], axis1=1,
                                                              axis2=2).T      # p x nts
                    s_ = Sigma[self.rows, self.cols][:, None]
                    J[ro, a:a + nts] += dev[:, None] * dd[io]
                    J[nth + nv:, a:a + nts] += s_ * (dd[self.rows] * d[self.cols][:, None]
                                                     + d[self.rows][:, None] * dd[self.cols])
                di = self.delta_index[g]
                if di is not None:
                    J[ro, di[io]] += dev
                    s = Sigma[self.rows, self.cols]
                    ar = np.arange(nc)
                    for a_, b_ in ((self.rows, self.cols), (self.cols, self.rows)):
                        ok = di[a_] >= 0
                        J[nth + nv + ar[ok], di[a_][ok]] += (d[b_] * s)[ok]
                jac.append(J)
        return (out, jac) if jacobian else out


def fit_wlsmv(spec: ModelSpec, data: pd.DataFrame, *, ordered, missing: str, options: dict,
              notes: list[str], strict: bool, std_lv: bool, group: str | None = None,
              group_equal=(), group_partial=(), level: float = 0.95,
              parameterization: str = "delta") -> SEMResult:
    """Fit ``spec`` by WLSMV on ordered items (called by :func:`trustsem.sem`)."""
    data = check_dataframe(data)
    spec.check_data(data.columns)
    ov = list(spec.observed)
    ord_items = check_ordered(ov, ordered)
    numeric = [v for v in ov if v not in ord_items]
    if numeric:
        if parameterization != "delta":
            raise SpecificationError(
                "parameterization='theta' with continuous variables is not supported in this"
                " version; use the default 'delta'.")
    if missing not in ("listwise", "pairwise"):
        raise SpecificationError(
            "WLSMV supports missing='listwise' (lavaan's default for ordered data) or"
            f" missing='pairwise'; got {format_value(missing)}. FIML is not defined for WLSMV: use"
            " missing='pairwise', or estimator='MLR' with missing='fiml' for continuous items.")
    X = check_numeric_columns(data, ov)
    glabels, oms = _first_stage(data, X, group, ov, ord_items, numeric, missing, notes)
    G = len(glabels)
    Ns = [om.nobs for om in oms]
    N = int(sum(Ns))

    group_equal = [g.strip() for g in group_equal]
    thr_equal = G > 1 and "thresholds" in group_equal
    partial = [str(s).replace(" ", "") for s in group_partial]
    theta_param = parameterization == "theta"
    pt = build_partable(spec, ngroups=G, group_labels=glabels, meanstructure=True, std_lv=std_lv,
                        fixed_x=False, group_equal=[g for g in group_equal if g != "thresholds"],
                        group_partial=[s for s in partial if "|" not in s])
    if pt.exogenous:
        raise SpecificationError("Ordered items as predictors are not supported with WLSMV.")
    lv_means_free = G > 1 and ("thresholds" in group_equal or "intercepts" in group_equal) \
        and "means" not in group_equal
    _delta_table(pt, ord_items, lv_means_free, theta_param=theta_param, thr_equal=thr_equal)
    apply_equality_constraints(pt)
    sts = _group_stats(oms, Ns, len(ov), numeric)
    model = RamModel(pt, sts)
    wm = _second_stage_model(pt, model, oms, ov, ord_items, numeric, glabels,
                             thr_equal=thr_equal, partial_th={s for s in partial if "|" in s},
                             theta_param=theta_param)
    names = wm.names

    # lavaan weights and sandwiches with N/(N-1) times the first-stage Gamma
    # (its NACOV with the unbiased divisor); without it chisq and SEs are off
    # by exactly that factor
    Gammas = [om.gamma * n / (n - 1) for om, n in zip(oms, Ns)]
    ws = [1.0 / np.diag(Gm) for Gm in Gammas]
    svec = [np.concatenate([om.th_vector, om.cor_vector]) for om in oms]
    x, converged, chisq, df, problems = _estimate(wm, pt, sts, oms, Ns, ws, svec)
    theta = wm.ram_theta(x)
    m_list, J_list = wm.implied(x, jacobian=True)
    V, se_x = _sandwich(J_list, Ns, ws, Gammas, problems)
    fit, Cov_list = _test_statistics(wm, x, theta, oms, Ns, ws, Gammas, J_list, chisq, df,
                                     numeric)

    # estimates table -----------------------------------------------------------
    rows = _estimate_rows(wm, pt, x, theta, sts, oms, ov, glabels, se_x, V, level,
                          ord_items)
    problems += heywood_checks(rows[rows["op"] != "|"], pt, model, theta)
    for cls, msg in problems:
        notes.append(msg)
        if strict:
            raise EstimationError(msg)
        warnings.warn(msg, cls, stacklevel=4)
    notes.append(_stage_note(oms, numeric, G, len(wm.rows), parameterization, N))
    vc = pd.DataFrame(V, index=names, columns=names)
    options = dict(options, estimator="WLSMV", information="expected", se_label="robust (sandwich)",
                   nobs=Ns, n_rows=len(X), ordered=list(ord_items), missing=missing,
                   group=group, group_labels=list(glabels), group_equal=list(group_equal),
                   group_partial=list(group_partial), meanstructure=True,
                   parameterization=parameterization, level=level,
                   wlsmv={"gamma": Gammas, "weights": ws, "sample": svec, "implied": m_list,
                          "jacobian": J_list, "x": x, "names": names, "nobs": Ns,
                          "polychoric": [om.cor for om in oms],
                          "thresholds": [om.th_vector for om in oms],
                          "chisq": chisq, "df": df})
    ctx = FitContext(spec, pt, model, sts, theta, wm, options)
    r2 = r_squared(pt, model, theta)
    return SEMResult(
        estimates=rows, fit_measures=pd.Series(fit, dtype=float), r2=r2,
        spec=spec, n_obs=N, estimator="WLSMV", converged=converged,
        notes=tuple(notes), versions=versions(), options=options, vcov=vc,
        implied={glabels[g]: pd.DataFrame(Cov_list[g], index=ov, columns=ov) for g in range(G)},
        sample={glabels[g]: pd.DataFrame(oms[g].cov if numeric else oms[g].cor, index=ov,
                                         columns=ov) for g in range(G)},
        context=ctx)


def _first_stage(data, X, group, ov, ord_items, numeric, missing, notes):
    """Group labels and per-group thresholds, correlations and their Gamma."""
    glabels, masks = split_groups(data, group, ov, notes, stacklevel=6)
    G = len(glabels)
    oms = []
    for lab, mask in zip(glabels, masks):
        where = f" (group {lab})" if G > 1 else ""
        if numeric:
            om = mixed_moments(X.loc[mask], ord_items, missing=missing)
        else:
            om = ordinal_moments(X.loc[mask], ordered=True, missing=missing)
        notes.extend(n + where for n in om.notes)
        n_rows_g = int(mask.sum())
        if missing == "listwise" and om.nobs < n_rows_g:
            warnings.warn(f"Listwise deletion{where}: used {om.nobs} of {n_rows_g} rows for"
                          " WLSMV; use missing='pairwise' to keep the incomplete ones.",
                          MissingDataWarning, stacklevel=5)
        oms.append(om)
    if G > 1:
        for v in ord_items:
            lv0 = list(oms[0].levels[v])
            for lab, om in zip(glabels[1:], oms[1:]):
                if list(om.levels[v]) != lv0:
                    raise DataError(
                        f"Item {v!r} uses categories {lv0} in group {glabels[0]!r} but"
                        f" {list(om.levels[v])} in group {lab!r}. Multi-group WLSMV needs the"
                        " same categories in every group: merge the sparse categories first.")
    return glabels, oms


def _group_stats(oms, Ns, p: int, numeric) -> list[GroupStats]:
    """RAM moments per group: correlations (covariances with continuous variables), means."""
    sts = []
    for n, om in zip(Ns, oms):
        mean = np.zeros(p)
        if numeric:
            th_is_num = np.array(["|" not in lab for lab in om.th_labels])
            mean[om.th_item[th_is_num]] = -om.th_vector[th_is_num]
        sts.append(GroupStats(nobs=n, cov=(om.cov if numeric else om.cor).copy(), mean=mean))
    return sts


def _second_stage_model(pt, model, oms, ov, ord_items, numeric, glabels, *, thr_equal: bool,
                        partial_th: set, theta_param: bool) -> WLSMVModel:
    """The parameter vector (thresholds, structural parameters, scale factors) and its map."""
    G = len(glabels)
    p = len(ov)
    tab = pt.table
    ram_names = param_names(pt)
    num_idx = np.array([ov.index(v) for v in numeric], dtype=int)
    is_res = ((tab["op"] == "~~") & (tab["lhs"] == tab["rhs"])
              & tab["lhs"].isin(ord_items)).to_numpy()
    res_map = []
    for i in np.where(is_res & (tab["free"] > 0).to_numpy() & (not theta_param))[0]:
        r = tab.iloc[i]
        res_map.append((int(r["free"]) - 1, int(r["group"]) - 1, ov.index(r["lhs"])))
    res_params = {k for k, _, _ in res_map}
    struct_idx = np.array([k for k in range(model.q) if k not in res_params], dtype=int)

    # threshold and scale-factor parameters ----------------------------------
    names: list[str] = []
    th_index, th_item, th_first = [], [], {}
    gsuf = (lambda g: f" [group {glabels[g]}]") if G > 1 else (lambda g: "")
    for g, om in enumerate(oms):
        idx = []
        for lab in om.th_labels:
            if "|" not in lab:                 # minus the mean of a continuous variable
                idx.append(-1)
                continue
            if thr_equal and g > 0 and lab not in partial_th and lab in th_first:
                idx.append(th_first[lab])
                continue
            idx.append(len(names))
            if g == 0:
                th_first[lab] = len(names)
            names.append(lab + gsuf(g))
        th_index.append(np.array(idx, dtype=int))
        th_item.append(np.array([ov.index(lab.split("|")[0] if "|" in lab else lab[:-2])
                                 for lab in om.th_labels], dtype=int))
    nth_par = len(names)
    names += [ram_names[k] for k in struct_idx]
    delta_index = [None] * G
    if thr_equal and not theta_param:
        for g in range(1, G):
            di = np.full(p, -1)
            for v in ord_items:
                di[ov.index(v)] = len(names)
                names.append(f"{v}~*~{v}" + gsuf(g))
            delta_index[g] = di
    jj, ii = np.triu_indices(p, k=1)
    return WLSMVModel(model=model, p=p, ngroups=G, nth_par=nth_par, struct_idx=struct_idx,
                      res_map=res_map, th_index=th_index, th_item=th_item,
                      delta_index=delta_index, rows=ii, cols=jj, names=names,
                      theta_param=theta_param, num_idx=num_idx)


def _estimate(wm: WLSMVModel, pt, sts, oms, Ns, ws, svec):
    """DWLS estimates by Levenberg-Marquardt; (x, converged, chisq, df, problems)."""
    tab = pt.table
    G, nth_par, model = wm.ngroups, wm.nth_par, wm.model
    th_index, delta_index = wm.th_index, wm.delta_index
    struct_idx, theta_param = wm.struct_idx, wm.theta_param
    sq = np.concatenate([np.sqrt(n * w) for n, w in zip(Ns, ws)])
    s_all = np.concatenate(svec)
    ndat = len(s_all)
    npar = wm.nx
    df = ndat - npar
    if df < 0:
        raise SpecificationError(
            f"The model is not identified: it has {npar} free parameters but only {ndat}"
            f" sample statistics (df = {df}). Fix more parameters or add indicators.")

    def resid(x):
        return sq * (s_all - np.concatenate(wm.implied(x)))

    def jac(x):
        return -sq[:, None] * np.vstack(wm.implied(x, jacobian=True)[1])

    x0 = np.zeros(npar)
    th0 = np.zeros(nth_par)
    cnt = np.zeros(nth_par)
    for g, om in enumerate(oms):
        o = th_index[g] >= 0
        np.add.at(th0, th_index[g][o], om.th_vector[o])
        np.add.at(cnt, th_index[g][o], 1)
    x0[:nth_par] = th0 / cnt
    theta0 = start_values(model, sts)
    x0[nth_par:nth_par + len(struct_idx)] = theta0[struct_idx]
    for g in range(G):
        if delta_index[g] is not None:
            x0[delta_index[g]] = 1.0
    problems: list[tuple[type, str]] = []
    # thresholds of a group with fixed scale factors and latent means, not shared
    # with another group, are saturated: their estimates are the sample
    # thresholds and they do not interact with the other parameters (W is
    # diagonal), so the optimizer leaves them out
    active = np.ones(npar, dtype=bool)
    lv_mean_groups = set(tab.loc[(tab["op"] == "~1") & tab["lhs"].isin(pt.latent)
                                 & (tab["free"] > 0), "group"].astype(int) - 1)
    for g in range(G):
        if delta_index[g] is None and g not in lv_mean_groups and not theta_param:
            tig = th_index[g][th_index[g] >= 0]
            own = tig[cnt[tig] == 1]
            active[own] = False
    x_fix = x0.copy()

    def expand(xa):
        xx = x_fix.copy()
        xx[active] = xa
        return xx

    with np.errstate(all="ignore"):
        sol = optimize.least_squares(lambda xa: resid(expand(xa)), x0[active],
                                     jac=lambda xa: jac(expand(xa))[:, active], method="lm",
                                     xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
    x = expand(sol.x)
    converged = bool(sol.success) and np.all(np.isfinite(x))
    if not converged:
        problems.append((ConvergenceWarning, f"The optimizer did not converge ({sol.message}). "
                         + CONVERGENCE_DOCS))
    chisq = float(np.sum(resid(x) ** 2))
    return x, converged, chisq, df, problems


def _sandwich(J_list, Ns, ws, Gammas, problems) -> tuple[np.ndarray, np.ndarray]:
    """Robust covariance of the estimates, V = A^-1 B A^-1, and the SEs."""
    A = sum(n * J.T @ (w[:, None] * J) for n, J, w in zip(Ns, J_list, ws))
    Bm = sum(n * (w[:, None] * J).T @ Gm @ (w[:, None] * J)
             for n, J, w, Gm in zip(Ns, J_list, ws, Gammas))
    try:
        Ainv = linalg.inv(A)
    except linalg.LinAlgError:
        Ainv = np.full_like(A, np.nan)
    V = Ainv @ Bm @ Ainv
    V = 0.5 * (V + V.T)
    ev = np.linalg.eigvalsh(V) if np.isfinite(V).all() else np.array([np.nan])
    if not (ev[0] >= 1e-8 * max(ev[-1], 1e-300) and ev[0] >= 1e-12):
        problems.append((IdentificationWarning,
                         "The covariance matrix of the estimates is not positive definite (smallest"
                         f" eigenvalue {ev[0]:.2g}). With ordered items this often comes from"
                         " categories chosen by very few respondents (a near-singular Gamma);"
                         " consider merging sparse categories. lavaan warns here too."))
    se_x = np.sqrt(np.clip(np.diag(V), 0, None))
    return V, se_x


def _test_statistics(wm: WLSMVModel, x, theta, oms, Ns, ws, Gammas, J_list, chisq, df,
                     numeric) -> tuple[dict, list[np.ndarray]]:
    """Scaled-shifted test, baseline model and fit measures; implied covariances per group."""
    G, model, nth_par, npar = wm.ngroups, wm.model, wm.nth_par, wm.nx
    ii, jj = wm.rows, wm.cols
    N = int(sum(Ns))
    fg = np.array(Ns, dtype=float) / N
    Wf = np.concatenate([f * w for f, w in zip(fg, ws)])
    Gam_all = linalg.block_diag(*[Gm / f for Gm, f in zip(Gammas, fg)])
    D_all = np.vstack(J_list)
    U = u_matrix(Wf, D_all)
    sc, a, shift, _, _ = scaled_shifted(chisq, df, U, Gam_all)
    Tb, dfb, t1b, t2b = 0.0, 0, 0.0, 0.0
    for om, n, w, Gm in zip(oms, Ns, ws, Gammas):
        nsat = len(om.th_vector) + len(numeric)    # thresholds, means, variances: saturated
        w_c = w[nsat:]
        Tb += n * float(np.sum(w_c * om.cor_vector[len(numeric):] ** 2))
        dfb += len(w_c)
        UG = np.concatenate([np.zeros(nsat), w_c])[:, None] * Gm
        t1b += float(np.trace(UG))
        t2b += float(np.sum(UG * UG.T))
    ab = np.sqrt(dfb / t2b)
    scb = ab * Tb + (dfb - ab * t1b)
    Sig_list, Cov_list = [], []        # implied correlations; covariances (continuous)
    for g in range(G):
        Sg = model.implied(theta, g)[0]
        d = wm.deltas(x, g)
        C = d[:, None] * Sg * d[None, :]
        sd_ = np.sqrt(np.diag(C))
        Cov_list.append(C)
        Sig_list.append(C / sd_[:, None] / sd_[None, :])
    # catML takes lavaan's NACOV as is (divisor N, not the N-1 of the weights)
    cat_groups = [robust_fit.CatGroup(R=om.cor, Sigma=S + np.diag(1 - np.diag(S)), jacobian=J,
                                      w=w, gamma=om.gamma, nobs=n, nth=len(om.th_vector),
                                      rows=ii, cols=jj)
                  for om, S, J, w, n in zip(oms, Sig_list, J_list, ws, Ns)]
    # lavaan reports NA when a variable is continuous (catML is for ordered data
    # only) and when its catML refit fails, as it does with thresholds held equal
    free_th = nth_par == sum(len(om.th_vector) for om in oms)
    robust = (robust_fit.catml(cat_groups, df=G * len(ii) - (npar - nth_par))
              if free_th and not numeric else robust_fit.NA_PARTS)
    fit = _fit_measures(chisq, df, sc, a, shift, Tb, dfb, scb, ab, N, npar, chisq / N,
                        [om.cor for om in oms], Sig_list, Ns, G, robust=robust)
    return fit, Cov_list


def _stage_note(oms, numeric, G: int, ncor: int, parameterization: str, N: int) -> str:
    """The note saying what the two stages worked on."""
    grp = f" in each of {G} groups" if G > 1 else ""
    if numeric:
        nthr = len(oms[0].th_vector) - len(numeric)
        stage = (f"{ncor} polychoric, polyserial and Pearson correlations, {nthr} thresholds and"
                 f" the means and variances of {len(numeric)} continuous variable(s){grp}")
    else:
        stage = (f"{ncor} polychoric correlations and {len(oms[0].th_vector)} thresholds{grp}")
    return (f"WLSMV: DWLS on {stage} ({parameterization} parameterization), robust SEs,"
            f" scaled-shifted test; N = {N}.")


def _delta_table(pt, ov, lv_means_free: bool, *, theta_param: bool = False,
                 thr_equal: bool = False) -> None:
    """Adapt lavaan's continuous table to ordered items.

    Intercepts of the latent responses are fixed to 0 and latent means are
    freed in groups 2+ when thresholds or intercepts are held equal. Delta
    parameterization: residual variances become derived quantities (one index
    each, never shared). Theta parameterization: they are fixed to 1, except in
    groups 2+ when thresholds are held equal, where they are free.
    """
    tab = pt.table
    ops, lhs, rhs = tab["op"].to_numpy(), tab["lhs"].to_numpy(), tab["rhs"].to_numpy()
    ovs = set(ov)
    free = tab["free"].to_numpy().astype(int).copy()
    labels = tab["label"].to_numpy(dtype=object).copy()
    fixedval = tab["fixedval"].to_numpy(dtype=float).copy()
    nxt = int(free.max()) + 1 if len(free) else 1
    for i in range(len(tab)):
        if ops[i] == "~1" and lhs[i] in ovs:
            free[i], fixedval[i] = 0, 0.0
            if str(labels[i]).startswith(".eq."):
                labels[i] = ""
        elif (theta_param and ops[i] == "~~" and lhs[i] == rhs[i] and lhs[i] in ovs
              and tab["user"].iloc[i] == 0):
            if not (thr_equal and tab["group"].iloc[i] > 1):
                free[i], fixedval[i] = 0, 1.0
                if str(labels[i]).startswith(".eq."):
                    labels[i] = ""
        elif ops[i] == "~~" and lhs[i] == rhs[i] and lhs[i] in ovs and free[i] > 0:
            free[i] = nxt
            nxt += 1
            if str(labels[i]).startswith(".eq."):
                labels[i] = ""
        elif (lv_means_free and ops[i] == "~1" and lhs[i] in pt.latent and tab["group"].iloc[i] > 1
              and tab["user"].iloc[i] == 0 and free[i] == 0):
            free[i], fixedval[i] = nxt, np.nan
            nxt += 1
    uniq = sorted(set(free[free > 0]), key=lambda k: np.where(free == k)[0][0])
    remap = {k: n + 1 for n, k in enumerate(uniq)}
    tab["free"] = [remap.get(k, 0) for k in free]
    tab["label"] = labels
    tab["fixedval"] = fixedval


def _estimate_rows(wm, pt, x, theta, sts, oms, ov, glabels, se_x, V, level,
                   ordered_items):
    G = wm.ngroups
    tab = pt.table
    rowev = RowEvaluator(pt, wm.model)
    est = rowev.estimates(theta, sts)
    slv, sall = rowev.standardized(theta, est)
    pos = {k: wm.nth_par + n for n, k in enumerate(wm.struct_idx)}
    free = tab["free"].to_numpy().astype(int)
    se = np.zeros(len(tab))
    xfree = np.zeros(len(tab), dtype=bool)
    for n_, k in enumerate(free):
        if k > 0 and (k - 1) in pos:
            se[n_] = se_x[pos[k - 1]]
            xfree[n_] = True
    base = pd.DataFrame({"lhs": tab["lhs"], "op": tab["op"], "rhs": tab["rhs"].fillna(""),
                         "group": tab["group"].astype(int),
                         "label": tab["label"].replace("", np.nan),
                         "est": est, "se": se, "std_lv": slv, "std_all": sall, "_free": xfree})
    # total SD of each latent response per group (1 / delta)
    parts = []
    for g in range(G):
        sub = base[base["group"] == g + 1]
        n_load = int((sub["op"] == "=~").sum())
        d = wm.deltas(x, g)
        keep = wm.th_index[g] >= 0               # thresholds (not minus a mean)
        it, ti = wm.th_item[g][keep], wm.th_index[g][keep]
        th = x[ti]
        lab = [s_ for s_, k in zip(oms[g].th_labels, keep) if k]
        th_rows = pd.DataFrame({
            "lhs": [s.split("|")[0] for s in lab], "op": "|", "rhs": [s.split("|")[1] for s in lab],
            "group": g + 1, "label": np.nan, "est": th, "se": se_x[ti], "std_lv": th,
            "std_all": th * d[it], "_free": True})
        di = wm.delta_index[g]
        dse = np.where(di >= 0, se_x[np.maximum(di, 0)], 0.0) if di is not None \
            else np.zeros(wm.p)
        sc_rows = pd.DataFrame({"lhs": ov, "op": "~*~", "rhs": ov, "group": g + 1, "label": np.nan,
                                "est": d, "se": dse, "std_lv": d, "std_all": 1.0,
                                "_free": di is not None})
        sc_rows = sc_rows[sc_rows["lhs"].isin(ordered_items)]
        parts += [sub.iloc[:n_load], th_rows, sub.iloc[n_load:][sub.iloc[n_load:]["op"] != "~1"],
                  sc_rows, sub.iloc[n_load:][sub.iloc[n_load:]["op"] == "~1"]]
    rows = pd.concat(parts, ignore_index=True)
    if pt.defined:
        def func(xx, which="est"):
            th_ = wm.ram_theta(xx)
            e = rowev.estimates(th_, sts)
            if which == "est":
                return rowev.defined_values(e)
            lv_, al_ = rowev.standardized(th_, e)
            return rowev.defined_values(lv_ if which == "std_lv" else al_)

        d_est = func(x)
        d_se = delta_se(func, x, V)
        def_rows = pd.DataFrame({
            "lhs": [n for n, _ in pt.defined], "op": ":=", "rhs": [e for _, e in pt.defined],
            "group": 0, "label": [n for n, _ in pt.defined], "est": d_est, "se": d_se,
            "std_lv": func(x, "std_lv"), "std_all": func(x, "std_all"), "_free": True})
        rows = pd.concat([rows, def_rows], ignore_index=True)
    z_crit = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(rows["_free"] & (rows["se"] > 0), rows["est"] / rows["se"], np.nan)
    rows["z"] = z
    rows["pvalue"] = 2 * stats.norm.sf(np.abs(z))
    rows["ci_lower"] = rows["est"] - z_crit * rows["se"]
    rows["ci_upper"] = rows["est"] + z_crit * rows["se"]
    cols = ["lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci_lower",
            "ci_upper", "std_lv", "std_all"]
    rows = rows[cols]
    if G == 1:
        return rows.drop(columns="group")
    rows["group"] = [glabels[int(g) - 1] if g > 0 else "" for g in rows["group"]]
    return rows


def _fit_measures(chisq, df, sc, a, shift, Tb, dfb, scb, ab, N, npar, F, R, Sigma0, Ns=None,
                  G=1, robust=None) -> dict:
    out: dict[str, float] = {"npar": npar, "nobs": N, "ntotal": N, "fmin": 0.5 * F,
                             "chisq": chisq, "df": df,
                             "pvalue": float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan,
                             "chisq_scaled": sc, "df_scaled": df,
                             "pvalue_scaled": float(stats.chi2.sf(sc, df)) if df > 0 else np.nan,
                             "chisq_scaling_factor": 1.0 / a, "chisq_shift_parameter": shift,
                             "baseline_chisq": Tb, "baseline_df": dfb,
                             "baseline_pvalue": float(stats.chi2.sf(Tb, dfb)),
                             "baseline_chisq_scaled": scb, "baseline_df_scaled": dfb,
                             "baseline_pvalue_scaled": float(stats.chi2.sf(scb, dfb)),
                             "baseline_chisq_scaling_factor": 1.0 / ab}

    def cfi(x, d, xb, db):
        t1 = max(x - d, 0.0)
        t2 = max(x - d, xb - db, 0.0)
        return 1.0 if t2 == 0 else 1 - t1 / t2

    def tli(x, d, xb, db):
        return ((xb / db) - (x / d)) / ((xb / db) - 1) if d > 0 else 1.0

    out["cfi"] = cfi(chisq, df, Tb, dfb)
    out["tli"] = tli(chisq, df, Tb, dfb)
    out["cfi_scaled"] = cfi(sc, df, scb, dfb)
    out["tli_scaled"] = tli(sc, df, scb, dfb)
    # lavaan uses N minus the number of groups in the RMSEA family when the
    # estimator is not ML
    n1 = N - G
    out["rmsea"] = fm.rmsea(chisq, df, n1, G)
    out["rmsea_ci_lower"], out["rmsea_ci_upper"] = fm.rmsea_ci(chisq, df, n1, G)
    out["rmsea_pvalue"] = fm.rmsea_pvalue(chisq, df, n1, G)
    out["rmsea_scaled"] = fm.rmsea(sc, df, n1, G)
    out["rmsea_ci_lower_scaled"], out["rmsea_ci_upper_scaled"] = fm.rmsea_ci(sc, df, n1, G)
    out["rmsea_pvalue_scaled"] = fm.rmsea_pvalue(sc, df, n1, G)
    if not isinstance(R, list):
        R, Sigma0, Ns = [R], [Sigma0], [N]
    Sig = [S + np.diag(1 - np.diag(S)) for S in Sigma0]
    out["srmr"] = fm.residual_means(R, Sig, Ns)
    # robust CFI/TLI/RMSEA: lavaan's catML approach (trustsem/sem/engine/robust_fit.py)
    out.update(robust_fit.robust_indices(robust if robust is not None else robust_fit.NA_PARTS,
                                         df=df, baseline_df=dfb, N=n1, G=G))
    for k in ("logl", "unrestricted_logl", "aic", "bic"):
        out[k] = np.nan
    return out


def difference_test(restricted: SEMResult, unrestricted: SEMResult) -> dict:
    """Scaled-shifted chi-square difference test between two nested WLSMV fits.

    Equals lavaan 0.6-14 ``lavTestLRT(unrestricted, restricted)`` for WLSMV
    fits: its default method for scaled-shifted statistics, ``"satorra.2000"``
    with ``A.method = "delta"`` (the restrictions are found from the two
    models' Jacobians, so the models need not be parameterized alike).

    Parameters
    ----------
    restricted : SEMResult
        The more constrained WLSMV fit (more degrees of freedom).
    unrestricted : SEMResult
        The less constrained WLSMV fit, on the same data and groups.

    Returns
    -------
    dict
        ``chisq_diff`` (scaled-shifted difference statistic), ``df_diff``,
        ``pvalue`` and ``method`` (``"satorra.2000"``).

    Raises
    ------
    SpecificationError
        A fit is not WLSMV, the two were not fitted to the same data (sample
        sizes, groups, thresholds and polychoric correlations), they have the
        same df, or the restricted model is not nested in the unrestricted one.

    Notes
    -----
    With ``Delta1``, ``Delta0`` the Jacobians of the model statistics of the
    unrestricted and restricted models, ``A`` spans the orthogonal complement
    of ``pinv(Delta1) Delta0`` (the restrictions in the unrestricted
    parameters), ``P`` is the DWLS information of the unrestricted model and
    ``M = P^-1 A' (A P^-1 A')^-1 A P^-1``: with ``U = W Delta1 M Delta1' W``
    and ``m = df0 - df1``, ``a = sqrt(m / tr((U Gamma)^2))``,
    ``b = m - a tr(U Gamma)`` and the statistic is ``a (T0 - T1) + b``.
    """
    for nm, r in (("restricted", restricted), ("unrestricted", unrestricted)):
        if not isinstance(r, SEMResult) or r.estimator != "WLSMV" or "wlsmv" not in r.options:
            raise SpecificationError(
                f"`{nm}` must be a WLSMV fit (ts.sem(..., ordered=...)); got estimator"
                f" {getattr(r, 'estimator', type(r).__name__)!r}. For ML fits use ts.compare().")
    w0, w1 = restricted.options["wlsmv"], unrestricted.options["wlsmv"]
    same = (w0["nobs"] == w1["nobs"] and len(w0["sample"]) == len(w1["sample"])
            and restricted.options["ordered"] == unrestricted.options["ordered"]
            and all(len(a) == len(b) and np.allclose(a, b, atol=1e-10)
                    for a, b in zip(w0["sample"], w1["sample"])))
    if not same:
        raise SpecificationError(
            "The two WLSMV fits are not on the same data (their sample sizes, groups, items or"
            " polychoric correlations differ); a difference test needs both models fitted to"
            " the same respondents and ordered items.")
    m = int(w0["df"] - w1["df"])
    if m <= 0:
        raise SpecificationError(
            f"`restricted` must have more degrees of freedom than `unrestricted`; got df"
            f" {int(w0['df'])} and {int(w1['df'])}. Swap the arguments or check the models.")
    # nested: the unrestricted model reproduces the restricted model's implied
    # thresholds and correlations exactly (refit to them, as semTools::net())
    wm1 = unrestricted.context.objective
    sq = np.concatenate([np.sqrt(n * w) for n, w in zip(w1["nobs"], w1["weights"])])
    m0 = np.concatenate(w0["implied"])
    with np.errstate(all="ignore"):
        sol = optimize.least_squares(
            lambda xx: sq * (m0 - np.concatenate(wm1.implied(xx))), w1["x"],
            jac=lambda xx: -sq[:, None] * np.vstack(wm1.implied(xx, jacobian=True)[1]),
            method="lm", xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
    if not np.isfinite(sol.cost) or 2 * sol.cost > 1e-6 * max(1.0, w0["chisq"]):
        raise SpecificationError(
            "The restricted model is not nested in the unrestricted one: the unrestricted"
            " model cannot reproduce its implied thresholds and correlations (misfit"
            f" {2 * sol.cost:.3g}). Check that `restricted` only adds constraints (equalities,"
            " fixed values) to `unrestricted`.")
    D1 = np.vstack(w1["jacobian"])
    D0 = np.vstack(w0["jacobian"])
    H = np.linalg.pinv(D1) @ D0
    u, s, _ = np.linalg.svd(H, full_matrices=True)
    rank = int(np.sum(s > s[0] * max(H.shape) * np.finfo(float).eps)) if len(s) else 0
    A = u[:, rank:].T
    Ns = np.array(w1["nobs"], dtype=float)
    fg = Ns / Ns.sum()
    Ws, Gs, Js = w1["weights"], w1["gamma"], w1["jacobian"]
    P = sum(f * J.T @ (w[:, None] * J) for f, J, w in zip(fg, Js, Ws))
    Pinv = linalg.inv(P)
    APA = A @ Pinv @ A.T
    M = Pinv @ A.T @ np.linalg.pinv(APA) @ A @ Pinv
    Wall = np.concatenate(Ws)
    U = (Wall[:, None] * D1) @ M @ (D1.T * Wall[None, :])
    Gall = linalg.block_diag(*[f * Gm for f, Gm in zip(fg, Gs)])
    UG = U @ Gall
    tr1 = float(np.trace(UG))
    tr2 = float(np.sum(UG * UG.T))
    a = np.sqrt(m / tr2)
    b = m - a * tr1
    T = (w0["chisq"] - w1["chisq"]) * a + b
    return {"chisq_diff": float(T), "df_diff": m, "pvalue": float(stats.chi2.sf(T, m)),
            "method": "satorra.2000"}
