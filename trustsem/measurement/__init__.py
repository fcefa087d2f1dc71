"""Measurement quality: reliability, validity, item analysis, EFA and common-method bias.

Every name of the measurement toolkit is importable from here
(``from trustsem.measurement import reliability``), also as ``trustsem.<name>``.

==========================  ==================================================
module                      what it checks
==========================  ==================================================
``reliability``             alpha, omega, CR, AVE; ordinal alpha and omega
``items``                   item descriptives, item-total statistics, loadings
``validity``                HTMT, Fornell-Larcker, cross-loadings
``factorability``           KMO, Bartlett's test, parallel analysis
``efa``                     exploratory factor analysis
``cmb``                     common-method-bias battery
``report``                  every check at once (:func:`measurement_report`)
==========================  ==================================================
"""

from .cmb import *  # noqa: F403
from .cmb import __all__ as _cmb_all
from .efa import *  # noqa: F403
from .efa import __all__ as _efa_all
from .factorability import *  # noqa: F403
from .factorability import __all__ as _factorability_all
from .items import *  # noqa: F403
from .items import __all__ as _items_all
from .reliability import *  # noqa: F403
from .reliability import __all__ as _reliability_all
from .report import *  # noqa: F403
from .report import __all__ as _report_all
from .validity import *  # noqa: F403
from .validity import __all__ as _validity_all

__all__ = [*_reliability_all, *_items_all, *_validity_all, *_report_all,
           *_factorability_all, *_efa_all, *_cmb_all]
