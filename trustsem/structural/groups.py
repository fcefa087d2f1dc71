"""Group comparisons and trust-score summaries of the kind the source documents quote.

* :func:`trust_index` turns Likert items into a 0-100 trust score.
* :func:`compare_groups` is the two-group comparison behind "PM-exposed users
  trust more (85 vs 70 out of 100)" ([003] ch5): Welch (or Student) t test,
  Cohen's d and Hedges' g with confidence intervals.
* :func:`repurchase_by_trust` is the comparison behind "repurchase is 68 % for
  the top 20 % of trust and 42 % for the bottom 20 %" ([000] ch2): outcome
  rates per trust quantile, the top-versus-bottom contrast (difference of
  proportions, odds ratio, risk ratio) and a logit on the standardized score.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._display import Summary, SummaryDisplay
from .._validation import (
    check_columns,
    check_dataframe,
    check_level,
    check_numeric_columns,
    check_positive_int,
    format_value,
)
from ..data.prep import scale_scores
from ..exceptions import DataError, MissingDataWarning, SpecificationError
from .regression import RegressionResult, _fit_frame

__all__ = [
    "GroupComparison",
    "TrustQuantiles",
    "compare_groups",
    "repurchase_by_trust",
    "trust_index",
]


# ---------------------------------------------------------------------------
# trust index


def trust_index(
    data: pd.DataFrame,
    items_or_constructs: Sequence[str] | Mapping[str, Sequence[str]],
    scale: tuple[float, float] = (1, 5),
    *,
    min_items: int | None = None,
    name: str = "trust_index",
) -> pd.Series:
    """A 0-100 trust score: the item mean rescaled to the scale's range.

    Parameters
    ----------
    data : pandas.DataFrame
        Item responses (reverse coded where needed); not modified.
    items_or_constructs : list of str or dict of str to list of str
        Items (score = mean of the items) or constructs -> items (score =
        equally weighted mean of the construct means, so every dimension
        counts the same whatever its number of items).
    scale : (float, float)
        Lowest and highest possible answer, e.g. (1, 5) or (1, 7).
    min_items : int, optional
        Fewest answered items per construct for a score (passed to
        :func:`trustsem.data.prep.scale_scores`); default all items.
    name : str
        Name of the returned Series.

    Returns
    -------
    pandas.Series
        ``100 * (mean - scale_min) / (scale_max - scale_min)``, indexed like
        ``data``; NaN where a score could not be formed.

    Raises
    ------
    SpecificationError
        Unknown items, a bad ``scale``.
    DataError
        Text in an item, or answers outside ``scale``.

    Warns
    -----
    MissingDataWarning
        Respondents left without a score (from ``scale_scores``).

    Notes
    -----
    A linear rescaling of the (unweighted) item mean, so it is a POMP score
    ("percent of maximum possible", Cohen et al. 1999): 0 = every answer at
    the scale minimum, 100 = every answer at the maximum.  It is not a
    latent-variable score; the documents' "trust out of 100" ([003] ch5) is
    given no construction, and this is the transparent equal-weights one.

    References
    ----------
    Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of
    units and the circumstance for POMP. *Multivariate Behavioral Research*,
    34, 315-346.

    Examples
    --------
    >>> import pandas as pd
    >>> trust_index(pd.DataFrame({"a": [1, 5, 3], "b": [1, 5, 4]}), ["a", "b"]).tolist()
    [0.0, 100.0, 62.5]
    """
    data = check_dataframe(data)
    try:
        lo, hi = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise SpecificationError(
            f"`scale` must be (min, max); got {format_value(scale)}."
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise SpecificationError(
            f"`scale` must be (min, max) with min < max; got {format_value(scale)}."
        )
    if isinstance(items_or_constructs, Mapping):
        constructs = {
            str(k): [v] if isinstance(v, str) else list(v)
            for k, v in items_or_constructs.items()
        }
    elif isinstance(items_or_constructs, str):
        constructs = {name: [items_or_constructs]}
    else:
        constructs = {name: list(items_or_constructs)}
    items = [i for its in constructs.values() for i in its]
    if not items:
        raise SpecificationError("`items_or_constructs` names no items.")
    check_columns(data, items, "Items")
    vals = check_numeric_columns(data, items)
    bad = vals.notna() & ((vals < lo) | (vals > hi))
    if bad.any().any():
        col = bad.any()[bad.any()].index[0]
        raise DataError(
            f"Column {col!r} holds values outside the scale {lo:g}-{hi:g}"
            f" ({int(bad.to_numpy().sum())} such cells). Recode missing codes first"
            " (trustsem.data.prep.recode_missing) or pass the right `scale`."
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MissingDataWarning)
        scores = scale_scores(data, constructs, min_items=min_items)
    for w in caught:
        warnings.warn(str(w.message), w.category, stacklevel=2)
    mean = scores.mean(axis=1, skipna=False)
    return (100 * (mean - lo) / (hi - lo)).rename(name)


# ---------------------------------------------------------------------------
# two-group comparison


@dataclass(frozen=True, slots=True)
class GroupComparison(SummaryDisplay):
    """A two-group mean comparison (immutable).

    Attributes
    ----------
    groups : DataFrame
        ``group, n, mean, sd, se, ci_lower, ci_upper`` (t interval of each
        mean), reference group first.
    test : Series
        ``test, mean_diff, se, t, df, pvalue, ci_lower, ci_upper`` for
        mean(second) - mean(first).
    effect_sizes : DataFrame
        ``effect, est, ci_lower, ci_upper`` for ``cohen_d`` and ``hedges_g``.
    value, group : str
    equal_var : bool
    n_obs : int
    notes : tuple of str
    """

    groups: pd.DataFrame
    test: pd.Series
    effect_sizes: pd.DataFrame
    value: str
    group: str
    equal_var: bool
    n_obs: int
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        t = self.test
        head: list[tuple[str, Any]] = [
            ("Outcome", self.value),
            ("Groups", self.group),
            ("Test", t["test"]),
            ("Mean difference (second - first)", t["mean_diff"]),
            ("CI of the difference", f"{t['ci_lower']:.3f} – {t['ci_upper']:.3f}"),
            ("t", t["t"]),
            ("df", t["df"]),
            ("P-value", t["pvalue"]),
        ]
        blocks = [("Groups", self.groups), ("Effect sizes", self.effect_sizes)]
        return Summary("trustsem group comparison", head, blocks, list(self.notes))


def _drop_missing(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    miss = frame.isna().any(axis=1)
    if miss.any():
        counts = frame.isna().sum()
        msg = (
            f"Listwise deletion: used {int((~miss).sum())} of {len(frame)} rows;"
            f" {int(miss.sum())} row(s) with missing values were dropped"
            f" ({', '.join(f'{k} ({int(v)})' for k, v in counts[counts > 0].items())})."
        )
        notes.append(msg)
        warnings.warn(msg, MissingDataWarning, stacklevel=3)
    return frame[~miss]


def compare_groups(
    data: pd.DataFrame,
    value: str,
    group: str,
    *,
    equal_var: bool = False,
    order: Sequence[Any] | None = None,
    level: float | None = None,
    alpha: float | None = None,
) -> GroupComparison:
    """Compare the mean of ``value`` between two groups (Welch or Student t).

    Parameters
    ----------
    data : pandas.DataFrame
    value : str
        Numeric outcome, e.g. a :func:`trust_index` column.
    group : str
        Column with exactly two groups (e.g. ``pm_exposed`` 0/1), or more if
        ``order`` picks two.
    equal_var : bool
        False (default): Welch's t test (Welch-Satterthwaite df).  True:
        Student's pooled-variance t test.
    order : (first, second), optional
        The reference group first; the difference is second - first.
        Default: the two groups in sorted order (so 0/1 gives 1 - 0).
    level : float, optional
        Confidence level (default 0.95) of the intervals; every test decides
        at ``1 - level``.
    alpha : float, optional
        Deprecated alias: ``alpha=a`` means ``level=1 - a`` (``FutureWarning``);
        giving both is a SpecificationError.

    Returns
    -------
    GroupComparison
        ``groups``, ``test``, ``effect_sizes``, ``summary()``.

    Raises
    ------
    SpecificationError
        Unknown columns, not exactly two groups, bad ``order``.
    DataError
        Non-numeric ``value``, a group with fewer than two values, no
        variance in either group.

    Warns
    -----
    MissingDataWarning
        Rows with a missing value or group were dropped.

    Notes
    -----
    The t test is ``pingouin.ttest`` (equal to R ``t.test(var.equal =)``).
    Cohen's d = (m2 - m1)/s_pooled with s_pooled² = ((n1-1)s1² + (n2-1)s2²)
    /(n1+n2-2) (also under Welch: the pooled SD is the standardizer, Cohen
    1988); its CI is d ± t_(n1+n2-2)·se, se = sqrt((n1+n2)/(n1·n2) +
    d²/(2(n1+n2))) (``pingouin.compute_esci``, Hedges & Olkin 1985).
    Hedges' g = J·d, J = 1 - 3/(4(n1+n2) - 9), and its CI is J times that of
    d.  Validated against R ``t.test`` within 1e-6.

    Examples
    --------
    >>> from trustsem.data.datasets import load_example
    >>> df = load_example("trust_survey")
    >>> df["trust"] = trust_index(df, {"TF": ["TF1", "TF2", "TF3"],
    ...     "TA": ["TA1", "TA2", "TA3"], "TI": ["TI1", "TI2", "TI3"]}, min_items=1)
    >>> res = compare_groups(df, "trust", "pm_exposed")
    >>> res.groups["group"].tolist()
    [0, 1]
    """
    import pingouin as pg

    data = check_dataframe(data)
    for nm, v in (("value", value), ("group", group)):
        if not isinstance(v, str):
            raise SpecificationError(f"`{nm}` must be a column name; got {format_value(v)}.")
    if value == group:
        raise SpecificationError("`value` and `group` must be different columns.")
    level, alpha = check_level(level, alpha, where="compare_groups")
    check_columns(data, [value, group], "Variables")
    frame = pd.DataFrame(
        {value: check_numeric_columns(data, [value])[value], group: data[group]}
    )
    notes: list[str] = []
    frame = _drop_missing(frame, notes)
    levels = list(pd.unique(frame[group]))
    if order is None:
        if len(levels) != 2:
            raise SpecificationError(
                f"`group` must have exactly two groups; {group!r} has {len(levels)}:"
                f" {sorted(map(str, levels))[:10]}. Pass order=(a, b) to pick two."
            )
        try:
            levels = sorted(levels)
        except TypeError:
            levels = sorted(levels, key=str)
    else:
        order = list(order)
        absent = [o for o in order if o not in levels]
        if len(order) != 2 or order[0] == order[1] or absent:
            raise SpecificationError(
                f"`order` must name two different groups of {group!r}; got {format_value(order)}"
                + (f" ({absent} not found)." if absent else ".")
            )
        levels = order
        frame = frame[frame[group].isin(levels)]
    xs = [frame.loc[frame[group] == g, value].to_numpy(float) for g in levels]
    for g, x in zip(levels, xs):
        if x.size < 2:
            raise DataError(f"Group {g!r} has {x.size} value(s); need at least 2.")
    if all(np.var(x) == 0 for x in xs):
        raise DataError(
            f"{value!r} is constant within both groups; no test is possible."
        )
    x1, x2 = xs
    n1, n2 = x1.size, x2.size
    conf = 1 - alpha
    tt = pg.ttest(x2, x1, paired=False, correction=not equal_var, confidence=conf)
    row = tt.iloc[0]
    t_val, df = float(row["T"]), float(row["dof"])
    pval = float(row["p_val"] if "p_val" in row.index else row["p-val"])
    diff = float(x2.mean() - x1.mean())
    v1, v2 = x1.var(ddof=1), x2.var(ddof=1)
    if equal_var:
        sp2 = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
        se = float(np.sqrt(sp2 * (1 / n1 + 1 / n2)))
    else:
        se = float(np.sqrt(v1 / n1 + v2 / n2))
    q_diff = float(stats.t.ppf(1 - alpha / 2, df))
    d = float(pg.compute_effsize(x2, x1, paired=False, eftype="cohen"))
    d_ci = np.asarray(
        pg.compute_esci(d, nx=n2, ny=n1, eftype="cohen", confidence=conf, decimals=15),
        float,
    )
    J = 1 - 3 / (4 * (n1 + n2) - 9)
    groups = pd.DataFrame(
        {
            "group": [g.item() if isinstance(g, np.generic) else g for g in levels],
            "n": [n1, n2],
            "mean": [x1.mean(), x2.mean()],
            "sd": [x1.std(ddof=1), x2.std(ddof=1)],
        }
    )
    groups["se"] = groups["sd"] / np.sqrt(groups["n"])
    q = stats.t.ppf(1 - alpha / 2, groups["n"] - 1)
    groups["ci_lower"] = groups["mean"] - q * groups["se"]
    groups["ci_upper"] = groups["mean"] + q * groups["se"]
    test = pd.Series(
        {
            "test": "Student t test" if equal_var else "Welch t test",
            "mean_diff": diff,
            "se": se,
            "t": t_val,
            "df": df,
            "pvalue": pval,
            "ci_lower": diff - q_diff * se,
            "ci_upper": diff + q_diff * se,
        },
        dtype=object,
    )
    eff = pd.DataFrame(
        {
            "effect": ["cohen_d", "hedges_g"],
            "est": [d, J * d],
            "ci_lower": [d_ci[0], J * d_ci[0]],
            "ci_upper": [d_ci[1], J * d_ci[1]],
        }
    )
    shown = [g.item() if isinstance(g, np.generic) else g for g in levels]
    notes.append(
        f"Difference = {group} {shown[1]!r} minus {group} {shown[0]!r};"
        " Cohen's d uses the pooled SD."
    )
    return GroupComparison(
        groups=groups,
        test=test,
        effect_sizes=eff,
        value=value,
        group=group,
        equal_var=bool(equal_var),
        n_obs=n1 + n2,
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------
# outcome by trust quantile


@dataclass(frozen=True, slots=True)
class TrustQuantiles(SummaryDisplay):
    """Outcome rates by trust quantile, top-vs-bottom contrast and logit.

    Attributes
    ----------
    by_quantile : DataFrame
        ``quantile, n, events, rate, ci_lower, ci_upper, trust_min,
        trust_max, trust_mean, rate_logit``: per group, the outcome rate with
        its Wilson interval and the rate the logit implies at the group's
        mean standardized trust.
    contrast : DataFrame
        ``measure, est, se, ci_lower, ci_upper, pvalue`` for
        ``rate_difference`` (top - bottom), ``odds_ratio`` and
        ``risk_ratio`` (top vs bottom); ``se`` of the ratios is on the log
        scale.
    model : RegressionResult
        Logit of the outcome on the standardized trust score (``<trust>_z``).
    trust, outcome : str
    quantiles : int
    n_obs : int
    notes : tuple of str
    """

    by_quantile: pd.DataFrame
    contrast: pd.DataFrame
    model: RegressionResult
    trust: str
    outcome: str
    quantiles: int
    n_obs: int
    notes: tuple[str, ...]

    def summary(self) -> Summary:
        top = self.by_quantile.iloc[-1]
        bottom = self.by_quantile.iloc[0]
        slope = self.model.estimates.iloc[1]
        head: list[tuple[str, Any]] = [
            ("Outcome", self.outcome),
            ("Trust score", self.trust),
            ("Number of observations used", self.n_obs),
            ("Groups", self.quantiles),
            (f"Rate, top group ({int(top['quantile'])})", top["rate"]),
            ("Rate, bottom group (1)", bottom["rate"]),
            ("Logit slope per SD of trust", slope["est"]),
            ("Odds ratio per SD of trust", slope["or"]),
        ]
        blocks = [
            ("Outcome rate by trust group", self.by_quantile),
            ("Top vs bottom group", self.contrast),
            (
                "Logit on standardized trust",
                self.model.estimates[
                    [
                        "rhs",
                        "est",
                        "se",
                        "z",
                        "pvalue",
                        "or",
                        "or_ci_lower",
                        "or_ci_upper",
                    ]
                ],
            ),
        ]
        return Summary(
            "trustsem outcome by trust quantile", head, blocks, list(self.notes)
        )


def _wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    p = x / n
    den = 1 + z**2 / n
    mid = (p + z**2 / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    return mid - half, mid + half


def _quantile_groups(v: np.ndarray, q: int) -> np.ndarray:
    """Group 1..q: right-closed intervals between the type-7 sample quantiles.

    A value within 1e-9·range of a cut point counts as on it (lower group),
    so scores that are equal on paper but differ in the last bit (Likert
    means computed in another order) are grouped alike.
    """
    edges = np.quantile(v, np.linspace(0, 1, q + 1))[1:-1]
    tol = 1e-9 * max(1.0, float(np.ptp(v)))
    return 1 + (v[:, None] > edges[None, :] + tol).sum(axis=1)


def repurchase_by_trust(
    data: pd.DataFrame,
    trust: str,
    outcome: str = "repurchase",
    quantiles: int = 5,
    *,
    level: float | None = None,
    alpha: float | None = None,
) -> TrustQuantiles:
    """Outcome rate per trust quantile and the top-vs-bottom contrast.

    Reproduces the structure of the documents' claim "repurchase is 68 % for
    the top 20 % of trust and 42 % for the bottom 20 %" ([000] ch2) on survey
    data, with the uncertainty the documents leave out.

    Parameters
    ----------
    data : pandas.DataFrame
    trust : str
        Numeric trust score column (e.g. from :func:`trust_index` or
        :func:`trustsem.data.prep.scale_scores`).
    outcome : str
        0/1 outcome column.
    quantiles : int
        Number of trust groups (5 = quintiles: top and bottom 20 %).
    level : float, optional
        Confidence level (default 0.95) of the intervals; every test decides
        at ``1 - level``.
    alpha : float, optional
        Deprecated alias: ``alpha=a`` means ``level=1 - a`` (``FutureWarning``);
        giving both is a SpecificationError.

    Returns
    -------
    TrustQuantiles
        ``by_quantile``, ``contrast``, ``model`` (logit on the standardized
        score), ``summary()``.

    Raises
    ------
    SpecificationError
        Unknown columns, ``quantiles`` < 2.
    DataError
        Non-numeric trust, an outcome not coded 0/1, too many tied scores
        for the requested number of groups.

    Warns
    -----
    MissingDataWarning
        Rows with a missing trust score or outcome were dropped.

    Notes
    -----
    Groups are cut at the sample quantiles (R type 7) with right-closed
    intervals, the lowest included (as R ``cut(x, quantile(x, seq(0, 1,
    1/q)), include.lowest = TRUE)``; values within 1e-9 of a cut point count
    as on it).  Scores tied at a cut point fall in the lower group, so groups
    of Likert means are not exactly equal in size; ``n`` is reported.  Rate
    CIs are Wilson intervals (``prop.test(correct = FALSE)``).  The rate
    difference has the Wald interval and the p-value of the two-proportion
    chi-square test without continuity correction (``prop.test(c(x1, x2),
    c(n1, n2), correct = FALSE)``); the odds ratio has Woolf's log interval
    and the risk ratio the log (Katz) interval, with 0.5 added to every cell
    if one is empty (noted).  The logit uses the trust score standardized on
    the analysis sample (N-1 SD), so its slope is the change in log-odds per SD.

    Examples
    --------
    >>> from trustsem.data.datasets import load_example
    >>> df = load_example("trust_survey")
    >>> df["trust"] = trust_index(df, {"TF": ["TF1", "TF2", "TF3"],
    ...     "TA": ["TA1", "TA2", "TA3"], "TI": ["TI1", "TI2", "TI3"]}, min_items=1)
    >>> res = repurchase_by_trust(df, "trust")
    >>> list(res.contrast["measure"])
    ['rate_difference', 'odds_ratio', 'risk_ratio']
    """
    data = check_dataframe(data)
    for nm, v in (("trust", trust), ("outcome", outcome)):
        if not isinstance(v, str):
            raise SpecificationError(f"`{nm}` must be a column name; got {format_value(v)}.")
    if trust == outcome:
        raise SpecificationError("`trust` and `outcome` must be different columns.")
    quantiles = check_positive_int("quantiles", quantiles, minimum=2)
    level, alpha = check_level(level, alpha, where="repurchase_by_trust")
    check_columns(data, [trust, outcome], "Variables")
    frame = check_numeric_columns(data, [trust, outcome])
    notes: list[str] = []
    frame = _drop_missing(frame, notes)
    y = frame[outcome].to_numpy()
    if not set(np.unique(y)) <= {0.0, 1.0} or len(np.unique(y)) < 2:
        raise DataError(
            f"`outcome` {outcome!r} must be coded 0/1 with both values present;"
            f" got values {sorted(set(np.unique(y)))[:6]}."
        )
    t = frame[trust]
    if t.nunique() < 2:
        raise DataError(f"The trust score {trust!r} is constant.")
    grp = _quantile_groups(t.to_numpy(float), quantiles)
    if np.bincount(grp, minlength=quantiles + 1)[1:].min() == 0:
        raise DataError(
            f"{trust!r} has too many tied values for {quantiles} groups (repeated"
            " cut points leave a group empty). Use fewer `quantiles`."
        )
    grp = pd.Series(grp, index=t.index)
    z = float(stats.norm.ppf(1 - alpha / 2))
    agg = frame.assign(_g=grp).groupby("_g")
    n = agg[outcome].size().to_numpy(float)
    x = agg[outcome].sum().to_numpy(float)
    lo_ci, hi_ci = _wilson(x, n, z)
    by = pd.DataFrame(
        {
            "quantile": np.arange(1, quantiles + 1),
            "n": n.astype(int),
            "events": x.astype(int),
            "rate": x / n,
            "ci_lower": lo_ci,
            "ci_upper": hi_ci,
            "trust_min": agg[trust].min().to_numpy(),
            "trust_max": agg[trust].max().to_numpy(),
            "trust_mean": agg[trust].mean().to_numpy(),
        }
    )
    # top vs bottom
    x1, n1, x0, n0 = x[-1], n[-1], x[0], n[0]
    p1, p0 = x1 / n1, x0 / n0
    se_d = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    pp = (x1 + x0) / (n1 + n0)
    z_pool = (p1 - p0) / np.sqrt(pp * (1 - pp) * (1 / n1 + 1 / n0))
    a, b, c, d = x1, n1 - x1, x0, n0 - x0
    if min(a, b, c, d) == 0:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
        notes.append(
            "An empty cell in the top/bottom 2x2 table: 0.5 added to every"
            " cell for the odds and risk ratios."
        )
    log_or = np.log(a * d / (b * c))
    se_or = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    log_rr = np.log((a / (a + b)) / (c / (c + d)))
    se_rr = np.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    contrast = pd.DataFrame(
        {
            "measure": ["rate_difference", "odds_ratio", "risk_ratio"],
            "est": [p1 - p0, np.exp(log_or), np.exp(log_rr)],
            "se": [se_d, se_or, se_rr],
            "ci_lower": [
                p1 - p0 - z * se_d,
                np.exp(log_or - z * se_or),
                np.exp(log_rr - z * se_rr),
            ],
            "ci_upper": [
                p1 - p0 + z * se_d,
                np.exp(log_or + z * se_or),
                np.exp(log_rr + z * se_rr),
            ],
            "pvalue": [
                2 * stats.norm.sf(abs(z_pool)),
                2 * stats.norm.sf(abs(log_or / se_or)),
                2 * stats.norm.sf(abs(log_rr / se_rr)),
            ],
        }
    )
    # logit on standardized trust
    zname = "trust_z" if outcome != "trust_z" else "trust_z_"
    mf = pd.DataFrame({outcome: frame[outcome], zname: (t - t.mean()) / t.std(ddof=1)})
    yq = outcome if outcome.isidentifier() else f"Q({outcome!r})"
    model = _fit_frame(
        "logit",
        f"{yq} ~ {zname}",
        mf,
        robust=None,
        alpha=alpha,
        notes=list(notes),
        options={},
        rename={yq: outcome},
    )
    b0, b1 = model.estimates["est"].to_numpy()[:2]
    zmean = mf.assign(_g=grp).groupby("_g")[zname].mean().to_numpy()
    by["rate_logit"] = 1 / (1 + np.exp(-(b0 + b1 * zmean)))
    notes.append(
        f"{trust!r} was standardized (mean {t.mean():.4g}, SD"
        f" {t.std(ddof=1):.4g}) for the logit; its slope is per SD of trust."
    )
    notes.append(
        f"Groups cut at the sample {quantiles}-quantiles of {trust!r}; ties at a"
        " cut point go to the lower group."
    )
    return TrustQuantiles(
        by_quantile=by,
        contrast=contrast,
        model=model,
        trust=trust,
        outcome=outcome,
        quantiles=quantiles,
        n_obs=len(frame),
        notes=tuple(notes),
    )
