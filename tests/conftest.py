"""Shared test set-up: headless plotting, RNG hygiene, reference fixtures.

Tolerance policy (per quantity; a looser one must carry its reason where used):
- ML estimates, standardized estimates: 1e-3 absolute (relative above 1).
- Standard errors: 1e-2 relative (same information matrix as the reference).
- chisq, CFI, TLI, RMSEA (+CI), SRMR, logl, AIC, BIC: 1e-3 absolute (relative above 1).
- df, npar, nobs: exact.
- Values that should agree exactly (alpha, AVE from identical inputs): 1e-6.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

REF = Path(__file__).parent / "reference"
REPO = Path(__file__).resolve().parents[1]

TOL_EST = 1e-3
TOL_SE_REL = 1e-2
TOL_FIT = 1e-3
TOL_EXACT = 1e-6


def load_reference(case: str, what: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{case}__{what}.csv", keep_default_na=False, na_values=[""])


def load_meta(case: str) -> dict:
    return json.loads((REF / f"{case}__meta.json").read_text())


def ref_data(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / "data" / name)


def close(a, b, tol: float) -> np.ndarray:
    """|a - b| <= tol * max(1, |b|): absolute below 1, relative above."""
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    return np.abs(a - b) <= tol * np.maximum(1.0, np.abs(b))


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


os.environ.setdefault("MPLBACKEND", "Agg")
