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
# # 5 · Real data: trust and impulse buying on TikTok Shop
#
# The previous notebooks used simulated data, where the truth is known. Real data are messier. This
# notebook runs the whole workflow — screening, measurement, structural model, mediation, robust and
# ordinal estimation — on a published social-commerce survey.
#
# **Data.** Phan, D. H., Nguyen, Q. D., & Nguyen Phuc, V. K. (2024). Dataset on Vietnamese students'
# impulse buying behavior on TikTok shop. *Data in Brief*, 57, 111047.
# https://doi.org/10.1016/j.dib.2024.111047. 361 students from ten Mekong Delta provinces answered an
# online questionnaire (January–March 2024) on five-point scales (1 = strongly disagree … 5 = strongly
# agree). The data are bundled with trustsem unchanged (see `data/README.md` for source and licence
# notes); please cite the article when you use them.
#
# | construct | items | content |
# |---|---|---|
# | SC | SC1–4 | scarcity (promotion deadlines, limited quantities) |
# | SI | SI1–5 | serendipity information (unexpectedly finding useful product information) |
# | TR | TR1–5 | trust in TikTok Shop (e.g. "sells products honestly", "quality matches the description") |
# | HM | HM1–3 | hedonic motivation |
# | SL | SL1–4 | shopping lifestyle |
# | PP | PP1–4 | product presentation |
# | OIB | OIB1–3 | online impulse buying (the outcome) |
#
# **Model.** Trust is the mediator: serendipitous information and product presentation build trust
# (`TR ~ SI + PP`), and impulse buying depends on trust and the five other factors
# (`OIB ~ SC + SI + TR + HM + SL + PP`). This is the model of trustsem's lavaan reference tests for
# these data; it is our illustration, not necessarily the specification the data's authors analysed.

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

# %%
tk = ts.load_example("tiktok_shop_impulse_buying")
constructs = {c: [i for i in tk.columns if i.rstrip("0123456789") == c]
              for c in ["SC", "SI", "TR", "HM", "SL", "PP", "OIB"]}
items = [i for its in constructs.values() for i in its]
print(tk.shape, "| missing values:", int(tk[items].isna().sum().sum()))
print("gender (0 = female, 1 = male):", tk["Q2_GENDER"].value_counts().sort_index().to_dict())

# %% [markdown]
# 361 respondents, 28 items, no missing answers; about two thirds are women.
#
# ## Screening
#
# There is no completion time, so only straight-lining can be checked.

# %%
scr = ts.screen(tk, items)
print(scr.summary())

# %% [markdown]
# Two respondents (0.6 %) gave the same answer to at least 23 of the 28 items in a row. That is few
# enough to keep them; we note it and move on. (Refitting the structural model below without them,
# via `scr.drop_flagged(tk)`, changes no standardized path by more than .01.)
#
# ## The answers
#
# Without a codebook, `plot_likert` labels the bars with the item names; a dictionary groups them.

# %%
ax = ts.plot_likert(tk, {c: constructs[c] for c in ["TR", "OIB", "SI", "PP"]})
fig = ax.figure
fig.savefig(FIG / "05_real_data_tiktok_likert.png", dpi=150, bbox_inches="tight")

# %% [markdown]
# Agreement dominates, and the impulse-buying items are extreme: almost nobody disagrees with them
# (categories 1 and 2 hold 1–3 respondents each), so they effectively use three categories. Remember
# this when we get to the ordinal estimator.
#
# ## Measurement model
#
# CFA of the seven constructs, then reliability and discriminant validity, as in notebook 2.

# %%
cfa_model = "\n".join(f"{c} =~ {' + '.join(its)}" for c, its in constructs.items())
print(cfa_model)
cfa = ts.cfa(cfa_model, tk)
cfa.fit_measures[["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"]]

# %%
rel = ts.reliability(tk, cfa_model, fit=cfa)
rel.table[["alpha", "omega", "cr", "ave"]]

# %%
ht = ts.htmt(tk, cfa_model)
fl = ts.fornell_larcker(cfa)
print("largest HTMT2:", ht.table["htmt2"].max().round(3))
print("Fornell-Larcker passed for all:", bool(fl.table["passed"].all()))
loads = cfa.estimates.query("op == '=~'")["std_all"]
print(f"standardized loadings: {loads.min():.2f} to {loads.max():.2f}")

