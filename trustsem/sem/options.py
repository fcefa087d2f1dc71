"""Argument checks of :func:`trustsem.sem`: the front-door refusals.

Every option that would have no effect, or that an estimator cannot honour,
is refused here with a :class:`~trustsem.SpecificationError` that says what to
do instead, before any data are touched. The checks are shared by the ML/FIML
path (:mod:`trustsem.sem.fit`) and WLSMV (:mod:`trustsem.sem.wlsmv`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._validation import (
    check_interval,
    check_n_jobs,
    check_option,
    check_positive_int,
    format_value,
)
from ..exceptions import SpecificationError

__all__ = ["check_continuous_options", "check_estimator_options", "check_group_options",
           "check_ordered", "check_wlsmv_options"]


def check_estimator_options(estimator: str | None, ordered: Any, missing: str) -> tuple[str, str]:
    """The estimator (WLSMV when ``ordered`` is given, else ML) and lavaan's ``missing`` names."""
    if estimator is None:
        estimator = "WLSMV" if ordered not in (None, False) else "ML"
    estimator = check_option("estimator", estimator, ["ML", "MLM", "MLR", "WLSMV"])
    missing = check_option("missing", missing,
                           ["listwise", "fiml", "fiml.x", "ml", "ml.x", "pairwise"])
    missing = {"ml": "fiml", "ml.x": "fiml.x"}.get(missing, missing)
    return estimator, missing


def check_group_options(group, group_equal, group_partial) -> tuple[list[str], list[str]]:
    """Equality options need groups; a lone string counts as one entry."""
    out = []
    for name, value in (("group_equal", group_equal), ("group_partial", group_partial)):
        if value is None:
            value = ()
        if isinstance(value, str):
            value = [value]
        try:
            value = [str(v) for v in value]
        except TypeError:
            raise SpecificationError(
                f"`{name}` must be a list of strings; got {format_value(value)}.") from None
        out.append(value)
    geq, gpart = out
    if group is None:
        given = "group_equal" if geq else ("group_partial" if gpart else None)
        if given:
            raise SpecificationError(
                f"`{given}` constrains parameters across groups and has no effect without"
                " `group=`. Name the column that defines the groups, e.g."
                " group='country', or remove it.")
    elif gpart and not geq:
        raise SpecificationError(
            "`group_partial` exempts parameters from `group_equal` and has no effect without"
            " it. Add e.g. group_equal=['loadings'], or remove `group_partial`.")
    return geq, gpart


def check_wlsmv_options(*, estimator: str, data: Any, se: str, information: str | None,
                        meanstructure: bool | None, ci_type: str, missing: str, level: float,
                        parameterization: str | None) -> tuple[float, str]:
    """Refuse what WLSMV cannot honour; return the checked ``level`` and parameterization."""
    if estimator != "WLSMV":
        raise SpecificationError(
            "`ordered` items need estimator='WLSMV' (or leave estimator unset); got"
            f" {format_value(estimator)}.")
    if data is None:
        raise SpecificationError(
            "WLSMV needs raw `data` (the polychoric correlations are computed from the"
            " answers), not `sample_cov`.")
    if se != "standard":
        raise SpecificationError(
            f"`se={se!r}` is not available with WLSMV; it reports robust (sandwich) SEs."
            " Leave `se` at 'standard', or use estimator='MLR' with se='bootstrap'.")
    if information is not None:
        raise SpecificationError(
            f"`information={information!r}` does not apply to WLSMV: its SEs always use the"
            " expected DWLS information in a sandwich (as lavaan). Leave `information` unset.")
    if meanstructure is not None:
        raise SpecificationError(
            "`meanstructure` does not apply to WLSMV: thresholds (and latent means in groups"
            " 2+) are always part of the model. Leave `meanstructure` unset.")
    if ci_type != "perc":
        raise SpecificationError(
            f"`ci_type={ci_type!r}` is for bootstrap intervals; WLSMV gives Wald intervals."
            " Leave `ci_type` unset and set the confidence with `level`.")
    if missing == "fiml":
        raise SpecificationError(
            "FIML (missing='fiml') is not defined for WLSMV. Use missing='pairwise' (all available"
            " pairs in the first stage) or 'listwise', or estimator='MLR' with"
            " missing='fiml' if the items can be treated as continuous.")
    level = check_interval("level", level, 0, 1)
    parameterization = check_option("parameterization", parameterization or "delta",
                                    ["delta", "theta"])
    return level, parameterization


