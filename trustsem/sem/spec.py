"""Model specification: parse lavaan syntax and build the parameter table.

``ModelSpec`` parses a model written in lavaan's syntax and checks it against
data; it never fits anything. :func:`build_partable` turns a spec into the full
parameter table the estimator works on, adding the parameters lavaan's
``cfa()``/``sem()`` add by default, so that the rows and their order line up
with ``lavaan::parameterEstimates()``.

Supported syntax
----------------
- ``f =~ x1 + x2 + x3``           measurement (latent ``f`` measured by items)
- ``y ~ x1 + x2``                 regression (``y`` on ``x1`` and ``x2``)
- ``x1 ~~ x2``                    (residual) variance or covariance
- ``y ~ 1``                       intercept / latent mean
- ``ab := a*b``                   defined parameter (delta-method SE)
- ``a == b``                      equality between labelled parameters
- modifiers ``a*x`` (label), ``1*x`` (fixed), ``NA*x`` (free),
  ``start(0.5)*x``, ``label("a")*x``, ``c(a, b)*x`` (one per group)
- ``#`` or ``!`` comments, statements split by newlines or ``;``, a statement
  may continue on the next line after ``+`` or an operator.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import format_value
from ..exceptions import SpecificationError
from .engine.partable import _ALLOWED_FUNCS, ParTable, compile_expression

__all__ = ["ModelSpec", "Modifier", "ParTable", "Statement", "build_partable", "compile_expression"]

_OPERATORS = ("=~", "<~", "~~", ":=", "==", "<", ">", "|", "~")
# Letters of any script (lavaan 0.6 accepts non-ASCII names such as 社会1),
# digits after the first character, '_' and '.', and ':' for interactions.
_IDENT = re.compile(r"^(?:[^\W\d]|\.)[\w.:]*$")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Modifier:
    """Per-group modifiers attached to one term (``a*x``, ``1*x``, ``NA*x``)."""

    fixed: tuple[float | None, ...] = ()   # value per group (None = free)
    labels: tuple[str, ...] = ()           # label per group ('' = none)
    start: tuple[float | None, ...] = ()   # start value per group
    free_explicit: bool = False            # user wrote NA* (keeps a marker free)

    def for_group(self, g: int) -> tuple[float | None, str, float | None]:
        def pick(seq, default):
            if not seq:
                return default
            return seq[g] if len(seq) > 1 else seq[0]

        return pick(self.fixed, None), pick(self.labels, ""), pick(self.start, None)


@dataclass(frozen=True)
class Statement:
    """One parsed model statement (``lhs op rhs``) and where it came from."""

    lhs: str
    op: str
    rhs: str
    modifier: Modifier = field(default_factory=Modifier)
    line: int = 0
    text: str = ""


def _strip_comments(text: str) -> list[tuple[int, str]]:
    out = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = re.split(r"[#!]", raw, maxsplit=1)[0]
        for piece in line.split(";"):
            piece = piece.strip()
            if piece:
                out.append((lineno, piece))
    return out


def _join_continuations(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    joined: list[tuple[int, str]] = []
    ends = ("+", "*", "=~", "~", "~~", ":=", "==", ",", "(", "<~", "-", "/")
    for lineno, line in lines:
        if joined and (
            joined[-1][1].endswith(ends) or line.startswith(("+", "*", "-", "/"))
        ):
            joined[-1] = (joined[-1][0], joined[-1][1] + " " + line)
        else:
            joined.append((lineno, line))
    return joined


def _split_op(stmt: str, lineno: int) -> tuple[str, str, str]:
    # find the first operator outside parentheses; longest operators first
    depth = 0
    i = 0
    while i < len(stmt):
        ch = stmt[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch == '"':
            j = stmt.find('"', i + 1)
            i = j if j > 0 else i
        elif depth == 0:
            for op in _OPERATORS:
                if stmt.startswith(op, i):
                    if op == "<" and stmt.startswith("<~", i):
                        continue
                    return stmt[:i].strip(), op, stmt[i + len(op):].strip()
        i += 1
    raise SpecificationError(
        f"Model line {lineno}: no operator (=~, ~, ~~, :=, ==) in {stmt!r}."
        " Every line must read like 'lhs =~ rhs'."
    )


def _split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses (``c(a, b)*x + y`` -> terms, modifiers)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return parts


def _parse_value(tok: str, lineno: int) -> tuple[str, object]:
    """Classify one modifier token: ('fixed', v) ('free', None) ('label', s)."""
    tok = tok.strip()
    if tok in ("NA", "na"):
        return "free", None
    if _NUMBER.match(tok):
        return "fixed", float(tok)
    m = re.match(r'^"(.*)"$|^\'(.*)\'$', tok)
    if m:
        return "label", m.group(1) if m.group(1) is not None else m.group(2)
    if _IDENT.match(tok):
        return "label", tok
    raise SpecificationError(f"Model line {lineno}: cannot read modifier {tok!r}.")


def _parse_modifier(mods: list[str], lineno: int) -> Modifier:
    fixed: tuple[float | None, ...] = ()
    labels: tuple[str, ...] = ()
    start: tuple[float | None, ...] = ()
    free_explicit = False
    for mod in mods:
        m = re.match(r"^(start|label|equal|c)\s*\((.*)\)$", mod)
        if m:
            fn, inner = m.group(1), m.group(2)
            toks = [t.strip() for t in inner.split(",")] if inner.strip() else []
            vals = [_parse_value(t, lineno) for t in toks]
            if fn == "start":
                start = tuple(
                    float(v) if kind == "fixed" else None for kind, v in vals
                )
            elif fn in ("label", "equal"):
                labels = tuple(str(v) for _, v in vals)
            else:  # c(...): per group, of one kind
                kinds = {k for k, _ in vals}
                if kinds <= {"fixed", "free"}:
                    fixed = tuple(v if k == "fixed" else None for k, v in vals)  # type: ignore[misc]
                    free_explicit = free_explicit or "free" in kinds
                elif kinds == {"label"}:
                    labels = tuple(str(v) for _, v in vals)
                else:
                    raise SpecificationError(
                        f"Model line {lineno}: c(...) mixes labels and numbers in"
                        f" {mod!r}; use one kind per c()."
                    )
            continue
        kind, v = _parse_value(mod, lineno)
        if kind == "fixed":
            fixed = (float(v),)  # type: ignore[arg-type]
        elif kind == "free":
            fixed = (None,)
            free_explicit = True
        else:
            labels = (str(v),)
    return Modifier(fixed=fixed, labels=labels, start=start, free_explicit=free_explicit)


def _check_ident(name: str, lineno: int, text: str) -> None:
    if not _IDENT.match(name):
        raise SpecificationError(
            f"Model line {lineno}: {name!r} is not a valid variable name in {text!r}."
        )


def parse_syntax(text: str) -> list[Statement]:
    """Parse lavaan model syntax into a flat list of statements."""
    if not isinstance(text, str):
        raise SpecificationError(
            f"`model` must be a string of lavaan syntax; got {type(text).__name__}."
        )
    stmts: list[Statement] = []
    lines = _join_continuations(_strip_comments(text))
    if not lines:
        raise SpecificationError("`model` is empty: write at least one '=~' or '~' line.")
    for lineno, line in lines:
        lhs, op, rhs = _split_op(line, lineno)
        if not lhs or not rhs:
            raise SpecificationError(
                f"Model line {lineno}: {op!r} needs something on both sides in {line!r}."
            )
        if op in (":=", "==", "<", ">"):
            if op == ":=":
                _check_ident(lhs, lineno, line)
            stmts.append(Statement(lhs, op, rhs.replace("^", "**"), line=lineno, text=line))
            continue
        if op == "<~":
            raise SpecificationError(
                f"Model line {lineno}: composites ('<~') are not supported; model"
                " the construct as reflective ('=~')."
            )
        if op == "|":
            raise SpecificationError(
                f"Model line {lineno}: thresholds ('|') are estimated automatically"
                " for ordered items; remove this line."
            )
        lhs_names = [s.strip() for s in lhs.split("+")]
        for name in lhs_names:
            _check_ident(name, lineno, line)
        for term in _split_top(rhs, "+"):
            if not term:
                raise SpecificationError(
                    f"Model line {lineno}: empty term (two '+' in a row?) in {line!r}."
                )
            parts = _split_top(term, "*")
            var, mods = parts[-1], parts[:-1]
            modifier = _parse_modifier(mods, lineno) if mods else Modifier()
            if op == "~" and var == "1":
                for name in lhs_names:
                    stmts.append(Statement(name, "~1", "", modifier, lineno, line))
                continue
            _check_ident(var, lineno, line)
            for name in lhs_names:
                stmts.append(Statement(name, op, var, modifier, lineno, line))
    # duplicate check
    seen: dict[tuple[str, str, str], int] = {}
    for s in stmts:
        if s.op in (":=", "==", "<", ">"):
            continue
        key = (s.lhs, s.op, s.rhs)
        if s.op == "~~":
            key = (min(s.lhs, s.rhs), "~~", max(s.lhs, s.rhs))
        if key in seen:
            raise SpecificationError(
                f"Model line {s.line}: '{s.lhs} {s.op} {s.rhs}' is specified twice"
                f" (first on line {seen[key]})."
            )
        seen[key] = s.line
    return stmts


class ModelSpec:
    """A model in lavaan syntax, parsed and checked (never fitted).

    Parameters
    ----------
    model : str
        Model syntax, see the module docstring.

    Raises
    ------
    SpecificationError
        Unparsable syntax, duplicated statements, latent variables used before
        they are defined with ``=~``.

    Examples
    --------
    >>> spec = ModelSpec("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6")
    >>> spec.latent
    ['visual', 'textual']
    """

    def __init__(self, model: str | ModelSpec) -> None:
        if isinstance(model, ModelSpec):
            model = model.text
        self.text: str = model
        self.statements: tuple[Statement, ...] = tuple(parse_syntax(model))
        self.latent: list[str] = []
        for s in self.statements:
            if s.op == "=~" and s.lhs not in self.latent:
                self.latent.append(s.lhs)
        self.defined: list[str] = [s.lhs for s in self.statements if s.op == ":="]
        self.labels: list[str] = []
        for s in self.statements:
            for lab in s.modifier.labels:
                if lab and lab not in self.labels:
                    self.labels.append(lab)
        self._check_expressions()

    # ------------------------------------------------------------------ names
    @property
    def observed(self) -> list[str]:
        """Observed variables in lavaan's order: indicators, outcomes, predictors, others."""
        lv = set(self.latent)
        reg = [s for s in self.statements if s.op == "~"]
        eqs_y = _unique(s.lhs for s in reg)
        eqs_x = _unique(s.rhs for s in reg)
        ind = _unique(s.rhs for s in self.statements if s.op == "=~")
        ov_ind = [v for v in ind if v not in lv]
        ov_y = [v for v in eqs_y if v not in lv and v not in ov_ind]
        ov_x = [v for v in eqs_x if v not in lv and v not in ov_ind and v not in ov_y]
        extra = _unique(
            [v for s in self.statements if s.op == "~~" for v in (s.lhs, s.rhs)]
            + [s.lhs for s in self.statements if s.op == "~1"]
        )
        base = ov_ind + ov_y + ov_x
        return base + [v for v in extra if v not in lv and v not in base]

    @property
    def exogenous_observed(self) -> list[str]:
        """Observed predictors that are never outcomes or indicators (lavaan ``ov.x``)."""
        lv = set(self.latent)
        reg = [s for s in self.statements if s.op == "~"]
        eqs_y = {s.lhs for s in reg}
        ind = {s.rhs for s in self.statements if s.op == "=~"}
        xs = _unique(s.rhs for s in reg)
        return [v for v in xs if v not in lv and v not in ind and v not in eqs_y]

    @property
    def variables(self) -> list[str]:
        """All variables, observed first then latent."""
        return self.observed + self.latent

    def measurement(self) -> ModelSpec:
        """The measurement part only (``=~`` lines plus ``~~`` among their variables)."""
        keep = []
        for s in self.statements:
            if s.op == "=~" or s.op == "~~":
                keep.append(s)
        lines = [_statement_text(s) for s in keep]
        return ModelSpec("\n".join(lines))

    def structural(self) -> list[Statement]:
        """The regression statements."""
        return [s for s in self.statements if s.op == "~"]

    # --------------------------------------------------------------- checks
    def check_data(self, columns: Iterable[str]) -> None:
        """Raise if an observed variable of the model is not a data column."""
        cols = set(map(str, columns))
        missing = [v for v in self.observed if v not in cols]
        if missing:
            where = {}
            for s in self.statements:
                for v in (s.lhs, s.rhs):
                    if v in missing and v not in where:
                        where[v] = s.line
            detail = ", ".join(f"{v!r} (model line {where.get(v, '?')})" for v in missing)
            raise SpecificationError(
                f"Variables in the model are not in the data: {detail}. Check the"
                " spelling against the data's column names, or define them as"
                " latent with '=~'."
            )
        clash = [v for v in self.latent if v in cols]
        if clash:
            raise SpecificationError(
                f"Latent variable names also used as data columns: {clash}. Rename"
                " the latent variables in the model."
            )

    def _check_expressions(self) -> None:
        known = set(self.labels) | set(self.defined)
        defined_so_far: set[str] = set()
        first_line: dict[str, int] = {}
        variables = set(self.latent) | {
            v for st in self.statements if st.op not in (":=", "==", "<", ">")
            for v in (st.lhs, st.rhs) if v
        }
        for s in self.statements:
            if s.op not in (":=", "==", "<", ">"):
                continue
            if s.op == ":=":
                if s.lhs in first_line:
                    raise SpecificationError(
                        f"Model line {s.line}: {s.lhs!r} is defined twice with ':='"
                        f" (first on line {first_line[s.lhs]}). Give each defined"
                        " parameter its own name."
                    )
                first_line[s.lhs] = s.line
                clash = (
                    "a variable of the model" if s.lhs in variables
                    else "a parameter label" if s.lhs in self.labels else ""
                )
                if clash:
                    raise SpecificationError(
                        f"Model line {s.line}: the defined parameter {s.lhs!r} in"
                        f" {s.text!r} has the name of {clash}. Choose another name"
                        " for it."
                    )
            exprs = [s.rhs] if s.op == ":=" else [s.lhs, s.rhs]
            all_names: list[str] = []
            for expr in exprs:
                names = _expression_names(expr, s.line)
                all_names.extend(names)
                if s.op == ":=" and s.lhs in names:
                    raise SpecificationError(
                        f"Model line {s.line}: {s.lhs!r} is defined in terms of itself"
                        f" in {s.text!r}. Define it from labelled parameters, e.g."
                        " 'ab := a*b'."
                    )
                unknown = [
                    n for n in names if n not in known or (
                        n in self.defined and n not in defined_so_far and s.op == ":="
                        and n != s.lhs and n not in self.labels)
                ]
                unknown = [n for n in unknown if n not in known]
                if unknown:
                    raise SpecificationError(
                        f"Model line {s.line}: {unknown} in {s.text!r} are not labels"
                        " of any parameter. Label a parameter first, e.g. 'y ~ a*x'."
                    )
            if s.op != ":=" and not all_names:
                raise SpecificationError(
                    f"Model line {s.line}: {s.text!r} compares two constants; a"
                    f" constraint with {s.op!r} needs a parameter label on one side,"
                    " e.g. 'a == b' or 'a == 1'."
                )
            if s.op == ":=":
                defined_so_far.add(s.lhs)

    def __repr__(self) -> str:
        return (
            f"ModelSpec(latent={self.latent}, observed={len(self.observed)} items,"
            f" statements={len(self.statements)})"
        )

    def __str__(self) -> str:
        return self.text