# %% [markdown]
# The measurement model is sound: CFI = .967, RMSEA = .035, SRMR = .041 (χ²(329) = 472.2 is
# significant, as usual with real data); standardized loadings range from .68 to .82, alpha and CR from
# .78 to .86, and every AVE exceeds .50 (.535 to .602); all HTMT2 values are at most .52 and
# Fornell–Larcker holds for every construct. Trust (TR) is reliable (CR = .86, AVE = .56) and distinct
# from impulse buying (HTMT2 = .52, the largest of all pairs).
#
# ## Structural model

# %%
sem_model = cfa_model + '''
TR  ~ SI + PP
OIB ~ SC + SI + TR + HM + SL + PP
'''
fit = ts.sem(sem_model, tk)
print(fit.fit_measures[["chisq", "df", "cfi", "tli", "rmsea", "srmr"]].round(3).to_dict())
ts.paths_table(fit)

# %%
fit.r2.set_index("variable").loc[["TR", "OIB"], "r2"]

# %% [markdown]
# The structural model fits acceptably (CFI = .961, RMSEA = .037, SRMR = .056; it is more restrictive
# than the CFA because it fixes three factor relations to zero: trust is not regressed on SC, HM and
# SL). Trust is one of the three strong drivers of impulse buying (β = .31, p < .001), with shopping
# lifestyle (β = .39) and hedonic motivation (β = .35); scarcity (β = .24), product presentation
# (β = .15) and serendipity information (β = .12, p = .046) add smaller effects. Together they explain 66 % of the variance of impulse buying. Trust
# itself is driven by serendipity information (β = .27, p < .001) but not by product presentation
# (β = .08, p = .24), and is only weakly explained (R² = .09).
#
# ## Mediation through trust
#
# Two indirect effects: SI → TR → OIB and PP → TR → OIB. With complete data the bootstrap is cheap
# (about 4 seconds for 500 draws), so we bootstrap the ML fit directly. (Papers use 5,000 draws or
# more; here B = 500 keeps the notebook fast.)

# %%
fit_boot = ts.sem(sem_model, tk, se="bootstrap", bootstrap=500, seed=7, progress=False, n_jobs=1)
med = ts.indirect_effects(fit_boot)
ts.indirect_table(med, kinds=["specific", "direct", "total"])

# %%
med.summary_table[["x", "y", "total_indirect", "direct", "total", "proportion_mediated", "verdict"]]

# %%
ax = ts.plot_indirect_distribution(med, "SI → TR → OIB")
fig = ax.figure
fig.savefig(FIG / "05_real_data_tiktok_indirect_si.png", dpi=150, bbox_inches="tight")

# %% [markdown]
# Serendipity information raises impulse buying through trust: ab = 0.066, 95 % bootstrap CI
# [0.025, 0.110] (standardized .08). Its direct effect (0.096) is significant in the ML fit above
# (p = .046) but its bootstrap interval includes zero ([−0.007, 0.210]), so the verdict at this B is
# "indirect-only" (full mediation, 41 % of the total effect through trust). A result that flips with the
# SE method is a borderline result; report it as such rather than choosing the more convenient label.
# Product presentation acts on impulse buying only directly (0.115, CI [0.017, 0.225]); its indirect
# effect through trust is nil (0.018, CI [−0.013, 0.051]), because PP does not build trust.
#
# ## Robust (MLR) and ordinal (WLSMV) estimation
#
# Are the ML conclusions an artefact of treating five-point, skewed items as continuous? We refit with
# MLR (robust SEs and scaled test) and WLSMV (items as ordered categories).
#
# WLSMV needs a little care with these data. Several items have categories chosen by only one or two
# respondents (`OIB1`: one respondent answered 1, two answered 2). Such sparse categories make the
# weight matrix nearly singular; lavaan warns about it, and so does trustsem. We show the warning once,
# deliberately:

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    ts.sem(sem_model, tk, ordered=True)
for w in caught:
    print(f"{w.category.__name__}: {w.message}")

