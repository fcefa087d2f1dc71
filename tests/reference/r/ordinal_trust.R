# Run from the repository root:  Rscript tests/reference/r/ordinal_trust.R
#
# Ordinal first stage (WLSMV sample statistics) for trustsem.sem.engine.ordinal, with
# missing values: thresholds and polychoric correlations from lavCor(), and Gamma
# (lavaan's NACOV) from a WLSMV CFA, for the trust-survey items PQ1-PQ3, INFO1-INFO4
# and TF1-TF3 (N = 600, ~1% MCAR cells). missing = "pairwise" is set explicitly:
# lavaan 0.6-14's default for categorical data is missing = "listwise".
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

case <- "ordinal_trust"
items <- c(paste0("PQ", 1:3), paste0("INFO", 1:4), paste0("TF", 1:3))
trust <- read.csv(pkg_data_path("trust_survey.csv"))
data <- trust[, items]

code <- 'th  <- lavCor(data, ordered = items, missing = "pairwise", output = "th")
R   <- lavCor(data, ordered = items, missing = "pairwise", output = "cor")
fit <- cfa("PQ =~ PQ1 + PQ2 + PQ3\nINFO =~ INFO1 + INFO2 + INFO3 + INFO4\nTF =~ TF1 + TF2 + TF3",
           data = data, ordered = items, estimator = "WLSMV", missing = "pairwise")
G   <- lavInspect(fit, "gamma", add.labels = TRUE)'

NOTE_TRUST <- paste(
  "trustsem/data/datasets/trust_survey.csv (N = 600, 5-point items, about 1% of item cells",
  "missing completely at random, NA = empty cell; read with read.csv). Simulated, no real",
  "respondents: trustsem.data.simulate.simulate_survey(n=600, seed=20261122, scale_points=5,",
  "module_b=True, careless_rate=0.02, missing_rate=0.01, trust='second_order'). MIT (trustsem).")

source(file.path(.dir, "_ordinal_common.R"))
write_ordinal_case(case, code, data, items, NOTE_TRUST)
