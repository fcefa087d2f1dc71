# Run from the repository root:  Rscript tests/reference/r/measurement_hs.R
# Measurement-toolkit fixtures (item statistics, KMO, Bartlett, parallel analysis, EFA,
# Fornell-Larcker, cross-loadings, common-method bias) for HolzingerSwineford1939.
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))
source(file.path(.dir, "_measurement_common.R"))

hs <- read.csv(data_path("holzinger_swineford_1939.csv"))
write_measurement("hs", HS_MODEL, hs, NOTE_HS, efa_nfactors = 3, marker = "grade")
