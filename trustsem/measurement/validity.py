"""Discriminant validity: HTMT, the Fornell-Larcker criterion and cross-loadings.

================================  ==============================================
function                          R equivalent (validated in tests/reference)
================================  ==============================================
:func:`htmt`                      ``semTools::htmt()`` (both versions)
:func:`fornell_larcker`           ``sqrt(semTools::AVE())`` vs ``lavInspect(fit, "cor.lv")``
:func:`cross_loadings`            ``cor(items, rowMeans(construct items))``
================================  ==============================================

Low validity is never a warning: it is flagged in the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._display import Summary, SummaryDisplay
from .._validation import check_interval, check_positive_int
from ..exceptions import DataError, SpecificationError, TrustsemError
from ..sem.results import SEMResult
from ..sem.spec import ModelSpec
from ._structure import (
    _check_fit,
    _check_missing,
    _complete,
    _cov_to_cor,
    _em_cov,
    _fit_measurement,
    _fit_reliability,
    _item_correlation,
    _latent_cov,
    _numeric_items,
    _percentile_ci,
    _single_thread,
    _structure,
    _summary_table,
    _unit_scores,
)

__all__ = [
    "HTMT_THRESHOLDS",
    "CrossLoadingsResult",
    "FornellLarckerResult",
    "HTMTResult",
    "cross_loadings",
    "fornell_larcker",
    "htmt",
]

#: HTMT cut-offs: conservative .85 (Kline) and liberal .90 (Gold et al.),
#: Henseler, Ringle & Sarstedt (2015).
HTMT_THRESHOLDS = (0.85, 0.90)


# ---------------------------------------------------------------------------
# HTMT
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class HTMTResult(SummaryDisplay):
    """Heterotrait-monotrait ratios of correlations.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per pair of constructs: ``construct1, construct2, htmt``
        (classic, arithmetic means), ``htmt2`` (geometric means, the
        semTools default), ``below_85``, ``below_90`` (HTMT2 under the
        cut-off), with a bootstrap ``htmt_ci_lower, htmt_ci_upper,
        htmt2_ci_lower, htmt2_ci_upper, ci_below_90``, and ``verdict``.
    matrix : pandas.DataFrame
        Symmetric HTMT2 matrix (ones on the diagonal), like
        ``semTools::htmt()``.
    matrix_classic : pandas.DataFrame
        The same for the classic HTMT (``htmt(..., htmt2 = FALSE)``).
    n_obs : int
    notes : tuple of str
    """

    table: pd.DataFrame
    matrix: pd.DataFrame
    matrix_classic: pd.DataFrame
    n_obs: int
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        """Text/HTML summary of the pair table."""
        notes = list(self.notes) + [
            ("htmt: Henseler et al. (2015), arithmetic means of absolute item"
            " correlations; htmt2: Roemer et al. (2021), geometric means (semTools"
            " default). Verdicts use htmt2 with cut-offs .85 and .90.")]
        return Summary("Discriminant validity: HTMT", [("Observations", self.n_obs)],
                       [("HTMT", self.table)], notes)


def _htmt_matrices(R: np.ndarray, pos: dict[str, int],
                   cons: dict[str, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    A = np.abs(R)
    names = list(cons)
    k = len(names)
    idx = [np.array([pos[i] for i in cons[f]]) for f in names]
    with np.errstate(divide="ignore"):
        logA = np.log(A)
    mono_a = np.empty(k)
    mono_g = np.empty(k)
    for a, ia in enumerate(idx):
        sub = A[np.ix_(ia, ia)]
        iu = np.triu_indices(len(ia), 1)
        mono_a[a] = sub[iu].mean()
        mono_g[a] = np.exp(logA[np.ix_(ia, ia)][iu].mean())
    H = np.eye(k)
    H2 = np.eye(k)
    for a in range(k):
        for b in range(a + 1, k):
            het = A[np.ix_(idx[a], idx[b])]
            H[a, b] = H[b, a] = het.mean() / np.sqrt(mono_a[a] * mono_a[b])
            g = np.exp(logA[np.ix_(idx[a], idx[b])].mean())
            H2[a, b] = H2[b, a] = g / np.sqrt(mono_g[a] * mono_g[b])
    return H, H2


def _htmt_verdict(h2: float, hi: float | None) -> str:
    lo85, lo90 = HTMT_THRESHOLDS
    if h2 < lo85:
        v = "distinct (HTMT2 < .85)"
    elif h2 < lo90:
        v = "distinct only under the liberal cut-off (.85 <= HTMT2 < .90)"
    else:
        v = "not distinct (HTMT2 >= .90)"
    if hi is not None and not np.isnan(hi):
        v += "; CI upper bound " + ("< .90" if hi < lo90 else ">= .90")
    return v


@_single_thread
def htmt(
    data: pd.DataFrame,
    model: str | ModelSpec,
    *,
    missing: str = "listwise",
    bootstrap: int = 0,
    seed: int | None = None,
    level: float = 0.95,
) -> HTMTResult:
    """Heterotrait-monotrait ratio (classic HTMT and HTMT2) for every pair.

    Parameters
    ----------
    data : pandas.DataFrame
    model : str or ModelSpec
        lavaan syntax; the ``=~`` lines define the constructs.
    missing : {"listwise", "fiml"}
        Item correlations from the complete rows of all model items
        (``semTools::htmt()`` default), or the EM estimate of the saturated
        model (``htmt(..., missing = "ml")``).
    bootstrap : int
        Bootstrap draws for percentile intervals (0 = none). Cheap: no model
        is fitted.
    seed : int, optional
    level : float
        Confidence level of the intervals.

    Returns
    -------
    HTMTResult
        ``table`` (one row per pair, with verdicts), ``matrix`` (HTMT2),
        ``matrix_classic``, ``notes``.

    Raises
    ------
    SpecificationError
        Items not in the data; fewer than two constructs with two or more
        items.
    DataError
        Text, empty or constant items.

    Notes
    -----
    With absolute item correlations |r| (``semTools::htmt(absolute = TRUE)``,
    the default), for constructs i and j:

    - classic (Henseler, Ringle & Sarstedt 2015):
      ``HTMT_ij = mean(|r| between) / sqrt(mean(|r| within i) * mean(|r|
      within j))`` = ``semTools::htmt(model, data, htmt2 = FALSE)``.
    - HTMT2 (Roemer, Schuberth & Henseler 2021): the same with geometric
      means = ``semTools::htmt(model, data)`` (default ``htmt2 = TRUE``).

    Verdicts use HTMT2: below .85 distinct, .85-.90 distinct only under the
    liberal cut-off, .90 or more not distinct. With a bootstrap the upper
    bound of the percentile interval is compared with .90 as well. Constructs
    with a single item have no monotrait correlations and are left out.
    Validated against semTools 0.5-6 to 1e-6.

    References
    ----------
    Henseler, Ringle & Sarstedt (2015) J Academy of Marketing Science
    43:115-135; Roemer, Schuberth & Henseler (2021) Industrial Management &
    Data Systems 121:2637-2650.

    Examples
    --------
    >>> from trustsem.data.datasets import load_example
    >>> from trustsem.measurement import htmt
    >>> hs = load_example("holzinger_swineford_1939")
    >>> res = htmt(hs, "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6")
    >>> round(float(res.matrix.loc["visual", "textual"]), 3)   # semTools::htmt()
    0.384
    """
    missing = _check_missing(missing)
    bootstrap = check_positive_int("bootstrap", bootstrap, minimum=0)
    level = check_interval("level", level, 0.0, 1.0)
    struct = _structure(model)
    notes = struct.skip_notes("HTMT")
    cons = struct.first_order
    if len(cons) < 2:
        raise SpecificationError(
            "HTMT needs at least two constructs with two or more items each; the model"
            f" has {list(cons)}.")
    X = _numeric_items(data, struct.items)
    used = [i for i in struct.items if any(i in ind for ind in cons.values())]
    X = X[used]
    pos = {v: k for k, v in enumerate(used)}
    R, n = _item_correlation(X, missing, notes, "HTMT")
    neg = [(f, a, b) for f, ind in cons.items() for ai, a in enumerate(ind)
           for b in ind[ai + 1:] if R[pos[a], pos[b]] < 0]
    if neg:
        notes.append("Negative correlations within a construct ("
                     + ", ".join(f"{a}-{b} in {f}" for f, a, b in neg[:5])
                     + "): HTMT uses absolute values; check for reverse-keyed items.")
    H, H2 = _htmt_matrices(R, pos, cons)
    names = list(cons)
    pairs = [(a, b) for a in range(len(names)) for b in range(a + 1, len(names))]
    tab = pd.DataFrame({
        "construct1": [names[a] for a, _ in pairs],
        "construct2": [names[b] for _, b in pairs],
        "htmt": [H[a, b] for a, b in pairs],
        "htmt2": [H2[a, b] for a, b in pairs],
    })
    tab["below_85"] = tab["htmt2"] < HTMT_THRESHOLDS[0]
    tab["below_90"] = tab["htmt2"] < HTMT_THRESHOLDS[1]
    hi = [None] * len(pairs)
    if bootstrap:
        rng = np.random.default_rng(seed)
        base = X.reset_index(drop=True)
        if missing == "listwise":
            base = base.dropna().reset_index(drop=True)
        draws = np.full((bootstrap, len(pairs), 2), np.nan)
        failed = 0
        for b in range(bootstrap):
            xb = base.iloc[rng.integers(0, len(base), len(base))]
            try:
                if missing == "listwise":
                    with np.errstate(invalid="ignore", divide="ignore"):
                        Rb = np.corrcoef(xb.to_numpy(float), rowvar=False)
                else:
                    Rb = _cov_to_cor(_em_cov(xb)[0])
                if not np.all(np.isfinite(Rb)):
                    raise DataError("constant item in resample")
                hb, h2b = _htmt_matrices(Rb, pos, cons)
            except (TrustsemError, np.linalg.LinAlgError, ValueError):
                failed += 1
                continue
            draws[b, :, 0] = [hb[a, c] for a, c in pairs]
            draws[b, :, 1] = [h2b[a, c] for a, c in pairs]
        lo, up = _percentile_ci(draws, level)
        tab["htmt_ci_lower"], tab["htmt_ci_upper"] = lo[:, 0], up[:, 0]
        tab["htmt2_ci_lower"], tab["htmt2_ci_upper"] = lo[:, 1], up[:, 1]
        tab["ci_below_90"] = tab["htmt2_ci_upper"] < HTMT_THRESHOLDS[1]
        hi = list(tab["htmt2_ci_upper"])
        notes.append(f"Percentile bootstrap ({100 * level:g}%): {bootstrap - failed} of"
                     f" {bootstrap} draws used.")
        if failed:
            notes.append(f"{failed} draw(s) failed (a constant item in the resample) and"
                         " were left out.")
    tab["verdict"] = [_htmt_verdict(h, u) for h, u in zip(tab["htmt2"], hi)]
    return HTMTResult(
        table=tab,
        matrix=pd.DataFrame(H2, index=pd.Index(names, name="construct"), columns=names),
        matrix_classic=pd.DataFrame(H, index=pd.Index(names, name="construct"),
                                    columns=names),
        n_obs=int(n), notes=tuple(dict.fromkeys(notes)))


# ---------------------------------------------------------------------------
# Fornell-Larcker
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class FornellLarckerResult(SummaryDisplay):
    """Fornell-Larcker criterion.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Indexed by construct: sqrt(AVE) on the diagonal, model-implied latent
        correlations off the diagonal (symmetric).
    table : pandas.DataFrame
        One row per construct: ``construct, sqrt_ave, max_correlation``
        (largest absolute correlation with another construct),
        ``max_with``, ``passed`` (sqrt_ave > max_correlation).
    notes : tuple of str
    """

    matrix: pd.DataFrame
    table: pd.DataFrame
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        """Text/HTML summary: the matrix and the per-construct verdicts."""
        return Summary("Discriminant validity: Fornell-Larcker", [],
                       [("sqrt(AVE) (diagonal) and latent correlations",
                         _summary_table(self.matrix)), ("Criterion", self.table)],
                       list(self.notes))


@_single_thread
def fornell_larcker(
    data: pd.DataFrame | SEMResult | None = None,
    model: str | ModelSpec | None = None,
    *,
    fit: SEMResult | None = None,
    missing: str = "listwise",
) -> FornellLarckerResult:
    """Fornell-Larcker criterion: sqrt(AVE) versus latent correlations.

    Parameters
    ----------
    data : pandas.DataFrame or SEMResult
        Raw data (then ``model`` is required and a CFA is fitted), or a
        fitted CFA/SEM (same as ``fit=``).
    model : str or ModelSpec, optional
        lavaan syntax; only the measurement part is used.
    fit : SEMResult, optional
        A fitted CFA/SEM; no refit.
    missing : {"listwise", "fiml"}
        Missing-data handling of the CFA when one is fitted.

    Returns
    -------
    FornellLarckerResult
        ``matrix`` (sqrt(AVE) on the diagonal), ``table`` with ``passed``
        per construct, ``notes``.

    Notes
    -----
    A construct passes when ``sqrt(AVE_f) > max_g |corr(f, g)|``. AVE is
    ``semTools::AVE(fit)`` (see :func:`reliability`); the correlations are
    the model-implied latent correlations (``lavInspect(fit, "cor.lv")``,
    equal to the ``std_all`` of the factor covariances in a CFA). Only
    first-order constructs with two or more items enter. Validated against
    lavaan 0.6-14 / semTools 0.5-6 to 1e-3.

    References
    ----------
    Fornell & Larcker (1981) Journal of Marketing Research 18:39-50.
    """
    if isinstance(data, SEMResult):
        fit, data = data, None
    fit = _check_fit(fit)
    missing = _check_missing(missing)
    if model is None and fit is None:
        raise SpecificationError("Give `model` (with `data`) or a fitted `fit`.")
    struct = _structure(model if model is not None else fit)  # type: ignore[arg-type]
    notes = struct.skip_notes("the Fornell-Larcker criterion")
    if fit is None:
        if data is None:
            raise SpecificationError("`data` is required when no `fit` is given.")
        _numeric_items(data, struct.items)
        fit = _fit_measurement(struct, data, missing)
    rel = _fit_reliability(fit, struct, notes)
    phi = _latent_cov(fit, notes)
    cons = list(struct.first_order)
    if len(cons) < 2:
        raise SpecificationError("The Fornell-Larcker criterion needs at least two"
                                 " constructs with two or more items each.")
    P = phi.loc[cons, cons].to_numpy(float)
    Rl = _cov_to_cor(P)
    sq = np.sqrt(rel.loc[cons, "ave"].to_numpy(float))
    M = Rl.copy()
    np.fill_diagonal(M, sq)
    rows = []
    for a, f in enumerate(cons):
        off = np.abs(Rl[a]).copy()
        off[a] = -np.inf
        b = int(np.argmax(off))
        rows.append({"construct": f, "sqrt_ave": sq[a], "max_correlation": off[b],
                     "max_with": cons[b], "passed": bool(sq[a] > off[b])})
        if np.isnan(sq[a]):
            notes.append(f"{f!r}: AVE undefined, so the criterion cannot be checked"
                         " (passed = False).")
    if not fit.converged:
        notes.append("The CFA did not converge; the criterion is unreliable.")
    return FornellLarckerResult(
        matrix=pd.DataFrame(M, index=pd.Index(cons, name="construct"), columns=cons),
        table=pd.DataFrame(rows), notes=tuple(dict.fromkeys(notes)))


# ---------------------------------------------------------------------------
# cross-loadings
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class CrossLoadingsResult(SummaryDisplay):
    """Item correlations with every construct score.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Indexed by item, one column per construct: correlation of the item
        with the construct's unit-weighted score.
    table : pandas.DataFrame
        One row per item: ``item, construct, own`` (correlation with its own
        construct), ``max_other``, ``max_other_construct``, ``passed`` (own >
        every other).
    n_obs : int
    notes : tuple of str
    """

    matrix: pd.DataFrame
    table: pd.DataFrame
    n_obs: int
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        """Text/HTML summary of the cross-loading matrix and verdicts."""
        return Summary("Discriminant validity: cross-loadings", [("Observations", self.n_obs)],
                       [("Cross-loadings", _summary_table(self.matrix)),
                        ("Criterion", self.table)], list(self.notes))


@_single_thread
def cross_loadings(data: pd.DataFrame, model: str | ModelSpec) -> CrossLoadingsResult:
    """Correlations of every item with every construct's score.

    Parameters
    ----------
    data : pandas.DataFrame
    model : str or ModelSpec
        lavaan syntax; the ``=~`` lines define the constructs.

    Returns
    -------
    CrossLoadingsResult
        ``matrix`` (items x constructs), ``table`` with a verdict per item,
        ``notes``.

    Notes
    -----
    Construct scores are **unit-weighted means** of each construct's items
    (not factor scores), computed on the rows that answered every model item.
    As in PLS-SEM cross-loading tables, an item's own construct score
    contains the item itself, which inflates its own correlation a little
    (most for short scales). An item passes when it correlates more strongly
    with its own construct than with any other. Higher-order factors are left
    out (their first-order factors are shown). R equivalent: ``cor(items,
    sapply(constructs, function(it) rowMeans(data[, it])))``.
    """
    struct = _structure(model)
    X = _numeric_items(data, struct.items)
    notes = [f"Construct {f!r} is a higher-order factor; its first-order factors are"
             " shown instead." for f in struct.higher]
    Xc = _complete(X, notes, "Cross-loadings")
    cons = {f: ind for f, ind in struct.constructs.items() if f not in struct.higher}
    scores = _unit_scores(Xc, cons)
    Z = np.corrcoef(np.column_stack([Xc.to_numpy(float), scores.to_numpy(float)]),
                    rowvar=False)
    p = len(struct.items)
    M = pd.DataFrame(Z[:p, p:], index=pd.Index(struct.items, name="item"),
                     columns=list(cons))
    rows = []
    for f, ind in cons.items():
        for item in ind:
            others = M.loc[item].drop(f)
            if len(others) == 0:
                continue
            j = others.abs().idxmax()
            rows.append({"item": item, "construct": f, "own": M.loc[item, f],
                         "max_other": others[j], "max_other_construct": j,
                         "passed": bool(M.loc[item, f] > abs(others[j]))})
    return CrossLoadingsResult(matrix=M, table=pd.DataFrame(rows), n_obs=len(Xc),
                               notes=tuple(dict.fromkeys(notes)))

