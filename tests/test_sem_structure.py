"""The shared pieces of the fits: refit handle, parameter table, data preparation, options."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import trustsem as ts
from trustsem.sem import engine, spec
from trustsem.sem.context import FitContext
from trustsem.sem.engine import ordinal, polychoric
from trustsem.sem.engine.partable import ParTable, apply_equality_constraints, param_names
from trustsem.sem.options import check_group_options, check_ordered
from trustsem.sem.prepare import split_groups
from trustsem.sem.wlsmv import WLSMVModel

from conftest import ref_data

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def hs():
    return ref_data("holzinger_swineford_1939.csv")


def test_context_is_the_typed_refit_handle(hs):
    fit = ts.cfa(HS, hs)
    ctx = fit.context
    assert isinstance(ctx, FitContext)
    assert isinstance(ctx.pt, ParTable)
    assert ctx.options is fit.options
    assert len(ctx.theta) == len(fit.vcov) == int(fit.fit_measures["npar"])
    assert [s.nobs for s in ctx.stats] == [fit.n_obs]
    # the earlier private name reads the same object
    assert fit._context is ctx
    assert "context" in ts.SEMResult.__doc__


def test_wlsmv_context_holds_the_second_stage_model(hs):
    items = hs[["x1", "x2", "x3", "x4", "x5", "x6"]].round().astype(int).clip(2, 6)
    fit = ts.cfa("f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6", items, ordered=True)
    assert isinstance(fit.context, FitContext)
    assert isinstance(fit.context.objective, WLSMVModel)
    assert fit.context.objective.nx == len(fit.vcov)


def test_parameter_table_lives_in_the_engine():
    assert spec.ParTable is ParTable
    assert engine.partable.ParTable is ParTable
    pt = spec.build_partable(spec.ModelSpec("f =~ x1 + a*x2 + b*x3\na == b"))
    assert pt.nfree == 6
    assert param_names(pt)[:2] == ["f=~x2", "f=~x3"]
    apply_equality_constraints(pt)
    assert pt.nfree == 5
    assert param_names(pt)[:2] == ["f=~x2", "x1~~x1"]


def test_polychoric_pieces_are_reexported_by_ordinal():
    for name in ("bvn_cdf", "bvn_pdf", "polychoric", "thresholds"):
        assert getattr(ordinal, name) is getattr(polychoric, name)
        assert name in ordinal.__all__


def test_split_groups_in_order_of_appearance_and_notes_missing():
    data = pd.DataFrame({"x": [1.0, 2, 3, 4, 5], "g": ["b", "a", None, "b", "a"]})
    notes: list[str] = []
    with pytest.warns(ts.MissingDataWarning, match="1 row"):
        labels, masks = split_groups(data, "g", ["x"], notes)
    assert labels == ["b", "a"]
    np.testing.assert_array_equal(masks[0], [True, False, False, True, False])
    np.testing.assert_array_equal(masks[1], [False, True, False, False, True])
    assert notes == ["1 row(s) with a missing `g` value were not used."]
    labels, masks = split_groups(data, None, ["x"], notes)
    assert labels == ["1"] and masks[0].all()
    with pytest.raises(ts.SpecificationError, match="also a variable"):
        split_groups(data, "x", ["x"], [])
    with pytest.raises(ts.SpecificationError, match="not in the data"):
        split_groups(data, "country", ["x"], [])


def test_group_and_ordered_options():
    assert check_group_options("g", "loadings", None) == (["loadings"], [])
    with pytest.raises(ts.SpecificationError, match="no effect without"):
        check_group_options(None, ["loadings"], ())
    with pytest.raises(ts.SpecificationError, match="exempts parameters"):
        check_group_options("g", (), ["f=~x2"])
    assert check_ordered(["x1", "x2", "x3"], ["x3", "x1"]) == ["x1", "x3"]
    with pytest.raises(ts.SpecificationError, match="not in the model"):
        check_ordered(["x1"], ["y"])


def test_ml_and_wlsmv_share_the_group_split(hs):
    data = hs.copy()
    data.loc[data.index[:3], "school"] = np.nan
    with pytest.warns(ts.MissingDataWarning, match="no value in group column"):
        fit = ts.cfa(HS, data, group="school")
    assert fit.n_obs == len(hs) - 3
    assert any("missing `school` value" in n for n in fit.notes)


def test_bootstrap_info_displays_through_the_summary_mixin():
    from trustsem._display import Summary, SummaryDisplay
    from trustsem.sem.bootstrap import BootstrapInfo

    info = BootstrapInfo(n_requested=10, n_ok=8, n_failed=2, n_inadmissible=1,
                         failures={"not converged": 2}, ci_type="bca", level=0.9, seed=5,
                         est=pd.DataFrame(), std_all=pd.DataFrame())
    assert isinstance(info, SummaryDisplay)
    assert "__str__" not in vars(BootstrapInfo) and "_repr_html_" not in vars(BootstrapInfo)
    s = info.summary()
    assert isinstance(s, Summary)
    text = str(info)
    assert "Draws used" in text and "not converged" in text and "bca" in text
    assert "<table" in info._repr_html_()
