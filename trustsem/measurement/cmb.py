"""Common-method-bias (CMB) battery for single-source survey data.

:func:`cmb_battery` runs the four checks reviewers usually ask for and gives
each a table and a plain-language verdict with the threshold used:

1. Harman's single-factor test, EFA form (first unrotated component's share
   of variance < 50 %) and CFA form (one-factor CFA vs the measurement model).
2. Unmeasured latent method construct (ULMC, "common latent factor"): a
   method factor with equal loadings on every item, orthogonal to the traits;
   standardized loadings with and without it are compared (|difference| > .20
   flagged).
3. Marker-variable adjustment (Lindell & Whitney 2001), when ``marker=``
   names a column that should be theoretically unrelated to the constructs.
4. Full-collinearity VIFs (Kock 2015): VIF > 3.3 flags possible CMB.

None of these tests can prove the absence of method bias (Podsakoff et al.
2003, 2012); they are screens. The CFA fits equal lavaan's (see
``tests/reference/r/measurement_*.R``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._display import Summary, SummaryDisplay
from .._validation import check_level, format_value
from ..exceptions import (
    DataError,
    MissingDataWarning,
    SpecificationError,
    TrustsemError,
)
from ..sem.results import SEMResult
from ..sem.spec import ModelSpec
from ._extraction import _extract
from ._structure import (
    _check_fit,
    _check_missing,
    _complete,
    _item_correlation,
    _numeric_items,
    _quiet,
    _single_thread,
    _Structure,
    _structure,
    _unit_scores,
)

__all__ = [
    "HARMAN_THRESHOLD",
    "ULMC_THRESHOLD",
    "VIF_THRESHOLD",
    "CMBResult",
    "cmb_battery",
]

#: Harman: a single factor explaining more than this share signals CMB.
HARMAN_THRESHOLD = 0.50
#: ULMC: standardized loadings changing by more than this are flagged.
ULMC_THRESHOLD = 0.20
#: Full-collinearity VIF above this signals CMB (Kock 2015).
VIF_THRESHOLD = 3.3

_FIT_COLS = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"]


@dataclass(frozen=True, slots=True, eq=False)
class CMBResult(SummaryDisplay):
    """Result of :func:`cmb_battery` (immutable).

    Attributes
    ----------
    verdicts : pandas.DataFrame
        One row per test: ``test, statistic, value, threshold, flagged,
        verdict`` (plain language).
    harman : pandas.DataFrame
        ``form`` (principal component / common factor), ``first_eigenvalue``
        (or sum of squared loadings), ``share``, ``threshold``, ``flagged``.
    fit_comparison : pandas.DataFrame
        ``model`` (one_factor, measurement, ulmc) with ``chisq, df, pvalue,
        cfi, tli, rmsea, srmr`` and the chi-square difference against the
        measurement model (``delta_chisq, delta_df, delta_pvalue``).
    ulmc : pandas.DataFrame
        ``construct, item, std_without, std_with, difference, flagged,
        method_loading`` (standardized, lavaan ``std.all``).
    method_variance : float
        Mean squared standardized method loading: the average share of item
        variance attributed to the method factor.
    vif : pandas.DataFrame
        ``construct, vif, flagged``.
    marker : pandas.DataFrame or None
        ``construct1, construct2, r, r_adjusted, t, pvalue,
        significant_before, significant_after``; None without a marker.
    marker_r : float or None
        The marker correlation r_M that was partialled out.
    n_obs : int
        Respondents in the item-level analyses (complete cases, or all rows
        under FIML for the CFAs).
    notes : tuple of str
    """

    verdicts: pd.DataFrame
    harman: pd.DataFrame
    fit_comparison: pd.DataFrame
    ulmc: pd.DataFrame
    method_variance: float
    vif: pd.DataFrame
    marker: pd.DataFrame | None
    marker_r: float | None
    n_obs: int
    notes: tuple[str, ...] = field(default=())

    def summary(self) -> Summary:
        """Text/HTML summary: verdicts first, then each test's table."""
        blocks = [("Verdicts", self.verdicts), ("Harman's single-factor test (EFA)",
                                                self.harman),
                  ("Model comparison (CFA)", self.fit_comparison),
                  ("Unmeasured latent method construct", self.ulmc),
                  ("Full-collinearity VIF", self.vif)]
        if self.marker is not None:
            blocks.append(("Marker-variable adjustment", self.marker))
        notes = list(self.notes) + [
            ("These are screens: passing them does not prove that method bias is absent"
            " (Podsakoff et al. 2003, 2012).")]
        return Summary("Common-method-bias battery", [("Observations", self.n_obs)],
                       blocks, notes)


