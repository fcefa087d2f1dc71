# Run from the repository root:  Rscript tests/reference/r/lancelot_sem.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

lancelot <- read.csv(pkg_data_path("lancelot_miltgen_2016.csv"))
run_case("lancelot_sem", 'model <- "
Trust =~ trust1 + trust2
PrCon =~ privcon1 + privcon2 + privcon3 + privcon4
Risk  =~ risk1 + risk2 + risk3
Int   =~ intent1 + intent2
Int   ~ Trust + PrCon + Risk
Risk  ~ Trust + PrCon
Trust ~ PrCon
"
fit <- sem(model, data = lancelot)', NOTE_LANCELOT)
