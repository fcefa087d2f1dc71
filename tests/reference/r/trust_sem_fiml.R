# Run from the repository root:  Rscript tests/reference/r/trust_sem_fiml.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

NOTE_TRUST <- paste(
  "trustsem/datasets/trust_survey.csv (N = 600, 51 five-point items, about 1% of item cells",
  "missing completely at random, NA = empty cell; read with read.csv). Simulated, no real",
  "respondents: trustsem.simulate.simulate_survey(n=600, seed=20261122, scale_points=5,",
  "module_b=True, careless_rate=0.02, missing_rate=0.01, trust='second_order'); the ~2%",
  "careless respondents are left in. MIT (trustsem). Model syntax read from the shipped",
  "trustsem/models/*.lav file named in model_file.")

# Wall-clock time of the lavaan fit alone: the last statement of `code` (the sem()/cfa()
# call) is timed with system.time() in n fresh runs; the statements before it (reading
# the model file) are evaluated first and not timed. Returns the meta entries and the
# fit of the last run.
time_fit <- function(code, n = 3L) {
  exprs <- parse(text = code)
  k <- length(exprs)
  load_before <- tryCatch(readLines("/proc/loadavg", n = 1L), error = function(e) NA_character_)
  runs <- numeric(n); fits <- vector("list", n)
  for (i in seq_len(n)) {
    env <- new.env(parent = globalenv())
    for (e in exprs[-k]) eval(e, env)
    runs[i] <- unname(system.time(suppressWarnings(eval(exprs[[k]], env)))["elapsed"])
    fits[[i]] <- get("fit", envir = env)
  }
  chisq <- vapply(fits, function(f) unname(fitMeasures(f, "chisq")), numeric(1))
  stopifnot(length(unique(chisq)) == 1L)
  si <- sessionInfo()
  cpu <- tryCatch(sub("^model name\\s*:\\s*", "",
                      grep("^model name", readLines("/proc/cpuinfo"), value = TRUE)[1]),
                  error = function(e) NA_character_)
  list(meta = list(
         elapsed_seconds = median(runs),
         elapsed_seconds_runs = as.list(runs),
         elapsed_note = paste(
           "median of", n, "runs of system.time(<fit statement>)[\"elapsed\"] (wall clock, seconds),",
           "each in a fresh environment in the same R session, run before the fixture fit;",
           "reading the data and the model file is not timed. Changes from run to run."),
         timing_platform = list(cpu = cpu, cores = parallel::detectCores(),
                                BLAS = si$BLAS, LAPACK = si$LAPACK,
                                running = si$running,
                                loadavg_before = load_before)),
       fit = fits[[n]], chisq = chisq[1])
}

model_meta <- function(file) {
  path <- file.path(REPO_DIR, file)
  list(model_file = file,
       model_md5 = unname(tools::md5sum(path)),
       model_syntax = paste(readLines(path), collapse = "\n"))
}

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
