"""Shared pieces of the figures: pyplot on demand, CJK fonts, APA numbers, checks.

Everything here is private to :mod:`trustsem.output.plotting` except
:func:`cjk_font` and :data:`CJK_FAMILIES`, which the package re-exports.
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..._validation import format_value
from ...exceptions import SpecificationError, TrustsemWarning

ARROW = " → "
MINUS = "\u2212"

# ---------------------------------------------------------------------------
# shared helpers


def _plt() -> Any:
    """Import pyplot lazily (statsmodels ``graphics.utils._import_mpl``)."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - matplotlib is a dependency
        raise ImportError(
            "trustsem plotting needs matplotlib: pip install matplotlib"
        ) from err
    return plt


def _new_ax(ax: Any, figsize: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    _, ax = _plt().subplots(figsize=figsize)
    return ax


_CJK_RE = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)

#: CJK font families tried in this order (simplified Chinese first).
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Noto Sans CJK KR",
    "Source Han Sans",
    "Noto Serif CJK SC",
    "Droid Sans Fallback",
    "Arial Unicode MS",
)
_CJK_FILE_HINTS = (
    "cjk",
    "sourcehan",
    "wqy",
    "wenquanyi",
    "droidsansfallback",
    "simhei",
    "msyh",
    "pingfang",
    "hiragino",
    "heiti",
    "arialuni",
    "notosanssc",
)


