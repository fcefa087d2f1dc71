"""Measurement quality: reliability, validity, item analysis, EFA and common-method bias.

Every name of the measurement toolkit is importable from here
(``from trustsem.measurement import reliability``), also as ``trustsem.<name>``.
"""

from .cmb import *
from .cmb import __all__ as _cmb_all
from .core import *
from .core import __all__ as _core_all
from .core import ordinal_reliability
from .efa import *
from .efa import __all__ as _efa_all

__all__ = [*_core_all, "ordinal_reliability", *_efa_all, *_cmb_all]