def _fit_row(label: str, fit: SEMResult | None) -> dict[str, Any]:
    row: dict[str, Any] = {"model": label}
    for c in _FIT_COLS:
        row[c] = float(fit.fit_measures.get(c, np.nan)) if fit is not None else np.nan
    return row


def _fmt_p(p: float) -> str:
    return "p < .001" if p < 0.001 else f"p = {p:.3f}".replace("0.", ".")


def _method_name(struct_names: set[str]) -> str:
    name = "METHOD"
    while name in struct_names:
        name += "_"
    return name


@_single_thread
def cmb_battery(
    data: pd.DataFrame,
    model: str | ModelSpec,
    *,
    marker: str | None = None,
    missing: str = "listwise",
    fit: SEMResult | None = None,
    level: float | None = None,
    alpha: float | None = None,
) -> CMBResult:
    """Common-method-bias battery: Harman, ULMC, marker variable, full collinearity.

    Parameters
    ----------
    data : pandas.DataFrame
    model : str or ModelSpec
        lavaan syntax; only the measurement part (``=~``, ``~~``) is used.
    marker : str, optional
        Column of a marker variable: theoretically unrelated to the
        constructs, measured with the same method (Lindell & Whitney 2001).
    missing : {"listwise", "fiml"}
        Missing-data handling of the three CFAs. The EFA form of Harman's
        test uses complete rows (or the EM correlations under FIML); the
        VIF and marker analyses use complete rows.
    fit : SEMResult, optional
        An already fitted CFA of the measurement model (reused; its
        ``missing`` option is then used for the other CFAs too).
    level : float, optional
        Confidence level (default 0.95): the chi-square difference and marker
        tests decide at ``1 - level``.
    alpha : float, optional
        Deprecated alias: ``alpha=a`` means ``level=1 - a`` (``FutureWarning``);
        giving both is a SpecificationError.

    Returns
    -------
    CMBResult
        ``verdicts``, ``harman``, ``fit_comparison``, ``ulmc``,
        ``method_variance``, ``vif``, ``marker``, ``notes``, ``summary()``.

    Raises
    ------
    SpecificationError
        Items or the marker not in the data; a marker that is a model item;
        both ``level`` and ``alpha`` given.
    DataError
        Text, empty or constant items or marker.

    Warns
    -----
    MissingDataWarning
        Rows dropped by listwise deletion (once).
    FutureWarning
        ``alpha=`` given (use ``level=``).

    Notes
    -----
    - **Harman, EFA form**: share = first eigenvalue of the item correlation
      matrix / p (the unrotated first principal component, as in the usual
      SPSS run; psych ``eigen(cor(X))$values[1] / p``); also shown: the
      share of a one-factor minres solution (``sum(fa(X, 1)$loadings^2) /
      p``). Flagged when the component share exceeds 50 %.
    - **Harman, CFA form**: one factor loading on every item vs the
      measurement model; chi-square difference test (the one-factor model is
      nested: all factor correlations set to 1). Flagged when the one-factor
      model is not significantly worse or fits acceptably (CFI >= .90).
    - **ULMC** (Podsakoff et al. 2003; Liang et al. 2007): the measurement
      model plus ``METHOD =~ 1*item1 + 1*item2 + ...`` (equal loadings) with
      ``METHOD ~~ 0*F`` for every exogenous trait factor. Standardized trait
      loadings (``std_all``) with and without the method factor are
      compared; differences > .20 are flagged.
    - **Marker** (Lindell & Whitney 2001): r_M = the smallest correlation of
      the marker with the construct scores (unit-weighted means), set to 0
      when negative; ``r_A = (r - r_M) / (1 - r_M)``, ``t = r_A sqrt((n - 3) /
      (1 - r_A^2))`` on n - 3 df.
    - **Full collinearity** (Kock 2015; Kock & Lynn 2012): each construct
      score (unit-weighted mean of its items, not PLS weights) regressed on
      all others, ``VIF = 1 / (1 - R^2)`` = ``diag(solve(cor(scores)))``.
      Flagged above 3.3.

    Validated against lavaan 0.6-14 / psych 2.2.9 to 1e-3.

    References
    ----------
    Podsakoff, MacKenzie, Lee & Podsakoff (2003) J Applied Psychology
    88:879-903; Lindell & Whitney (2001) J Applied Psychology 86:114-121;
    Kock (2015) Int J e-Collaboration 11(4):1-10; Liang, Saraf, Hu & Xue
    (2007) MIS Quarterly 31:59-87.
    """
    level, alpha = check_level(level, alpha, where="cmb_battery", stacklevel=4)
    fit = _check_fit(fit)
    missing = _check_missing(missing)
    if fit is not None:
        missing = str(fit.options.get("missing", missing))
    struct = _structure(model)
    X = _numeric_items(data, struct.items)
    notes: list[str] = []
    emitted: list[tuple[str, type[Warning]]] = []
    harman, n_r, h_verdict = _harman_efa(X, missing, notes)
    h_share = harman.loc[0, "share"]
    cfas = _fit_cmb_models(struct, data, X, missing, fit, notes, emitted)
    comp, c_flag, c_value, c_verdict = _compare_fits(cfas, alpha, notes)
    ulmc, method_var, u_flag, maxdiff, u_verdict = _ulmc_comparison(struct, cfas, notes)
    score_cons = {f: ind for f, ind in struct.constructs.items() if f not in struct.higher}
    vif_tab, v_flag, v_value, v_verdict = _full_collinearity(X, score_cons, notes)
    verdicts = [
        {"test": "harman_efa", "statistic": "first component share", "value": h_share,
         "threshold": "> .50", "flagged": bool(h_share > HARMAN_THRESHOLD),
         "verdict": h_verdict},
        {"test": "harman_cfa", "statistic": "one-factor CFI", "value": c_value,
         "threshold": f"CFI >= .90 or delta chi2 p >= {alpha:g}", "flagged": bool(c_flag),
         "verdict": c_verdict},
        {"test": "ulmc", "statistic": "max |loading change|", "value": maxdiff,
         "threshold": "> .20", "flagged": bool(u_flag), "verdict": u_verdict},
        {"test": "full_collinearity_vif", "statistic": "max VIF", "value": v_value,
         "threshold": "> 3.3", "flagged": bool(v_flag), "verdict": v_verdict},
    ]
    mtab = None
    r_m = None
    if marker is not None:
        mtab, r_m, m_verdict = _marker_adjustment(data, X, marker, struct.items, score_cons,
                                                  alpha, notes)
        verdicts.append(m_verdict)

    for msg, cat in dict.fromkeys(emitted):
        warnings.warn(msg, cat, stacklevel=3)
        notes.append(msg)
    return CMBResult(
        verdicts=pd.DataFrame(verdicts), harman=harman, fit_comparison=comp, ulmc=ulmc,
        method_variance=float(method_var), vif=vif_tab, marker=mtab, marker_r=r_m,
        n_obs=int(n_r), notes=tuple(dict.fromkeys(notes)))


