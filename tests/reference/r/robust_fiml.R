# Robust CFI/TLI/RMSEA after FIML: lavaan's FIML-corrected statistic
# (lav_fit_fiml_corrected; version "V6" for ML, "V3" for MLR).
# Besides the usual files, each case writes <case>__robust_parts.csv: the
# statistic, df and scaling factor of the model and of the baseline that
# lavaan's robust indices are computed from.
# Run from the repository root:  Rscript tests/reference/r/robust_fiml.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

hs_missing <- utils::read.csv(data_path("hs_missing.csv"))
# the school of each row (hs_missing keeps the row order of HolzingerSwineford1939)
hs_missing$school <- lavaan::HolzingerSwineford1939$school
trust <- utils::read.csv("trustsem/data/datasets/trust_survey.csv")
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
cov_model <- "visual =~ x1 + x2 + x3\nvisual ~ x4"
trust_cfa <- paste(readLines("trustsem/models/cfa_second_order.lav"), collapse = "\n")
NOTE_GROUP <- paste(NOTE_HS_MISSING, "Groups: the school column of HolzingerSwineford1939.")
NOTE_TR <- "Bundled simulated trust survey (trustsem/data/datasets/trust_survey.csv), ~1% missing cells."

write_parts <- function(case, env, version) {
  parts <- lavaan:::lav_fit_fiml_corrected(get("fit", envir = env), version = version)
  .write_csv(data.frame(quantity = names(parts), value = as.numeric(unlist(parts))),
             ref_path(paste0(case, "__robust_parts.csv")))
}

e <- run_case("robust_fiml_hs_ml", "fit <- cfa(hs_model, data = hs_missing, missing = 'ml')",
              NOTE_HS_MISSING)
write_parts("robust_fiml_hs_ml", e, "V6")
e <- run_case("robust_fiml_hs_mlr",
              "fit <- cfa(hs_model, data = hs_missing, estimator = 'MLR', missing = 'ml')",
              NOTE_HS_MISSING)
write_parts("robust_fiml_hs_mlr", e, "V3")
e <- run_case("robust_fiml_hs_group_ml",
              "fit <- cfa(hs_model, data = hs_missing, group = 'school', missing = 'ml')",
              NOTE_GROUP)
write_parts("robust_fiml_hs_group_ml", e, "V6")
e <- run_case("robust_fiml_hs_group_mlr",
              paste("fit <- cfa(hs_model, data = hs_missing, group = 'school', estimator = 'MLR',",
                    "missing = 'ml', group.equal = 'loadings')"),
              NOTE_GROUP)
write_parts("robust_fiml_hs_group_mlr", e, "V3")
e <- run_case("robust_fiml_trust_cfa_mlr",
              "fit <- cfa(trust_cfa, data = trust, estimator = 'MLR', missing = 'ml')", NOTE_TR)
write_parts("robust_fiml_trust_cfa_mlr", e, "V3")
# an observed covariate, fixed (lavaan drops the rows where it is missing) or random
e <- run_case("robust_fiml_hs_cov_ml", "fit <- sem(cov_model, data = hs_missing, missing = 'ml')",
              NOTE_HS_MISSING)
write_parts("robust_fiml_hs_cov_ml", e, "V6")
e <- run_case("robust_fiml_hs_cov_random_mlr",
              paste("fit <- sem(cov_model, data = hs_missing, missing = 'ml', estimator = 'MLR',",
                    "fixed.x = FALSE)"),
              NOTE_HS_MISSING)
write_parts("robust_fiml_hs_cov_random_mlr", e, "V3")
