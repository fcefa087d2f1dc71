"""Is factor analysis appropriate, and with how many factors? KMO, Bartlett, parallel analysis.

==========================  ===============================================
function                    R equivalent (psych 2.2.9, tests/reference)
==========================  ===============================================
:func:`kmo`                 ``psych::KMO(X)``
:func:`bartlett`            ``psych::cortest.bartlett(cor(X), n = nrow(X))``
:func:`parallel_analysis`   ``psych::fa.parallel(X, fm = "minres")`` (the
                            simulated-normal-data part)
==========================  ===============================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._display import Summary, SummaryDisplay
from .._validation import check_interval, check_level, check_option, check_positive_int
from ._extraction import _extract
from ._structure import _corr_input, _single_thread

__all__ = [
    "BartlettResult",
    "KMOResult",
    "ParallelResult",
    "bartlett",
    "kmo",
    "parallel_analysis",
]

_KMO_LABELS = [(0.90, "marvelous"), (0.80, "meritorious"), (0.70, "middling"),
               (0.60, "mediocre"), (0.50, "miserable"), (-np.inf, "unacceptable")]


def _kmo_label(v: float) -> str:
    for cut, lab in _KMO_LABELS:
        if v >= cut:
            return lab
    return "unacceptable"



# ---------------------------------------------------------------------------
# KMO and Bartlett
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class KMOResult(SummaryDisplay):
    """Kaiser-Meyer-Olkin measure of sampling adequacy.

    Attributes
    ----------
    overall : float
        Overall MSA.
    label : str
        Kaiser's (1974) label for ``overall``.
    table : pandas.DataFrame
        ``item, msa, label`` (per-item MSA).
    n_obs : int
    notes : tuple of str
    """

    overall: float
    label: str
    table: pd.DataFrame
    n_obs: int
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        """Text/HTML summary."""
        return Summary("Kaiser-Meyer-Olkin sampling adequacy",
                       [("Overall MSA", self.overall), ("Label", self.label),
                        ("Observations", self.n_obs)],
                       [("Per item", self.table)],
                       list(self.notes) + [("Kaiser (1974): >= .90 marvelous, .80"
                                           " meritorious, .70 middling, .60 mediocre, .50"
                                           " miserable, below .50 unacceptable.")])


@_single_thread
def kmo(data: pd.DataFrame, items: Sequence[str] | None = None, *,
        missing: str = "listwise") -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    Parameters
    ----------
    data : pandas.DataFrame
    items : sequence of str, optional
        Columns to use (default: every column, which must then be numeric).
    missing : {"listwise", "pairwise", "fiml"}
        Complete rows (default), pairwise-complete correlations (what
        ``psych::KMO()`` does with raw data containing NAs) or the EM
        correlation matrix.

    Returns
    -------
    KMOResult
        ``overall``, ``label``, ``table`` (item, msa, label), ``notes``.

    Raises
    ------
    SpecificationError
        Columns not in the data.
    DataError
        Text, empty or constant items; a singular correlation matrix (naming
        the items involved).

    Warns
    -----
    MissingDataWarning
        Rows dropped by listwise deletion.

    Notes
    -----
    With R the item correlations and A the anti-image (partial) correlations,
    ``a_ij = -q_ij / sqrt(q_ii q_jj)`` from ``Q = R^-1``:
    ``MSA_i = sum_j r_ij^2 / (sum_j r_ij^2 + sum_j a_ij^2)`` (j != i) and the
    overall MSA is the same ratio summed over all i != j. Equals
    ``psych::KMO()`` (psych 2.2.9) to 1e-6.

    References
    ----------
    Kaiser (1970) Psychometrika 35:401-415; Kaiser (1974) Psychometrika
    39:31-36.

    Examples
    --------
    >>> from trustsem.data.datasets import load_example
    >>> from trustsem.measurement.efa import kmo
    >>> hs = load_example("holzinger_swineford_1939")
    >>> res = kmo(hs, [f"x{i}" for i in range(1, 10)])
    >>> round(res.overall, 3), res.label
    (0.752, 'middling')
    """
    R, n, names, notes = _corr_input(data, items, missing)
    Q = np.linalg.inv(R)
    d = 1.0 / np.sqrt(np.diag(Q))
    A = Q * np.outer(d, d)
    r2 = R ** 2
    a2 = A ** 2
    np.fill_diagonal(r2, 0.0)
    np.fill_diagonal(a2, 0.0)
    msa_i = r2.sum(axis=0) / (r2.sum(axis=0) + a2.sum(axis=0))
    overall = float(r2.sum() / (r2.sum() + a2.sum()))
    tab = pd.DataFrame({"item": names, "msa": msa_i,
                        "label": [_kmo_label(v) for v in msa_i]})
    return KMOResult(overall=overall, label=_kmo_label(overall), table=tab, n_obs=int(n),
                     notes=tuple(notes))


