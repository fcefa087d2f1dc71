"""Maximum-likelihood objectives (complete data and FIML) and the optimizer.

Complete data (lavaan ``likelihood = "normal"``): per group

    F_g = log|Sigma| + tr(S Sigma^-1) - log|S| - p [+ (m - mu)' Sigma^-1 (m - mu)]

with S the covariance with divisor n_g, and F = sum_g (n_g / N) F_g; the test
statistic is N * F (lavaan's 2 N fmin).

FIML (lavaan ``missing = "ml"``): F = -2 logL / N summed over missing-data
patterns.

The optimizer is Fisher scoring with a backtracking line search: each step
solves (2 I) d = -grad with I the expected information per observation, which
converges in a handful of iterations from reasonable starting values. For FIML
the complete-data information at the current estimate is used as the scoring
matrix. Quasi-Newton (L-BFGS) is the fallback when scoring stalls.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize

from .ram import GroupStats, Pattern, RamModel

LOG2PI = np.log(2 * np.pi)


def _chol_inv(Sigma: np.ndarray):
    """Return (Sigma^-1, log|Sigma|, R) with R = L^-1 or None if not PD.

    NumPy rather than SciPy here: these matrices are small and the call
    overhead of SciPy's checking wrappers dominated bootstrap refits.
    """
    if not np.all(np.isfinite(Sigma)):
        return None
    try:
        L = np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        return None
    R = np.linalg.inv(L)
    return R.T @ R, 2.0 * np.sum(np.log(np.diag(L))), R


class MLObjective:
    """Normal-theory ML discrepancy for complete data."""

    kind = "ml"

    def __init__(self, model: RamModel, stats: list[GroupStats]):
        self.model = model
        self.stats = stats
        self.N = sum(s.nobs for s in stats)
        self.w = [s.nobs / self.N for s in stats]
        self.logdetS = []
        for s in stats:
            sign, ld = np.linalg.slogdet(s.cov)
            self.logdetS.append(ld if sign > 0 else np.nan)
        self.meanstructure = model.meanstructure

    def group_value(self, theta: np.ndarray, g: int) -> float:
        Sigma, mu = self.model.implied(theta, g)
        ci = _chol_inv(Sigma)
        if ci is None:
            return np.inf
        Si, ld, _ = ci
        st = self.stats[g]
        f = ld + np.sum(st.cov * Si) - self.logdetS[g] - self.model.p
        if self.meanstructure:
            d = st.mean - mu
            f += d @ Si @ d
        return float(f)

    def value(self, theta: np.ndarray) -> float:
        try:
            return float(sum(w * self.group_value(theta, g) for g, w in enumerate(self.w)))
        except np.linalg.LinAlgError:
            return np.inf

    def value_grad(self, theta: np.ndarray):
        """(F, gradient, None); the information matrix recomputes what it needs."""
        f, g = self.value_gradient(theta)
        if g is None:
            return np.inf, np.zeros(self.model.q), None
        return f, g, None

    def gradient(self, theta: np.ndarray) -> np.ndarray | None:
        """Gradient only, without the derivative tensor (None if inadmissible)."""
        return self.value_gradient(theta)[1]

    def value_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray | None]:
        """F and its gradient from one set of implied matrices ((inf, None) if inadmissible)."""
        grad = np.zeros(self.model.q)
        f = 0.0
        for g, w in enumerate(self.w):
            try:
                parts = self.model.parts(theta, g)
            except np.linalg.LinAlgError:
                return np.inf, None
            Sigma, mu = parts[0], parts[1]
            ci = _chol_inv(Sigma)
            if ci is None:
                return np.inf, None
            Si, ld, _ = ci
            st = self.stats[g]
            M = st.cov
            wm = None
            if self.meanstructure:
                d = st.mean - mu
                M = M + np.outer(d, d)
                wm = -2.0 * (Si @ d)
            f += w * (ld + np.sum(M * Si) - self.logdetS[g] - self.model.p)
            W = Si - Si @ M @ Si
            grad += w * self.model.grad_from_weights(theta, g, W, wm, parts)
        return float(f), grad

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """Exact Hessian of F (analytic; see RamModel.second_derivative_term).

        H_kl = tr(Q S_l E S_k) + 2 mu_l' Q S_k Q d + 2 d' Q S_l Q mu_k
               + 2 mu_l' Q mu_k + tr(W S_kl) - 2 d' Q mu_kl
        with Q = Sigma^-1, M = S + d d', E = 2 Q M Q - Q, W = Q - Q M Q, and
        S_k, mu_k the first derivatives of Sigma and mu.
        """
        q = self.model.q
        H = np.zeros((q, q))
        for g, w in enumerate(self.w):
            Sigma, mu, dS, dmu = self.model.derivatives(theta, g)
            Q = np.linalg.inv(Sigma)
            st = self.stats[g]
            M = st.cov
            wm = None
            if self.meanstructure:
                d = st.mean - mu
                M = M + np.outer(d, d)
                wm = -2.0 * (Q @ d)
            E = 2.0 * Q @ M @ Q - Q
            W = Q - Q @ M @ Q
            Y = (Q @ dS).reshape(q, -1)
            Z = (E @ dS).transpose(0, 2, 1).reshape(q, -1)
            Hg = Y @ Z.T
            if self.meanstructure:
                v = (Q @ dS) @ (Q @ d)             # q x p: Q S_k Q d
                Hg += 2.0 * (dmu @ v.T + v @ dmu.T) + 2.0 * dmu @ Q @ dmu.T
            Hg += self.model.second_derivative_term(theta, g, W, wm)
            H += w * 0.5 * (Hg + Hg.T)
        return H

    def information(self, theta: np.ndarray, cache=None) -> np.ndarray:
        """Expected information per observation (N-weighted over groups)."""
        q = self.model.q
        info = np.zeros((q, q))
        for g, w in enumerate(self.w):
            Sigma, mu, dS, dmu = self.model.derivatives(theta, g)
            R = _chol_inv(Sigma)[2]
            info += w * _unit_information(dS, dmu, R, self.meanstructure)
        return info

    scoring = information


def _unit_information(dS, dmu, R, meanstructure: bool) -> np.ndarray:
    q = len(dS)
    D = R @ dS @ R.T                       # q x p x p
    Df = D.reshape(q, -1)
    info = 0.5 * (Df @ Df.T)
    if meanstructure:
        E = dmu @ R.T
        info += E @ E.T
    return info


class FIMLObjective:
    """Full-information ML over missing-data patterns; value is -2 logL / N."""

    kind = "fiml"

    def __init__(self, model: RamModel, stats: list[GroupStats]):
        self.model = model
        self.stats = stats
        self.N = sum(s.nobs for s in stats)
        self.w = [s.nobs / self.N for s in stats]
        self.meanstructure = True

    def _pattern_iter(self, Sigma, mu, patterns):
        """Yield (pattern, Sigma_oo^-1, log|Sigma_oo|, d, M) for every pattern.

        The inverse of each observed block comes from the full inverse by a
        Schur complement, Sigma_oo^-1 = P_oo - P_om P_mm^-1 P_mo with
        P = Sigma^-1, so only a |missing| x |missing| system is solved per
        pattern. Yields None for a pattern whose block is not positive definite.
        """
        ci = _chol_inv(Sigma)
        if ci is None:
            yield None
            return
        P, ldS, _ = ci
        p = len(Sigma)
        for pat in patterns:
            o = pat.obs
            if len(o) == p:
                Si, ld = P, ldS
            else:
                ix = _pattern_index(pat, p)
                Pmm = P[ix["mm"]]
                Pmo = P[ix["mo"]]
                sign, ldm = np.linalg.slogdet(Pmm)
                if sign <= 0:
                    yield None
                    return
                # plain NumPy: scipy's wrappers cost more than the tiny solve
                Si = P[ix["oo"]] - Pmo.T @ np.linalg.solve(Pmm, Pmo)
                ld = ldS + ldm
            d = pat.mean - mu[o]
            M = pat.cov + np.outer(d, d)
            yield pat, Si, ld, d, M

    def value(self, theta: np.ndarray) -> float:
        total = 0.0
        for g, st in enumerate(self.stats):
            try:
                Sigma, mu = self.model.implied(theta, g)
            except np.linalg.LinAlgError:
                return np.inf
            for t in self._pattern_iter(Sigma, mu, st.patterns):
                if t is None:
                    return np.inf
                pat, Si, ld, d, M = t
                total += pat.n * (len(pat.obs) * LOG2PI + ld + np.sum(M * Si))
        return float(total / self.N)

    def value_grad(self, theta: np.ndarray):
        q = self.model.q
        p = self.model.p
        total = 0.0
        grad = np.zeros(q)
        cache = []
        for g, st in enumerate(self.stats):
            try:
                Sigma, mu, dS, dmu = self.model.derivatives(theta, g)
            except np.linalg.LinAlgError:
                return np.inf, grad, None
            W = np.zeros((p, p))
            wm = np.zeros(p)
            for t in self._pattern_iter(Sigma, mu, st.patterns):
                if t is None:
                    return np.inf, grad, None
                pat, Si, ld, d, M = t
                o = pat.obs
                total += pat.n * (len(o) * LOG2PI + ld + np.sum(M * Si))
                SiM = Si @ M
                blk = pat.n * (Si - SiM @ Si)
                if len(o) == p:
                    W += blk
                    wm += -2.0 * pat.n * (Si @ d)
                else:
                    W[_pattern_index(pat, p)["oo"]] += blk
                    wm[o] += -2.0 * pat.n * (Si @ d)
            grad += dS.reshape(q, -1) @ W.ravel() + dmu @ wm
            ci = _chol_inv(Sigma)
            R = ci[2] if ci is not None else None
            cache.append((Sigma, mu, dS, dmu, R))
        return float(total / self.N), grad / self.N, cache

    def gradient(self, theta: np.ndarray) -> np.ndarray | None:
        """Gradient only, without the derivative tensor (None if inadmissible)."""
        q, p = self.model.q, self.model.p
        grad = np.zeros(q)
        for g, st in enumerate(self.stats):
            try:
                Sigma, mu = self.model.implied(theta, g)
            except np.linalg.LinAlgError:
                return None
            W = np.zeros((p, p))
            wm = np.zeros(p)
            for t in self._pattern_iter(Sigma, mu, st.patterns):
                if t is None:
                    return None
                pat, Si, ld, d, M = t
                o = pat.obs
                blk = pat.n * (Si - Si @ M @ Si)
                if len(o) == p:
                    W += blk
                    wm += -2.0 * pat.n * (Si @ d)
                else:
                    W[_pattern_index(pat, p)["oo"]] += blk
                    wm[o] += -2.0 * pat.n * (Si @ d)
            grad += self.model.grad_from_weights(theta, g, W, wm)
        return grad / self.N

    def scoring(self, theta: np.ndarray, cache=None) -> np.ndarray:
        """Complete-data expected information: a good scoring matrix for FIML."""
        if cache is None:
            _, _, cache = self.value_grad(theta)
        q = self.model.q
        info = np.zeros((q, q))
        for (Sigma, mu, dS, dmu, R), w in zip(cache, self.w):
            if R is None:
                return np.eye(q)
            info += w * _unit_information(dS, dmu, R, True)
        return info

    def expected_information(self, theta: np.ndarray) -> np.ndarray:
        """Expected information per observation under the missing-data patterns."""
        q = self.model.q
        info = np.zeros((q, q))
        for g, st in enumerate(self.stats):
            Sigma, mu, dS, dmu = self.model.derivatives(theta, g)
            for pat in st.patterns:
                o = pat.obs
                ci = _chol_inv(Sigma[np.ix_(o, o)])
                R = ci[2]
                dSo = dS[:, o][:, :, o]
                info += pat.n * _unit_information(dSo, dmu[:, o], R, True)
        return info / self.N

    def observed_information(self, theta: np.ndarray) -> np.ndarray:
        """Observed information per observation (Hessian of -logL / N)."""
        return 0.5 * numerical_hessian(self, theta)


def _pattern_index(pat: Pattern, p: int) -> dict:
    """Index grids of a pattern's observed/missing blocks, built once and cached."""
    ix = getattr(pat, "_ix", None)
    if ix is None:
        o = pat.obs
        m = np.setdiff1d(np.arange(p), o)
        ix = {"oo": np.ix_(o, o), "mm": np.ix_(m, m), "mo": np.ix_(m, o)}
        pat._ix = ix  # type: ignore[attr-defined]
    return ix


