"""Ready-made lavaan model syntax for the trustsem research model.

The models are plain lavaan syntax (``=~``, ``~``, ``~~`` and ``#`` comments,
one statement per line) stored as ``trustsem/models/*.lav``.  Comments name
the hypotheses of research-model.md next to each structural path.

The constructs and bilingual items they measure are defined in
:mod:`trustsem.models.instrument`.

Examples
--------
>>> from trustsem.models import research_model
>>> print(research_model(structural=False).splitlines()[0])
# trustsem model: cfa_second_order
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from .._validation import check_option, format_value
from ..exceptions import SpecificationError
from .instrument import (
    ANTECEDENTS,
    CONSTRUCT_NAMES,
    CONSTRUCTS,
    TRUST_DIMENSIONS,
    TRUST_SPECIFICATIONS,
    item_bank,
)

__all__ = [
    "CONSTRUCTS",
    "TRUST_SPECIFICATIONS",
    "item_bank",
    "list_models",
    "load_model",
    "research_model",
]

_HYPOTHESIS = {
    "PREP": "H1",
    "PASS": "H2",
    "MREP": "H3",
    "PQ": "H4",
    "INFO": "H5",
    "SOC": "H6",
    "EXP": "H7",
}
# Where the structural hypotheses are expected to bite hardest.
_STRONGEST = {"PASS": "TI", "INFO": "TF", "SOC": "TA"}
_DESCRIPTION = {
    "unidimensional": "one TRUST factor over all nine trust items (option a)",
    "correlated": "TF, TA, TI as three correlated first-order factors (option b)",
    "second_order": "second-order TRUST =~ TF + TA + TI (option c, default)",
    "chain": "chain TF -> TA -> TI, trust cognition -> emotional identification"
    " -> behavioural expectation (option d, [003] ch2)",
}
_PAD = 46


def _line(stmt: str, comment: str = "") -> str:
    if not comment:
        return stmt
    return f"{stmt:<{_PAD}} # {comment}"


def _factor(name: str, items: tuple[str, ...] | None = None) -> str:
    items = CONSTRUCTS[name] if items is None else items
    return _line(f"{name} =~ " + " + ".join(items), CONSTRUCT_NAMES[name])


def _model_name(trust: str, module_b: bool, structural: bool) -> str:
    name = trust if structural else f"cfa_{trust}"
    return f"{name}_module_b" if module_b else name


def _compose(trust: str, module_b: bool, structural: bool) -> str:
    """Build the lavaan syntax of one research-model variant."""
    name = _model_name(trust, module_b, structural)
    kind = "structural model" if structural else "measurement model (CFA)"
    out = [
        f"# trustsem model: {name}",
        f"# Trust: {_DESCRIPTION[trust]}; {kind}"
        + ("; with module B (PMF, LOY)." if module_b else "."),
        (
            f'# Same as trustsem.models.research_model(trust="{trust}",'
            f" module_b={module_b}, structural={structural})."
        ),
        "",
        "# Measurement model",
    ]
    out += [_factor(c) for c in ANTECEDENTS]
    if module_b:
        out.append(_factor("PMF"))
    if trust == "unidimensional":
        items = sum((CONSTRUCTS[d] for d in TRUST_DIMENSIONS), ())
        out.append(_line("TRUST =~ " + " + ".join(items), "unidimensional trust"))
    else:
        out += [_factor(d) for d in TRUST_DIMENSIONS]
        if trust == "second_order":
            out.append(_line("TRUST =~ TF + TA + TI", "second-order trust"))
    out.append(_factor("PI"))
    if module_b:
        out.append(_factor("LOY"))
    if not structural:
        return "\n".join(out) + "\n"

    out += ["", "# Structural model"]
    if trust in ("unidimensional", "second_order"):
        targets: tuple[str, ...] = ("TRUST",)
        outcome: tuple[str, ...] = ("TRUST",)
    elif trust == "correlated":
        targets = outcome = ("TF", "TA", "TI")
    else:
        targets, outcome = ("TF",), ("TI",)
    for a in ANTECEDENTS:
        for t in targets:
            note = f"{_HYPOTHESIS[a]} {CONSTRUCT_NAMES[a]} -> trust"
            if len(targets) > 1 and _STRONGEST.get(a) == t:
                note += f", expected strongest on {t}"
            out.append(_line(f"{t} ~ {a}", note))
    if module_b:
        out += [_line(f"{t} ~ PMF", "H14 PMF -> trust") for t in targets]
    if trust == "correlated":
        out += [
            _line("TF ~~ TA", "residual covariances of the trust dimensions"),
            "TF ~~ TI",
            "TA ~~ TI",
        ]
    if trust == "chain":
        out += [
            _line("TA ~ TF", "chain: cognition -> emotional identification"),
            _line("TI ~ TA", "chain: emotional identification -> expectation"),
        ]
    for t in outcome:
        out.append(
            _line(f"PI ~ {t}", "H8 trust -> PI; carries H9 (mediation of H1-H7)")
        )
    out += [
        _line("PI ~ INFO", "H9a direct path: partial mediation of INFO"),
        _line("PI ~ SOC", "H9b direct path: partial mediation of SOC"),
    ]
    if module_b:
        out.append(_line("PI ~ PMF", "H14 direct PMF -> PI (partial mediation)"))
        out += [_line(f"LOY ~ {t}", "H15 trust -> loyalty") for t in outcome]
    return "\n".join(out) + "\n"


def _registry() -> dict[str, tuple[str, bool, bool]]:
    reg: dict[str, tuple[str, bool, bool]] = {}
    for trust in TRUST_SPECIFICATIONS:
        for structural in (True, False):
            for module_b in (False, True):
                reg[_model_name(trust, module_b, structural)] = (
                    trust,
                    module_b,
                    structural,
                )
    return reg


def _measurement_full() -> str:
    out = [
        "# trustsem model: measurement_full",
        (
            "# Measurement model (CFA) of every construct of the research model:"
            " antecedents, second-order trust, PI,"
        ),
        (
            "# the moderator PC and module B (PMF, LOY). Use it to check"
            " reliability and discriminant validity of all scales."
        ),
        "",
    ]
    out += [_factor(c) for c in ANTECEDENTS]
    out += [_factor(d) for d in TRUST_DIMENSIONS]
    out.append(_line("TRUST =~ TF + TA + TI", "second-order trust"))
    out += [_factor(c) for c in ("PI", "PC", "PMF", "LOY")]
    return "\n".join(out) + "\n"


def _write_models(directory: Path | None = None) -> list[Path]:
    """(Re)write every ``.lav`` file from the composer (developer helper)."""
    directory = Path(__file__).parent if directory is None else Path(directory)
    written = []
    texts = {name: _compose(*args) for name, args in _registry().items()}
    texts["measurement_full"] = _measurement_full()
    for name, text in texts.items():
        path = directory / f"{name}.lav"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def list_models() -> pd.DataFrame:
    """List the bundled models.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, trust, module_b, structural, description``; one row per
        ``.lav`` file.
    """
    rows = [
        (name, trust, module_b, structural, _DESCRIPTION[trust])
        for name, (trust, module_b, structural) in _registry().items()
    ]
    rows.append(
        ("measurement_full", "second_order", True, False,
         "CFA of every construct, including PC, PMF and LOY")
    )  # fmt: skip
    out = pd.DataFrame(
        rows, columns=["name", "trust", "module_b", "structural", "description"]
    )
    return out.sort_values("name", ignore_index=True)


def load_model(name: str) -> str:
    """Return the lavaan syntax of a bundled model.

    Parameters
    ----------
    name : str
        A name from :func:`list_models`, e.g. ``"second_order"``,
        ``"cfa_correlated_module_b"`` or ``"measurement_full"``.

    Returns
    -------
    str
        lavaan model syntax.

    Raises
    ------
    SpecificationError
        If no model has that name.
    """
    names = list(list_models()["name"])
    if name not in names:
        raise SpecificationError(
            f"`name` must be one of the bundled models {names}; got {format_value(name)}."
        )
    return resources.files(__name__).joinpath(f"{name}.lav").read_text(encoding="utf-8")


def research_model(
    trust: str = "second_order", module_b: bool = False, structural: bool = True
) -> str:
    """Return lavaan syntax of the trust research model.

    Parameters
    ----------
    trust : {"second_order", "unidimensional", "correlated", "chain"}
        Trust structure (research-model.md "Alternative trust
        specifications"): (c) second-order TRUST =~ TF + TA + TI (default);
        (a) one TRUST factor over the nine trust items; (b) TF, TA and TI as
        correlated first-order factors, each regressed on the antecedents and
        each predicting PI; (d) the chain TF -> TA -> TI.
    module_b : bool, default False
        Add PMF (antecedent of trust and direct predictor of PI, H14) and LOY
        (regressed on trust, H15).
    structural : bool, default True
        ``False`` returns the measurement model only (CFA).

    Returns
    -------
    str
        lavaan syntax (``=~``, ``~``, ``~~``, ``#`` comments).  PC (privacy
        concern) is a moderator and is not part of these models; see
        ``load_model("measurement_full")``.

    Raises
    ------
    SpecificationError
        If ``trust`` is not one of the four options.

    Examples
    --------
    >>> from trustsem.models import research_model
    >>> "TRUST ~ PREP" in research_model()
    True
    """
    trust = check_option("trust", trust, TRUST_SPECIFICATIONS)
    for param, value in (("module_b", module_b), ("structural", structural)):
        if not isinstance(value, bool):
            raise SpecificationError(f"`{param}` must be True or False; got {format_value(value)}.")
    return load_model(_model_name(trust, module_b, structural))
