"""Property test: on small, messy data ``cfa()`` fails only with trustsem's own types.

Random frames (N from 2 to 40, 2-6 items) with NaNs, constant or duplicated
columns, huge or tiny scales and integer Likert codes, fitted with one- or
two-factor models under every estimator (ML, MLR, MLM) x missing (listwise,
fiml) x std_lv. Whatever happens must be a :class:`trustsem.TrustsemError`
(DataError, SpecificationError, EstimationError) or a
:class:`trustsem.TrustsemWarning`, never a TypeError, LinAlgError or a NumPy
RuntimeWarning. The CI setting runs 200 derandomized examples; set
``TRUSTSEM_PROPERTY_EXAMPLES`` to run more.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustsem as ts

N_EXAMPLES = int(os.environ.get("TRUSTSEM_PROPERTY_EXAMPLES", "200"))


@st.composite
def frames(draw):
    n = draw(st.integers(2, 40))
    k = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["normal", "likert", "binary", "factor"]))
    if kind == "normal":
        X = rng.standard_normal((n, k))
    elif kind == "likert":
        X = rng.integers(1, 6, size=(n, k)).astype(float)
    elif kind == "binary":
        X = rng.integers(0, 2, size=(n, k)).astype(float)
    else:
        f = rng.standard_normal((n, 1))
        X = f @ rng.uniform(0.3, 1.0, (1, k)) + 0.6 * rng.standard_normal((n, k))
    scale = 10.0 ** draw(st.sampled_from([-8, -3, 0, 0, 0, 3, 8]))
    X = X * scale
    if draw(st.booleans()):
        X[:, draw(st.integers(0, k - 1))] = draw(st.sampled_from([0.0, 3.0, 1e9]))
    if k > 2 and draw(st.booleans()):
        i, j = draw(st.sampled_from([(a, b) for a in range(k) for b in range(k) if a != b]))
        X[:, j] = X[:, i]
    frac = draw(st.sampled_from([0.0, 0.0, 0.05, 0.2, 0.5]))
    if frac:
        X[rng.random((n, k)) < frac] = np.nan
    names = [f"y{i + 1}" for i in range(k)]
    return pd.DataFrame(X, columns=names)


@st.composite
def cases(draw):
    data = draw(frames())
    names = list(data.columns)
    k = len(names)
    if k >= 4 and draw(st.booleans()):
        h = k // 2
        model = f"f1 =~ {' + '.join(names[:h])}\nf2 =~ {' + '.join(names[h:])}"
    else:
        model = f"f =~ {' + '.join(names)}"
    estimator = draw(st.sampled_from(["ML", "MLR", "MLM"]))
    missing = draw(st.sampled_from(["listwise", "fiml"]))
    std_lv = draw(st.booleans())
    return data, model, estimator, missing, std_lv


def fit_and_check(data, model, estimator, missing, std_lv):
    """Fit; re-raise anything that is not trustsem's own error or warning."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            ts.cfa(model, data, estimator=estimator, missing=missing, std_lv=std_lv)
        except ts.TrustsemError:
            pass
    foreign = [w for w in rec if not issubclass(w.category, ts.TrustsemWarning)]
    assert not foreign, f"{foreign[0].category.__name__}: {foreign[0].message}"


@settings(max_examples=N_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_only_trustsem_errors_and_warnings(case):
    fit_and_check(*case)