def numerical_hessian(obj, theta: np.ndarray) -> np.ndarray:
    """Central differences of the analytic gradient (symmetrised)."""
    q = len(theta)
    H = np.zeros((q, q))
    for k in range(q):
        h = 1e-5 * max(1.0, abs(theta[k]))
        tp = theta.copy(); tp[k] += h
        tm = theta.copy(); tm[k] -= h
        gp = obj.gradient(tp)
        gm = obj.gradient(tm)
        if gp is None or gm is None:
            # a step leaves the admissible region (implied matrix not positive
            # definite): one-sided difference, or NaN if neither side works
            g0 = obj.gradient(theta)
            if g0 is None or (gp is None and gm is None):
                H[:, k] = np.nan
                continue
            H[:, k] = (gp - g0) / h if gp is not None else (g0 - gm) / h
            continue
        H[:, k] = (gp - gm) / (2 * h)
    return 0.5 * (H + H.T)


@dataclass
class OptimResult:
    theta: np.ndarray
    fmin: float
    grad: np.ndarray
    iterations: int
    converged: bool
    message: str


def minimize(obj, theta0: np.ndarray, *, maxit: int = 500, tol: float = 1e-12,
             _restarts: int = 2) -> OptimResult:
    """Fisher scoring with backtracking; L-BFGS fallback (restarting scoring at most twice)."""
    theta = np.asarray(theta0, float).copy()
    f, g, cache = obj.value_grad(theta)
    if not np.isfinite(f):
        return _lbfgs(obj, theta, "starting values give a non-positive-definite implied matrix")
    it = 0
    stalled = False
    use_newton = hasattr(obj, "hessian")
    for it in range(1, maxit + 1):
        H = None
        if use_newton:
            # exact Newton where the Hessian is positive definite (quadratic
            # convergence even under misfit); Fisher scoring elsewhere
            Hn = obj.hessian(theta)
            try:
                linalg.cholesky(Hn)
                H = Hn
            except linalg.LinAlgError:
                H = None
        if H is None:
            H = 2.0 * obj.scoring(theta, cache)
        try:
            with warnings.catch_warnings():
                # an ill-conditioned scoring matrix far from the optimum is
                # harmless: the line search below guards every step
                warnings.simplefilter("ignore", linalg.LinAlgWarning)
                step = -linalg.solve(H, g, assume_a="sym")
        except (linalg.LinAlgError, ValueError):
            step = -np.linalg.lstsq(H, g, rcond=None)[0]
        slope = float(g @ step)
        if not np.isfinite(slope) or slope >= 0:
            step = -g
            slope = float(g @ step)
        t = 1.0
        while True:
            th = theta + t * step
            fn = obj.value(th)
            if np.isfinite(fn) and fn <= f + 1e-4 * t * slope:
                break
            t *= 0.5
            if t < 1e-10:
                break
        if t < 1e-10:
            stalled = True
            break
        f_old = f
        theta = th
        f, g, cache = obj.value_grad(theta)
        if abs(f_old - f) <= tol * (1 + abs(f)) and np.max(np.abs(t * step)) < 1e-7:
            break
    gmax = float(np.max(np.abs(g))) if len(g) else 0.0
    if stalled and gmax > 1e-6:
        res = _lbfgs(obj, theta, "scoring stalled")
        if res.fmin <= f + 1e-12:
            if res.converged and _restarts > 0:
                return minimize(obj, res.theta, maxit=maxit, tol=tol, _restarts=_restarts - 1)
            return res
    converged = gmax < 1e-5 and it < maxit
    msg = "converged" if converged else (
        f"stopped after {it} iterations with largest gradient {gmax:.2g}")
    return OptimResult(theta, f, g, it, converged, msg)


