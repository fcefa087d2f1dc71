"""Adapters to third-party estimation libraries.

Each module here is the only place in trustsem that imports its library
(``statsmodels.py`` for statsmodels and patsy).  Adapters translate the
library's objects into plain numpy/pandas values with trustsem's names, so the
public modules never see a library object and a backend can be swapped
without touching them.
"""
