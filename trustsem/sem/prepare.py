"""Data preparation for the fits: rows to per-group sample moments.

Shared by the ML/FIML fit (:mod:`trustsem.sem.fit`) and WLSMV
(:mod:`trustsem.sem.wlsmv`): the group split, the item checks, listwise
deletion or missing-data patterns, moments from a published covariance
matrix, and the note on Likert-like items under normal-theory ML.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validation import check_dataframe, check_numeric_columns, format_value
from ..exceptions import DataError, MissingDataWarning, SpecificationError
from .engine.estimate import em_saturated, make_patterns
from .engine.ram import GroupStats
from .spec import ModelSpec

__all__ = ["check_group_column", "check_pd", "likert_note", "prepare_cov", "prepare_data",
           "split_groups"]


def check_group_column(data: pd.DataFrame, group: str | None, ov: Sequence[str]) -> None:
    """Raise unless ``group`` is a data column that is not a model variable."""
    if group is None:
        return
    if group not in data.columns:
        raise SpecificationError(
            f"`group` column {group!r} is not in the data. Available columns"
            f" include {list(map(str, data.columns[:8]))}.")
    if group in ov:
        raise SpecificationError(f"`group` column {group!r} is also a variable in the model.")


def split_groups(data: pd.DataFrame, group: str | None, ov: Sequence[str], notes: list[str],
                 *, stacklevel: int = 3) -> tuple[list[str], list[np.ndarray]]:
    """Group labels (in order of appearance) and a row mask per group.

    Without ``group`` one group labelled ``"1"`` holding every row. Rows with
    no group value are left out, with a note and a :class:`MissingDataWarning`.
    """
    check_group_column(data, group, ov)
    if group is None:
        return ["1"], [np.ones(len(data), dtype=bool)]
    gcol = data[group]
    bad = gcol.isna()
    if bad.any():
        notes.append(f"{int(bad.sum())} row(s) with a missing `{group}` value were not used.")
        warnings.warn(f"{int(bad.sum())} row(s) have no value in group column {group!r}"
                      " and were not used.", MissingDataWarning, stacklevel=stacklevel)
    labels = list(pd.unique(gcol[~bad]))
    return [str(v) for v in labels], [(gcol == v).to_numpy() for v in labels]


def prepare_data(spec: ModelSpec, data: pd.DataFrame, *, missing: str,
                 group: str | None, notes: list[str], drop_missing_x: Sequence[str] = (),
                 stacklevel: int = 3):
    """Per-group sample moments of raw data for ML/FIML.

    Checks the item columns, splits the rows by ``group``, applies listwise
    deletion (``missing="listwise"``) or builds the missing-data patterns and
    the saturated EM moments (``missing="fiml"``; rows missing a covariate in
    ``drop_missing_x`` are dropped first). Deletions are added to ``notes`` and
    warned about with :class:`MissingDataWarning`.

    Returns
    -------
    stats_list, group_labels, n_rows, X_groups
        Moments per group, the group labels, the number of rows given and the
        rows used per group (the bootstrap and robust corrections resample
        them).
    """
    data = check_dataframe(data)
    spec.check_data(data.columns)
    ov = spec.observed
    check_group_column(data, group, ov)
    X = check_numeric_columns(data, ov)
    n_rows = len(X)
    for col in ov:
        s = X[col]
        if s.notna().sum() == 0:
            raise DataError(f"Column {col!r} has no observed values. Remove it from the model.")
        if s.nunique(dropna=True) < 2:
            raise DataError(
                f"Column {col!r} has zero variance (every answer is"
                f" {format_value(s.dropna().iloc[0])})."
                " Remove it from the model or check the data.")
    group_labels, masks = split_groups(data, group, ov, notes, stacklevel=stacklevel + 1)

    stats_list: list[GroupStats] = []
    X_groups = []
    p = len(ov)
    total_used = 0
    for lab, mask in zip(group_labels, masks):
        Xg = X.to_numpy()[mask]
        where = f" in group {lab!r}" if group is not None else ""
        if missing == "listwise":
            complete = ~np.isnan(Xg).any(axis=1)
            n_drop = int((~complete).sum())
            Xg = Xg[complete]
            if n_drop:
                worst = X.loc[mask].isna().sum().sort_values(ascending=False)
                worst = worst[worst > 0].head(3)
                detail = ", ".join(f"{k} ({v})" for k, v in worst.items())
                msg = (f"Listwise deletion{where}: used {len(Xg)} of {len(Xg) + n_drop} rows;"
                       f" {n_drop} row(s) with missing values were dropped (most missing:"
                       f" {detail})."
                       " Use missing='fiml' to keep them.")
                notes.append(msg)
                warnings.warn(msg, MissingDataWarning, stacklevel=stacklevel)
        else:
            if len(drop_missing_x):
                xi = [ov.index(v) for v in drop_missing_x]
                bad_x = np.isnan(Xg[:, xi]).any(axis=1)
                if bad_x.any():
                    cols = [v for v, j in zip(drop_missing_x, xi) if np.isnan(Xg[:, j]).any()]
                    msg = (f"FIML{where}: {int(bad_x.sum())} of {len(Xg)} row(s) have a missing"
                           f" value in the fixed exogenous covariate(s) {cols} and were not"
                           " used (as lavaan's missing='ml' with fixed.x). Use"
                           " missing='fiml.x' to keep them, with the covariates in the"
                           " likelihood.")
                    notes.append(msg)
                    warnings.warn(msg, MissingDataWarning, stacklevel=stacklevel)
                    Xg = Xg[~bad_x]
            empty = np.isnan(Xg).all(axis=1)
            if empty.any():
                msg = (f"FIML{where}: {int(empty.sum())} row(s) with no observed value on any"
                       " model variable were not used.")
                notes.append(msg)
                warnings.warn(msg, MissingDataWarning, stacklevel=stacklevel)
                Xg = Xg[~empty]
        n = len(Xg)
        if n <= p:
            raise DataError(
                f"Too few respondents{where}: {n} usable row(s) for {p} observed variables;"
                f" the model needs more than {p} (and in practice many more).")
        total_used += n
        if missing == "listwise":
            mean = Xg.mean(axis=0)
            Z = Xg - mean
            S = Z.T @ Z / n
            for j, col in enumerate(ov):
                if S[j, j] <= 0:
                    raise DataError(f"Column {col!r} has zero variance{where} after removing"
                                    " incomplete rows. Remove it from the model.")
            check_pd(S, ov, where)
            stats_list.append(GroupStats(nobs=n, cov=S, mean=mean))
        else:
            pats = make_patterns(Xg)
            mu, Sig, h1, ok = em_saturated(Xg, pats)
            if not ok:
                notes.append("EM for the unrestricted (h1) model did not fully converge.")
            check_pd(Sig, ov, where)
            nmiss = int(np.isnan(Xg).sum())
            notes.append(
                f"FIML{where}: {n} rows, {nmiss} missing cell(s) ({100 * nmiss / Xg.size:.1f}%)"
                f" in {len(pats)} missing-data pattern(s).")
            stats_list.append(GroupStats(nobs=n, cov=Sig, mean=mu, patterns=pats, h1_logl=h1))
        X_groups.append(Xg)
    return stats_list, group_labels, n_rows, X_groups


def likert_note(X_groups: list[np.ndarray], names: list[str], estimator: str) -> str | None:
    """Say so when every item is Likert-like (<= 7 categories) and ML is used.

    Recommends, never switches: MLR for robust SEs and test, or WLSMV with the
    items declared ordered. Skewness and excess kurtosis (moment estimators)
    are reported so the reader can judge.
    """
    if estimator != "ML":
        return None
    X = np.vstack(X_groups)
    obs = ~np.isnan(X)
    Xf = np.where(obs, X, 0.0)
    if not np.array_equal(Xf, np.round(Xf)):
        return None                      # non-integer values: not Likert codes
    lo = np.nanmin(X, axis=0)
    if np.any(np.nanmax(X, axis=0) - lo > 6):
        return None                      # more than 7 possible codes
    cats = [int(np.count_nonzero(np.bincount((X[obs[:, j], j] - lo[j]).astype(int))))
            for j in range(X.shape[1])]
    e = X - np.nanmean(X, axis=0)
    v = np.nanmean(e**2, axis=0)
    skew = np.nanmean(e**3, axis=0) / v**1.5
    kurt = np.nanmean(e**4, axis=0) / v**2 - 3
    i = int(np.argmax(np.abs(skew)))
    k = int(np.argmax(np.abs(kurt)))
    return (f"All {len(names)} observed variables have at most {max(cats)} categories (Likert"
            f" items); normal-theory ML was used as asked. Largest |skewness| {abs(skew[i]):.2f}"
            f" ({names[i]}), largest |excess kurtosis| {abs(kurt[k]):.2f} ({names[k]}). Consider"
            " estimator='MLR' (robust SEs and scaled test) or an ordinal estimator (WLSMV).")


def check_pd(S: np.ndarray, names: list[str], where: str) -> None:
    """Raise :class:`DataError` naming the items behind a singular covariance matrix."""
    w, V = np.linalg.eigh(S)
    if w[0] <= 1e-10 * max(w[-1], 1e-300):
        v = np.abs(V[:, 0])
        culprits = [names[i] for i in np.argsort(-v)[:4] if v[i] > 0.1]
        raise DataError(
            f"The sample covariance matrix{where} is singular: {culprits} are (nearly)"
            " linearly dependent (duplicate items or a sum score among the items?)."
            " Remove one of them from the model.")


def prepare_cov(spec, sample_cov, sample_nobs, sample_mean, sample_sd, notes) -> GroupStats:
    """Moments from a published covariance (or correlation + SD) matrix, rescaled by (N-1)/N."""
    if not isinstance(sample_cov, pd.DataFrame):
        raise SpecificationError(
            "`sample_cov` must be a DataFrame with variable names as index and columns;"
            f" got {type(sample_cov).__name__}.")
    if sample_nobs is None or isinstance(sample_nobs, bool) or int(sample_nobs) != sample_nobs:
        raise SpecificationError(
            f"`sample_nobs` must be an integer; got {format_value(sample_nobs)}.")
    n = int(sample_nobs)
    C = sample_cov.copy()
    C.index = C.index.map(str)
    C.columns = C.columns.map(str)
    if list(C.index) != list(C.columns):
        raise SpecificationError("`sample_cov` must have the same names, in the same order,"
                                 " on its index and its columns.")
    ov = spec.observed
    missing_vars = [v for v in ov if v not in C.columns]
    if missing_vars:
        raise SpecificationError(f"Variables in the model are not in `sample_cov`: {missing_vars}.")
    M = C.loc[ov, ov].to_numpy(dtype=float)
    if not np.allclose(M, M.T, atol=1e-8):
        raise DataError("`sample_cov` is not symmetric.")
    if sample_sd is not None:
        sd = pd.Series(sample_sd, index=C.columns if not isinstance(sample_sd, pd.Series) else None)
        sd.index = sd.index.map(str)
        miss = [v for v in ov if v not in sd.index]
        if miss:
            raise SpecificationError(f"`sample_sd` has no value for {miss}.")
        d = sd.loc[ov].to_numpy(dtype=float)
        if not np.allclose(np.diag(M), 1.0, atol=1e-6):
            raise DataError("`sample_sd` was given but `sample_cov` is not a correlation matrix"
                            " (its diagonal is not 1).")
        M = M * np.outer(d, d)
        notes.append("Fitted to the correlation matrix and standard deviations given.")
    elif np.allclose(np.diag(M), 1.0):
        notes.append("The matrix given is a correlation matrix and no SDs were given: estimates"
                     " are on the correlation scale; give `sample_sd` for covariances.")
    if n <= len(ov):
        raise DataError(f"Too few respondents: sample_nobs = {n} for {len(ov)} observed variables.")
    S = M * (n - 1) / n
    check_pd(S, ov, "")
    if sample_mean is not None:
        mean = pd.Series(sample_mean)
        mean.index = mean.index.map(str)
        mean = mean.loc[ov].to_numpy(dtype=float)
    else:
        mean = np.zeros(len(ov))
    notes.append(f"Fitted to a covariance matrix with N = {n} (rescaled by (N-1)/N as in lavaan).")
    return GroupStats(nobs=n, cov=S, mean=mean, cov_raw=M)
