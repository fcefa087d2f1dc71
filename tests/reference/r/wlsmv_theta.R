# WLSMV with parameterization = "theta" (residual variances of the latent responses as
# parameters), one group and by school with thresholds + loadings held equal.
# Needs tests/reference/data/hs_ordinal4.csv (wlsmv_group.R).
# Run from the repository root:  Rscript tests/reference/r/wlsmv_theta.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

hs4 <- utils::read.csv(data_path("hs_ordinal4.csv"))
NOTE_HS4 <- paste("HolzingerSwineford1939 (lavaan), x1-x9 cut at their quartiles into 4 ordered",
                  "categories (tests/reference/data/hs_ordinal4.csv).")
run_case("hs4_wlsmv_theta", paste0(
  'fit <- cfa(HS_MODEL, data = hs4, ordered = TRUE, estimator = "WLSMV",',
  ' parameterization = "theta")'), NOTE_HS4)
run_case("hs4_wlsmv_theta_metric", paste0(
  'fit <- cfa(HS_MODEL, data = hs4, ordered = TRUE, estimator = "WLSMV", group = "school",',
  ' group.equal = c("thresholds", "loadings"), parameterization = "theta")'), NOTE_HS4)
