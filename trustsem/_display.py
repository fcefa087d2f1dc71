"""How results look: one summary renderer, one display mixin, one label map.

Every result object builds a :class:`Summary` (title, header rows, tables,
notes) in its ``summary()`` method and inherits :class:`SummaryDisplay`, which
turns that summary into ``str()`` text and notebook HTML. Tidy result frames
keep snake_case columns; :data:`DISPLAY_NAMES` gives their printed labels.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DISPLAY_NAMES", "Summary", "SummaryDisplay", "format_number"]

#: Display labels for tidy column and fit-measure names.
DISPLAY_NAMES = {
    "est": "Estimate", "se": "Std.Err", "z": "z-value", "pvalue": "P(>|z|)",
    "ci_lower": "CI lower", "ci_upper": "CI upper", "std_lv": "Std.lv",
    "std_all": "Std.all", "label": "Label", "r2": "R²",
    "chisq": "Chi-square", "df": "Degrees of freedom", "pvalue_fit": "P-value",
    "cfi": "CFI", "tli": "TLI", "rmsea": "RMSEA", "rmsea_ci_lower": "RMSEA 90% CI lower",
    "rmsea_ci_upper": "RMSEA 90% CI upper", "rmsea_pvalue": "P(RMSEA <= .05)",
    "srmr": "SRMR", "aic": "AIC", "bic": "BIC", "logl": "Log-likelihood",
    "unrestricted_logl": "Log-likelihood (unrestricted)", "npar": "Free parameters",
    "nobs": "Observations",
}


class SummaryDisplay:
    """``str()`` and notebook display from the object's ``summary()``.

    A result class defines ``summary()`` returning a :class:`Summary` (or a
    string) and inherits this mixin; it must not define ``__str__`` or
    ``_repr_html_`` itself.
    """

    __slots__ = ()

    def summary(self) -> Summary | str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def __str__(self) -> str:
        s = self.summary()
        return s if isinstance(s, str) else s.as_text()

    def _repr_html_(self) -> str:
        s = self.summary()
        if isinstance(s, str):
            return f"<pre>{html.escape(s)}</pre>"
        return s.as_html()


class Summary:
    """A rendered summary: ``str()`` gives text, notebooks show HTML.

    Parameters
    ----------
    title : str
    header : list of (label, value) pairs
    blocks : list of (heading, DataFrame)
    notes : list of str
    """

    def __init__(self, title: str, header: list[tuple[str, Any]],
                 blocks: list[tuple[str, pd.DataFrame]], notes: list[str]):
        self.title = title
        self.header = header
        self.blocks = blocks
        self.notes = notes

    def as_text(self) -> str:
        w = 78
        lines = [self.title, "=" * w]
        for k, v in self.header:
            lines.append(f"  {k:<44}{format_number(v):>30}")
        for heading, df in self.blocks:
            lines += ["", heading + ":", df.to_string(index=False, float_format=_float3, na_rep="")]
        if self.notes:
            lines += ["", "Notes:"] + [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def as_html(self) -> str:
        parts = [f"<div class='trustsem-summary'><h3>{html.escape(self.title)}</h3>", "<table>"]
        for k, v in self.header:
            parts.append(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th><td>{html.escape(format_number(v))}</td></tr>")
        parts.append("</table>")
        for heading, df in self.blocks:
            parts.append(f"<h4>{html.escape(heading)}</h4>")
            parts.append(df.to_html(index=False, float_format=_float3, na_rep="", border=0))
        if self.notes:
            parts.append("<ul class='notes'>" + "".join(
                f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>")
        parts.append("</div>")
        return "\n".join(parts)

    def as_latex(self) -> str:
        out = [f"% {self.title}"]
        for heading, df in self.blocks:
            out.append(f"% {heading}")
            out.append(df.to_latex(index=False, float_format=_float3, na_rep=""))
        return "\n".join(out)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


def _float3(x: float) -> str:
    return f"{x:.3f}"


def format_number(v: Any) -> str:
    """A header value as printed: ``yes``/``no``, whole numbers, 3 decimals, NaN blank."""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return ""
        return f"{v:.3f}"
    return str(v)
