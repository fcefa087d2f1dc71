# WLSMV with ordered and continuous observed variables in one model: x1, x2 cut at their
# quartiles (from tests/reference/data/hs_ordinal4.csv), x3-x6 the continuous HS scores.
# Also writes the first stage (lavInspect "wls.obs" with its labels, and "gamma").
# Run from the repository root:  Rscript tests/reference/r/wlsmv_mixed.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

hs4 <- utils::read.csv(data_path("hs_ordinal4.csv"))
hs <- utils::read.csv(data_path("holzinger_swineford_1939.csv"))
mixed <- data.frame(x1 = hs4$x1, x2 = hs4$x2, x3 = hs$x3, x4 = hs$x4, x5 = hs$x5, x6 = hs$x6)
NOTE <- paste("HolzingerSwineford1939 (lavaan): x1, x2 cut at their quartiles",
              "(tests/reference/data/hs_ordinal4.csv), x3-x6 continuous",
              "(tests/reference/data/holzinger_swineford_1939.csv).")
env <- run_case("hs4_wlsmv_mixed", paste0(
  'model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"\n',
  'fit <- cfa(model, data = mixed, ordered = c("x1", "x2"), estimator = "WLSMV")'), NOTE)
fit <- get("fit", env)
G <- lavInspect(fit, "gamma")
wls <- lavInspect(fit, "wls.obs")
.write_csv(data.frame(label = rownames(G), value = as.numeric(wls), G, check.names = FALSE,
                      stringsAsFactors = FALSE), ref_path("hs4_wlsmv_mixed__gamma.csv"))

# the same mixed model by school, thresholds, loadings and intercepts held equal
mixed$school <- hs$school
run_case("hs4_wlsmv_mixed_group", paste0(
  'model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"\n',
  'fit <- cfa(model, data = mixed, ordered = c("x1", "x2"), estimator = "WLSMV", group = "school",',
  ' group.equal = c("thresholds", "loadings", "intercepts"))'), NOTE)

# pairwise first stage with missing values: NA cells of tests/reference/data/hs_missing.csv
hsm <- utils::read.csv(data_path("hs_missing.csv"))
mixed_na <- data.frame(x1 = ifelse(is.na(hsm$x1), NA, hs4$x1), x2 = ifelse(is.na(hsm$x2), NA, hs4$x2),
                       x3 = hsm$x3, x4 = hsm$x4, x5 = hsm$x5, x6 = hsm$x6)
env <- run_case("hs4_wlsmv_mixed_pairwise", paste0(
  'model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"\n',
  'fit <- cfa(model, data = mixed_na, ordered = c("x1", "x2"), estimator = "WLSMV",',
  ' missing = "pairwise")'), paste(NOTE, "Missing cells as in hs_missing.csv."))
fit <- get("fit", env)
G <- lavInspect(fit, "gamma")
.write_csv(data.frame(label = rownames(G), value = as.numeric(lavInspect(fit, "wls.obs")), G,
                      check.names = FALSE, stringsAsFactors = FALSE),
           ref_path("hs4_wlsmv_mixed_pairwise__gamma.csv"))
