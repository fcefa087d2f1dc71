# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 6 · Reproducing published results
#
# Before you trust a program with your own data, check that it reproduces numbers others have
# published. This notebook puts trustsem's output next to four published references:
#
# 1. **Hayes (2013)**: the simple mediation of the Tal-Or et al. (2010) presumed-media-influence
#    experiment, the standard textbook example of mediation;
# 2. **the lavaan tutorial's CFA** of the Holzinger & Swineford (1939) mental-ability tests;
# 3. **the lavaan tutorial's SEM** of Bollen's (1989) industrialization and political democracy data;
# 4. **the PLS-SEM primer's corporate-reputation model** (Hair et al., 2017), as published with the R
#    package seminr — a *composite* (PLS) model, which trustsem, a *common-factor* (CB-SEM) program,
#    should **not** reproduce; we explain why the numbers differ.
#
# The lavaan numbers are read from `tests/reference/`, the lavaan 0.6-14 output against which trustsem's
# test suite checks every estimate.

# %%
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt

import trustsem as ts

FIG = Path("../reports/figures")          # figures go to reports/figures/ (git-ignored)
FIG.mkdir(parents=True, exist_ok=True)
pd.set_option("display.float_format", "{:.3f}".format)   # three decimals in tables
pd.set_option("display.width", 120)
print("trustsem", ts.__version__)
REF = Path("../tests/reference")            # lavaan fixtures, relative to notebooks/

# %% [markdown]
# ## 1. Hayes (2013): Tal-Or et al.'s presumed media influence
#
# In the experiment, participants read an article presented as appearing on the front page (`cond` = 1)
# or inside a newspaper (`cond` = 0). Hayes (2013, ch. 3) tests whether the placement affects their
# intended reaction (`reaction`) through presumed media influence (`pmi`): a = effect of cond on pmi,
# b = effect of pmi on reaction controlling for cond, c′ = direct effect of cond. His published
# estimates are a = 0.4765, b = 0.5064, c′ = 0.2544 and ab = 0.2413.
#
# In lavaan syntax, labels (`a*cond`) name parameters and `:=` defines new ones from them.

# %%
tal = ts.load_example("tal_or")
med_model = '''
pmi      ~ a*cond
reaction ~ c*cond + b*pmi
ab    := a*b
total := c + a*b
'''
fit_tal = ts.sem(med_model, tal)
ours = fit_tal.estimates.set_index("label").loc[["a", "b", "c", "ab", "total"], ["est", "se", "pvalue"]]
hayes = pd.Series({"a": 0.4765, "b": 0.5064, "c": 0.2544, "ab": 0.2413}, name="Hayes (2013)")
ours.insert(0, "Hayes (2013)", hayes)
with pd.option_context("display.float_format", "{:.4f}".format):
    display(ours)

# %% [markdown]
# The point estimates agree to the four decimals Hayes prints (the total effect, 0.4957, is c′ + ab;
# we list only the four published values).
# The standard errors are another matter. Hayes estimates each equation by OLS, whose standard errors
# divide the residual variance by n − k; ML divides by n. For a path model with observed variables only,
# the ML estimates equal OLS exactly, and the SEs differ by the factor √(n/(n − k)):

# %%
ols_b = ts.ols("reaction ~ cond + pmi", tal)
se_ols = ols_b.estimates.set_index("rhs").loc["pmi", "se"]
se_ml = fit_tal.estimates.set_index("label").loc["b", "se"]
n, k = len(tal), 3
print(f"b: OLS SE = {se_ols:.4f}, ML SE = {se_ml:.4f}, ML SE × sqrt(n/(n-k)) = {se_ml * np.sqrt(n / (n - k)):.4f}")

# %% [markdown]
# So a program that agrees with lavaan will differ slightly from PROCESS/OLS in its standard errors,
# by design. For the indirect effect the SE does not matter much anyway: Hayes, like everybody,
# judges ab by a bootstrap interval. The delta-method p-value above (p = .057) is exactly what the
# bootstrap is meant to replace. This model is tiny, so we can afford the 5,000 draws Hayes
# recommends (about 15 seconds); bootstrap intervals from different programs and seeds differ in the
# third decimal.

# %%
fit_tal_boot = ts.sem(med_model, tal, se="bootstrap", bootstrap=5000, seed=1,
                      progress=False, n_jobs=1)
med_tal = ts.indirect_effects(fit_tal_boot)
ts.indirect_table(med_tal)

# %%
ax = ts.plot_indirect_distribution(med_tal, "cond → pmi → reaction")
fig = ax.figure
fig.savefig(FIG / "06_reproducing_published_talor_indirect.png", dpi=150, bbox_inches="tight")