# ---------------------------------------------------------------------------
# the steps of the battery
# ---------------------------------------------------------------------------

def _harman_efa(X: pd.DataFrame, missing: str,
                notes: list[str]) -> tuple[pd.DataFrame, int, str]:
    """Harman's test, EFA form: table, n of the correlations and the verdict."""
    p = X.shape[1]
    R, n_r = _item_correlation(X, missing, notes, "Harman's test (EFA)")
    ev = np.linalg.eigvalsh(R)[::-1]
    L1 = _extract(R, 1, "minres")[0]
    fa_ss = float((L1 ** 2).sum())  # sum of squared loadings of the one factor
    harman = pd.DataFrame({
        "form": ["principal component (unrotated)", "common factor, minres (unrotated)"],
        "first_eigenvalue": [float(ev[0]), fa_ss],
        "share": [float(ev[0]) / p, fa_ss / p],
        "threshold": [HARMAN_THRESHOLD, HARMAN_THRESHOLD],
    })
    harman["flagged"] = harman["share"] > HARMAN_THRESHOLD
    h_share = harman.loc[0, "share"]
    h_verdict = (f"The first unrotated component explains {100 * h_share:.1f}% of the"
                 f" variance of {p} items ("
                 + ("above 50%: a single factor dominates, a sign of common-method"
                    " bias)." if h_share > HARMAN_THRESHOLD else
                    "below 50%: no single factor dominates)."))
    return harman, n_r, h_verdict


