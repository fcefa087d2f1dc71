"""WLSMV: behaviour around the lavaan-checked numbers (those are in test_sem_reference.py)."""

from __future__ import annotations

import pandas as pd
import pytest

import trustsem as ts
from trustsem.cli import main

from conftest import ref_data

M = "PQ =~ PQ1 + PQ2 + PQ3\nINFO =~ INFO1 + INFO2 + INFO3 + INFO4"


@pytest.fixture(scope="module")
def trust():
    return ts.load_example("trust_survey")


def test_ordered_implies_wlsmv_and_reports_pairwise_n(trust):
    res = ts.cfa(M, trust, ordered=True, missing="pairwise")
    assert res.estimator == "WLSMV" and res.n_obs == 600
    assert any("Pairwise deletion" in n and "N = " in n for n in res.notes)
    th = res.estimates[res.estimates["op"] == "|"]
    assert len(th) == 7 * 4 and (th["se"] > 0).all()
    resid = res.estimates.query("op == '~~' and lhs == rhs and lhs == 'PQ1'").iloc[0]
    # delta parameterization: residual variance = 1 - explained, not a free parameter
    load = res.estimates.query("lhs == 'PQ' and rhs == 'PQ1'").iloc[0]
    assert resid["se"] == 0 and resid["est"] == pytest.approx(1 - load["std_all"] ** 2)
    assert "mean and variance adjusted" in res.summary().as_text()


def test_listwise_is_default_and_reported(trust):
    with pytest.warns(ts.MissingDataWarning, match="used 563 of 600"):
        res = ts.cfa(M, trust, ordered=True)
    assert res.n_obs == 563


def test_wlsmv_errors(trust):
    hs = ref_data("holzinger_swineford_1939.csv")
    with pytest.raises(ts.DataError, match="x2"):        # declared ordered, not integer
        ts.cfa("v =~ x1 + x2 + x3", hs, ordered=["x2", "x3"])
    with pytest.raises(ts.SpecificationError, match="FIML"):
        ts.cfa(M, trust, ordered=True, missing="fiml")
    with pytest.raises(ts.SpecificationError, match="WLSMV"):
        ts.cfa(M, trust, ordered=True, estimator="ML")
    with pytest.raises(ts.SpecificationError, match="pairwise"):
        ts.cfa(M, trust, missing="pairwise")
    with pytest.raises(ts.SpecificationError, match="not in the model"):
        ts.cfa(M, trust, ordered=["PQ1", "TA1"])


def test_non_integer_codes_are_named(trust):
    df = trust.copy()
    df.loc[3, "PQ2"] = 2.5
    with pytest.raises(ts.DataError, match="PQ2"):
        ts.cfa(M, df, ordered=True, missing="pairwise")


def test_cli_wlsmv(tmp_path, capsys):
    from trustsem.data.datasets import example_path

    m = tmp_path / "m.lav"
    m.write_text(M)
    code = main(["fit", str(example_path("trust_survey")), "--model", str(m), "--estimator",
                 "WLSMV", "--missing", "pairwise", "--out", str(tmp_path / "o")])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "WLSMV" in out.out and "Thresholds" in out.out
    fit = pd.read_csv(tmp_path / "o" / "fit_measures.csv").set_index("measure")["value"]
    assert fit["chisq_scaled"] > 0 and fit["df"] == 13