def _lbfgs(obj, theta0: np.ndarray, why: str) -> OptimResult:
    def fun(th):
        f, g, _ = obj.value_grad(th)
        if not np.isfinite(f):
            return 1e10, np.zeros_like(th)
        return f, g

    res = optimize.minimize(fun, theta0, jac=True, method="L-BFGS-B",
                            options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-9})
    f, g, _ = obj.value_grad(res.x)
    gmax = float(np.max(np.abs(g))) if len(g) and np.isfinite(f) else np.inf
    ok = bool(np.isfinite(f) and gmax < 1e-5)
    return OptimResult(res.x, f, g, int(res.nit), ok,
                       "converged" if ok else f"{why}; quasi-Newton ended: {res.message}")


# ---------------------------------------------------------------------------
# FIML helpers: missing-data patterns and the saturated (h1) model by EM
# ---------------------------------------------------------------------------

def make_patterns(X: np.ndarray) -> list[Pattern]:
    """Group rows by their pattern of observed values."""
    obs = ~np.isnan(X)
    keys, inverse = np.unique(obs, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    pats = []
    for k, key in enumerate(keys):
        rows = np.where(inverse == k)[0]
        o = np.where(key)[0]
        if len(o) == 0:
            continue
        Y = X[np.ix_(rows, o)]
        mean = Y.mean(axis=0)
        Z = Y - mean
        cov = Z.T @ Z / len(rows)
        pats.append(Pattern(obs=o, n=len(rows), mean=mean, cov=cov, rows=rows))
    return pats


def em_saturated(X: np.ndarray, patterns: list[Pattern], *, maxit: int = 5000,
                 tol: float = 1e-11) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """EM estimates of the unrestricted mean and covariance; returns (mu, Sigma, logl, ok)."""
    n, p = X.shape
    mu = np.nanmean(X, axis=0)
    Sigma = np.diag(np.nanvar(X, axis=0))
    ok = False
    logl_old = -np.inf
    for _ in range(maxit):
        T1 = np.zeros(p)
        T2 = np.zeros((p, p))
        for pat in patterns:
            o = pat.obs
            m = np.setdiff1d(np.arange(p), o)
            Y = X[np.ix_(pat.rows, o)]
            if len(m) == 0:
                T1 += Y.sum(axis=0)
                T2 += Y.T @ Y
                continue
            Soo = Sigma[np.ix_(o, o)]
            Smo = Sigma[np.ix_(m, o)]
            Bc = _regression_weights(Soo, Smo)                   # |m| x |o|
            Yhat = mu[m] + (Y - mu[o]) @ Bc.T
            C = Sigma[np.ix_(m, m)] - Bc @ Smo.T
            full = np.empty((len(pat.rows), p))
            full[:, o] = Y
            full[:, m] = Yhat
            T1 += full.sum(axis=0)
            T2 += full.T @ full
            T2[np.ix_(m, m)] += len(pat.rows) * C
        mu = T1 / n
        Sigma = T2 / n - np.outer(mu, mu)
        logl = fiml_loglik(mu, Sigma, patterns)
        if not np.isfinite(logl):
            break                # singular: the caller reports the culprits
        if abs(logl - logl_old) < tol * (1 + abs(logl)):
            ok = True
            break
        logl_old = logl
    return mu, Sigma, logl, ok


def _regression_weights(Soo: np.ndarray, Smo: np.ndarray) -> np.ndarray:
    """Smo Soo^-1; a pseudo-inverse when Soo is singular (duplicate or constant items)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", linalg.LinAlgWarning)
            return linalg.solve(Soo, Smo.T, assume_a="pos").T
    except (linalg.LinAlgError, linalg.LinAlgWarning, ValueError):
        return Smo @ np.linalg.pinv(Soo)


def fiml_loglik(mu: np.ndarray, Sigma: np.ndarray, patterns: list[Pattern]) -> float:
    total = 0.0
    for pat in patterns:
        o = pat.obs
        ci = _chol_inv(Sigma[np.ix_(o, o)])
        if ci is None:
            return -np.inf
        Si, ld, _ = ci
        d = pat.mean - mu[o]
        M = pat.cov + np.outer(d, d)
        total += -0.5 * pat.n * (len(o) * LOG2PI + ld + np.sum(M * Si))
    return float(total)