@dataclass(frozen=True)
class _CMBFits:
    """The three CFAs of the battery (None when one could not be fitted)."""

    measurement: SEMResult
    one_factor: SEMResult | None
    ulmc: SEMResult | None
    method: str                 # name of the method factor in the ULMC model
    improper: frozenset[str]    # labels of fits that raised estimation warnings


def _fit_cmb_models(struct: _Structure, data: pd.DataFrame, X: pd.DataFrame, missing: str,
                    fit: SEMResult | None, notes: list[str],
                    emitted: list[tuple[str, type[Warning]]]) -> _CMBFits:
    """The measurement, one-factor and method-factor (ULMC) CFAs."""
    from ..sem.fit import cfa

    items = struct.items
    improper: set[str] = set()

    def aux_fit(spec_text: str, label: str) -> SEMResult | None:
        try:
            out, msgs = _quiet(lambda: cfa(spec_text, data, missing=missing))
        except TrustsemError as err:
            notes.append(f"The {label} CFA could not be fitted: {err}")
            return None
        for msg, cat in msgs:
            if issubclass(cat, MissingDataWarning):
                emitted.append((msg, cat))
            else:
                notes.append(f"{label} CFA: {msg}")
                improper.add(label)
        if not out.converged:
            notes.append(f"The {label} CFA did not converge; its numbers are unreliable.")
        return out

    if fit is None:
        fit, msgs = _quiet(lambda: cfa(struct.spec, data, missing=missing))
        emitted.extend(msgs)
    one_text = "GENERAL =~ " + " + ".join(items)
    if "GENERAL" in struct.constructs:
        one_text = "GENERAL_ =~ " + " + ".join(items)
    fit1 = aux_fit(one_text, "one-factor")
    mname = _method_name(set(struct.constructs) | set(X.columns))
    indicators = {i for ind in struct.constructs.values() for i in ind}
    exo = [f for f in struct.constructs if f not in indicators]
    ulmc_text = (struct.spec.text + f"\n{mname} =~ " + " + ".join(f"1*{i}" for i in items)
                 + "".join(f"\n{mname} ~~ 0*{f}" for f in exo))
    fitu = aux_fit(ulmc_text, "ULMC (method factor)")
    return _CMBFits(fit, fit1, fitu, mname, frozenset(improper))


def _compare_fits(cfas: _CMBFits, alpha: float,
                  notes: list[str]) -> tuple[pd.DataFrame, bool, float, str]:
    """Harman's test, CFA form: fit comparison table, flag, one-factor CFI, verdict."""
    rows = [_fit_row("one_factor", cfas.one_factor), _fit_row("measurement", cfas.measurement),
            _fit_row("ulmc", cfas.ulmc)]
    comp = pd.DataFrame(rows)
    base = comp.loc[1]
    comp["delta_chisq"] = comp["chisq"] - base["chisq"]
    comp["delta_df"] = comp["df"] - base["df"]
    comp["delta_pvalue"] = [
        float(stats.chi2.sf(abs(dc), abs(dd))) if dd != 0 and np.isfinite(dc) else np.nan
        for dc, dd in zip(comp["delta_chisq"], comp["delta_df"])]
    comp.loc[1, ["delta_chisq", "delta_df", "delta_pvalue"]] = np.nan
    notes.append("fit_comparison: delta_* compare each model with the measurement model"
                 " (empty for the measurement model itself).")
    if cfas.one_factor is None:
        return comp, False, np.nan, "The one-factor CFA could not be fitted."
    r1 = comp.loc[0]
    worse = r1["delta_pvalue"] < alpha
    c_flag = (not worse) or r1["cfi"] >= 0.90
    c_verdict = (
        f"One-factor CFA: chi2({int(r1['df'])}) = {r1['chisq']:.2f}, CFI ="
        f" {r1['cfi']:.3f}, RMSEA = {r1['rmsea']:.3f}; measurement model CFI ="
        f" {base['cfi']:.3f}. Difference chi2({int(r1['delta_df'])}) ="
        f" {r1['delta_chisq']:.2f}, {_fmt_p(r1['delta_pvalue'])}: "
        + ("a single common factor fits about as well (CFI >= .90 or no significant"
           " loss of fit), a sign of common-method bias." if c_flag else
           "a single common factor fits much worse, so it does not account for the"
           " covariation."))
    return comp, c_flag, float(r1["cfi"]), c_verdict


