"""Survey data in: file readers, codebooks, preparation, screening, bundled data sets, simulation.

Nothing here fits a model. :func:`trustsem.load_survey` (``data.io``) reads csv, tsv,
Excel, SPSS and Stata files (the readers are in ``data.readers``) and checks them
against a codebook (``data.codebook``); ``data.prep`` recodes and scores,
``data.screening`` flags careless responding, ``data.datasets`` holds the bundled
example files and ``data.simulate`` draws surveys from the research model, whose
questionnaire is defined in :mod:`trustsem.models.instrument`.
"""
