# Wald confidence intervals at a level other than 95 %: parameterEstimates(level = 0.90).
# Run from the repository root:  Rscript tests/reference/r/hs_level90.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

HS <- lavaan::HolzingerSwineford1939
env <- run_case("hs_level90", 'fit <- cfa(HS_MODEL, data = HS)', NOTE_HS,
                extra = list(level = 0.90))
est90 <- parameterEstimates(env$fit, standardized = TRUE, level = 0.90)
utils::write.csv(as.data.frame(est90), ref_path("hs_level90__estimates.csv"), row.names = FALSE, na = "")
