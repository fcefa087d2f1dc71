# Regression, moderation, logit, group-comparison and product-indicator fixtures on
# real data: trustsem/data/datasets/tiktok_shop_impulse_buying.csv (N = 361, no missing).
# Run from the repository root:  Rscript tests/reference/r/regression_tiktok.R
# Writes tests/reference/regression_tiktok__*.csv and regression_tiktok__meta.json.
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))
source(file.path(.dir, "regression_helpers.R"))

P <- "regression_tiktok"
d <- utils::read.csv(pkg_data_path("tiktok_shop_impulse_buying.csv"))
constructs <- list(SC = paste0("SC", 1:4), SI = paste0("SI", 1:5), TR = paste0("TR", 1:5),
                   HM = paste0("HM", 1:3), SL = paste0("SL", 1:4), PP = paste0("PP", 1:4),
                   OIB = paste0("OIB", 1:3))
for (cn in names(constructs)) d[[cn]] <- score(d, constructs[[cn]])

# 1. OLS: OIB on all six antecedent composites --------------------------------
fit <- lm(OIB ~ SC + SI + TR + HM + SL + PP, data = d)
.write_csv(ols_table(fit, c("HC3", "HC1")), ref_path(paste0(P, "__ols.csv")))
.write_csv(ols_fit(fit, c("HC3")), ref_path(paste0(P, "__ols_fit.csv")))
.write_csv(vif_table(fit), ref_path(paste0(P, "__ols_vif.csv")))

# 2. Moderation: trust x scarcity on impulse buying (HC3) ----------------------
write_moderation(P, moderation_tables(d, "OIB", "TR", "SC"))

# 3. Logit: high impulse buying (OIB mean >= 4) on TR, SC, HM -----------------
d$OIB_high <- as.integer(d$OIB >= 4)
lfit <- glm(OIB_high ~ TR + SC + HM, family = binomial, data = d,
            control = glm.control(epsilon = 1e-12, maxit = 100))
.write_csv(logit_table(lfit), ref_path(paste0(P, "__logit.csv")))
.write_csv(logit_fit(lfit), ref_path(paste0(P, "__logit_fit.csv")))

# 4. Welch/Student t test: trust composite by gender (0 female, 1 male) ---------
write_ttest(P, ttest_table(d, "TR", "Q2_GENDER"))

# 5. Product indicators SC x TR (matched pairs SC_i x TR_i, i = 1..4) ----------
w_items <- paste0("SC", 1:4); x_items <- paste0("TR", 1:4)
nm <- paste0(w_items, "_", x_items)
dmc <- semTools::indProd(d[, c(w_items, x_items)], var1 = w_items, var2 = x_items,
                         match = TRUE, meanC = TRUE, residualC = FALSE, doubleMC = TRUE,
                         namesProd = nm)[, nm]
rc <- semTools::indProd(d[, c(w_items, x_items)], var1 = w_items, var2 = x_items,
                        match = TRUE, meanC = TRUE, residualC = TRUE, doubleMC = TRUE,
                        namesProd = nm)[, nm]
.write_csv(dmc, ref_path(paste0(P, "__prod_dmc.csv")))
.write_csv(rc, ref_path(paste0(P, "__prod_rc.csv")))

write_reg_meta(P, script_text(), NOTE_TIKTOK,
  extra = list(semTools = as.character(packageVersion("semTools")),
               n_rows = nrow(d)))
message("done ", P)