def _statement_text(s: Statement) -> str:
    mod = ""
    m = s.modifier
    if m.fixed and m.fixed[0] is not None and len(m.fixed) == 1:
        mod = f"{m.fixed[0]:g}*"
    elif m.free_explicit and len(m.fixed) == 1:
        mod = "NA*"
    if m.labels and len(m.labels) == 1 and m.labels[0]:
        mod += f"{m.labels[0]}*"
    if s.op == "~1":
        return f"{s.lhs} ~ {mod}1"
    return f"{s.lhs} {s.op} {mod}{s.rhs}"


def _unique(seq: Iterable[str]) -> list[str]:
    out: list[str] = []
    for v in seq:
        if v not in out:
            out.append(v)
    return out


def _expression_names(expr: str, lineno: int) -> list[str]:
    try:
        tree = ast.parse(expr.replace("^", "**"), mode="eval")
    except SyntaxError:
        raise SpecificationError(
            f"Model line {lineno}: cannot read the expression {expr!r}."
        ) from None
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in _ALLOWED_FUNCS:
            names.append(node.id)
        elif not isinstance(
            node,
            (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant,
             ast.Load, ast.Call, ast.operator, ast.unaryop),
        ):
            raise SpecificationError(
                f"Model line {lineno}: {expr!r} uses syntax that is not allowed in"
                " a defined parameter (use + - * / ** and sqrt, exp, log, abs)."
            )
    return names


