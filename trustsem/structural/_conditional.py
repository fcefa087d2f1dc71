"""Conditional effects and Johnson-Neyman bounds of an interaction ``y ~ x * w``.

Shared by the observed-score probe (:func:`trustsem.structural.moderation.moderation`)
and the latent one (:func:`trustsem.structural.latent_interaction.probe_latent_interaction`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _conditional(
    b1: float,
    b3: float,
    v11: float,
    v13: float,
    v33: float,
    wc: np.ndarray,
    crit: float,
    dist: Any,
) -> pd.DataFrame:
    """Slope of x at centred moderator values ``wc``: b1 + b3·wc.

    var = v11 + 2·wc·v13 + wc²·v33 (delta method, exact for a linear
    combination).
    """
    wc = np.asarray(wc, float)
    est = b1 + b3 * wc
    se = np.sqrt(np.maximum(v11 + 2 * wc * v13 + wc**2 * v33, 0.0))
    z = est / se
    return pd.DataFrame(
        {
            "est": est,
            "se": se,
            "z": z,
            "pvalue": 2 * dist.sf(np.abs(z)),
            "ci_lower": est - crit * se,
            "ci_upper": est + crit * se,
        }
    )


def _jn_roots(
    b1: float, b3: float, v11: float, v13: float, v33: float, crit: float
) -> np.ndarray:
    """Centred moderator values where |slope/se| = crit.

    Solves (b3² - c²v33)·w² + 2(b1·b3 - c²v13)·w + (b1² - c²v11) = 0.
    """
    c2 = crit**2
    a = b3**2 - c2 * v33
    b = 2 * (b1 * b3 - c2 * v13)
    c = b1**2 - c2 * v11
    if abs(a) < 1e-14 * max(1.0, abs(b), abs(c)):
        return np.array([-c / b]) if b != 0 else np.array([])
    disc = b**2 - 4 * a * c
    if disc < 0:
        return np.array([])
    r = np.sqrt(disc)
    return np.sort(np.array([(-b - r) / (2 * a), (-b + r) / (2 * a)]))


def _regions(
    bounds: np.ndarray, lo: float, hi: float, sig_at: Any, w_obs: np.ndarray
) -> pd.DataFrame:
    """Split the observed moderator range at the JN bounds; mark significance."""
    cuts = [lo] + [float(b) for b in bounds if lo < b < hi] + [hi]
    rows = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        mid = 0.5 * (a + b)
        inside = (w_obs >= a) & ((w_obs < b) if b < hi else (w_obs <= b))
        rows.append(
            {
                "w_from": a,
                "w_to": b,
                "significant": bool(sig_at(mid)),
                "n": int(inside.sum()),
                "proportion": float(inside.mean()),
            }
        )
    return pd.DataFrame(rows)
