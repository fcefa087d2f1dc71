# WLSMV with defined parameters (:=) and a label equality (==), single group.
# HS x1-x6 cut into quartiles (tests/reference/data/hs_ordinal4.csv, written by wlsmv_group.R).
# Run from the repository root:  Rscript tests/reference/r/wlsmv_defined.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

hs4 <- utils::read.csv(data_path("hs_ordinal4.csv"))
NOTE_HS4 <- paste("HolzingerSwineford1939 (lavaan), x1-x9 cut at their quartiles into 4 ordered",
                  "categories (tests/reference/data/hs_ordinal4.csv).")

run_case("hs4_wlsmv_defined", 'model <- "
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
textual ~ a*visual
d := 2*a"
fit <- sem(model, data = hs4, ordered = TRUE, estimator = "WLSMV")', NOTE_HS4)

run_case("hs4_wlsmv_equal", 'model <- "
visual =~ x1 + b1*x2 + x3
textual =~ x4 + b2*x5 + x6
b1 == b2
r := b1 - 1"
fit <- cfa(model, data = hs4, ordered = TRUE, estimator = "WLSMV")', NOTE_HS4)
