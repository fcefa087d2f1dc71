# Run from the repository root:  Rscript tests/reference/r/export_data.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

# Exports the classic data sets shipped with lavaan / psych to
# tests/reference/data/ and trustsem/data/datasets/.
export_data(lavaan::HolzingerSwineford1939, "holzinger_swineford_1939.csv",
            "holzinger_swineford_1939.csv")
export_data(lavaan::PoliticalDemocracy, "political_democracy.csv",
            "political_democracy.csv")
export_data(psych::Tal_Or, "tal_or.csv", "tal_or.csv")
