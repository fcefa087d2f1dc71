# Multi-group WLSMV (delta parameterization) on HS x1-x9 cut into quartiles, by school:
# configural, thresholds, thresholds + loadings, + intercepts, and a partial level.
# Writes the data file tests/reference/data/hs_ordinal4.csv used by the WLSMV fixtures.
# Run from the repository root:  Rscript tests/reference/r/wlsmv_group.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

hs4 <- lavaan::HolzingerSwineford1939[, c("id", "school", paste0("x", 1:9))]
for (v in paste0("x", 1:9))
  hs4[[v]] <- as.integer(cut(hs4[[v]], stats::quantile(hs4[[v]], 0:4 / 4), include.lowest = TRUE))
export_data(hs4, "hs_ordinal4.csv")
hs4 <- utils::read.csv(data_path("hs_ordinal4.csv"))
NOTE_HS4 <- paste("HolzingerSwineford1939 (lavaan), x1-x9 cut at their quartiles into 4 ordered",
                  "categories (tests/reference/data/hs_ordinal4.csv).")

fit_code <- function(ge, extra = "") paste0(
  'fit <- cfa(HS_MODEL, data = hs4, ordered = TRUE, estimator = "WLSMV", group = "school"',
  if (length(ge)) paste0(', group.equal = c(', paste0('"', ge, '"', collapse = ", "), ')') else "",
  extra, ')')

run_case("hs4_wlsmv_configural", fit_code(character(0)), NOTE_HS4)
run_case("hs4_wlsmv_thresholds", fit_code("thresholds"), NOTE_HS4)
run_case("hs4_wlsmv_metric", fit_code(c("thresholds", "loadings")), NOTE_HS4)
run_case("hs4_wlsmv_scalar", fit_code(c("thresholds", "loadings", "intercepts")), NOTE_HS4)
run_case("hs4_wlsmv_partial", fit_code(c("thresholds", "loadings", "lv.variances"),
                                       ', group.partial = c("visual=~x2", "x3|t2")'), NOTE_HS4)
run_case("hs4_wlsmv_loadings", fit_code("loadings"), NOTE_HS4)