@dataclass(frozen=True, slots=True, eq=False)
class BartlettResult(SummaryDisplay):
    """Bartlett's test of sphericity (is R an identity matrix?).

    Attributes
    ----------
    chisq, df, pvalue : float
    n_obs : int
    verdict : str
    notes : tuple of str
    """

    chisq: float
    df: int
    pvalue: float
    n_obs: int
    verdict: str
    notes: tuple[str, ...]

    @property
    def table(self) -> pd.DataFrame:
        """One-row DataFrame: ``chisq, df, pvalue, n_obs, verdict``."""
        return pd.DataFrame([{"chisq": self.chisq, "df": self.df, "pvalue": self.pvalue,
                              "n_obs": self.n_obs, "verdict": self.verdict}])

    def summary(self) -> Summary:
        """Text/HTML summary."""
        return Summary("Bartlett's test of sphericity",
                       [("Chi-square", self.chisq), ("df", self.df),
                        ("p-value", self.pvalue), ("Observations", self.n_obs)],
                       [], list(self.notes) + [self.verdict])


@_single_thread
def bartlett(data: pd.DataFrame, items: Sequence[str] | None = None, *,
             missing: str = "listwise", level: float | None = None,
             alpha: float | None = None) -> BartlettResult:
    """Bartlett's test that the item correlation matrix is an identity matrix.

    Parameters
    ----------
    data : pandas.DataFrame
    items : sequence of str, optional
        Columns to use (default: every column).
    missing : {"listwise", "pairwise", "fiml"}
        As in :func:`kmo`. With ``"pairwise"`` n is the number of rows, as in
        ``psych::cortest.bartlett()`` on raw data.
    level : float, optional
        Confidence level (default 0.95); the verdict decides at ``1 - level``.
    alpha : float, optional
        Deprecated alias: ``alpha=a`` means ``level=1 - a`` (``FutureWarning``);
        giving both is a SpecificationError.

    Returns
    -------
    BartlettResult
        ``chisq``, ``df``, ``pvalue``, ``n_obs``, ``verdict``, ``table``.

    Raises
    ------
    SpecificationError, DataError
        As in :func:`kmo`.

    Notes
    -----
    ``chisq = -(n - 1 - (2p + 5) / 6) ln det R`` with ``df = p (p - 1) / 2``
    = ``psych::cortest.bartlett(R, n)`` (psych 2.2.9; 1e-6). A significant
    test means the items share enough variance for factor analysis.

    References
    ----------
    Bartlett (1950) British Journal of Psychology 3:77-85.
    """
    _level, alpha = check_level(level, alpha, where="bartlett", stacklevel=4)
    R, n, names, notes = _corr_input(data, items, missing)
    p = len(names)
    _sign, logdet = np.linalg.slogdet(R)
    chisq = float(-logdet * (n - 1 - (2 * p + 5) / 6))
    df = p * (p - 1) // 2
    pval = float(stats.chi2.sf(chisq, df))
    verdict = (f"The items are correlated (p {'<' if pval < alpha else '>='} {alpha:g}):"
               + (" factor analysis is appropriate." if pval < alpha else
                  " the correlation matrix is close to an identity matrix; factor"
                  " analysis is not appropriate."))
    return BartlettResult(chisq=chisq, df=df, pvalue=pval, n_obs=int(n), verdict=verdict,
                          notes=tuple(notes))


# ---------------------------------------------------------------------------
# parallel analysis
# ---------------------------------------------------------------------------

def _fa_values(R: np.ndarray) -> np.ndarray:
    """Eigenvalues of R with 1-factor minres communalities on the diagonal.

    = ``psych::fa(R, nfactors = 1, fm = "minres")$values``.
    """
    L, _psi, _ok, _obj = _extract(R, 1, "minres")
    S = R.copy()
    np.fill_diagonal(S, (L ** 2).sum(axis=1))
    return np.linalg.eigvalsh(S)[::-1]