# ---------------------------------------------------------------------------
# Parameter table
# ---------------------------------------------------------------------------

_GROUP_EQUAL = {
    "loadings", "intercepts", "means", "residuals", "residual.covariances",
    "lv.variances", "lv.covariances", "regressions",
}


def build_partable(
    spec: ModelSpec,
    *,
    ngroups: int = 1,
    group_labels: Sequence[str] | None = None,
    meanstructure: bool = False,
    std_lv: bool = False,
    fixed_x: bool = True,
    group_equal: Sequence[str] = (),
    group_partial: Sequence[str] = (),
) -> ParTable:
    """Build lavaan's default parameter table for ``cfa()``/``sem()``.

    Defaults follow lavaan 0.6: first loading fixed to 1 (``std_lv=False``),
    residual variances of all non-exogenous observed variables and variances of
    all latent variables free, covariances among exogenous latent variables
    free, residual covariances among purely endogenous variables free
    (``auto.cov.y``), single-indicator residual variances fixed to 0,
    exogenous observed covariates fixed at their sample moments
    (``fixed.x=TRUE``), and with a mean structure, observed intercepts free and
    latent means fixed to 0 (freed in groups 2+ when intercepts are held equal).
    With ``std_lv=True`` the factor variances are fixed to 1; when loadings are
    held equal across groups they stay fixed in group 1 only and are free in
    groups 2+ (unless ``lv.variances`` are held equal as well), as in lavaan.
    """
    group_equal = [g.strip() for g in group_equal]
    bad = [g for g in group_equal if g not in _GROUP_EQUAL]
    if bad:
        raise SpecificationError(
            f"`group_equal` must be a subset of {sorted(_GROUP_EQUAL)}; got {bad}."
        )
    labels_g = list(group_labels) if group_labels is not None else [
        str(i + 1) for i in range(ngroups)
    ]
    stmts = [s for s in spec.statements if s.op not in (":=", "==", "<", ">")]
    lv = list(spec.latent)
    ov = spec.observed
    has_user_means = any(s.op == "~1" for s in stmts)
    meanstructure = meanstructure or has_user_means or ngroups > 1

    reg = [s for s in stmts if s.op == "~"]
    eqs_y = _unique(s.lhs for s in reg)
    eqs_x = _unique(s.rhs for s in reg)
    v_ind = _unique(s.rhs for s in stmts if s.op == "=~")
    ov_x = spec.exogenous_observed if fixed_x else []
    # exogenous x that the user gave (co)variances or intercepts to stay ov.x in lavaan
    ov_nox = [v for v in ov if v not in ov_x]
    lv_x = [v for v in lv if v not in v_ind and v not in eqs_y]
    ov_y = [v for v in ov if v in eqs_y and v not in v_ind and v not in eqs_x]
    lv_y = [v for v in lv if v in eqs_y and v not in v_ind and v not in eqs_x]

    _check_statements(stmts, ngroups)

    rows = _table_rows(stmts, lv, ov, ov_x, ov_nox, lv_x, ov_y, lv_y, ngroups=ngroups,
                       meanstructure=meanstructure, std_lv=std_lv)
    tab = pd.DataFrame(rows)
    tab["free_flag"] = tab["fixedval"].isna() & (tab["exo"] == 0)
    tab.loc[tab["exo"] == 1, "free_flag"] = False

    _group_constraints(tab, group_partial, group_equal, ngroups=ngroups, lv=lv, std_lv=std_lv)

    _free_indices(tab, spec.labels)
    tab.insert(0, "id", np.arange(1, len(tab) + 1))
    tab["ustart"] = tab["ustart"].astype(float)
    tab = tab.drop(columns=["free_flag"])
    defined = [(s.lhs, s.rhs) for s in spec.statements if s.op == ":="]
    constraints = [(s.lhs, s.op, s.rhs) for s in spec.statements if s.op in ("==", "<", ">")]
    return ParTable(
        table=tab, observed=ov, latent=lv, exogenous=ov_x, ngroups=ngroups,
        group_labels=labels_g, meanstructure=meanstructure, defined=defined,
        constraints=constraints,
    )


