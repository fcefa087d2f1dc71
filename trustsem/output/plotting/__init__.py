"""Figures for manuscripts: path diagrams, Likert bars, heatmaps, forests.

Every ``plot_*`` function reads the tidy tables a result already carries
(``estimates``, ``r2``, ``effects``, ``draws``, ``slopes_grid``, ``table``...)
and draws them; it estimates nothing.  The common signature is::

    plot_x(result, *, ax=None, **kwargs) -> matplotlib.axes.Axes

``ax=None`` creates a new figure sized for the plot; pass an ``Axes`` to draw
into your own layout.  matplotlib is imported only when a function is called,
nothing calls ``plt.show()`` and no global style (``rcParams``) is changed.

Chinese labels
--------------
When ``lang="zh"`` or a label contains CJK characters, those texts are drawn
with a CJK font found by :func:`cjk_font` (e.g. "Noto Sans CJK SC" from the
Debian/Ubuntu package ``fonts-noto-cjk``).  The font is set on the text objects
themselves, never through ``rcParams``.  If no CJK font is installed a
:class:`~trustsem.exceptions.TrustsemWarning` says how to install one (the
characters would otherwise render as empty boxes).

Modules
-------
``survey``       Likert bars and correlation heatmaps of the raw answers.
``model``        Loadings, measurement invariance and parallel analysis.
``effects``      Path forest, indirect-effect draws, simple slopes, Johnson-Neyman.
``path_layout``  Where the variables and arrows of a path diagram go (no matplotlib).
``path_draw``    Drawing that layout; :func:`plot_path_diagram`.
"""

from ._common import CJK_FAMILIES as CJK_FAMILIES
from ._common import cjk_font
from .effects import (
    plot_indirect_distribution,
    plot_johnson_neyman,
    plot_paths_forest,
    plot_simple_slopes,
)
from .model import plot_invariance, plot_loadings, plot_scree
from .path_draw import plot_path_diagram
from .survey import plot_correlation_heatmap, plot_likert

__all__ = [
    "cjk_font",
    "plot_correlation_heatmap",
    "plot_indirect_distribution",
    "plot_invariance",
    "plot_johnson_neyman",
    "plot_likert",
    "plot_loadings",
    "plot_path_diagram",
    "plot_paths_forest",
    "plot_scree",
    "plot_simple_slopes",
]
