# Run from the repository root:  Rscript tests/reference/r/hs_fiml_expected.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

hs_missing <- make_hs_missing()
miss_info <- attr(hs_missing, "missingness")
attr(hs_missing, "missingness") <- NULL
env <- run_case("hs_fiml_expected", 'model <- "
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
fit <- cfa(model, data = hs_missing, missing = "ml", information = "expected")', NOTE_HS_MISSING,
  extra = list(missingness = miss_info))
