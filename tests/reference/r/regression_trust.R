# Regression, moderation and group-comparison fixtures on the bundled simulated
# trust survey (trustsem/data/datasets/trust_survey.csv).
# Run from the repository root:  Rscript tests/reference/r/regression_trust.R
# Writes tests/reference/regression_trust__*.csv and regression_trust__meta.json.
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))
source(file.path(.dir, "regression_helpers.R"))

P <- "regression_trust"
d <- utils::read.csv(pkg_data_path("trust_survey.csv"))

# Composite scores: item means, NA when any item is missing
# (= trustsem.data.prep.scale_scores(data, constructs) with its default min_items).
constructs <- list(
  PREP = paste0("PREP", 1:4), PASS = paste0("PASS", 1:5), MREP = paste0("MREP", 1:4),
  PQ = paste0("PQ", 1:3), INFO = paste0("INFO", 1:4), SOC = paste0("SOC", 1:4),
  EXP = paste0("EXP", 1:3), TF = paste0("TF", 1:3), TA = paste0("TA", 1:3),
  TI = paste0("TI", 1:3), PI = paste0("PI", 1:4), PC = paste0("PC", 1:4),
  PMF = paste0("PMF", 1:4), LOY = paste0("LOY", 1:3))
for (cn in names(constructs)) d[[cn]] <- score(d, constructs[[cn]])
d$TRUST <- score(d, c(constructs$TF, constructs$TA, constructs$TI))
# trust_index(data, {"TF": .., "TA": .., "TI": ..}, scale = (1, 5)):
# equally weighted mean of the three dimension means, rescaled to 0-100.
d$trust_index <- 100 * (rowMeans(d[, c("TF", "TA", "TI")]) - 1) / 4

# 1. OLS: antecedents -> TRUST (H1-H7, H14 on composites) ----------------------
f_ols <- TRUST ~ PREP + PASS + MREP + PQ + INFO + SOC + EXP + PMF + pm_exposed
fit <- lm(f_ols, data = d)
.write_csv(ols_table(fit, c("HC3", "HC1")), ref_path(paste0(P, "__ols.csv")))
.write_csv(ols_fit(fit, c("HC3")), ref_path(paste0(P, "__ols_fit.csv")))
.write_csv(vif_table(fit), ref_path(paste0(P, "__ols_vif.csv")))

# standardized-variables fit (trustsem ols(standardize=TRUE))
vars <- all.vars(f_ols)
dz <- d[stats::complete.cases(d[, vars]), vars]
dz[] <- lapply(dz, function(v) (v - mean(v)) / sd(v))
fitz <- lm(f_ols, data = dz)
.write_csv(ols_table(fitz, character(0)), ref_path(paste0(P, "__ols_std.csv")))

# 2. Hierarchical regression on the common complete-case sample ----------------
steps <- c("TRUST ~ tenure_years + pm_exposed",
           "TRUST ~ tenure_years + pm_exposed + PREP + PASS + MREP + PQ + INFO + SOC + EXP",
           "TRUST ~ tenure_years + pm_exposed + PREP + PASS + MREP + PQ + INFO + SOC + EXP + PMF * PC")
hv <- unique(unlist(lapply(steps, function(s) all.vars(as.formula(s)))))
dh <- d[stats::complete.cases(d[, hv]), ]
fits <- lapply(steps, function(s) lm(as.formula(s), data = dh))
null <- lm(TRUST ~ 1, data = dh)
rows <- list()
prev <- null
for (i in seq_along(fits)) {
  a <- anova(prev, fits[[i]])
  s <- summary(fits[[i]])
  r2prev <- if (i == 1) 0 else summary(fits[[i - 1]])$r.squared
  rows[[i]] <- data.frame(step = i, npar = length(coef(fits[[i]])), r2 = s$r.squared,
                          r2_adj = s$adj.r.squared, delta_r2 = s$r.squared - r2prev,
                          f_change = a$F[2], df1 = a$Df[2], df2 = a$Res.Df[2],
                          p_change = a[["Pr(>F)"]][2], n = nobs(fits[[i]]))
  prev <- fits[[i]]
}
.write_csv(do.call(rbind, rows), ref_path(paste0(P, "__hier.csv")))

