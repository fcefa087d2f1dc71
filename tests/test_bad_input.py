"""Bad values in data frames: a DataError naming the column and the row, never a crash."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import trustsem as ts
from trustsem.exceptions import DataError

from conftest import REF

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
ITEMS = [f"x{i}" for i in range(1, 10)]


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(REF / "data" / "holzinger_swineford_1939.csv")


CALLS = {
    "sem": lambda d: ts.sem(HS_MODEL, d),
    "cfa": lambda d: ts.cfa(HS_MODEL, d),
    "cfa fiml": lambda d: ts.cfa(HS_MODEL, d, missing="fiml"),
    "cfa groups": lambda d: ts.cfa(HS_MODEL, d, group="school"),
    "reliability": lambda d: ts.reliability(d, HS_MODEL),
    "htmt": lambda d: ts.htmt(d, HS_MODEL),
    "fornell_larcker": lambda d: ts.fornell_larcker(d, HS_MODEL),
    "item_analysis": lambda d: ts.item_analysis(d, HS_MODEL),
    "efa": lambda d: ts.efa(d, 3, items=ITEMS),
    "kmo": lambda d: ts.kmo(d, ITEMS),
    "screen": lambda d: ts.screen(d, ITEMS),
    "scale_scores": lambda d: ts.scale_scores(d, {"visual": ["x1", "x2", "x3"]}),
    "ols": lambda d: ts.ols("x1 ~ x2 + x3", d),
    "cmb_battery": lambda d: ts.cmb_battery(d, HS_MODEL),
    "plot_likert": lambda d: ts.plot_likert(d.round(), ITEMS),
    "plot_correlation_heatmap": lambda d: ts.plot_correlation_heatmap(d[ITEMS]),
}


@pytest.mark.parametrize("value", [np.inf, -np.inf, 1e300, 1e200])
@pytest.mark.parametrize("call", sorted(CALLS))
def test_nonfinite_or_overflowing_value_names_column_and_index(hs, call, value):
    d = hs.copy()
    d.index = d.index + 1000          # the message names the DataFrame index
    d.loc[1005, "x2"] = value
    with pytest.raises(DataError, match=r"'x2'.*index 1005") as info:
        CALLS[call](d)
    assert "np." not in str(info.value)


def test_large_but_finite_outlier_is_still_analysed(hs):
    d = hs.copy()
    d.loc[5, "x2"] = 1e12             # an outlier, not an overflow
    assert len(ts.screen(d, ITEMS).flags) == len(d)
    d.loc[5, "x2"] = 60.0
    rel = ts.reliability(d, HS_MODEL)
    assert np.isfinite(rel.table["alpha"]).all()


@pytest.mark.parametrize("n_jobs", [0, -2, -3, 1.5, "2", True])
def test_bad_n_jobs_is_a_specification_error(hs, n_jobs):
    from trustsem.exceptions import SpecificationError

    with pytest.raises(SpecificationError, match="n_jobs"):
        ts.sem(HS_MODEL, hs, se="bootstrap", bootstrap=5, n_jobs=n_jobs)


def test_n_jobs_message_prints_numpy_values_plainly(hs):
    from trustsem.exceptions import SpecificationError

    with pytest.raises(SpecificationError) as info:
        ts.sem(HS_MODEL, hs, se="bootstrap", bootstrap=5, n_jobs=np.float64(2.0))
    assert "np." not in str(info.value) and "got 2" in str(info.value)


def test_heatmap_refuses_constant_columns_and_warns_on_blank_cells(hs):
    from trustsem.exceptions import TrustsemWarning

    d = hs[ITEMS].copy()
    d["x9"] = 3.0
    with pytest.raises(DataError, match=r"x9.*constant"):
        ts.plot_correlation_heatmap(d)
    m = hs[ITEMS[:3]].corr()
    m.iloc[2, 0] = np.nan
    with pytest.warns(TrustsemWarning, match=r"x3/x1"):
        ts.plot_correlation_heatmap(m)