def _check_statements(stmts: Sequence[Statement], ngroups: int) -> None:
    """Refuse self-loops and c(...) modifiers whose length is not the number of groups."""
    for s in stmts:
        if s.op == "=~" and s.lhs == s.rhs:
            raise SpecificationError(
                f"Model line {s.line}: {s.lhs!r} cannot measure itself."
            )
        if s.op == "~" and s.rhs == s.lhs:
            raise SpecificationError(
                f"Model line {s.line}: {s.lhs!r} cannot be regressed on itself."
            )
    for s in stmts:
        mod_groups = max(len(s.modifier.fixed), len(s.modifier.labels), len(s.modifier.start))
        if mod_groups > 1 and mod_groups != ngroups:
            raise SpecificationError(
                f"Model line {s.line}: c(...) has {mod_groups} values but the model has"
                f" {ngroups} group(s)."
            )


def _table_rows(stmts, lv, ov, ov_x, ov_nox, lv_x, ov_y, lv_y, *, ngroups: int,
                meanstructure: bool, std_lv: bool) -> list[dict]:
    """Rows per group: the user's statements in order, then lavaan's default parameters."""
    rows: list[dict] = []

    def add(lhs, op, rhs, g, user, fixed, label, start, exo=0, free_explicit=False):
        rows.append(dict(lhs=lhs, op=op, rhs=rhs, group=g + 1, user=user,
                         fixedval=fixed, label=label, ustart=start, exo=exo,
                         free_explicit=free_explicit))

    # indicator count per latent (for single-indicator handling)
    n_ind = {f: sum(1 for s in stmts if s.op == "=~" and s.lhs == f) for f in lv}

    for g in range(ngroups):
        first_loading: dict[str, bool] = {}
        # 1. user rows, in the order written
        for s in stmts:
            fixed, label, start = s.modifier.for_group(g)
            op = s.op
            lhs, rhs = s.lhs, s.rhs
            if op == "~1":
                op, rhs = "~1", ""
            if op == "=~" and not std_lv and lhs not in first_loading:
                first_loading[lhs] = True
                if fixed is None and not s.modifier.free_explicit:
                    fixed = 1.0
            add(lhs, op, rhs, g, 1, fixed, label, start,
                free_explicit=s.modifier.free_explicit)

        have = {(r["lhs"], r["op"], r["rhs"]) for r in rows if r["group"] == g + 1}
        have |= {(r["rhs"], r["op"], r["lhs"]) for r in rows
                 if r["group"] == g + 1 and r["op"] == "~~"}

        def add_default(lhs, op, rhs, fixed=None, exo=0):
            if (lhs, op, rhs) in have or (op == "~~" and (rhs, op, lhs) in have):
                return
            have.add((lhs, op, rhs))
            add(lhs, op, rhs, g, 0, fixed, "", None, exo)

        # 2a. residual variances: ov.nox then all lv
        for v in ov_nox:
            fixed = None
            single = [f for f in lv if n_ind[f] == 1 and any(
                s.op == "=~" and s.lhs == f and s.rhs == v for s in stmts)]
            if single:
                fixed = 0.0
            add_default(v, "~~", v, fixed)
        for f in lv:
            add_default(f, "~~", f, 1.0 if std_lv else None)
        # 2b. covariances among exogenous latent variables
        for i in range(len(lv_x)):
            for j in range(i + 1, len(lv_x)):
                add_default(lv_x[i], "~~", lv_x[j])
        # 2c. residual covariances among purely endogenous variables
        y_all = lv_y + ov_y
        for i in range(len(y_all)):
            for j in range(i + 1, len(y_all)):
                add_default(y_all[i], "~~", y_all[j])
        # 2d. exogenous observed covariates: fixed at sample values
        for i, a in enumerate(ov_x):
            for b in ov_x[i:]:
                add_default(a, "~~", b, np.nan, exo=1)
        # 3. intercepts
        if meanstructure:
            for v in ov_nox:
                add_default(v, "~1", "", None)
            for v in ov_x:
                add_default(v, "~1", "", np.nan, exo=1)
            for f in lv:
                add_default(f, "~1", "", 0.0)
    return rows


