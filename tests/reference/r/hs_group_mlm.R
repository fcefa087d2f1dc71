# Satorra-Bentler (MLM) scaled test with cross-group equality constraints: lavaan's
# Gamma is the covariance of the sample moments within each group.
# Run from the repository root:  Rscript tests/reference/r/hs_group_mlm.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

HS <- lavaan::HolzingerSwineford1939
run_case("hs_group_scalar_mlm",
         'fit <- cfa(HS_MODEL, data = HS, group = "school", group.equal = c("loadings", "intercepts"),
           estimator = "MLM")', NOTE_HS)
