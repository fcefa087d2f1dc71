"""Robust ML: sandwich standard errors and scaled test statistics.

Notation (per respondent, "unit" matrices): E is the information matrix of the
model (expected for MLM, observed for MLR), B0 = (1/N) sum_i s_i s_i' the
first-order information from the casewise scores s_i = d log L_i / d theta,
A1 and B1 the same two matrices for the saturated (h1) model.

- Robust covariance: V = E^-1 B0 E^-1 / N (lavaan "robust.sem" for MLM with
  expected E, "robust.huber.white" for MLR with observed E).
- Scaling trace: tr(U Gamma) = sum_g tr(B1_g A1_g^-1) - tr(B0 E^-1); the
  scaling factor is c = tr(U Gamma) / df and chisq_scaled = chisq / c.
  MLM (Satorra-Bentler) evaluates the h1 weight at the model-implied moments
  ("structured"), MLR (Yuan-Bentler, Mplus variant) at the saturated estimates
  ("unstructured"); under FIML A1 is the observed information of the
  saturated model.
- For complete data tr(B1 A1^-1) = tr(W Gamma) = (1/n) sum_i [0.5 tr(Q X_i Q X_i)
  (+ e_i' Q e_i with a mean structure)] with Q the inverse weight covariance,
  X_i = e_i e_i' - S and e_i the centred observation.
- The independence (baseline) model has a closed form: its trace is
  sum_j 0.5 (m4_j / v_j^2 - 1) (+ 1 per free mean), m4 the fourth central moment.
"""

from __future__ import annotations

import numpy as np

from .ram import GroupStats, RamModel


def casewise_scores(model: RamModel, stats: list[GroupStats], X_groups: list[np.ndarray],
                    theta: np.ndarray, fiml: bool, chunk: int = 2000,
                    sample_center: bool = False) -> list[np.ndarray]:
    """Scores d log L_i / d theta for every respondent, per group (n_g x q).

    ``sample_center=True`` (MLM) takes deviations from the sample means, so
    that the scores are Delta' W (d_i - mean d) with d_i the casewise sample
    moments, the form behind the Satorra-Bentler Gamma.
    """
    out = []
    q = model.q
    for g, (st, X) in enumerate(zip(stats, X_groups)):
        Sigma, mu, dS, dmu = model.derivatives(theta, g)
        center = mu if ((model.meanstructure or fiml) and not sample_center) else st.mean
        S_out = np.zeros((len(X), q))
        if not fiml:
            Q = np.linalg.inv(Sigma)
            trQdS = np.einsum("ij,kji->k", Q, dS)
            for a in range(0, len(X), chunk):
                E = X[a:a + chunk] - center
                U = E @ Q
                quad = np.einsum("ni,kij,nj->nk", U, dS, U, optimize=True)
                s = 0.5 * (quad - trQdS)
                if model.meanstructure:
                    s = s + U @ dmu.T
                S_out[a:a + chunk] = s
        else:
            for pat in st.patterns:
                o = pat.obs
                Qo = np.linalg.inv(Sigma[np.ix_(o, o)])
                dSo = dS[:, o][:, :, o]
                trQdS = np.einsum("ij,kji->k", Qo, dSo)
                E = X[np.ix_(pat.rows, o)] - mu[o]
                U = E @ Qo
                quad = np.einsum("ni,kij,nj->nk", U, dSo, U, optimize=True)
                S_out[pat.rows] = 0.5 * (quad - trQdS) + U @ dmu[:, o].T
        out.append(S_out)
    return out


def first_order(scores: list[np.ndarray], N: int, center: bool = False) -> np.ndarray:
    """Sum over groups of the score cross-products, / N.

    ``center=True`` centres each group's scores first: the Satorra-Bentler
    (MLM) Gamma is the covariance of the sample moments. At the estimates the
    scores sum to zero over everyone, but under cross-group equality
    constraints not within each group, so centring matters there.
    """
    q = scores[0].shape[1]
    B = np.zeros((q, q))
    for s in scores:
        if center and len(s):
            s = s - s.mean(axis=0)
        B += s.T @ s
    return B / N


def h1_trace_complete(X: np.ndarray, Sigma: np.ndarray, meanstructure: bool) -> float:
    """tr(W Gamma) for one group of complete data, W evaluated at ``Sigma``."""
    n = len(X)
    E = X - X.mean(axis=0)
    S = E.T @ E / n
    Q = np.linalg.inv(Sigma)
    QS = Q @ S
    u = np.einsum("ni,ij,nj->n", E, Q, E)            # e' Q e
    QSQ = QS @ Q
    v = np.einsum("ni,ij,nj->n", E, QSQ, E)          # e' Q S Q e
    # 0.5 tr(Q X Q X) with X = e e' - S
    t = 0.5 * (u**2 - 2 * v + np.trace(QS @ QS))
    total = float(t.mean())
    if meanstructure:
        total += float(np.trace(QS))
    return total