def _has_cjk(text: Any) -> bool:
    return isinstance(text, str) and bool(_CJK_RE.search(text))


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Family name of an installed font that can draw Chinese, or None.

    Looks through matplotlib's font list for the families in
    :data:`CJK_FAMILIES` (simplified Chinese first).  Unless the first choice
    is already listed, the system font folders are also searched for CJK font
    files that matplotlib's font cache does not know yet (fonts installed after
    the cache was built); they are registered with matplotlib's font manager
    (no ``rcParams`` are changed).  The answer is cached; call
    ``cjk_font.cache_clear()`` after
    installing a font in a running session.

    Returns
    -------
    str or None
        E.g. ``"Noto Sans CJK SC"``; None when no CJK font is installed
        (install one with ``apt-get install fonts-noto-cjk`` on Debian/Ubuntu,
        or any font from :data:`CJK_FAMILIES`).

    Examples
    --------
    >>> from trustsem.output.plotting import cjk_font
    >>> cjk_font()  # doctest: +SKIP
    'Noto Sans CJK SC'
    """
    from matplotlib import font_manager

    def pick() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((fam for fam in CJK_FAMILIES if fam in names), None)

    found = pick()
    if found == CJK_FAMILIES[0]:
        return found
    # fonts installed after matplotlib built its cache are not listed yet
    known = {f.fname for f in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        base = os.path.basename(path).lower().replace("-", "").replace("_", "")
        if path in known or not any(h in base for h in _CJK_FILE_HINTS):
            continue
        try:
            font_manager.fontManager.addfont(path)
        except Exception:  # noqa: S112, BLE001 - unreadable font files are skipped
            continue
    return pick()


def _finish(ax, title):
    """Common epilogue: optional title, CJK font on every text, return the Axes."""
    if title:
        ax.set_title(title)
    _apply_cjk(ax.figure)
    return ax


def _apply_cjk(container: Any) -> None:
    """Give every text artist with CJK characters a CJK font (per artist).

    Warns (``TrustsemWarning``) when Chinese text is present but no CJK font
    is installed.
    """
    from matplotlib.text import Text

    texts = [t for t in container.findobj(Text) if _has_cjk(t.get_text())]
    if not texts:
        return
    # looked up on the package, so that a replaced ``plotting.cjk_font`` is honoured
    from . import cjk_font as find_cjk_font

    family = find_cjk_font()
    if family is None:
        warnings.warn(
            "Chinese labels were requested but no CJK font is installed, so the"
            " characters will show as empty boxes. Install one, e.g."
            " 'apt-get install fonts-noto-cjk' (Debian/Ubuntu) or Noto Sans CJK SC"
            " from https://github.com/notofonts/noto-cjk, then restart Python.",
            TrustsemWarning,
            stacklevel=3,
        )
        return
    for t in texts:
        t.set_fontfamily([family, "DejaVu Sans"])


def _lang(lang: str) -> bool:
    """True for Chinese; checks ``lang``."""
    if lang not in ("en", "zh"):
        raise SpecificationError(f"`lang` must be 'en' or 'zh'; got {format_value(lang)}.")
    return lang == "zh"


#: Chinese names of the simple-slope levels.
_ZH_SLOPE_LEVELS = {"low": "低", "mean": "均值", "high": "高", "-1 SD": "−1 SD", "+1 SD": "+1 SD"}

#: Chinese names of the invariance levels (x axis of :func:`plot_invariance`).
_ZH_LEVELS = {
    "configural": "形态等值", "metric": "弱等值", "scalar": "强等值", "strict": "严格等值",
}


def _significance_map(
    significance: pd.DataFrame | None, group: Any = None
) -> dict[tuple[str, str], tuple[bool, str]] | None:
    """(lhs, rhs) -> (significant, marker) from a significance frame, or None."""
    if significance is None:
        return None
    if not isinstance(significance, pd.DataFrame) or not {"lhs", "rhs", "significant"} <= set(
        significance.columns
    ):
        raise SpecificationError(
            "`significance` must be a DataFrame with columns lhs, rhs and significant"
            " (e.g. AnalysisBundle.significance)."
        )
    sig = _first_group(significance, group) if "group" in significance.columns else significance
    marks = sig["marker"] if "marker" in sig.columns else pd.Series("", index=sig.index)
    return {
        (str(l_), str(r)): (bool(s), "" if pd.isna(m) else str(m))
        for l_, r, s, m in zip(sig["lhs"], sig["rhs"], sig["significant"], marks)
    }


def _stars(p: Any) -> str:
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _num(v: float, decimals: int = 2, lead_zero: bool = True) -> str:
    """Number for a figure: APA drops the leading zero of values bounded by 1."""
    if v is None or not np.isfinite(v):
        return ""
    s = f"{v:.{decimals}f}"
    if s.startswith("-") and float(s) == 0:
        s = s[1:]
    if not lead_zero:
        s = re.sub(r"^(-?)0\.", r"\1.", s)
    return s.replace("-", MINUS)


def _check_result(obj: Any, attr: str, what: str, param: str = "result") -> None:
    if not hasattr(obj, attr):
        raise SpecificationError(f"`{param}` must be {what}; got {type(obj).__name__}.")


def _first_group(est: pd.DataFrame, group: Any) -> pd.DataFrame:
    if "group" not in est.columns:
        return est
    groups = list(pd.unique(est["group"]))
    g = groups[0] if group is None else group
    if g not in groups:
        raise SpecificationError(f"`group` must be one of {groups}; got {format_value(group)}.")
    return est[est["group"] == g]


def _heatmap(
    ax: Any,
    M: pd.DataFrame,
    *,
    annot: bool,
    lead_zero: bool,
    vmin: float,
    vmax: float,
    cmap: str,
    cbar_label: str,
) -> Any:
    data = np.ma.masked_invalid(M.to_numpy(float))
    im = ax.imshow(
        data, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest"
    )
    ax.set_xticks(
        range(M.shape[1]),
        [str(c) for c in M.columns],
        rotation=45,
        ha="right",
        rotation_mode="anchor",
    )
    ax.set_yticks(range(M.shape[0]), [str(i) for i in M.index])
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    if annot:
        pos = ax.get_position()
        fw, fh = ax.figure.get_size_inches()
        cell_w, cell_h = pos.width * fw / M.shape[1], pos.height * fh / M.shape[0]
        fs = max(4.5, min(9.0, 0.55 * cell_h * 72, 0.3 * cell_w * 72))
        for i in range(M.shape[0]):
            for j in range(M.shape[1]):
                v = M.iat[i, j]
                if pd.isna(v):
                    continue
                dark = abs(v) > 0.6 * max(abs(vmin), abs(vmax))
                ax.text(
                    j,
                    i,
                    _num(float(v), 2, lead_zero),
                    ha="center",
                    va="center",
                    fontsize=fs,
                    color="white" if dark else "0.1",
                )
    cb = ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    cb.set_label(cbar_label)
    return im
