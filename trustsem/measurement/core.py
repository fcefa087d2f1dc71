"""Earlier module path of the measurement checks, kept importable.

The checks live in :mod:`trustsem.measurement.reliability`,
:mod:`~trustsem.measurement.items`, :mod:`~trustsem.measurement.validity` and
:mod:`~trustsem.measurement.report`; import them from
:mod:`trustsem.measurement`. Nothing inside the package imports this module.
"""

from __future__ import annotations

from ._structure import _fit_measurement, _structure  # noqa: F401
from .items import *  # noqa: F403
from .items import __all__ as _items_all
from .items import _moments  # noqa: F401
from .reliability import *  # noqa: F403
from .reliability import __all__ as _reliability_all
from .report import *  # noqa: F403
from .report import __all__ as _report_all
from .validity import *  # noqa: F403
from .validity import __all__ as _validity_all

__all__ = [*_reliability_all, *_items_all, *_validity_all, *_report_all]