# %% [markdown]
# The percentile bootstrap interval of ab excludes zero, while the delta-method test did not reach
# .05: the classic demonstration of why the normal approximation is not used for indirect effects.
# Hayes draws the same conclusion — front-page placement raised intended reactions through presumed
# media influence, with no evidence of a direct effect (c′, p = .31). The lower bound is close to zero,
# though, and that is where the number of draws matters: with only 1,000 draws the same seed gives a
# lower bound of −0.006. Papers use 5,000 or more draws for this reason.
#
# ## 2. The lavaan tutorial's CFA (Holzinger & Swineford)
#
# The three-factor CFA of nine mental-ability tests is the first example in the lavaan tutorial, which
# prints χ² = 85.306 with 24 degrees of freedom. We compare every fit measure lavaan reports.

# %%
hs = ts.load_example("holzinger_swineford_1939")
hs_model = '''
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
'''
fit_hs = ts.cfa(hs_model, hs)

def compare_fit(fit, case, measures):
    lav = pd.read_csv(REF / f"{case}__fit.csv").set_index("measure")["value"]
    lav.index = lav.index.str.replace(".", "_", regex=False)
    out = pd.DataFrame({"lavaan 0.6-14": lav[measures], "trustsem": fit.fit_measures[measures]})
    out["difference"] = out["trustsem"] - out["lavaan 0.6-14"]
    return out

measures = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
            "srmr", "logl", "aic", "bic"]
with pd.option_context("display.float_format", "{:.6f}".format):
    display(compare_fit(fit_hs, "hs_cfa", measures))


# %% [markdown]
# Every fit measure agrees to at least six decimals: χ²(24) = 85.306, CFI = .931, RMSEA = .092,
# SRMR = .065, log-likelihood −3737.745. The parameter estimates agree as closely:

# %%
def compare_estimates(fit, case):
    lav = pd.read_csv(REF / f"{case}__estimates.csv")
    both = fit.estimates.merge(lav, on=["lhs", "op", "rhs"], suffixes=("", "_lavaan"))
    print(f"{len(both)} parameters compared; largest absolute differences: "
          f"estimate {(both['est'] - both['est_lavaan']).abs().max():.1e}, "
          f"SE {(both['se'] - both['se_lavaan']).abs().max():.1e}, "
          f"std_all {(both['std_all'] - both['std.all']).abs().max():.1e}")

compare_estimates(fit_hs, "hs_cfa")

# %% [markdown]
# All differences are about 10⁻⁶ or smaller: the two programs stop their optimizers at slightly
# different points of the same optimum.
#
# ## 3. The lavaan tutorial's SEM (Bollen's political democracy)
#
# The second tutorial example is a full SEM: industrialization in 1960 affects democracy in 1960 and
# 1965, each measured by four indicators observed in both years, whose residuals correlate over time.
# lavaan prints χ² = 38.125 with 35 degrees of freedom.

# %%
pd_data = ts.load_example("political_democracy")
pd_model = '''
# measurement model
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
# regressions
dem60 ~ ind60
dem65 ~ ind60 + dem60
# residual correlations
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
'''
fit_pd = ts.sem(pd_model, pd_data)
with pd.option_context("display.float_format", "{:.6f}".format):
    display(compare_fit(fit_pd, "poldem_sem", measures))
compare_estimates(fit_pd, "poldem_sem")

# %% [markdown]
# Again everything agrees: χ²(35) = 38.125, CFI = .995, RMSEA = .035, and estimates, SEs and
# standardized values differ by less than 10⁻⁵. The structural paths — the reason for the model —
# are the same in both programs:

# %%
ts.paths_table(fit_pd)

# %% [markdown]
# Industrialization raised democracy in 1960 (b = 1.48, β = .45), and democracy was very stable from
# 1960 to 1965 (β = .89), with a small further effect of industrialization (β = .18, p = .010).
#
# ## 4. PLS versus CB-SEM: the corporate reputation model
#
# The *Primer on PLS-SEM* (Hair et al., 2017) analyses a survey of mobile-phone customers: competence
# (COMP, 3 items) and likeability (LIKE, 3 items) of the company affect customer satisfaction (CUSA, one
# item), and all three affect customer loyalty (CUSL, 3 items). The R package seminr, which reproduces the
# book, stores the PLS path coefficients of this model in its test fixtures:
#
# | path | PLS (seminr) |
# |---|---|
# | COMP → CUSA | 0.1621 |
# | LIKE → CUSA | 0.4239 |
# | COMP → CUSL | 0.0092 |
# | LIKE → CUSL | 0.3421 |
# | CUSA → CUSL | 0.5045 |
#
# The data (`corp_rep`, seminr's `corp_rep_data`) code missing answers as −99, which must be recoded
# first — a −99 treated as an answer would wreck every correlation.

# %%
cr = ts.load_example("corp_rep")
blocks = {"COMP": ["comp_1", "comp_2", "comp_3"], "LIKE": ["like_1", "like_2", "like_3"],
          "CUSA": ["cusa"], "CUSL": ["cusl_1", "cusl_2", "cusl_3"]}
