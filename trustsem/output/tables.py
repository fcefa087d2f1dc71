"""APA-style manuscript tables.

Two layers, kept apart as everywhere in trustsem:

* **Builders** (``descriptives_table``, ``reliability_table``,
  ``validity_table``, ``fit_table``, ``paths_table``, ``indirect_table``,
  ``invariance_table``, ``regression_table``) pick and order the numbers a
  manuscript table needs from a result.  They return plain tidy DataFrames
  with snake_case columns (``b``, ``se``, ``beta``, ``p``, ``ci_lower``,
  ``ci_upper``...) and unrounded numbers, so they can be filtered, merged or
  saved as they are.
* :func:`apa_table` renders any such frame to HTML, Markdown, LaTeX or CSV.
  Only here are display labels applied (``se`` -> *SE*, ``beta`` -> β,
  ``chisq`` -> *χ*²) and numbers formatted to APA 7 rules:

  - no leading zero for values that cannot exceed 1 (*p*, *r*, β, CFI,
    RMSEA, α, AVE, *R*²...): ``.87``;
  - *p* to three decimals, and ``< .001`` below that;
  - statistic symbols in italics (HTML ``<i>``, LaTeX ``\\textit``,
    Markdown ``*...*``);
  - a ``<x>ci_lower`` / ``<x>ci_upper`` pair becomes one ``[lower, upper]``
    column;
  - table number (bold) and title (italic) above, the note below, starting
    with *Note.*

Examples
--------
>>> import trustsem as ts
>>> from trustsem.output.tables import apa_table, paths_table
>>> from trustsem.data.datasets import load_example
>>> fit = ts.sem("pmi ~ cond\\nreaction ~ cond + pmi", load_example("tal_or"))
>>> table = paths_table(fit)
>>> print(apa_table(table, title="Structural paths", fmt="markdown"))  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validation import (
    check_columns,
    check_dataframe,
    check_numeric_columns,
    check_option,
)
from ..exceptions import SpecificationError

__all__ = [
    "DISPLAY_LABELS",
    "apa_table",
    "descriptives_table",
    "fit_table",
    "indirect_table",
    "invariance_table",
    "paths_table",
    "regression_table",
    "reliability_table",
    "validity_table",
]

ARROW = " → "

#: Display labels for tidy column names. ``*...*`` marks italics (rendered as
#: ``<i>`` in HTML, ``\textit`` in LaTeX, kept in Markdown, dropped in CSV).
DISPLAY_LABELS: dict[str, str] = {
    "item": "Item",
    "construct": "Construct",
    "variable": "Variable",
    "model": "Model",
    "level": "Model",
    "group": "Group",
    "path": "Path",
    "effect": "Effect",
    "kind": "Effect",
    "term": "Predictor",
    "step": "Step",
    "outcome": "Outcome",
    "predictor": "Predictor",
    "formula": "Formula",
    "x": "Antecedent",
    "y": "Outcome",
    "n": "*n*",
    "n_items": "*k*",
    "mean": "*M*",
    "sd": "*SD*",
    "min": "Min",
    "max": "Max",
    "skew": "Skewness",
    "kurtosis": "Kurtosis",
    "alpha": "α",
    "alpha_std": "Standardized α",
    "omega": "ω",
    "cr": "CR",
    "ave": "AVE",
    "sqrt_ave": "√AVE",
    "b": "*b*",
    "est": "*b*",
    "se": "*SE*",
    "beta": "β",
    "std_all": "β",
    "t": "*t*",
    "z": "*z*",
    "p": "*p*",
    "pvalue": "*p*",
    "ci": "95% CI",
    "beta_ci": "β 95% CI",
    "chisq": "*χ*²",
    "df": "*df*",
    "npar": "Parameters",
    "cfi": "CFI",
    "tli": "TLI",
    "rmsea": "RMSEA",
    "rmsea_ci": "RMSEA 90% CI",
    "srmr": "SRMR",
    "aic": "AIC",
    "bic": "BIC",
    "delta_chisq": "Δ*χ*²",
    "delta_df": "Δ*df*",
    "p_delta": "*p*",
    "delta_cfi": "ΔCFI",
    "delta_rmsea": "ΔRMSEA",
    "verdict": "Decision",
    "freed": "Freed parameters",
    "r2": "*R*²",
    "r2_adj": "Adjusted *R*²",
    "delta_r2": "Δ*R*²",
    "f": "*F*",
    "f_change": "*F* change",
    "p_change": "*p*",
    "df1": "*df*1",
    "df2": "*df*2",
    "or": "*OR*",
    "or_ci": "*OR* 95% CI",
    "vif": "VIF",
    "htmt": "HTMT",
    "htmt2": "HTMT2",
    "proportion_mediated": "Proportion mediated",
}

_P_COLS = {"p", "pvalue", "p_delta", "p_change", "f_pvalue", "lr_pvalue"}
_BOUNDED = {
    "beta",
    "std_all",
    "r",
    "cfi",
    "tli",
    "rmsea",
    "srmr",
    "alpha",
    "alpha_std",
    "omega",
    "cr",
    "ave",
    "sqrt_ave",
    "r2",
    "r2_adj",
    "delta_r2",
    "delta_cfi",
    "delta_rmsea",
    "htmt",
    "htmt2",
    "loading",
    "max_correlation",
    "proportion",
    "communality",
    "uniqueness",
    "msa",
    "kmo",
    "rho",
}
_INT = {
    "n",
    "df",
    "delta_df",
    "npar",
    "n_items",
    "nobs",
    "n_obs",
    "k",
    "step",
    "df1",
    "df2",
    "n_complete",
    "n_paths",
    "n_missing",
}
_THREE = {"cfi", "tli", "rmsea", "srmr", "delta_cfi", "delta_rmsea"}
_FORMATS = ("p", "bounded", "float", "int", "text")
_FMTS = ("html", "markdown", "latex", "csv")


# ---------------------------------------------------------------------------
# formatting


def _ci_stem(col: str) -> str | None:
    m = re.fullmatch(r"(.*?)_?ci_lower", col)
    return None if m is None else m.group(1)


def _kind(col: str, s: pd.Series, formats: Mapping[str, str], matrix: bool) -> str:
    if col in formats:
        return formats[col]
    if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
        return "text"
    if col in _P_COLS or col.endswith("_pvalue"):
        return "p"
    if col in _BOUNDED:
        return "bounded"
    if col in _INT or pd.api.types.is_integer_dtype(s):
        return "int"
    vals = s.to_numpy(float)
    if matrix and np.all(np.abs(vals[np.isfinite(vals)]) <= 1):
        return "bounded"
    return "float"


def _minus(s: str, fmt: str) -> str:
    if not s.startswith("-"):
        return s
    sign = {"latex": "$-$", "csv": "-"}.get(fmt, "\u2212")
    return sign + s[1:]


def _format_number(v: Any, kind: str, decimals: int, fmt: str, na_rep: str) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or pd.isna(v):
        return na_rep
    if kind == "text":
        return str(v)
    v = float(v)
    if kind == "p":
        if v < 0.001:
            return {"latex": "$<$ .001"}.get(fmt, "< .001")
        s = f"{v:.3f}"
        return s.removeprefix("0")
    if kind == "int" and float(v).is_integer():
        return _minus(f"{int(v)}", fmt)
    s = f"{v:.{decimals}f}"
    if float(s) == 0:
        s = s.lstrip("-")
    if kind == "bounded":
        s = re.sub(r"^(-?)0\.", r"\1.", s)
    return _minus(s, fmt)


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\^{}",
}
_LATEX_SYMBOLS = {
    "α": r"$\alpha$",
    "β": r"$\beta$",
    "ω": r"$\omega$",
    "χ": r"$\chi$",
    "Δ": r"$\Delta$",
    "²": r"$^2$",
    "√": r"$\surd$",
    "→": r"$\rightarrow$",
    "⇒": r"$\Rightarrow$",
    "…": r"\ldots{}",
    "−": r"$-$",
    "≤": r"$\leq$",
    "≥": r"$\geq$",
    "×": r"$\times$",
    "ρ": r"$\rho$",
    "η": r"$\eta$",
}


def _latex_escape(text: str) -> str:
    out = "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)
    return "".join(_LATEX_SYMBOLS.get(ch, ch) for ch in out)


def _markup(label: str, fmt: str) -> str:
    """Render a label with ``*italic*`` markup in the target format."""
    parts = label.split("*")
    out = []
    for i, part in enumerate(parts):
        italic = i % 2 == 1
        if fmt == "html":
            esc = html.escape(part)
            out.append(f"<i>{esc}</i>" if italic and part else esc)
        elif fmt == "latex":
            if italic and part and all(ch in _LATEX_SYMBOLS for ch in part):
                out.append(_latex_escape(part))  # Greek letters: math italic already
            elif italic and part:
                out.append(r"\textit{" + _latex_escape(part) + "}")
            else:
                out.append(_latex_escape(part))
        elif fmt == "markdown":
            esc = part.replace("|", r"\|")
            out.append(f"*{esc}*" if italic and part else esc)
        else:
            out.append(part)
    return "".join(out)


def _cell(text: str, fmt: str, numeric: bool) -> str:
    """Escape a cell; formatted numbers are already in the target syntax."""
    if fmt == "html":
        return html.escape(text)
    if fmt == "latex":
        return text if numeric else _latex_escape(text)
    if fmt == "markdown":
        return text.replace("|", r"\|")
    return text


def _label_for(col: str, labels: Mapping[str, str], level_pct: str) -> str:
    if col in labels:
        return labels[col]
    if col in DISPLAY_LABELS:
        return DISPLAY_LABELS[col]
    if col.endswith("_ci"):
        stem = col[:-3]
        return f"{DISPLAY_LABELS.get(stem, stem)} {level_pct} CI"
    return col


def apa_table(
    df: pd.DataFrame,
    *,
    title: str,
    note: str | None = None,
    decimals: int | Mapping[str, int] = 2,
    fmt: str = "html",
    number: int | str | None = None,
    labels: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
    na_rep: str = "",
    ci_level: float = 0.95,
) -> str:
    """Render a tidy table as an APA-style table.

    Parameters
    ----------
    df : pandas.DataFrame
        A builder's output (or any tidy frame).  A named or non-default index
        becomes the first column.  Columns ``<x>ci_lower`` and
        ``<x>ci_upper`` are merged into one ``[lower, upper]`` column.
    title : str
        Table title (italic, above the table).
    note : str, optional
        Table note, printed below the table after *Note.*
    decimals : int or dict, default 2
        Decimals for numbers; a dict sets them per column.  *p* values always
        get 3; CFI, TLI, RMSEA, SRMR and their changes default to 3.
    fmt : {"html", "markdown", "latex", "csv"}
        Output format.  LaTeX needs ``\\usepackage{booktabs}``.  CSV holds
        the formatted cells under plain labels only (no title, note or
        italics), for pasting into a spreadsheet.
    number : int or str, optional
        Table number, printed in bold above the title ("Table 1").  In
        LaTeX, ``\\caption`` numbers the table.
    labels : dict, optional
        Column display labels overriding :data:`DISPLAY_LABELS` (``*...*``
        marks italics).
    formats : dict, optional
        Column kinds overriding the defaults: ``"p"`` (APA *p* value),
        ``"bounded"`` (no leading zero), ``"float"``, ``"int"``, ``"text"``.
        By default columns are recognised by name (``p``, ``beta``, ``cfi``,
        ``alpha``...); the unnamed numeric columns of a correlation matrix
        (first column holding the other columns' names) are ``"bounded"``.
    na_rep : str
        Text for missing values (e.g. "—").
    ci_level : float
        Level printed in merged interval labels ("95% CI").

    Returns
    -------
    str

    Raises
    ------
    SpecificationError
        Unknown ``fmt`` or column kind.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame(
    ...     {"path": ["X → Y"], "b": [0.532], "beta": [0.41], "p": [0.0004]}
    ... )
    >>> print(apa_table(t, title="Paths", fmt="csv").strip())
    Path,b,β,p
    X → Y,0.53,.41,< .001
    """
    df = check_dataframe(df, "df")
    fmt = check_option("fmt", fmt, _FMTS)
    labels = dict(labels or {})
    formats = dict(formats or {})
    bad = {k: v for k, v in formats.items() if v not in _FORMATS}
    if bad:
        raise SpecificationError(
            f"`formats` values must be one of {list(_FORMATS)}; got {bad}."
        )
    if not isinstance(df.index, pd.RangeIndex) or df.index.name is not None:
        df = df.reset_index()
    df = df.copy()
    df.columns = [str(c) for c in df.columns]
    first = df.columns[0]
    matrix = (
        not pd.api.types.is_numeric_dtype(df[first])
        and len(df.columns) > 1
        and set(map(str, df[first])) >= set(df.columns[1:])
    )
    level_pct = f"{100 * ci_level:g}%"

    def dec(col: str) -> int:
        if isinstance(decimals, Mapping):
            return int(decimals.get(col, 3 if col in _THREE else 2))
        return 3 if col in _THREE else int(decimals)

    kinds = {c: _kind(c, df[c], formats, matrix) for c in df.columns}
    columns: list[tuple[str, list[str], str]] = []  # key, cells, kind
    used = set()
    for c in df.columns:
        if c in used:
            continue
        stem = _ci_stem(c)
        upper = None if stem is None else (f"{stem}_ci_upper" if stem else "ci_upper")
        if stem is not None and upper in df.columns:
            key = f"{stem}_ci" if stem else "ci"
            kind = kinds.get(stem, "bounded" if stem in _BOUNDED else "float")
            if kind in ("p", "int", "text"):
                kind = "float"
            d = dec(stem if stem else "ci")
            cells = []
            for lo, hi in zip(df[c], df[upper]):
                if pd.isna(lo) or pd.isna(hi):
                    cells.append(na_rep)
                else:
                    cells.append(
                        f"[{_format_number(lo, kind, d, fmt, na_rep)},"
                        f" {_format_number(hi, kind, d, fmt, na_rep)}]"
                    )
            columns.append((key, cells, "ci"))
            used |= {c, upper}
            continue
        kind = kinds[c]
        cells = [_format_number(v, kind, dec(c), fmt, na_rep) for v in df[c]]
        columns.append((c, cells, kind))
        used.add(c)

    heads = [_label_for(k, labels, level_pct) for k, _, _ in columns]
    rows = list(zip(*[cells for _, cells, _ in columns])) if columns else []
    numeric = [kind != "text" for _, _, kind in columns]
    num_label = None if number is None else f"Table {number}"

    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([_markup(h, "csv") for h in heads])
        w.writerows(rows)
        return buf.getvalue()

    if fmt == "markdown":
        out = []
        if num_label:
            out += [f"**{num_label}**", ""]
        out += [f"*{title}*", ""]
        out.append("| " + " | ".join(_markup(h, "markdown") for h in heads) + " |")
        out.append("|" + "|".join("--:" if n else ":--" for n in numeric) + "|")
        for r in rows:
            out.append(
                "| "
                + " | ".join(_cell(x, "markdown", n) for x, n in zip(r, numeric))
                + " |"
            )
        if note:
            out += ["", f"*Note.* {note}"]
        return "\n".join(out) + "\n"

    if fmt == "html":
        rule = "1px solid black"
        th = f"padding:2px 8px;border-top:{rule};border-bottom:{rule};"
        out = ['<table class="apa-table" style="border-collapse:collapse">']
        cap = f"<strong>{html.escape(num_label)}</strong><br>" if num_label else ""
        out.append(
            f'<caption style="caption-side:top;text-align:left;padding-bottom:4px">'
            f"{cap}<i>{html.escape(title)}</i></caption>"
        )
        align = ["text-align:" + ("center" if n else "left") for n in numeric]
        out.append(
            "<thead><tr>"
            + "".join(
                f'<th style="{th}{al}">{_markup(h, "html")}</th>'
                for h, al in zip(heads, align)
            )
            + "</tr></thead>"
        )
        out.append("<tbody>")
        for i, r in enumerate(rows):
            last = f"border-bottom:{rule};" if i == len(rows) - 1 else ""
            out.append(
                "<tr>"
                + "".join(
                    f'<td style="padding:2px 8px;{last}{al}">{_cell(x, "html", n)}</td>'
                    for x, n, al in zip(r, numeric, align)
                )
                + "</tr>"
            )
        out.append("</tbody>")
        if note:
            out.append(
                f'<tfoot><tr><td colspan="{len(heads)}" style="padding-top:4px">'
                f"<i>Note.</i> {html.escape(note)}</td></tr></tfoot>"
            )
        out.append("</table>")
        return "\n".join(out) + "\n"

    # latex
    spec = "".join("c" if n else "l" for n in numeric)
    out = [r"\begin{table}[htbp]", r"\centering"]
    if num_label:
        out.append(f"% {num_label}")
    out.append(r"\caption{" + _latex_escape(title) + "}")
    out.append(r"\begin{tabular}{" + spec + "}")
    out.append(r"\toprule")
    out.append(" & ".join(_markup(h, "latex") for h in heads) + r" \\")
    out.append(r"\midrule")
    for r in rows:
        out.append(
            " & ".join(_cell(x, "latex", n) for x, n in zip(r, numeric)) + r" \\"
        )
    out.append(r"\bottomrule")
    out.append(r"\end{tabular}")
    if note:
        out.append(r"\par\smallskip")
        out.append(
            r"\begin{minipage}{\linewidth}\small\textit{Note.} "
            + _latex_escape(note)
            + r"\end{minipage}"
        )
    out.append(r"\end{table}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# builders


def _items_arg(items: Any) -> list[tuple[str, str]]:
    if isinstance(items, Mapping):
        return [(str(c), str(i)) for c, its in items.items() for i in its]
    if isinstance(items, str):
        items = [items]
    return [("", str(i)) for i in items]


def descriptives_table(
    data: pd.DataFrame, items: Sequence[str] | Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """Item (or scale) descriptives for a manuscript table.

    Parameters
    ----------
    data : pandas.DataFrame
    items : list of str or dict
        Columns to describe; ``{construct: [items]}`` adds a ``construct``
        column.

    Returns
    -------
    pandas.DataFrame
        ``[construct,] item, n, mean, sd, min, max, skew, kurtosis``.
        Skewness and excess kurtosis as ``psych::describe`` (type 3), the same
        as :func:`trustsem.measurement.item_analysis`.

    Raises
    ------
    SpecificationError
        Unknown columns.
    DataError
        Text in a column.
    """
    pairs = _items_arg(items)
    cols = [i for _, i in pairs]
    data = check_dataframe(data)
    check_columns(data, cols, "Items")
    X = check_numeric_columns(data, cols)
    from ..measurement.core import _moments

    rows = []
    for construct, it in pairs:
        s = X[it].dropna()
        skew, kurt = _moments(s) if len(s) > 2 and s.std() > 0 else (np.nan, np.nan)
        rows.append(
            {
                "construct": construct,
                "item": it,
                "n": int(s.size),
                "mean": s.mean(),
                "sd": s.std(ddof=1),
                "min": s.min(),
                "max": s.max(),
                "skew": skew,
                "kurtosis": kurt,
            }
        )
    out = pd.DataFrame(rows)
    if not any(c for c, _ in pairs):
        out = out.drop(columns="construct")
    return out


def reliability_table(rel_result: Any) -> pd.DataFrame:
    """Reliability and convergent validity per construct.

    Parameters
    ----------
    rel_result : ReliabilityResult or DataFrame
        From :func:`trustsem.measurement.reliability`, or its ``table``.

    Returns
    -------
    pandas.DataFrame
        ``construct, n_items, alpha, omega, cr, ave`` and, after a bootstrap,
        ``<stat>_ci_lower, <stat>_ci_upper`` for each.
    """
    t = rel_result.table if hasattr(rel_result, "table") else rel_result
    if not isinstance(t, pd.DataFrame):
        raise SpecificationError(
            "`rel_result` must be a ReliabilityResult or its table;"
            f" got {type(rel_result).__name__}."
        )
    t = t.reset_index() if "construct" not in t.columns else t.copy()
    keep = ["construct", "n_items"]
    for stat in ("alpha", "omega", "cr", "ave"):
        if stat in t.columns:
            keep.append(stat)
            keep += [
                c for c in (f"{stat}_ci_lower", f"{stat}_ci_upper") if c in t.columns
            ]
    return t[[c for c in keep if c in t.columns]].reset_index(drop=True)


def validity_table(result: Any, *, which: str = "htmt2") -> pd.DataFrame:
    """Discriminant-validity matrix (lower triangle) for a manuscript table.

    Parameters
    ----------
    result : FornellLarckerResult or HTMTResult
        Fornell-Larcker: sqrt(AVE) on the diagonal and latent correlations
        below it.  HTMT: ratios below the diagonal, diagonal left empty.
    which : {"htmt2", "htmt"}
        HTMT only: geometric-mean HTMT2 (default, as semTools) or the
        classic HTMT.

    Returns
    -------
    pandas.DataFrame
        ``construct`` then one column per construct; cells above the
        diagonal are missing.  Say in the table note what the diagonal holds.
    """
    which = check_option("which", which, ["htmt2", "htmt"])
    if hasattr(result, "matrix_classic"):
        M = (result.matrix if which == "htmt2" else result.matrix_classic).astype(float)
        M = M.mask(np.eye(M.shape[0], dtype=bool))
    elif hasattr(result, "matrix"):
        M = result.matrix.astype(float).copy()
    else:
        raise SpecificationError(
            "`result` must be a Fornell-Larcker or HTMT result; got"
            f" {type(result).__name__}."
        )
    M = M.mask(np.triu(np.ones(M.shape, bool), k=1))
    M.index.name = "construct"
    M.columns.name = None
    return M.reset_index()


def fit_table(models: Mapping[str, Any]) -> pd.DataFrame:
    """Fit indices of competing models side by side.

    Parameters
    ----------
    models : dict
        ``{"name": SEMResult, ...}`` in display order.

    Returns
    -------
    pandas.DataFrame
        ``model, chisq, df, p, cfi, tli, rmsea, rmsea_ci_lower,
        rmsea_ci_upper, srmr, aic, bic`` (one row per model; the RMSEA
        interval is lavaan's 90% interval), with ``chisq_scaled, p_scaled``
        after ``p`` when a model has a scaled test (MLR, MLM, WLSMV).
    """
    if not isinstance(models, Mapping) or not models:
        raise SpecificationError(
            "`models` must be a non-empty dict {'name': fitted model}; got"
            f" {type(models).__name__}."
        )
    rows = []
    for name, res in models.items():
        fm = getattr(res, "fit_measures", None)
        if fm is None:
            raise SpecificationError(
                f"`models[{name!r}]` must be a fitted model with fit_measures;"
                f" got {type(res).__name__}."
            )
        rows.append(
            {
                "model": str(name),
                "chisq": fm.get("chisq"),
                "df": fm.get("df"),
                "p": fm.get("pvalue"),
                "cfi": fm.get("cfi"),
                "tli": fm.get("tli"),
                "rmsea": fm.get("rmsea"),
                "rmsea_ci_lower": fm.get("rmsea_ci_lower"),
                "rmsea_ci_upper": fm.get("rmsea_ci_upper"),
                "srmr": fm.get("srmr"),
                "aic": fm.get("aic"),
                "bic": fm.get("bic"),
            }
        )
    out = pd.DataFrame(rows)
    out["df"] = out["df"].astype("Int64")
    # robust estimators (MLR, MLM, WLSMV): the scaled test they are reported with
    scaled = [r.fit_measures.get("chisq_scaled") for r in models.values()]
    if any(v is not None and pd.notna(v) for v in scaled):
        out.insert(4, "chisq_scaled", scaled)
        out.insert(5, "p_scaled", [r.fit_measures.get("pvalue_scaled") for r in models.values()])
    return out


def _names(labels: Mapping[str, str] | None) -> Any:
    labels = dict(labels or {})
    return lambda v: labels.get(v, v)


def paths_table(
    result: Any, *, labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Structural paths (regressions) of a fitted SEM.

    Parameters
    ----------
    result : SEMResult
    labels : dict, optional
        Names used in the ``path`` column (variable -> label).

    Returns
    -------
    pandas.DataFrame
        ``[group,] path, b, se, beta, p, ci_lower, ci_upper`` (``path`` reads
        "X → Y"; ``beta`` is ``std_all``), plus ``beta_ci_lower,
        beta_ci_upper`` when the model was bootstrapped.
    """
    est = getattr(result, "estimates", None)
    if est is None or "op" not in est.columns:
        raise SpecificationError(
            "`result` must be a fitted model from trustsem.sem();"
            f" got {type(result).__name__}."
        )
    name = _names(labels)
    rows = est[est["op"] == "~"]
    out = pd.DataFrame(
        {
            "path": [
                f"{name(r)}{ARROW}{name(l_)}" for r, l_ in zip(rows["rhs"], rows["lhs"])
            ]
        }
    )
    if "group" in rows.columns:
        out.insert(0, "group", rows["group"].to_numpy())
    out["b"] = rows["est"].to_numpy()
    out["se"] = rows["se"].to_numpy()
    out["beta"] = rows["std_all"].to_numpy()
    out["p"] = rows["pvalue"].to_numpy()
    out["ci_lower"] = rows["ci_lower"].to_numpy()
    out["ci_upper"] = rows["ci_upper"].to_numpy()
    if {"std_all_ci_lower", "std_all_ci_upper"} <= set(rows.columns):
        out["beta_ci_lower"] = rows["std_all_ci_lower"].to_numpy()
        out["beta_ci_upper"] = rows["std_all_ci_upper"].to_numpy()
    return out


def indirect_table(
    mediation_result: Any,
    *,
    kinds: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Indirect, direct and total effects for a manuscript table.

    Parameters
    ----------
    mediation_result : MediationResult
        From :func:`trustsem.structural.mediation.indirect_effects`.
    kinds : list of str, optional
        Effect kinds to keep ("specific", "total indirect", "direct",
        "total"); default all.
    labels : dict, optional
        Variable names in ``path`` (variable -> label).

    Returns
    -------
    pandas.DataFrame
        ``[group,] effect, path, b, se, p, ci_lower, ci_upper, beta,
        beta_ci_lower, beta_ci_upper``.
    """
    eff = getattr(mediation_result, "effects", None)
    if eff is None or "kind" not in eff.columns:
        raise SpecificationError(
            "`mediation_result` must be a MediationResult from indirect_effects();"
            f" got {type(mediation_result).__name__}."
        )
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        eff = eff[eff["kind"].isin(kinds)]
    labels = dict(labels or {})
    path = eff["path"]
    if labels:
        pat = re.compile(
            "|".join(re.escape(k) for k in sorted(labels, key=len, reverse=True))
        )
        path = path.map(lambda s: pat.sub(lambda m: labels[m.group(0)], s))
    out = pd.DataFrame({"effect": eff["kind"].to_numpy(), "path": path.to_numpy()})
    if "group" in eff.columns:
        out.insert(0, "group", eff["group"].to_numpy())
    for new, old in (
        ("b", "est"),
        ("se", "se"),
        ("p", "pvalue"),
        ("ci_lower", "ci_lower"),
        ("ci_upper", "ci_upper"),
        ("beta", "std_all"),
        ("beta_ci_lower", "std_all_ci_lower"),
        ("beta_ci_upper", "std_all_ci_upper"),
    ):
        if old in eff.columns:
            out[new] = eff[old].to_numpy()
    return out


def invariance_table(inv: Any) -> pd.DataFrame:
    """Measurement-invariance ladder for a manuscript table.

    Parameters
    ----------
    inv : InvarianceResult or DataFrame
        :func:`trustsem.structural.invariance.invariance` result or its ``table``
        (indexed by level).

    Returns
    -------
    pandas.DataFrame
        ``model, chisq, [chisq_scaled,] df, cfi, tli, rmsea, srmr,
        delta_chisq, delta_df, p_delta, delta_cfi, delta_rmsea, verdict`` and
        ``freed`` when a partial-invariance search released constraints
        (``chisq_scaled`` for MLR, MLM and ordered ladders).
    """
    t = inv.table if hasattr(inv, "table") else inv
    if not isinstance(t, pd.DataFrame):
        raise SpecificationError(
            f"`inv` must be an InvarianceResult or its table; got {type(inv).__name__}."
        )
    t = t.copy()
    if "level" in t.columns:
        t = t.set_index("level")
    t.index.name = "model"
    t = t.reset_index()
    keep = [
        "model",
        "chisq",
        "chisq_scaled",
        "df",
        "cfi",
        "tli",
        "rmsea",
        "srmr",
        "delta_chisq",
        "delta_df",
        "p_delta",
        "delta_cfi",
        "delta_rmsea",
        "verdict",
    ]
    if "freed" in t.columns and t["freed"].fillna("").astype(str).str.strip().any():
        keep.append("freed")
    out = t[[c for c in keep if c in t.columns]].copy()
    for c in ("df", "delta_df"):
        if c in out.columns:
            out[c] = out[c].astype("Int64")
    return out


def _coef_rows(model: Any) -> pd.DataFrame:
    est = model.estimates
    out = pd.DataFrame({"term": est["rhs"].to_numpy()})
    out["b"] = est["est"].to_numpy()
    out["se"] = est["se"].to_numpy()
    out["beta"] = est["std_all"].to_numpy() if "std_all" in est.columns else np.nan
    stat = "t" if getattr(model, "estimator", "OLS") == "OLS" else "z"
    out[stat] = est["z"].to_numpy()
    out["p"] = est["pvalue"].to_numpy()
    out["ci_lower"] = est["ci_lower"].to_numpy()
    out["ci_upper"] = est["ci_upper"].to_numpy()
    if "or" in est.columns:
        out["or"] = est["or"].to_numpy()
        out["or_ci_lower"] = est["or_ci_lower"].to_numpy()
        out["or_ci_upper"] = est["or_ci_upper"].to_numpy()
    return out


def regression_table(reg_result: Any) -> pd.DataFrame:
    """Coefficients of an OLS/logit regression (or each step of a hierarchical one).

    Parameters
    ----------
    reg_result : RegressionResult, HierarchicalResult or ModerationResult
        From :func:`trustsem.structural.regression.ols` / ``logit`` /
        ``hierarchical`` or :func:`trustsem.structural.moderation.moderation` (its
        interaction model).

    Returns
    -------
    pandas.DataFrame
        ``[step,] term, b, se, beta, t (OLS) or z (logit), p, ci_lower,
        ci_upper`` and for logit ``or, or_ci_lower, or_ci_upper``.  For a
        hierarchical regression the steps are stacked; its R² change table is
        ``reg_result.steps`` (render it with :func:`apa_table`).
    """
    if hasattr(reg_result, "models") and hasattr(reg_result, "steps"):
        parts = []
        for i, m in enumerate(reg_result.models, start=1):
            part = _coef_rows(m)
            part.insert(0, "step", i)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)
    model = reg_result.model if hasattr(reg_result, "slopes_grid") else reg_result
    if not hasattr(model, "estimates") or not hasattr(model, "vif"):
        raise SpecificationError(
            "`reg_result` must be a regression result (ols, logit, hierarchical or"
            f" moderation); got {type(reg_result).__name__}."
        )
    return _coef_rows(model)