def _group_constraints(tab: pd.DataFrame, group_partial, group_equal, *, ngroups: int,
                       lv: list[str], std_lv: bool) -> None:
    """Cross-group equality labels (``.eq.N.``) except ``group_partial``; in place."""
    lvset = set(lv)
    # group equality constraints via generated labels (lavaan's .pN. style)
    partial = set()
    for p in group_partial:
        try:
            lhs, op, rhs = _split_op(p.replace(" ", ""), 0)
        except SpecificationError:
            raise SpecificationError(
                f"`group_partial` entries must read like 'visual=~x2'; got {format_value(p)}."
            ) from None
        if op == "~" and rhs == "1":
            op, rhs = "~1", ""
        partial.add((lhs, op, rhs))
    known = set(zip(tab["lhs"], tab["op"], tab["rhs"].fillna("")))
    known |= {(r, o, l) for l, o, r in known if o == "~~"}
    unknown = [f"{a}{o if o != '~1' else '~'}{b or '1'}" for a, o, b in sorted(partial - known)]
    if unknown:
        raise SpecificationError(
            f"`group_partial` names parameters that are not in the model: {unknown}. Write"
            " them as in the parameter table, e.g. 'visual=~x2', 'x3~1' or 'x1~~x1'.")
    if ngroups > 1 and group_equal:
        plabels = {}
        for idx, r in tab.iterrows():
            key = (r["lhs"], r["op"], r["rhs"])
            if key in partial or (r["op"] == "~~" and (r["rhs"], "~~", r["lhs"]) in partial):
                continue
            if not r["free_flag"] or r["label"]:
                continue
            kind = _param_kind(r, lvset)
            if kind in group_equal or (kind == "means" and "means" in group_equal):
                plabels.setdefault(key, f".eq.{len(plabels) + 1}.")
                tab.at[idx, "label"] = plabels[key]
        # scalar invariance: free latent means in groups 2+
        if "intercepts" in group_equal and "means" not in group_equal:
            mask = (tab["op"] == "~1") & tab["lhs"].isin(lv) & (tab["group"] > 1) & (tab["user"] == 0)
            tab.loc[mask, "fixedval"] = np.nan
            tab.loc[mask, "free_flag"] = True
        # std.lv with equal loadings: the factor variances identify the scale in
        # group 1 only and are free in groups 2+ (lavaan), unless held equal too
        if std_lv and "loadings" in group_equal and "lv.variances" not in group_equal:
            mask = ((tab["op"] == "~~") & tab["lhs"].isin(lv) & (tab["lhs"] == tab["rhs"])
                    & (tab["group"] > 1) & (tab["user"] == 0))
            tab.loc[mask, "fixedval"] = np.nan
            tab.loc[mask, "free_flag"] = True


