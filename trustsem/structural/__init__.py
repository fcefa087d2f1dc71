"""Analyses of the structural part, each taking a fit or a survey frame.

Mediation (indirect effects), moderation (observed and latent interactions),
measurement invariance and cross-group path tests, group comparisons of
observed scores, and regressions (OLS, logit, hierarchical) through statsmodels.
"""