def check_continuous_options(
    *, estimator: str, data: Any, sample_cov: Any, sample_nobs: Any, sample_mean: Any,
    sample_sd: Any, missing: str, group: str | None, parameterization: str | None, se: str,
    bootstrap: int, ci_type: str, level: float, n_jobs: int | None, information: str | None,
    meanstructure: bool | None,
) -> dict[str, Any]:
    """Refuse options with no effect on a continuous (ML, MLM, MLR) fit.

    Returns the checked ``se``, ``ci_type``, ``level``, ``n_jobs``,
    ``bootstrap`` and ``information`` by name.
    """
    if parameterization is not None:
        raise SpecificationError(
            "`parameterization` is for ordered items (WLSMV); continuous models have no"
            " scale factors. Drop it, or declare the items with `ordered=`.")
    if missing == "pairwise":
        raise SpecificationError(
            "missing='pairwise' is only for WLSMV (ordered items); use 'listwise' or 'fiml'.")
    se = check_option("se", se, ["standard", "none", "bootstrap"])
    ci_type = check_option("ci_type", ci_type, ["perc", "bc", "bca"])
    level = check_interval("level", level, 0, 1)
    n_jobs = check_n_jobs(n_jobs)
    if se == "bootstrap":
        bootstrap = check_positive_int("bootstrap", bootstrap, minimum=2)
        if data is None:
            raise SpecificationError(
                "`se='bootstrap'` resamples respondents and needs raw `data`, not `sample_cov`.")
    else:
        if ci_type != "perc":
            raise SpecificationError(
                f"`ci_type={ci_type!r}` chooses the bootstrap interval and has no effect with"
                f" se={se!r}. Pass se='bootstrap' to get {ci_type} intervals, or leave `ci_type`"
                " unset for Wald intervals (their confidence is set with `level`).")
        if bootstrap != 1000:
            raise SpecificationError(
                f"`bootstrap={bootstrap!r}` sets the number of bootstrap draws and has no effect"
                f" with se={se!r}. Pass se='bootstrap' as well, or leave `bootstrap` unset.")
    if information is not None:
        information = check_option("information", information, ["expected", "observed"])
        if se != "standard" and estimator == "ML":
            raise SpecificationError(
                f"`information={information!r}` chooses the matrix behind standard errors and has"
                f" no effect with se={se!r} and estimator='ML'. Leave `information` unset, or"
                " use se='standard'.")
    _check_data_source(data, sample_cov, sample_nobs, sample_mean, sample_sd)
    if meanstructure is False and (missing in ("fiml", "fiml.x") or group is not None):
        why = "FIML" if missing in ("fiml", "fiml.x") else "a multi-group model"
        raise SpecificationError(
            f"`meanstructure=False` cannot be honoured with {why}: the means are part of that"
            " likelihood (as in lavaan). Leave `meanstructure` unset.")
    return dict(se=se, ci_type=ci_type, level=level, n_jobs=n_jobs, bootstrap=bootstrap,
                information=information)


def _check_data_source(data, sample_cov, sample_nobs, sample_mean, sample_sd) -> None:
    """Exactly one of raw ``data`` and ``sample_cov``; sample moments only with the latter."""
    if data is None and sample_cov is None:
        raise SpecificationError("Give either `data` or `sample_cov` (with `sample_nobs`).")
    if data is not None and sample_cov is not None:
        raise SpecificationError("Give `data` or `sample_cov`, not both.")
    if data is not None:
        given = [name for name, v in (("sample_nobs", sample_nobs), ("sample_mean", sample_mean),
                                      ("sample_sd", sample_sd)) if v is not None]
        if given:
            raise SpecificationError(
                f"`{given[0]}` goes with `sample_cov` and has no effect with raw `data` (the"
                " moments and N are computed from the rows used). Remove it.")


def check_ordered(ov: Sequence[str], ordered: Any) -> list[str]:
    """The ordered items among the model's observed variables (``True``: all of them)."""
    if ordered is True:
        return list(ov)
    ordered_set = [ordered] if isinstance(ordered, str) else list(ordered)
    unknown = [v for v in ordered_set if v not in ov]
    if unknown:
        raise SpecificationError(f"`ordered` names variables that are not in the model: {unknown}.")
    if not ordered_set:
        raise SpecificationError(
            "`ordered` names no variable; WLSMV here needs at least one ordered item. For"
            " continuous data use estimator='ML' or 'MLR'.")
    return [v for v in ov if v in ordered_set]