def _free_indices(tab: pd.DataFrame, labels: Sequence[str]) -> None:
    """Number the free parameters 1..q, rows sharing a label sharing an index; in place."""
    # free indices, sharing labels
    free = np.zeros(len(tab), dtype=int)
    label_index: dict[str, int] = {}
    k = 0
    for i, r in enumerate(tab.itertuples(index=False)):
        if not r.free_flag:
            continue
        if r.label:
            if r.label in label_index:
                free[i] = label_index[r.label]
                continue
            k += 1
            label_index[r.label] = k
            free[i] = k
        else:
            k += 1
            free[i] = k
    tab["free"] = free
    # a label on a fixed row with the same label on a free row: lavaan frees the
    # fixed one? No: lavaan treats the fixed value as a constraint. Keep fixed.
    for lab in labels:
        rows_lab = tab[tab["label"] == lab]
        if len(rows_lab) and (rows_lab["free"] == 0).any() and (rows_lab["free"] > 0).any():
            raise SpecificationError(
                f"Label {lab!r} is shared by a fixed and a free parameter; fix all or none."
            )


def _param_kind(r, lvset: set[str]) -> str:
    op = r["op"]
    if op == "=~":
        return "loadings"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "means" if r["lhs"] in lvset else "intercepts"
    if op == "~~":
        lat = r["lhs"] in lvset
        if r["lhs"] == r["rhs"]:
            return "lv.variances" if lat else "residuals"
        return "lv.covariances" if lat else "residual.covariances"
    return "other"
