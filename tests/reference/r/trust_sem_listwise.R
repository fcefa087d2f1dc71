# Run from the repository root:  Rscript tests/reference/r/trust_sem_listwise.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

trust <- read.csv(pkg_data_path("trust_survey.csv"))
model_file <- "trustsem/models/second_order.lav"
code <- 'model <- paste(readLines(file.path(REPO_DIR, "trustsem", "models", "second_order.lav")), collapse = "\\n")
fit <- sem(model, data = trust)'

# lavaan's default missing = "listwise": record how many rows were used
fit0 <- sem(paste(readLines(file.path(REPO_DIR, model_file)), collapse = "\n"), data = trust)
run_timed_trust_case("trust_sem_listwise", code, model_file, trust, extra = list(
  listwise = list(norig = lavInspect(fit0, "norig"), nobs_used = lavInspect(fit0, "nobs"),
                  n_deleted = lavInspect(fit0, "norig") - lavInspect(fit0, "nobs"),
                  note = "lavaan default missing = \"listwise\": rows with any NA among the model items are dropped; nobs in this file is the number used")))