cr_items = [i for its in blocks.values() for i in its]
print("cells coded -99 in the model's items:", int((cr[cr_items] == -99).sum().sum()))
cr = cr.replace(-99, np.nan)
published = pd.Series({("CUSA", "COMP"): 0.1621, ("CUSA", "LIKE"): 0.4239, ("CUSL", "COMP"): 0.0092,
                       ("CUSL", "LIKE"): 0.3421, ("CUSL", "CUSA"): 0.5045})


# %% [markdown]
# ### The PLS algorithm in a few lines
#
# PLS path modelling does not estimate latent variables. It builds each construct as a **composite**, a
# weighted sum of its standardized items, choosing the weights iteratively (Wold's algorithm, "mode A"
# with the "path weighting" scheme, as in seminr), and then runs ordinary regressions between the
# composites. To show that there is nothing mysterious about it — and to check the published numbers —
# here is the whole algorithm. seminr replaces missing answers by item means (`mean_replacement`), so we
# do the same.

# %%
def pls_path(data, blocks, paths, tol=1e-7, max_iter=300):
    X = data.fillna(data.mean())                                # seminr's mean replacement
    Z = (X - X.mean()) / X.std()                                # standardized items
    names = list(blocks)

    def composites(w):                                          # weighted sums, variance 1
        S = pd.DataFrame({k: Z[blocks[k]].to_numpy() @ w[k] for k in names})
        return (S - S.mean()) / S.std()

    w = {k: np.ones(len(blocks[k])) for k in names}
    for _ in range(max_iter):
        Y = composites(w)
        # inner proxies (path weighting): regression weights from predecessors,
        # correlations with successors
        inner = {k: pd.Series(0.0, index=Y.index) for k in names}
        for y, xs in paths.items():
            beta = np.linalg.lstsq(Y[xs].to_numpy(), Y[y].to_numpy(), rcond=None)[0]
            for x, b in zip(xs, beta):
                inner[y] += b * Y[x]
                inner[x] += Y[x].corr(Y[y]) * Y[y]
        # mode A outer weights: covariances of the items with the inner proxy
        new = {k: np.array([Z[i].cov(inner[k]) for i in blocks[k]]) for k in names}
        new = {k: v / (Z[blocks[k]].to_numpy() @ v).std(ddof=1) for k, v in new.items()}
        old = {k: v / (Z[blocks[k]].to_numpy() @ v).std(ddof=1) for k, v in w.items()}
        w = new
        if max(np.abs(new[k] - old[k]).max() for k in names) < tol:
            break
    Y = composites(w)
    coefs = {}
    for y, xs in paths.items():                                 # OLS between composites
        beta = np.linalg.lstsq(Y[xs].to_numpy(), Y[y].to_numpy(), rcond=None)[0]
        coefs.update({(y, x): b for x, b in zip(xs, beta)})
    return pd.Series(coefs), Y

structure = {"CUSA": ["COMP", "LIKE"], "CUSL": ["COMP", "LIKE", "CUSA"]}
pls, composite_scores = pls_path(cr[cr_items], blocks, structure)
with pd.option_context("display.float_format", "{:.4f}".format):
    display(pd.DataFrame({"seminr (published)": published, "our PLS": pls}))

# %% [markdown]
# Our twenty lines reproduce seminr's numbers to all four published decimals.
#
# ### The same structural model as a common-factor model
#
# In CB-SEM (trustsem, lavaan, AMOS, Mplus) each construct is a **latent common factor**: only the
# variance its items share is construct, the rest is measurement error. Customer satisfaction has a
# single item, so it becomes a **single-indicator factor** (`CUSA =~ cusa`): trustsem fixes the item's
# residual variance at 0, i.e. assumes the item is error-free — the same assumption PLS makes for a
# one-item composite. We use FIML for the 11 missing cells.

# %%
cb_model = '''
COMP =~ comp_1 + comp_2 + comp_3
LIKE =~ like_1 + like_2 + like_3
CUSA =~ cusa
CUSL =~ cusl_1 + cusl_2 + cusl_3
CUSA ~ COMP + LIKE
CUSL ~ COMP + LIKE + CUSA
'''
fit_cr = ts.sem(cb_model, cr, missing="fiml")
print(fit_cr.fit_measures[["chisq", "df", "cfi", "rmsea", "srmr"]].round(3).to_dict())
cb = fit_cr.estimates.query("op == '~'").set_index(["lhs", "rhs"])
comparison = pd.DataFrame({"PLS (seminr)": published, "CB-SEM β (trustsem)": cb["std_all"],
                           "CB-SEM p": cb["pvalue"]})
comparison

