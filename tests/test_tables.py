"""trustsem.output.tables: APA formatting rules and every output format.

Builders are checked for their columns and for carrying the result's numbers
unchanged; ``apa_table`` for the APA rules (no leading zero where values are
bounded by 1, p < .001, merged intervals, italic symbols, title above and note
below) in HTML, Markdown, LaTeX and CSV.  Small lavaan example models keep the
module fast.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import trustsem as ts
from trustsem.data.datasets import load_example
from trustsem.exceptions import SpecificationError
from trustsem.output.tables import (
    apa_table,
    descriptives_table,
    fit_table,
    indirect_table,
    invariance_table,
    paths_table,
    regression_table,
    reliability_table,
    validity_table,
)

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
MINUS = "\u2212"


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return load_example("holzinger_swineford_1939")


@pytest.fixture(scope="module")
def cfa3(hs):
    return ts.cfa(HS_MODEL, hs)


@pytest.fixture(scope="module")
def med_fit():
    return ts.sem("pmi ~ cond\nreaction ~ cond + pmi", load_example("tal_or"))


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "path": ["X → Y", "W → Y", "Z → Y"],
            "b": [1.2345, -0.5, 0.0349],
            "se": [0.1, 0.25, 0.02],
            "beta": [0.456, -0.123, 0.004],
            "p": [0.0004, 0.0456, 0.5],
            "ci_lower": [1.03, -0.99, -0.004],
            "ci_upper": [1.43, -0.01, 0.074],
        }
    )


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


# ---------------------------------------------------------------- formatting rules


def test_apa_number_rules(frame):
    t = _csv(apa_table(frame, title="Paths", fmt="csv"))
    assert list(t.columns) == ["Path", "b", "SE", "β", "p", "95% CI"]
    assert list(t["p"]) == ["< .001", ".046", ".500"]  # p: 3 decimals, no zero
    assert list(t["β"]) == [".46", "-.12", ".00"]  # bounded: no leading zero
    assert list(t["b"]) == ["1.23", "-0.50", "0.03"]  # unbounded: leading zero
    assert list(t["95% CI"]) == ["[1.03, 1.43]", "[-0.99, -0.01]", "[0.00, 0.07]"]


def test_apa_decimals_minus_and_missing(frame):
    frame.loc[2, "b"] = np.nan
    md = apa_table(frame, title="Paths", fmt="markdown", decimals={"b": 3}, na_rep="—")
    assert "| 1.234 |" in md and "| — |" in md
    assert f"{MINUS}.12" in md and f"{MINUS}0.500" in md  # a real minus sign
    t = _csv(apa_table(frame.assign(beta=-0.0001), title="x", fmt="csv"))
    assert set(t["β"]) == {".00"}  # never "-.00"


def test_apa_index_and_format_overrides():
    df = pd.DataFrame(
        {"cfi": [0.95123], "estimate": [0.5], "r": [0.3]},
        index=pd.Index(["m1"], name="model"),
    )
    t = _csv(
        apa_table(
            df,
            title="x",
            fmt="csv",
            formats={"estimate": "bounded"},
            labels={"r": "*r*"},
        )
    )
    assert list(t.columns) == ["Model", "CFI", "estimate", "r"]
    assert list(t.iloc[0]) == ["m1", ".951", ".50", ".30"]  # CFI: 3 decimals
    with pytest.raises(SpecificationError, match="fmt"):
        apa_table(df, title="x", fmt="docx")
    with pytest.raises(SpecificationError, match="formats"):
        apa_table(df, title="x", formats={"r": "percent"})


def test_html_output(frame):
    out = apa_table(frame, title="Structural paths", note="β = standardized.", number=2)
    assert (
        out.index("<strong>Table 2</strong>")
        < out.index("<i>Structural paths</i>")
        < out.index("<tbody>")
        < out.index("<i>Note.</i>")
    )
    assert (
        "<th" in out and "<i>p</i>" in out and "<i>SE</i>" in out and "<i>b</i>" in out
    )
    assert "&lt; .001" in out and f"{MINUS}.12" in out
    assert "caption-side:top" in out


def test_markdown_output(frame):
    out = apa_table(
        frame, title="Structural paths", note="Bootstrap CIs.", number=1, fmt="markdown"
    )
    lines = out.splitlines()
    assert lines[0] == "**Table 1**" and lines[2] == "*Structural paths*"
    assert lines[4] == "| Path | *b* | *SE* | β | *p* | 95% CI |"
    assert lines[5] == "|:--|--:|--:|--:|--:|--:|"
    assert lines[-1] == "*Note.* Bootstrap CIs."
    assert "| < .001 |" in out


def test_latex_output(frame):
    out = apa_table(
        frame.assign(path=["X_1 → Y", "W → Y", "50% Z"]),
        title="Paths & CIs",
        note="p < .05.",
        fmt="latex",
    )
    assert out.startswith("\\begin{table}") and out.rstrip().endswith("\\end{table}")
    assert "\\caption{Paths \\& CIs}" in out
    assert "\\textit{b} & \\textit{SE} & $\\beta$ & \\textit{p}" in out
    assert "X\\_1 $\\rightarrow$ Y" in out and "50\\% Z" in out
    assert "$<$ .001" in out and "$-$.12" in out and "[$-$0.99, $-$0.01]" in out
    assert out.index("\\bottomrule") < out.index("\\textit{Note.}")
    assert "\\toprule" in out and "\\midrule" in out


def test_csv_output_is_plain(frame):
    out = apa_table(frame, title="Paths", note="A note.", fmt="csv")
    assert "Paths" not in out and "Note" not in out and "*" not in out
    assert len(_csv(out)) == 3


# ---------------------------------------------------------------- builders


def test_paths_table(med_fit):
    t = paths_table(med_fit, labels={"pmi": "PMI"})
    assert list(t.columns) == ["path", "b", "se", "beta", "p", "ci_lower", "ci_upper"]
    assert list(t["path"]) == ["cond → PMI", "cond → reaction", "PMI → reaction"]
    reg = med_fit.estimates.query("op == '~'")
    assert np.allclose(t["b"], reg["est"]) and np.allclose(t["beta"], reg["std_all"])
    out = apa_table(t, title="Paths", fmt="csv")
    assert "95% CI" in out.splitlines()[0]


def test_indirect_table(med_fit):
    med = ts.indirect_effects(med_fit)
    t = indirect_table(med)
    assert list(t.columns) == [
        "effect",
        "path",
        "b",
        "se",
        "p",
        "ci_lower",
        "ci_upper",
        "beta",
        "beta_ci_lower",
        "beta_ci_upper",
    ]
    assert list(t["effect"]) == list(med.effects["kind"])
    t = indirect_table(med, kinds="specific", labels={"pmi": "Presumed influence"})
    assert list(t["path"]) == ["cond → Presumed influence → reaction"]
    head = _csv(apa_table(t, title="x", fmt="csv")).columns
    assert list(head) == ["Effect", "Path", "b", "SE", "p", "95% CI", "β", "β 95% CI"]


def test_fit_table(hs, cfa3):
    one = ts.cfa("g =~ " + " + ".join(f"x{i}" for i in range(1, 10)), hs)
    t = fit_table({"One factor": one, "Three factors": cfa3})
    assert list(t["model"]) == ["One factor", "Three factors"]
    assert list(t["df"]) == [27, 24]
    assert t.loc[1, "cfi"] == pytest.approx(cfa3.fit_measures["cfi"])
    csv_t = _csv(apa_table(t, title="Fit", fmt="csv"))
    assert list(csv_t.columns) == [
        "Model",
        "χ²",
        "df",
        "p",
        "CFI",
        "TLI",
        "RMSEA",
        "RMSEA 90% CI",
        "SRMR",
        "AIC",
        "BIC",
    ]
    fm = cfa3.fit_measures
    assert csv_t.loc[1, "RMSEA 90% CI"] == (
        f"[{fm['rmsea_ci_lower']:.3f}, {fm['rmsea_ci_upper']:.3f}]".replace("0.", ".")
    )
    assert csv_t.loc[1, "df"] == "24" and csv_t.loc[0, "p"] == "< .001"
    html = apa_table(t, title="Fit")
    assert "<i>χ</i>²" in html and "<i>df</i>" in html
    with pytest.raises(SpecificationError, match="models"):
        fit_table({})


def test_descriptives_table(hs):
    t = descriptives_table(hs, ["x1", "x2"])
    assert list(t.columns) == [
        "item",
        "n",
        "mean",
        "sd",
        "min",
        "max",
        "skew",
        "kurtosis",
    ]
    assert t.loc[0, "mean"] == pytest.approx(hs["x1"].mean())
    assert t.loc[0, "sd"] == pytest.approx(hs["x1"].std())
    t = descriptives_table(hs, {"visual": ["x1", "x2", "x3"]})
    assert list(t["construct"]) == ["visual"] * 3
    assert _csv(apa_table(t, title="x", fmt="csv")).columns[3] == "M"
    with pytest.raises(SpecificationError, match="x99"):
        descriptives_table(hs, ["x1", "x99"])


def test_reliability_and_validity_tables(hs, cfa3):
    rel = ts.reliability(hs, HS_MODEL, fit=cfa3)
    t = reliability_table(rel)
    assert list(t.columns) == ["construct", "n_items", "alpha", "omega", "cr", "ave"]
    assert list(t["construct"]) == ["visual", "textual", "speed"]
    out = _csv(apa_table(t, title="Reliability", fmt="csv"))
    assert list(out.columns) == ["Construct", "k", "α", "ω", "CR", "AVE"]
    assert out.loc[0, "α"] == f"{rel.table.loc['visual', 'alpha']:.2f}".lstrip("0")

    fl = ts.fornell_larcker(cfa3)
    t = validity_table(fl)
    assert list(t.columns) == ["construct", "visual", "textual", "speed"]
    assert np.isnan(t.loc[0, "textual"]) and t.loc[1, "visual"] == pytest.approx(
        fl.matrix.loc["textual", "visual"]
    )
    out = _csv(apa_table(t, title="Fornell-Larcker", fmt="csv"))
    assert out.loc[1, "visual"].startswith(".")  # matrix cells are bounded
    assert out.loc[0, "textual"] == ""

    h = ts.htmt(hs, HS_MODEL)
    t = validity_table(h)
    assert np.isnan(t.loc[0, "visual"])  # no diagonal for HTMT
    assert t.loc[2, "visual"] == pytest.approx(h.matrix.loc["speed", "visual"])
    t2 = validity_table(h, which="htmt")
    assert t2.loc[2, "visual"] == pytest.approx(h.matrix_classic.loc["speed", "visual"])


def test_invariance_table():
    table = pd.DataFrame(
        {
            "npar": [60.0, 54.0],
            "chisq": [115.85, 124.04],
            "df": [48.0, 54.0],
            "pvalue": [1e-7, 2e-7],
            "cfi": [0.923, 0.921],
            "tli": [0.885, 0.895],
            "rmsea": [0.097, 0.093],
            "srmr": [0.068, 0.072],
            "delta_chisq": [np.nan, 8.19],
            "delta_df": [np.nan, 6.0],
            "p_delta": [np.nan, 0.224],
            "delta_cfi": [np.nan, -0.0025],
            "delta_rmsea": [np.nan, -0.004],
            "freed": ["", ""],
            "verdict": ["baseline", "holds"],
        },
        index=pd.Index(["configural", "metric"], name="level"),
    )
    t = invariance_table(table)
    assert list(t.columns) == [
        "model",
        "chisq",
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
    out = _csv(apa_table(t, title="Invariance", fmt="csv", na_rep="—"))
    assert list(out.loc[1, ["df", "Δdf", "ΔCFI", "p"]]) == ["54", "6", "-.003", ".224"]
    assert out.loc[0, "Δχ²"] == "—"
    freed = invariance_table(table.assign(freed=["", "x3~1"]))
    assert "freed" in freed.columns


def test_regression_tables(hs):
    reg = ts.ols("x9 ~ x1 + x2", hs)
    t = regression_table(reg)
    assert list(t.columns) == [
        "term",
        "b",
        "se",
        "beta",
        "t",
        "p",
        "ci_lower",
        "ci_upper",
    ]
    assert list(t["term"]) == ["(Intercept)", "x1", "x2"]
    out = _csv(apa_table(t, title="OLS", fmt="csv"))
    assert out.loc[0, "β"] == "" and list(out.columns)[4] == "t"
    hier = ts.hierarchical(["x9 ~ x1", "x9 ~ x1 + x2"], hs)
    t = regression_table(hier)
    assert list(t["step"]) == [1, 1, 2, 2, 2]
    logit = ts.logit(
        "pasteur ~ x1", hs.assign(pasteur=(hs["school"] == "Pasteur").astype(int))
    )
    t = regression_table(logit)
    assert {"z", "or", "or_ci_lower"} <= set(t.columns) and "t" not in t.columns
    assert "OR 95% CI" in apa_table(t, title="Logit", fmt="csv").splitlines()[0]
    with pytest.raises(SpecificationError, match="regression result"):
        regression_table(pd.DataFrame())