def _h1_scores_fiml(X: np.ndarray, patterns, mu: np.ndarray, Sigma: np.ndarray) -> np.ndarray:
    """Casewise scores of the saturated model (mu, vech Sigma) under missing data."""
    p = len(mu)
    iu = np.tril_indices(p)
    mult = np.where(iu[0] == iu[1], 1.0, 2.0)
    out = np.zeros((len(X), p + len(iu[0])))
    pos = np.full((p, p), -1)
    pos[iu] = np.arange(len(iu[0]))
    pos[iu[1], iu[0]] = np.arange(len(iu[0]))
    for pat in patterns:
        o = pat.obs
        Qo = np.linalg.inv(Sigma[np.ix_(o, o)])
        E = X[np.ix_(pat.rows, o)] - mu[o]
        U = E @ Qo
        out[np.ix_(pat.rows, o)] = U
        G = 0.5 * (U[:, :, None] * U[:, None, :] - Qo[None, :, :])   # n x |o| x |o|
        oi, oj = np.meshgrid(o, o, indexing="ij")
        sel = oi >= oj
        idx = pos[oi[sel], oj[sel]]
        out[np.ix_(pat.rows, p + idx)] = G[:, sel] * mult[idx][None, :]
    return out


def h1_observed_info_fiml(patterns, mu: np.ndarray, Sigma: np.ndarray, n_total: int) -> np.ndarray:
    """Observed information per respondent of the saturated model (mu, vech Sigma) under FIML.

    Per pattern (n rows, observed block o, Q = Sigma_oo^-1, d = mean - mu_o,
    M = S_pattern + d d'), the negative Hessian of its log-likelihood is
        mu-mu:        n Q
        mu-vec(S):    n (Q[:, u] (Qd)[v] + Q[:, v] (Qd)[u])      (u, v) off-diagonal
        vec-vec:      n (0.5 (Q x QMQ + QMQ x Q) - 0.5 Q x Q)
    reduced to vech by the duplication matrix and embedded in the full vector.
    """
    p = len(mu)
    il = np.tril_indices(p)
    nv = len(il[0])
    pos = np.full((p, p), -1)
    pos[il] = np.arange(nv)
    pos[il[1], il[0]] = np.arange(nv)
    A = np.zeros((p + nv, p + nv))
    for pat in patterns:
        o = pat.obs
        po = len(o)
        n = pat.n
        Q = np.linalg.inv(Sigma[np.ix_(o, o)])
        d = pat.mean - mu[o]
        M = pat.cov + np.outer(d, d)
        QMQ = Q @ M @ Q
        Qd = Q @ d
        lo = np.tril_indices(po)
        r = lo[0] * po + lo[1]
        r2 = lo[1] * po + lo[0]
        f = np.where(lo[0] == lo[1], 0.5, 1.0)
        K = n * (0.5 * (np.kron(Q, QMQ) + np.kron(QMQ, Q)) - 0.5 * np.kron(Q, Q))
        Kv = (K[np.ix_(r, r)] + K[np.ix_(r, r2)] + K[np.ix_(r2, r)] + K[np.ix_(r2, r2)])
        Kv *= np.outer(f, f)
        gidx = p + pos[o[lo[0]], o[lo[1]]]
        A[np.ix_(gidx, gidx)] += Kv
        A[np.ix_(o, o)] += n * Q
        C = Q[:, lo[0]] * Qd[lo[1]][None, :] + Q[:, lo[1]] * Qd[lo[0]][None, :]
        C *= f[None, :] * 2.0 * 0.5
        C = n * C
        A[np.ix_(o, gidx)] += C
        A[np.ix_(gidx, o)] += C.T
    return A / n_total


def h1_trace_fiml(X: np.ndarray, patterns, mu: np.ndarray, Sigma: np.ndarray) -> float:
    """tr(B1 A1^-1) for the saturated model under FIML (A1 observed information)."""
    s0 = _h1_scores_fiml(X, patterns, mu, Sigma)
    n = len(X)
    B1 = s0.T @ s0 / n
    A1 = h1_observed_info_fiml(patterns, mu, Sigma, n)
    return float(np.trace(np.linalg.solve(A1, B1)))


def _h1_trace_fiml_numeric(X: np.ndarray, patterns, mu: np.ndarray, Sigma: np.ndarray) -> float:
    """Reference implementation by numerical differentiation (used in the tests)."""
    p = len(mu)
    n = len(X)
    iu = np.tril_indices(p)

    def unpack(v):
        m = v[:p]
        S = np.zeros((p, p))
        S[iu] = v[p:]
        S = S + S.T - np.diag(np.diag(S))
        return m, S

    v0 = np.concatenate([mu, Sigma[iu]])
    s0 = _h1_scores_fiml(X, patterns, mu, Sigma)
    B1 = s0.T @ s0 / n
    d = len(v0)
    A1 = np.zeros((d, d))
    for k in range(d):
        h = 1e-6 * max(1.0, abs(v0[k]))
        vp, vm = v0.copy(), v0.copy()
        vp[k] += h
        vm[k] -= h
        gp = _h1_scores_fiml(X, patterns, *unpack(vp)).sum(axis=0)
        gm = _h1_scores_fiml(X, patterns, *unpack(vm)).sum(axis=0)
        A1[:, k] = -(gp - gm) / (2 * h) / n
    A1 = 0.5 * (A1 + A1.T)
    return float(np.trace(np.linalg.solve(A1, B1)))


def baseline_trace(X: np.ndarray, meanstructure: bool) -> float:
    """tr(U Gamma) part of the independence model: sum_j 0.5 (m4/v^2 - 1) (+1 per mean)."""
    total = 0.0
    for j in range(X.shape[1]):
        x = X[:, j]
        x = x[~np.isnan(x)]
        e = x - x.mean()
        v = np.mean(e**2)
        m4 = np.mean(e**4)
        total += 0.5 * (m4 / v**2 - 1.0) + (1.0 if meanstructure else 0.0)
    return total
