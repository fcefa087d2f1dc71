"""What a reader sees: APA tables, figures, the analysis pipeline and the report.

``output.tables`` turns results into tidy publication tables, ``output.plotting``
draws the figures, ``output.pipeline`` runs the whole analysis of a survey into an
:class:`~trustsem.output.pipeline.AnalysisBundle`, ``output.report`` lays that
bundle out as HTML, text and CSV files, and ``output.files`` writes an output
folder whole or not at all.
"""
