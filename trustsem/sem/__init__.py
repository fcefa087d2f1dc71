"""Structural equation models: syntax, parameter table, estimation and results.

``sem.spec`` parses lavaan model syntax into a parameter table, ``sem.fit`` holds
:func:`trustsem.sem` / :func:`trustsem.cfa` (ML, MLR, MLM, FIML, bootstrap),
``sem.wlsmv`` the ordered-item estimator, ``sem.results`` the immutable
:class:`~trustsem.SEMResult`; ``sem.engine`` is the numerical core (RAM
matrices, optimizer, standard errors, fit measures, polychoric moments), which
imports nothing above it.
"""