def _std_loadings(f: SEMResult | None) -> pd.Series:
    if f is None:
        return pd.Series(dtype=float)
    e = f.estimates
    e = e[e["op"] == "=~"]
    return e.set_index(["lhs", "rhs"])["std_all"]


def _ulmc_comparison(struct: _Structure, cfas: _CMBFits, notes: list[str]
                     ) -> tuple[pd.DataFrame, float, bool, float, str]:
    """Standardized loadings with and without the method factor, and the verdict."""
    mname, fitu = cfas.method, cfas.ulmc
    s0 = _std_loadings(cfas.measurement)
    s1 = _std_loadings(fitu)
    urows = []
    for f, ind in struct.constructs.items():
        for i in ind:
            if i not in struct.items:
                continue
            a = float(s0.get((f, i), np.nan))
            b = float(s1.get((f, i), np.nan))
            m = float(s1.get((mname, i), np.nan))
            urows.append({"construct": f, "item": i, "std_without": a, "std_with": b,
                          "difference": a - b, "flagged": bool(abs(a - b) > ULMC_THRESHOLD),
                          "method_loading": m})
    ulmc = pd.DataFrame(urows)
    if fitu is None:
        notes.append("ULMC table: std_with and method_loading are empty because the"
                     " method-factor model could not be fitted.")
        return (ulmc, np.nan, False, np.nan,
                "The method-factor (ULMC) CFA could not be fitted.")
    e = fitu.estimates
    mv = e[(e["op"] == "~~") & (e["lhs"] == mname) & (e["rhs"] == mname)]["est"]
    mvar = float(mv.iloc[0]) if len(mv) else np.nan
    if mvar < 0:
        notes.append(f"The method factor's variance is estimated negative ({mvar:.4f}):"
                     " no common method variance is detectable; its standardized"
                     " loadings are undefined (left empty).")
        ulmc["method_loading"] = np.nan
        method_var = 0.0
    else:
        method_var = float(np.nanmean(ulmc["method_loading"] ** 2))
    maxdiff = float(np.nanmax(np.abs(ulmc["difference"])))
    nflag = int(ulmc["flagged"].sum())
    u_flag = nflag > 0
    u_verdict = (
        f"Adding an equal-loading method factor changes {nflag} standardized"
        f" loading(s) by more than .20 (largest change {maxdiff:.3f}); the method"
        f" factor accounts for {100 * method_var:.1f}% of item variance on average. "
        + ("Method variance distorts the loadings: a sign of common-method bias."
           if u_flag else "The loadings are stable: no sign of common-method bias."))
    if "ULMC (method factor)" in cfas.improper:
        u_verdict += (" Caution: the method-factor solution is improper (see notes),"
                      " which weakens this comparison.")
    return ulmc, method_var, u_flag, maxdiff, u_verdict


