"""Starting values from the sample moments.

Loadings: the ratio estimator cov(j, l) / cov(marker, l) averaged over the
other indicators l of the same factor (the idea behind the 'fabin' family of
non-iterative estimators). Latent variances: cov(marker, l) / (lambda_m
lambda_l) averaged. Residual variances: half the observed variance.
Regressions and covariances start at zero; intercepts at the sample means.
"""

from __future__ import annotations

import numpy as np

from .ram import GroupStats, RamModel


def start_values(model: RamModel, stats: list[GroupStats]) -> np.ndarray:
    pt = model.pt
    tab = pt.table
    theta = np.full(model.q, np.nan)
    idx = model.index
    p = model.p
    for g in range(model.ngroups):
        st = stats[g]
        S = st.cov
        sub = tab[tab["group"] == g + 1]
        loads = {}
        # first pass: loadings of factors with observed indicators
        for f in pt.latent:
            rows = sub[(sub["op"] == "=~") & (sub["lhs"] == f)]
            inds = [r for r in rows.itertuples(index=False)]
            obs = [r for r in inds if idx[r.rhs] < p]
            marker = None
            for r in obs:
                if r.free == 0 and r.fixedval not in (0.0,) and not np.isnan(r.fixedval):
                    marker = r
                    break
            lam: dict[str, float] = {}
            for r in inds:
                if r.free == 0:
                    lam[r.rhs] = float(r.fixedval)
            if marker is not None:
                mi = idx[marker.rhs]
                for r in obs:
                    if r.rhs in lam:
                        continue
                    j = idx[r.rhs]
                    others = [idx[o.rhs] for o in obs if o.rhs not in (r.rhs, marker.rhs)]
                    ratios = [S[j, l] / S[mi, l] for l in others if abs(S[mi, l]) > 1e-8]
                    if ratios:
                        lam[r.rhs] = float(np.clip(np.mean(ratios), -5, 5)) * lam[marker.rhs]
                    elif abs(S[mi, mi]) > 0:
                        lam[r.rhs] = float(np.clip(S[j, mi] / S[mi, mi], -5, 5)) * 2
            else:
                for r in obs:
                    if r.rhs not in lam:
                        lam[r.rhs] = float(np.sqrt(max(0.5 * S[idx[r.rhs], idx[r.rhs]], 1e-4)))
            for r in inds:
                if r.rhs not in lam:
                    lam[r.rhs] = 1.0
            loads[f] = lam
        # latent variances from observed indicators
        psi: dict[str, float] = {}
        for f in pt.latent:
            lam = loads[f]
            ob = [v for v in lam if idx[v] < p and abs(lam[v]) > 1e-8]
            vals = []
            for a in range(len(ob)):
                for b in range(a + 1, len(ob)):
                    i, j = idx[ob[a]], idx[ob[b]]
                    vals.append(S[i, j] / (lam[ob[a]] * lam[ob[b]]))
            if vals:
                psi[f] = float(max(np.mean(vals), 0.05 * np.mean([S[idx[v], idx[v]] for v in ob])))
            elif ob:
                psi[f] = float(S[idx[ob[0]], idx[ob[0]]] / lam[ob[0]] ** 2)
        # higher-order factors: from their (latent) indicators
        for _ in range(3):
            for f in pt.latent:
                if f in psi:
                    continue
                lat = [v for v in loads[f] if v in psi]
                if lat:
                    psi[f] = 0.5 * psi[lat[0]]
        for f in pt.latent:
            psi.setdefault(f, 0.05)
        lv_ind = set(sub.loc[sub["op"] == "=~", "rhs"]) & set(pt.latent)
        for r in sub.itertuples(index=False):
            k = int(r.free) - 1
            if k < 0 or not np.isnan(theta[k]):
                continue
            if not np.isnan(r.ustart):
                theta[k] = r.ustart
                continue
            if r.op == "=~":
                theta[k] = loads[r.lhs].get(r.rhs, 1.0)
            elif r.op == "~~" and r.lhs == r.rhs:
                i = idx[r.lhs]
                if i < p:
                    theta[k] = 0.5 * S[i, i] if S[i, i] > 0 else 1.0
                else:
                    theta[k] = psi[r.lhs] * (0.5 if r.lhs in lv_ind else 1.0)
            elif r.op == "~1":
                i = idx[r.lhs]
                theta[k] = st.mean[i] if i < p else 0.0
            else:
                theta[k] = 0.0
    theta[np.isnan(theta)] = 0.0
    return theta