@dataclass(frozen=True, slots=True, eq=False)
class ParallelResult(SummaryDisplay):
    """Parallel analysis (Horn 1965) against random normal data.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per factor number: ``factor, pc_observed, pc_sim_mean,
        pc_sim_quantile`` and (unless ``kind="pc"``) ``fa_observed,
        fa_sim_mean, fa_sim_quantile``.
    n_components, n_factors : int or None
        Suggested numbers: leading observed eigenvalues above the simulated
        quantile (None when that kind was not computed).
    n_iter : int
    quantile : float
    n_obs : int
    notes : tuple of str
    """

    table: pd.DataFrame
    n_components: int | None
    n_factors: int | None
    n_iter: int
    quantile: float
    n_obs: int
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        """Text/HTML summary."""
        head = [("Suggested components", self.n_components),
                ("Suggested factors", self.n_factors), ("Iterations", self.n_iter),
                ("Quantile", self.quantile), ("Observations", self.n_obs)]
        return Summary("Parallel analysis", head, [("Eigenvalues", self.table)],
                       list(self.notes))


def _leading_above(obs: np.ndarray, ref: np.ndarray) -> int:
    below = np.where(~(obs > ref))[0]
    return int(below[0]) if len(below) else len(obs)


@_single_thread
def parallel_analysis(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    n_iter: int = 20,
    seed: int | None = None,
    quantile: float = 0.95,
    kind: str = "both",
    missing: str = "listwise",
) -> ParallelResult:
    """Horn's parallel analysis: observed eigenvalues vs random normal data.

    Parameters
    ----------
    data : pandas.DataFrame
    items : sequence of str, optional
        Columns to analyse (default: every column).
    n_iter : int
        Number of simulated data sets (psych's default 20).
    seed : int, optional
        Seed of the random generator.
    quantile : float
        Quantile of the simulated eigenvalues used for the suggestion
        (psych's default .95).
    kind : {"both", "pc", "fa"}
        Principal-component eigenvalues, common-factor eigenvalues, or both.
    missing : {"listwise", "pairwise", "fiml"}
        How the observed correlation matrix is formed (see :func:`kmo`).

    Returns
    -------
    ParallelResult
        ``table`` of observed and simulated eigenvalues, ``n_components``,
        ``n_factors``, ``notes``.

    Notes
    -----
    Observed: ``pc`` = eigenvalues of R (= ``fa.parallel()$pc.values``);
    ``fa`` = eigenvalues of R with the communalities of a one-factor minres
    solution on its diagonal (= ``$fa.values``). Simulated: the same for the
    correlation matrices of ``n_iter`` samples of n independent standard
    normal variables (psych's ``sim = TRUE`` part; psych also resamples the
    data, which is not done here). The suggested number is the count of
    leading observed eigenvalues above the simulated ``quantile`` (psych's
    rule). Observed eigenvalues equal psych 2.2.9 to 1e-6 (pc) and 1e-3 (fa);
    the simulated ones are random.

    References
    ----------
    Horn (1965) Psychometrika 30:179-185; Glorfeld (1995) Educational and
    Psychological Measurement 55:377-393.
    """
    n_iter = check_positive_int("n_iter", n_iter)
    quantile = check_interval("quantile", quantile, 0.0, 1.0)
    kind = check_option("kind", kind, ["both", "pc", "fa"])
    R, n, names, notes = _corr_input(data, items, missing)
    p = len(names)
    rng = np.random.default_rng(seed)
    do_pc = kind in ("both", "pc")
    do_fa = kind in ("both", "fa")
    pc_sim = np.empty((n_iter, p))
    fa_sim = np.empty((n_iter, p))
    for it in range(n_iter):
        Rs = np.asarray(np.corrcoef(rng.standard_normal((n, p)), rowvar=False))
        if do_pc:
            pc_sim[it] = np.linalg.eigvalsh(Rs)[::-1]
        if do_fa:
            fa_sim[it] = _fa_values(Rs)
    tab = pd.DataFrame({"factor": np.arange(1, p + 1)})
    ncomp = nfact = None
    if do_pc:
        obs = np.linalg.eigvalsh(R)[::-1]
        q = np.quantile(pc_sim, quantile, axis=0)
        tab["pc_observed"] = obs
        tab["pc_sim_mean"] = pc_sim.mean(axis=0)
        tab["pc_sim_quantile"] = q
        ncomp = _leading_above(obs, q)
    if do_fa:
        obs = _fa_values(R)
        q = np.quantile(fa_sim, quantile, axis=0)
        tab["fa_observed"] = obs
        tab["fa_sim_mean"] = fa_sim.mean(axis=0)
        tab["fa_sim_quantile"] = q
        nfact = _leading_above(obs, q)
    notes.append(f"{n_iter} simulated normal data sets of {n} x {p}; suggestion = leading"
                 f" observed eigenvalues above the {quantile:g} quantile.")
    return ParallelResult(table=tab, n_components=ncomp, n_factors=nfact, n_iter=n_iter,
                          quantile=quantile, n_obs=int(n), notes=tuple(notes))