# %% [markdown]
# The smallest eigenvalue is essentially zero (of the order of 1e−17): not a real identification
# problem, but a numerical symptom of near-empty categories. The remedy trustsem suggests is standard:
# merge categories that fewer than five respondents chose with the next category up. We do this for the
# WLSMV fit only (ML and MLR use the original scores) and list what was merged.

# %%
tk_ord = tk.copy()
merged = {}
for item in items:
    counts = tk_ord[item].value_counts().sort_index()
    for cat in counts.index[:-1]:                  # never the top category
        n = int((tk_ord[item] == cat).sum())
        if 0 < n < 5:
            tk_ord.loc[tk_ord[item] == cat, item] = cat + 1
            merged.setdefault(item, []).append(f"{cat:g}→{cat + 1:g} (n={n})")
print(f"{len(merged)} of {len(items)} items had a sparse category merged:")
for item, what in merged.items():
    print(f"  {item}: {', '.join(what)}")

# %%
fit_mlr = ts.sem(sem_model, tk, estimator="MLR")
fit_wlsmv = ts.sem(sem_model, tk_ord, ordered=True)

def paths(f, label):
    t = f.estimates.query("op == '~'")
    return pd.DataFrame({(label, "beta"): t["std_all"].to_numpy(), (label, "p"): t["pvalue"].to_numpy()},
                        index=t["rhs"] + " → " + t["lhs"])

side = pd.concat([paths(fit, "ML"), paths(fit_mlr, "MLR"), paths(fit_wlsmv, "WLSMV")], axis=1)
side


# %%
def fit_row(f, s=""):
    m = f.fit_measures
    r2 = f.r2.set_index("variable")["r2"]
    return {"chisq": m["chisq" + s], "df": m["df"], "cfi": m["cfi" + s], "rmsea": m["rmsea" + s],
            "srmr": m["srmr"], "R² TR": r2["TR"], "R² OIB": r2["OIB"]}

pd.DataFrame({"ML": fit_row(fit), "MLR (scaled)": fit_row(fit_mlr, "_scaled"),
              "WLSMV (scaled)": fit_row(fit_wlsmv, "_scaled")}).T

# %% [markdown]
# * **MLR** reproduces the ML estimates exactly and changes only the standard errors and the test. The
#   robust SEs are a little larger for most paths, enough to move SI → OIB from p = .046 to p = .057.
#   The fit conclusions do not change (scaled CFI .962, RMSEA .036).
# * **WLSMV** gives larger standardized paths for the strong predictors (TR → OIB .45 instead of .31,
#   HM .43, SL .44) and a much higher R² for impulse buying (.81 instead of .66). On the latent-response
#   scale the coarse, nearly three-category OIB items no longer attenuate the correlations. SI → OIB
#   turns slightly negative and non-significant: once the strongly correlated predictors are
#   disattenuated, SI's small unique direct effect disappears. Fit is acceptable (scaled CFI .966,
#   RMSEA .045).
#
# What is robust across all three estimators: trust, hedonic motivation, shopping lifestyle, scarcity
# and product presentation drive impulse buying; serendipity information builds trust and product
# presentation does not. What is fragile: the direct effect of serendipity information on impulse buying
# — and with it the distinction between full and partial mediation. Given the extreme skew of the OIB
# items, WLSMV is the more defensible estimator for this outcome; a paper would report it, with MLR as
# a robustness check.

# %%
ax = ts.plot_path_diagram(fit_mlr)
fig = ax.figure
fig.savefig(FIG / "05_real_data_tiktok_path_diagram.png", dpi=150, bbox_inches="tight")

# %% [markdown]
# ## Summary
#
# * The TikTok Shop scales are reliable and valid (CR .78–.86, AVE > .50, HTMT2 ≤ .52).
# * Trust is a major driver of impulse buying (β = .31 ML/MLR, .45 WLSMV) and mediates the effect of
#   serendipitous product information (ab = 0.066, bootstrap CI [0.025, 0.110]).
# * Estimator choice matters for effect sizes with skewed, few-category items: compare ML, MLR and WLSMV
#   and report what is robust.
#
# Source: Phan, Nguyen & Nguyen Phuc (2024), *Data in Brief* 57, 111047.
