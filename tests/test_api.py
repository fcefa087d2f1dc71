"""The public API: every exported name resolves and is documented."""

from __future__ import annotations

import pytest

import trustsem as ts


@pytest.mark.parametrize("name", [n for n in ts.__all__ if n != "__version__"])
def test_exported_and_documented(name):
    obj = getattr(ts, name)
    assert obj.__doc__ and len(obj.__doc__.strip()) > 20, name


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="nope"):
        ts.nope  # noqa: B018


def test_functions_are_not_hidden_by_their_modules():
    import importlib

    for name, module in [("efa", "measurement.efa"), ("invariance", "structural.invariance"),
                         ("moderation", "structural.moderation"), ("sem", "sem.fit"),
                         ("sem", "sem"), ("reliability", "measurement.reliability")]:
        importlib.import_module(f"trustsem.{module}")
        assert callable(getattr(ts, name)), name
    import trustsem.measurement as m

    assert callable(m.efa)