def _full_collinearity(X: pd.DataFrame, score_cons: dict[str, list[str]],
                       notes: list[str]) -> tuple[pd.DataFrame, bool, float, str]:
    """Full-collinearity VIFs of the construct scores, flag, largest VIF, verdict."""
    Xc = _complete(X, notes, "VIF and marker analysis")
    scores = _unit_scores(Xc, score_cons)
    vif_rows = []
    if len(score_cons) >= 2:
        Rs = np.corrcoef(scores.to_numpy(float), rowvar=False)
        try:
            vif = np.diag(np.linalg.inv(Rs))
        except np.linalg.LinAlgError:
            raise DataError("The construct scores are perfectly collinear: "
                            f"{list(score_cons)}. Check for duplicated constructs.") from None
        vif_rows = [{"construct": f, "vif": float(v), "flagged": bool(v > VIF_THRESHOLD)}
                    for f, v in zip(score_cons, vif)]
    vif_tab = pd.DataFrame(vif_rows, columns=["construct", "vif", "flagged"])
    if not len(vif_tab):
        notes.append("Full-collinearity VIFs need at least two constructs.")
        return vif_tab, False, np.nan, "Fewer than two constructs: no VIFs."
    bad = vif_tab[vif_tab["flagged"]]
    v_flag = len(bad) > 0
    v_verdict = (f"Largest full-collinearity VIF {vif_tab['vif'].max():.2f} "
                 + (f"exceeds 3.3 for {list(bad['construct'])}: possible common-method"
                    " bias (or overlapping constructs)." if v_flag else
                    "(all <= 3.3): no sign of common-method bias."))
    return vif_tab, v_flag, float(vif_tab["vif"].max()), v_verdict


def _marker_adjustment(data: pd.DataFrame, X: pd.DataFrame, marker: Any, items: list[str],
                       score_cons: dict[str, list[str]], alpha: float, notes: list[str]
                       ) -> tuple[pd.DataFrame, float, dict[str, Any]]:
    """Lindell-Whitney marker adjustment: table, r_M and the verdict row."""
    if not isinstance(marker, str):
        raise SpecificationError(f"`marker` must be a column name; got {format_value(marker)}.")
    if marker in items:
        raise SpecificationError(f"`marker` {marker!r} is an item of the model; a"
                                 " marker must be unrelated to the constructs.")
    mcol = _numeric_items(data, [marker], what="Marker variable")[marker]
    Xm = pd.concat([X, mcol], axis=1)
    Xm = _complete(Xm, notes, "Marker-variable analysis")
    sc = _unit_scores(Xm, score_cons)
    rmk = np.array([np.corrcoef(Xm[marker], sc[f])[0, 1] for f in score_cons])
    r_min = float(rmk.min())
    r_m = max(r_min, 0.0)
    notes.append("Marker correlations with the construct scores: "
                 + ", ".join(f"{f} {r:.3f}" for f, r in zip(score_cons, rmk))
                 + f"; r_M = {r_m:.3f}.")
    if r_min <= 0:
        notes.append("The marker's smallest correlation is not positive, so r_M = 0:"
                     " the adjusted correlations equal the unadjusted ones.")
    n = len(Xm)
    Rsc = np.corrcoef(sc.to_numpy(float), rowvar=False)
    cons = list(score_cons)
    mrows = []
    for a in range(len(cons)):
        for b in range(a + 1, len(cons)):
            r = float(Rsc[a, b])
            ra = (r - r_m) / (1 - r_m)
            t = ra * np.sqrt((n - 3) / (1 - ra ** 2))
            pv = float(2 * stats.t.sf(abs(t), n - 3))
            t0 = r * np.sqrt((n - 3) / (1 - r ** 2))
            p0 = float(2 * stats.t.sf(abs(t0), n - 3))
            mrows.append({"construct1": cons[a], "construct2": cons[b], "r": r,
                          "r_adjusted": ra, "t": float(t), "pvalue": pv,
                          "significant_before": p0 < alpha,
                          "significant_after": pv < alpha})
    mtab = pd.DataFrame(mrows)
    before = int(mtab["significant_before"].sum())
    lost = int((mtab["significant_before"] & ~mtab["significant_after"]).sum())
    verdict = {
        "test": "marker", "statistic": "r_M", "value": r_m,
        "threshold": "significant correlations that lose significance",
        "flagged": bool(lost > 0),
        "verdict": (f"Partialling out r_M = {r_m:.3f} (marker {marker!r}): {lost} of"
                    f" {before} significant construct correlation(s) lose significance"
                    f" at {alpha:g}. "
                    + ("Method variance may inflate these relations." if lost else
                       "The relations are robust to common-method variance."))}
    return mtab, r_m, verdict
