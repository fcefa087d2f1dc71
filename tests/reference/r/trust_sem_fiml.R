# Run from the repository root:  Rscript tests/reference/r/trust_sem_fiml.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

trust <- read.csv(pkg_data_path("trust_survey.csv"))
model_file <- "trustsem/models/second_order.lav"
code <- 'model <- paste(readLines(file.path(REPO_DIR, "trustsem", "models", "second_order.lav")), collapse = "\\n")
fit <- sem(model, data = trust, missing = "ml")'

tm <- time_fit(code)
ov <- lavNames(tm$fit, "ov")
env <- run_case("trust_sem_fiml", code, NOTE_TRUST, extra = c(
  tm$meta, model_meta(model_file),
  list(data_summary = list(n_rows = nrow(trust), n_model_items = length(ov),
                           missing_cells = sum(is.na(trust[, ov])),
                           complete_rows = sum(complete.cases(trust[, ov]))))))
stopifnot(identical(as.numeric(fitMeasures(env$fit, "chisq")), tm$chisq))  # timed runs = fixture fit
print(fitMeasures(env$fit, c("chisq", "df", "cfi", "rmsea", "srmr")))
cat("elapsed_seconds:", tm$meta$elapsed_seconds, "runs:", unlist(tm$meta$elapsed_seconds_runs), "\n")