# 3. Logit: repurchase ~ TRUST + PMF + pm_exposed + tenure_years --------------
lfit <- glm(repurchase ~ TRUST + PMF + pm_exposed + tenure_years, family = binomial,
            data = d, control = glm.control(epsilon = 1e-12, maxit = 100))
.write_csv(logit_table(lfit), ref_path(paste0(P, "__logit.csv")))
.write_csv(logit_fit(lfit), ref_path(paste0(P, "__logit_fit.csv")))

# 4. Moderation H13a on composites: TRUST ~ PMF * PC + pm_exposed (HC3) -------
m <- moderation_tables(d, "TRUST", "PMF", "PC", covs = "pm_exposed")
write_moderation(P, m)

# 5. Trust index by precision-marketing exposure (N33: 70 vs 85) ---------------
write_ttest(P, ttest_table(d, "trust_index", "pm_exposed"))

# 6. Repurchase by trust quintile (N10: 68 % vs 42 %) ---------------------------
q <- d[stats::complete.cases(d[, c("trust_index", "repurchase")]), ]
br <- quantile(q$trust_index, probs = seq(0, 1, 0.2), type = 7)
# = cut(x, br, include.lowest = TRUE, labels = FALSE), except that a value within
# 1e-9 * range of a cut point counts as on it (lower group): Likert means equal on
# paper can differ in the last bit, and many respondents sit exactly on the cuts.
tol <- 1e-9 * max(1, diff(range(q$trust_index)))
q$grp <- 1L + rowSums(outer(q$trust_index, br[2:5] + tol, ">"))
tab <- do.call(rbind, lapply(1:5, function(g) {
  x <- sum(q$repurchase[q$grp == g]); n <- sum(q$grp == g)
  ci <- prop.test(x, n, correct = FALSE)$conf.int
  data.frame(quantile = g, n = n, events = x, rate = x / n, ci_lower = ci[1],
             ci_upper = ci[2], trust_min = min(q$trust_index[q$grp == g]),
             trust_max = max(q$trust_index[q$grp == g]),
             trust_mean = mean(q$trust_index[q$grp == g]))
}))
.write_csv(tab, ref_path(paste0(P, "__quintiles.csv")))
x1 <- tab$events[5]; n1 <- tab$n[5]; x0 <- tab$events[1]; n0 <- tab$n[1]
pt2 <- prop.test(c(x1, x0), c(n1, n0), correct = FALSE)
a <- x1; b <- n1 - x1; cc <- x0; dd <- n0 - x0
lor <- log(a * dd / (b * cc)); slor <- sqrt(1 / a + 1 / b + 1 / cc + 1 / dd)
lrr <- log((a / n1) / (cc / n0)); slrr <- sqrt(1 / a - 1 / n1 + 1 / cc - 1 / n0)
z <- qnorm(0.975)
contrast <- data.frame(
  measure = c("rate_difference", "odds_ratio", "risk_ratio"),
  est = c(x1 / n1 - x0 / n0, exp(lor), exp(lrr)),
  ci_lower = c(pt2$conf.int[1], exp(lor - z * slor), exp(lrr - z * slrr)),
  ci_upper = c(pt2$conf.int[2], exp(lor + z * slor), exp(lrr + z * slrr)),
  pvalue = c(pt2$p.value, 2 * pnorm(-abs(lor / slor)), 2 * pnorm(-abs(lrr / slrr))))
.write_csv(contrast, ref_path(paste0(P, "__contrast.csv")))
q$trust_z <- (q$trust_index - mean(q$trust_index)) / sd(q$trust_index)
qfit <- glm(repurchase ~ trust_z, family = binomial, data = q,
            control = glm.control(epsilon = 1e-12, maxit = 100))
.write_csv(logit_table(qfit, character(0)), ref_path(paste0(P, "__quint_logit.csv")))

write_reg_meta(P, script_text(), paste(
  "trustsem/data/datasets/trust_survey.csv: simulated (trustsem.data.simulate.simulate_survey(n=600,",
  "seed=20261122, scale_points=5, module_b=True, careless_rate=0.02, missing_rate=0.01,",
  "trust='second_order')); MIT, no real respondents."),
  extra = list(n_rows = nrow(d), n_ols = nobs(fit), n_hier = nrow(dh), n_logit = nobs(lfit),
               n_quintiles = nrow(q), quintile_breaks = unname(br)))
message("done ", P)
