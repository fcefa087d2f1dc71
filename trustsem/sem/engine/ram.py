"""RAM representation of a structural equation model with analytic derivatives.

All variables (observed first, then latent) sit in one vector v with
``v = A v + u``, ``cov(u) = S`` and ``E(u) = M``. With ``B = (I - A)^-1`` and
``G = F B`` (``F`` picks the observed rows) the model-implied moments are

    Sigma = G S G'          mu = G M

Derivatives with respect to one entry of A, S or M (used by the gradient,
the information matrix and the delta method) are outer products of columns of
``G`` and rows of ``H = B S G'``::

    dSigma/dA[i,j] = G[:,i] H[j,:] + (G[:,i] H[j,:])'
    dSigma/dS[i,j] = G[:,i] G[:,j]' + G[:,j] G[:,i]'   (i != j; once if i == j)
    dmu/dA[i,j]    = G[:,i] (B M)[j]
    dmu/dM[i]      = G[:,i]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .partable import ParTable


@dataclass
class Pattern:
    """Respondents sharing one pattern of observed items (FIML)."""

    obs: np.ndarray       # indices of observed variables
    n: int
    mean: np.ndarray      # mean over the pattern's rows (observed part)
    cov: np.ndarray       # covariance with divisor n (observed part)
    rows: np.ndarray | None = None


@dataclass
class GroupStats:
    """Sample moments of one group."""

    nobs: int
    cov: np.ndarray       # divisor nobs (ML); under FIML the EM (h1) estimate
    mean: np.ndarray
    patterns: list[Pattern] | None = None
    h1_logl: float | None = None
    cov_raw: np.ndarray | None = None  # for reporting (before rescaling)
    extra: dict = field(default_factory=dict)


@dataclass
class _Entries:
    rows: np.ndarray
    cols: np.ndarray
    par: np.ndarray       # 0-based free parameter index
    q: int = 0

    @property
    def unique(self) -> bool:
        """True when no two entries share a parameter (no equality constraints)."""
        if not hasattr(self, "_unique"):
            object.__setattr__(self, "_unique", len(set(self.par.tolist())) == len(self.par))
        return self._unique  # type: ignore[attr-defined]

    def scatter(self, out: np.ndarray, values: np.ndarray) -> None:
        """out[par] += values, summing entries that share a parameter."""
        if self.unique:
            out[self.par] += values
        else:
            out += self.mapping @ values

    @property
    def mapping(self) -> np.ndarray:
        """q x n_entries 0/1 matrix summing entry derivatives into parameters."""
        if not hasattr(self, "_map"):
            M = np.zeros((self.q, len(self.par)))
            M[self.par, np.arange(len(self.par))] = 1.0
            object.__setattr__(self, "_map", M)
        return self._map  # type: ignore[attr-defined]


class RamModel:
    """Maps a free-parameter vector to RAM matrices and implied moments."""

    def __init__(self, pt: ParTable, stats: list[GroupStats]):
        self.pt = pt
        self.names = list(pt.observed) + list(pt.latent)
        self.p = len(pt.observed)
        self.m = len(self.names)
        self.q = pt.nfree
        self.ngroups = pt.ngroups
        self.meanstructure = pt.meanstructure
        idx = {v: i for i, v in enumerate(self.names)}
        self.index = idx
        tab = pt.table
        self.A0: list[np.ndarray] = []
        self.S0: list[np.ndarray] = []
        self.M0: list[np.ndarray] = []
        self.Aent: list[_Entries] = []
        self.Sent: list[_Entries] = []
        self.Ment: list[_Entries] = []
        for g in range(self.ngroups):
            A = np.zeros((self.m, self.m))
            S = np.zeros((self.m, self.m))
            M = np.zeros(self.m)
            a_r, a_c, a_p, s_r, s_c, s_p, m_r, m_p = [], [], [], [], [], [], [], []
            sub = tab[tab["group"] == g + 1]
            st = stats[g]
            for r in sub.itertuples(index=False):
                free = int(r.free) - 1
                if r.op == "=~":
                    i, j = idx[r.rhs], idx[r.lhs]
                    if free >= 0:
                        a_r.append(i); a_c.append(j); a_p.append(free)
                    else:
                        A[i, j] = r.fixedval
                elif r.op == "~":
                    i, j = idx[r.lhs], idx[r.rhs]
                    if free >= 0:
                        a_r.append(i); a_c.append(j); a_p.append(free)
                    else:
                        A[i, j] = r.fixedval
                elif r.op == "~~":
                    i, j = idx[r.lhs], idx[r.rhs]
                    if free >= 0:
                        s_r.append(i); s_c.append(j); s_p.append(free)
                    else:
                        val = r.fixedval
                        if r.exo == 1:
                            val = st.cov[i, j]
                        S[i, j] = S[j, i] = val
                elif r.op == "~1":
                    i = idx[r.lhs]
                    if free >= 0:
                        m_r.append(i); m_p.append(free)
                    else:
                        val = r.fixedval
                        if r.exo == 1:
                            val = st.mean[i]
                        M[i] = val
            self.A0.append(A)
            self.S0.append(S)
            self.M0.append(M)
            q = self.q
            self.Aent.append(_Entries(np.array(a_r, int), np.array(a_c, int), np.array(a_p, int), q))
            self.Sent.append(_Entries(np.array(s_r, int), np.array(s_c, int), np.array(s_p, int), q))
            self.Ment.append(_Entries(np.array(m_r, int), np.array(m_r, int), np.array(m_p, int), q))

    # ------------------------------------------------------------------
    def matrices(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        A = self.A0[g].copy()
        S = self.S0[g].copy()
        M = self.M0[g].copy()
        e = self.Aent[g]
        A[e.rows, e.cols] = theta[e.par]
        e = self.Sent[g]
        S[e.rows, e.cols] = theta[e.par]
        S[e.cols, e.rows] = theta[e.par]
        e = self.Ment[g]
        M[e.rows] = theta[e.par]
        return A, S, M

    def total_cov(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        """Implied covariance and mean of all (observed and latent) variables."""
        A, S, M = self.matrices(theta, g)
        B = np.linalg.inv(np.eye(self.m) - A)
        return B @ S @ B.T, B @ M

    def implied(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        V, mu = self.total_cov(theta, g)
        p = self.p
        return V[:p, :p], mu[:p]

    def parts(self, theta: np.ndarray, g: int) -> tuple:
        """(Sigma, mu, B, G, S, M) for group g, shared by value and gradient."""
        A, S, M = self.matrices(theta, g)
        B = np.linalg.inv(np.eye(self.m) - A)
        G = B[: self.p, :]
        return G @ S @ G.T, G @ M, B, G, S, M

    def grad_from_weights(self, theta: np.ndarray, g: int, W: np.ndarray,
                          wm: np.ndarray | None = None, parts: tuple | None = None) -> np.ndarray:
        """Return sum(W * dSigma_k) + wm . dmu_k for every parameter k.

        Contracts the weights directly instead of forming dSigma: with
        K_A = G' W H' and K_S = G' W G, an A entry (i, j) contributes
        2 K_A[i, j] and an S entry 2 K_S[i, j] (K_S[i, i] on the diagonal).
        Costs O(m^2 p) instead of O(q p^2).
        """
        _, _, B, G, S, M = parts if parts is not None else self.parts(theta, g)
        H = B @ S @ G.T
        GW = G.T @ W                       # m x p
        grad = np.zeros(self.q)
        e = self.Aent[g]
        if len(e.par):
            KA = GW @ H.T                  # m x m
            vals = 2.0 * KA[e.rows, e.cols]
            if wm is not None:
                gw = G.T @ wm
                vals = vals + gw[e.rows] * (B @ M)[e.cols]
            grad += np.bincount(e.par, weights=vals, minlength=self.q)
        e = self.Sent[g]
        if len(e.par):
            KS = GW @ G
            vals = np.where(e.rows == e.cols, 1.0, 2.0) * KS[e.rows, e.cols]
            grad += np.bincount(e.par, weights=vals, minlength=self.q)
        e = self.Ment[g]
        if len(e.par) and wm is not None:
            grad += np.bincount(e.par, weights=(G.T @ wm)[e.rows], minlength=self.q)
        return grad

    def second_derivative_term(self, theta: np.ndarray, g: int, W: np.ndarray,
                               wm: np.ndarray | None = None) -> np.ndarray:
        """sum(W * d2Sigma/dk dl) + wm . d2mu/dk dl for all parameter pairs.

        With K_A = G' W H', K_S = G' W G, V = B S B' and an A entry (i, j)
        paired with an A entry (k, l):
            2 (B[l,i] K_A[k,j] + B[j,k] K_A[i,l] + V[j,l] K_S[i,k]),
        with an S entry (k, l): 2 (B[j,k] K_S[i,l] + B[j,l] K_S[i,k]) (half
        that when k == l); S-S pairs vanish. Mean terms use u = G' wm:
        A-A: u[k] B[l,i] (BM)[j] + u[i] B[j,k] (BM)[l]; A-M(k): u[i] B[j,k].
        """
        A, S, M = self.matrices(theta, g)
        B = np.linalg.inv(np.eye(self.m) - A)
        p = self.p
        G = B[:p, :]
        H = B @ S @ G.T
        V = B @ S @ B.T
        BM = B @ M
        GW = G.T @ W
        KA = GW @ H.T
        KS = GW @ G
        out = np.zeros((self.q, self.q))
        ea, es, em = self.Aent[g], self.Sent[g], self.Ment[g]
        if len(ea.par):
            i, j = ea.rows[:, None], ea.cols[:, None]
            k, l = ea.rows[None, :], ea.cols[None, :]
            T = 2.0 * (B[l, i] * KA[k, j] + B[j, k] * KA[i, l] + V[j, l] * KS[i, k])
            if wm is not None:
                u = G.T @ wm
                T = T + u[k] * B[l, i] * BM[j] + u[i] * B[j, k] * BM[l]
            T = 0.5 * (T + T.T)
            out += ea.mapping @ T @ ea.mapping.T
            if len(es.par):
                ks, ls = es.rows[None, :], es.cols[None, :]
                T = 2.0 * (B[j, ks] * KS[i, ls] + B[j, ls] * KS[i, ks])
                T[:, es.rows == es.cols] *= 0.5
                C = ea.mapping @ T @ es.mapping.T
                out += C + C.T
            if len(em.par) and wm is not None:
                u = G.T @ wm
                T = u[i] * B[j, em.rows[None, :]]
                C = ea.mapping @ T @ em.mapping.T
                out += C + C.T
        return out

    def derivatives(self, theta: np.ndarray, g: int):
        """Return Sigma, mu, dSigma (q x p x p) and dmu (q x p) for group g."""
        A, S, M = self.matrices(theta, g)
        B = np.linalg.inv(np.eye(self.m) - A)
        p = self.p
        G = B[:p, :]                      # F B
        H = B @ S @ G.T                   # m x p
        Sigma = G @ S @ G.T
        BM = B @ M
        mu = G @ M
        q = self.q
        dS = np.zeros((q, p * p))
        dmu = np.zeros((q, p))
        e = self.Aent[g]
        if len(e.par):
            T = G[:, e.rows].T[:, :, None] * H[e.cols, :][:, None, :]
            T = T + T.transpose(0, 2, 1)
            e.scatter(dS, T.reshape(len(e.par), -1))
            e.scatter(dmu, G[:, e.rows].T * BM[e.cols][:, None])
        e = self.Sent[g]
        if len(e.par):
            T = G[:, e.rows].T[:, :, None] * G[:, e.cols].T[:, None, :]
            off = (e.rows != e.cols)
            T[off] = T[off] + T[off].transpose(0, 2, 1)
            e.scatter(dS, T.reshape(len(e.par), -1))
        e = self.Ment[g]
        if len(e.par):
            e.scatter(dmu, G[:, e.rows].T)
        return Sigma, mu, dS.reshape(q, p, p), dmu
