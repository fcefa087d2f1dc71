"""Structural equation models: syntax, parameter table, estimation and results.

``sem.spec`` parses lavaan model syntax and builds the parameter table,
``sem.fit`` holds :func:`trustsem.sem` / :func:`trustsem.cfa` (ML, MLR, MLM,
FIML, bootstrap) and hands ordered items to ``sem.wlsmv``, the ordered-item
estimator. Both fits share ``sem.options`` (the argument checks),
``sem.prepare`` (data to per-group moments, group split, missing data),
``sem.solution`` (R², Heywood checks, delta-method SEs) and ``sem.context``
(the refit handle kept on the result); ``sem.scaled`` has the MLM/MLR sandwich
and scaled tests, ``sem.bootstrap`` the resampling; ``sem.results`` holds the immutable
:class:`~trustsem.SEMResult`. ``sem.engine`` is the numerical core (parameter
table format, RAM matrices, optimizer, standard errors, fit measures,
polychoric correlations and ordinal moments), which imports nothing above it.
"""
