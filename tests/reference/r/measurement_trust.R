# Run from the repository root:  Rscript tests/reference/r/measurement_trust.R
# Measurement-toolkit fixtures for the simulated trust survey (cfa_correlated model, 11 factors).
# The data have ~1% missing cells: item statistics use each construct's complete cases,
# KMO/Bartlett/parallel/cross-loadings/CMB the complete cases of all model items, and
# Fornell-Larcker the FIML CFA (missing = "ml") and the classic HTMT the EM correlations
# (htmt(missing = "ml")), as trust__reliability does.
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))
source(file.path(.dir, "_measurement_common.R"))

NOTE_TRUST_M <- paste(
  "trustsem/data/datasets/trust_survey.csv (N = 600, simulated; MIT). Model read from",
  "trustsem/models/cfa_correlated.lav. The ~2% careless respondents are left in.")
model <- paste(readLines(file.path(REPO_DIR, "trustsem/models/cfa_correlated.lav")), collapse = "\n")
data <- read.csv(pkg_data_path("trust_survey.csv"))
write_measurement("trust", model, data, NOTE_TRUST_M, efa_nfactors = NULL,
                  marker = "tenure_years", cfa_missing = "ml", htmt_missing = "ml")
