# Run from the repository root:  Rscript tests/reference/r/trust_sem_fiml.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

trust <- read.csv(pkg_data_path("trust_survey.csv"))
model_file <- "trustsem/models/second_order.lav"
code <- 'model <- paste(readLines(file.path(REPO_DIR, "trustsem", "models", "second_order.lav")), collapse = "\\n")
fit <- sem(model, data = trust, missing = "ml")'

run_timed_trust_case("trust_sem_fiml", code, model_file, trust)