# %%
plot_df = comparison[["PLS (seminr)", "CB-SEM β (trustsem)"]].copy()
plot_df.index = [f"{x} → {y}" for y, x in plot_df.index]
ax = plot_df.plot.barh(figsize=(7, 4))
ax.axvline(0, color="grey", lw=0.8)
ax.set_xlabel("standardized path coefficient")
ax.invert_yaxis()
ax.set_title("Corporate reputation model: PLS composites vs CB-SEM common factors")
fig = ax.figure
fig.savefig(FIG / "06_reproducing_published_corp_rep_paths.png", dpi=150, bbox_inches="tight")

# %% [markdown]
# The two methods tell different stories:
#
# | | PLS | CB-SEM |
# |---|---|---|
# | LIKE → CUSA | .42 | .58 |
# | COMP → CUSA | .16 | .00 |
# | LIKE → CUSL | .34 | .57 |
# | COMP → CUSL | .01 | −.16 (p = .07) |
# | CUSA → CUSL | .50 | .48 |
#
# Likeability matters much more in CB-SEM, and competence, a modest positive driver of satisfaction in
# PLS, has no effect at all. Three mechanisms explain this.
#
# **1. Composites contain measurement error; common factors do not.** A composite is a weighted sum of
# items, error included. Correlations between error-laden scores are **attenuated**:
# r(observed) ≈ r(true) · √(rel₁ · rel₂), where rel is each score's reliability (Spearman's correction
# for attenuation). We can see it directly by comparing the correlations of the PLS composites with the
# latent correlations of the CB-SEM model:

# %%
rel_cr = ts.reliability(cr, cb_model, fit=fit_cr, missing="fiml").table["cr"]
latent_cor = ts.fornell_larcker(fit_cr).matrix
rows = []
for a, b in [("COMP", "LIKE"), ("COMP", "CUSL"), ("LIKE", "CUSL")]:   # the multi-item constructs
    r_pls = composite_scores[a].corr(composite_scores[b])
    rows.append({"pair": f"{a}–{b}", "r composites (PLS)": r_pls,
                 "r latent (CB-SEM)": latent_cor.loc[a, b],
                 "r_PLS / √(CR·CR)": r_pls / np.sqrt(rel_cr[a] * rel_cr[b])})
pd.DataFrame(rows).set_index("pair")

# %% [markdown]
# The composite correlations are smaller than the latent ones (.65 vs .77 for COMP–LIKE). Dividing them
# by √(CR·CR), the composite reliabilities of the two scales, lifts them to the level of the latent
# correlations — here a little beyond it, because CR is the reliability of the unweighted item sum,
# while the PLS weights favour the better items and make the composites somewhat more reliable. The
# correction is approximate, but it shows where the difference comes from.
#
# **2. Attenuation is not uniform, so it can reverse conclusions.** COMP and LIKE correlate .65 as
# composites but .77 as latent factors. In a regression with two strongly correlated predictors, a
# higher correlation hands more of the shared variance to the stronger predictor: LIKE gains and COMP
# loses, down to zero for satisfaction and slightly below zero for loyalty. Which picture is right
# depends on what the constructs are. If competence and likeability are latent attitudes measured with
# error, the CB-SEM estimate is the consistent one, and PLS's .16 overstates competence's unique effect
# on satisfaction.
#
# **3. PLS is biased for common-factor populations.** When the data come from a common-factor model,
# PLS path coefficients are inconsistent: paths between multi-item constructs are underestimated and
# loadings overestimated, and the bias vanishes only as the number of items per construct grows
# ("consistency at large"). Consistent PLS (PLSc; Dijkstra & Henseler, 2015) applies the correction for
# attenuation shown above to the composite correlations and gives estimates close to CB-SEM. PLS
# advocates counter that constructs such as "competence" may be composites by nature (defined by their
# indicators, not reflected in them); then PLS estimates what it should. The choice is theoretical, not
# computational, and it should be stated.
#
# The single-item CUSA shows the last point from the other side: both methods treat it as error-free,
# and its path to loyalty is nearly the same (.50 vs .48). If satisfaction were really measured with
# error, both methods would underestimate its effects — a reason to measure key constructs with several
# items.
#
# ## Summary
#
# | reference | published | trustsem | agreement |
# |---|---|---|---|
# | Hayes (2013), Tal-Or | a = .4765, b = .5064, c′ = .2544, ab = .2413 | same | 4 decimals (SEs differ by √(n/(n−k)), ML vs OLS) |
# | lavaan tutorial, HS CFA | χ²(24) = 85.306 | 85.306 | all fit measures and estimates, about 6 decimals |
# | lavaan tutorial, political democracy | χ²(35) = 38.125 | 38.125 | all fit measures and estimates, about 6 decimals |
# | PLS primer, corporate reputation | PLS paths (seminr) | reproduced by 20 lines of PLS; CB-SEM differs by design | composites vs common factors |
