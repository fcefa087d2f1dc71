# Shared helpers for the lavaan reference fixtures of trustsem.
#
# All scripts are meant to be run from the repository root:
#     Rscript tests/reference/r/<case>.R
# (they also work from elsewhere: paths are resolved relative to the script).
#
# Every case script does
#     source(file.path(<dir of this script>, "_common.R"))
# then fits a model with lavaan (wrapped in capture_fit() so warnings are
# recorded) and calls write_case().

suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
  library(psych)
  library(jsonlite)
})

# --- paths -------------------------------------------------------------------

.script_dir <- function() {
  args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  if (length(f) == 1L) return(dirname(normalizePath(f)))
  # fallback: assume working directory is the repo root
  normalizePath(file.path("tests", "reference", "r"))
}

R_DIR    <- .script_dir()                                   # tests/reference/r
REF_DIR  <- normalizePath(file.path(R_DIR, ".."))           # tests/reference
DATA_DIR <- file.path(REF_DIR, "data")                      # tests/reference/data
REPO_DIR <- normalizePath(file.path(REF_DIR, "..", ".."))   # repo root
PKG_DATA_DIR <- file.path(REPO_DIR, "trustsem", "data", "datasets")

ref_path  <- function(...) file.path(REF_DIR, ...)
data_path <- function(...) file.path(DATA_DIR, ...)
pkg_data_path <- function(...) file.path(PKG_DATA_DIR, ...)

# --- common data notes --------------------------------------------------------

NOTE_HS <- paste(
  "HolzingerSwineford1939 from the R package lavaan (GPL >= 2), exported to",
  "tests/reference/data/holzinger_swineford_1939.csv. Original source: Holzinger, K.,",
  "& Swineford, F. (1939). A study in factor analysis: The stability of a bi-factor",
  "solution. Supplementary Educational Monograph, no. 48. Chicago: University of Chicago Press.")
NOTE_POLDEM <- paste(
  "PoliticalDemocracy from the R package lavaan (GPL >= 2), exported to",
  "tests/reference/data/political_democracy.csv. Original source: Bollen, K. A. (1989).",
  "Structural Equations with Latent Variables. Wiley (see also Bollen 1979, 1980).")
NOTE_TALOR <- paste(
  "Tal_Or from the R package psych", as.character(packageVersion("psych")),
  "(GPL-2 | GPL-3), exported to tests/reference/data/tal_or.csv. Original source:",
  "Tal-Or, N., Cohen, J., Tsfati, Y., & Gunther, A. C. (2010). Testing causal direction in",
  "the influence of presumed media influence. Communication Research, 37, 892-920;",
  "used in Hayes, A. F. (2013). Introduction to Mediation, Moderation, and Conditional",
  "Process Analysis. Guilford.")
NOTE_TIKTOK <- paste(
  "trustsem/data/datasets/tiktok_shop_impulse_buying.csv (N = 361, 5-point items). Phan, D.H.,",
  "Nguyen, Q.D., Nguyen Phuc, V.K. (2024) Dataset on Vietnamese students' impulse buying",
  "behavior on TikTok shop. Data in Brief 57:111047, doi:10.1016/j.dib.2024.111047 (open",
  "access). Obtained via github.com/DavidCruzGomez/PythonFinalProject (commit 7f1e1aa; repo",
  "code MIT; data licence of the Kaggle/journal deposit not verified - cite the article).")
NOTE_LANCELOT <- paste(
  "trustsem/data/datasets/lancelot_miltgen_2016.csv (N = 1090), from the R package cSEM",
  "(github.com/M-E-Rademaker/cSEM commit 7f96724, data/LancelotMiltgenetal2016.RData; GPL-3).",
  "Lancelot-Miltgen, C., Popovic, A., & Oliveira, T. (2016); model as in the cSEM docs",
  "(Henseler 2020, Composite-Based Structural Equation Modeling).")
NOTE_ECSI <- paste(
  "trustsem/data/datasets/ecsi_satisfaction.csv (N = 250, 1-10 items; gender column dropped),",
  "the 'satisfaction' data from the R package plspm 0.4.9 (GPL-3; github.com/gastonstat/plspm",
  "commit bd21cb1). Source per plspm docs: Laboratory of Information Analysis and Modeling",
  "(LIAM), Facultat d'Informatica de Barcelona, UPC.")

# --- fitting with warning capture ---------------------------------------------

# Evaluate a lavaan call, collecting (not suppressing the recording of) all
# warnings it raises. Returns list(fit = <lavaan>, warnings = <character>).
capture_fit <- function(expr) {
  w <- character(0)
  fit <- withCallingHandlers(
    expr,
    warning = function(cond) {
      w <<- c(w, conditionMessage(cond))
      invokeRestart("muffleWarning")
    })
  if (length(w)) message("  [warnings] ", paste(w, collapse = " | "))
  list(fit = fit, warnings = w)
}

# --- writers ------------------------------------------------------------------

.write_csv <- function(df, file) {
  # write.csv default: 15 significant digits, no rounding beyond that.
  utils::write.csv(df, file, row.names = FALSE, na = "")
}

.implied_tables <- function(fit) {
  imp <- lavaan::fitted(fit)
  ng <- lavInspect(fit, "ngroups")
  glab <- lavInspect(fit, "group.label")
  if (ng == 1L) imp <- list(imp)
  covs <- list(); means <- list()
  for (g in seq_len(ng)) {
    S <- unclass(imp[[g]]$cov)
    S <- matrix(S, nrow = nrow(S), dimnames = dimnames(S))
    cdf <- data.frame(var = rownames(S), S, check.names = FALSE,
                      stringsAsFactors = FALSE)
    if (ng > 1L) cdf <- cbind(group = g, group_label = glab[g], cdf)
    covs[[g]] <- cdf
    if (!is.null(imp[[g]]$mean)) {
      m <- imp[[g]]$mean
      mdf <- data.frame(var = names(m), mean = as.numeric(m),
                        stringsAsFactors = FALSE)
      if (ng > 1L) mdf <- cbind(group = g, group_label = glab[g], mdf)
      means[[g]] <- mdf
    }
  }
  list(cov = do.call(rbind, covs),
       mean = if (length(means)) do.call(rbind, means) else NULL)
}

.post_check <- function(fit) {
  w <- character(0)
  ok <- withCallingHandlers(
    tryCatch(lavInspect(fit, "post.check"), error = function(e) NA),
    warning = function(cond) {
      w <<- c(w, conditionMessage(cond)); invokeRestart("muffleWarning")
    })
  list(ok = isTRUE(ok), warnings = w)
}

versions <- function() {
  list(R = R.version.string,
       lavaan = as.character(packageVersion("lavaan")),
       semTools = as.character(packageVersion("semTools")),
       psych = as.character(packageVersion("psych")),
       jsonlite = as.character(packageVersion("jsonlite")),
       platform = R.version$platform)
}

# write_case(fit, case, call_text, data_note, warnings = character(0), extra = list())
#   fit       : fitted lavaan object
#   case      : case name (file prefix)
#   call_text : exact R code used to fit (model syntax included)
#   data_note : provenance / licence of the data
#   warnings  : character vector of warnings raised while fitting (see capture_fit)
#   extra     : named list of additional meta entries
write_case <- function(fit, case, call_text, data_note,
                       warnings = character(0), extra = list()) {
  message("writing case ", case)

  est <- parameterEstimates(fit, standardized = TRUE)
  .write_csv(as.data.frame(est), ref_path(paste0(case, "__estimates.csv")))

  std <- standardizedSolution(fit, type = "std.all")
  .write_csv(as.data.frame(std), ref_path(paste0(case, "__std.csv")))
  stdlv <- standardizedSolution(fit, type = "std.lv")
  .write_csv(as.data.frame(stdlv), ref_path(paste0(case, "__stdlv.csv")))

  fm <- fitMeasures(fit)
  .write_csv(data.frame(measure = names(fm), value = as.numeric(fm),
                        stringsAsFactors = FALSE),
             ref_path(paste0(case, "__fit.csv")))

  imp <- .implied_tables(fit)
  .write_csv(imp$cov, ref_path(paste0(case, "__implied.csv")))
  if (!is.null(imp$mean))
    .write_csv(imp$mean, ref_path(paste0(case, "__implied_mean.csv")))

  opt <- lavInspect(fit, "options")
  keep <- c("estimator", "se", "information", "h1.information",
            "observed.information", "test", "likelihood", "missing",
            "meanstructure", "fixed.x", "std.lv", "sample.cov.rescale",
            "group.equal", "conditional.x", "optim.method")
  opts <- lapply(opt[keep], function(x) if (is.null(x)) NA else x)
  names(opts) <- keep

  pc <- .post_check(fit)
  ng <- lavInspect(fit, "ngroups")
  nobs <- lavInspect(fit, "nobs")
  meta <- c(list(
    case = case,
    versions = versions(),
    call = call_text,
    date = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
    options = opts,
    ngroups = ng,
    group_label = if (ng > 1L) as.list(lavInspect(fit, "group.label")) else NULL,
    nobs = as.list(as.numeric(nobs)),
    ntotal = lavInspect(fit, "ntotal"),
    npar = lavInspect(fit, "npar"),
    converged = lavInspect(fit, "converged"),
    iterations = lavInspect(fit, "iterations"),
    post_check_ok = pc$ok,
    post_check_warnings = as.list(pc$warnings),
    warnings = as.list(unique(warnings)),
    data_note = data_note,
    files = list(
      estimates = paste0(case, "__estimates.csv"),
      std_all = paste0(case, "__std.csv"),
      std_lv = paste0(case, "__stdlv.csv"),
      fit = paste0(case, "__fit.csv"),
      implied_cov = paste0(case, "__implied.csv"),
      implied_mean = if (!is.null(imp$mean)) paste0(case, "__implied_mean.csv"))
  ), extra)
  meta$files <- meta$files[!vapply(meta$files, is.null, logical(1))]
  meta <- meta[!vapply(meta, is.null, logical(1))]
  jsonlite::write_json(meta, ref_path(paste0(case, "__meta.json")),
                       auto_unbox = TRUE, pretty = TRUE, digits = NA,
                       null = "null", na = "null")
  invisible(meta)
}

# Write a data frame to tests/reference/data (and optionally to trustsem/data/datasets).
export_data <- function(df, file, pkg_file = NULL) {
  df <- as.data.frame(df)
  for (nm in names(df)) if (is.factor(df[[nm]])) df[[nm]] <- as.character(df[[nm]])
  attributes(df) <- attributes(df)[c("names", "row.names", "class")]
  chr <- vapply(df, is.character, logical(1))
  if (any(vapply(df[chr], function(x) any(grepl('[,"]', x)), logical(1))))
    stop("character column contains a comma or quote; cannot write unquoted")
  # plain CSV: header row, no row names, no quoting, NA as empty cell
  utils::write.csv(df, data_path(file), row.names = FALSE, na = "", quote = FALSE)
  if (!is.null(pkg_file))
    utils::write.csv(df, pkg_data_path(pkg_file), row.names = FALSE, na = "", quote = FALSE)
  invisible(df)
}

# The standard 3-factor Holzinger-Swineford model.
HS_MODEL <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"

# run_case(case, code, data_note, extra = list())
#   Evaluates `code` (a string of R code that must create an object `fit`) in a
#   fresh environment, capturing warnings, and writes all fixture files. The
#   string itself is stored verbatim in meta$call, so meta$call is exactly what ran.
run_case <- function(case, code, data_note, extra = list()) {
  env <- new.env(parent = globalenv())
  res <- capture_fit(eval(parse(text = code), envir = env))
  fit <- get("fit", envir = env)
  write_case(fit, case, code, data_note, warnings = res$warnings, extra = extra)
  invisible(env)
}

# Deterministic MCAR missingness for the HS data (cases hs_fiml, hs_fiml_expected):
# set.seed(20261122); 271 of the 301 x 9 = 2709 cells of x1..x9 (10.0%) are
# sampled without replacement and set to NA; any row that would become completely
# empty gets one randomly chosen cell restored (none occur with this seed; see
# meta$missingness). Writes tests/reference/data/hs_missing.csv (NA = empty cell)
# and returns the data as read back from that file, so R and Python use
# byte-identical input.
make_hs_missing <- function() {
  set.seed(20261122)
  X <- lavaan::HolzingerSwineford1939[, paste0("x", 1:9)]
  n_cells <- nrow(X) * ncol(X)
  n_na <- round(0.10 * n_cells)
  idx <- sample.int(n_cells, n_na)
  M <- matrix(FALSE, nrow(X), ncol(X))
  M[idx] <- TRUE
  n_restored <- 0L
  for (i in which(rowSums(M) == ncol(M))) {
    M[i, sample.int(ncol(M), 1L)] <- FALSE
    n_restored <- n_restored + 1L
  }
  X[M] <- NA
  export_data(X, "hs_missing.csv")
  d <- utils::read.csv(data_path("hs_missing.csv"))
  stopifnot(identical(is.na(as.matrix(d)), is.na(as.matrix(X))),
            all(rowSums(!is.na(d)) >= 1L))
  attr(d, "missingness") <- list(
    seed = 20261122L, missing_cells = sum(M), total_cells = n_cells,
    missing_fraction = mean(M), rows_restored = n_restored,
    complete_rows = sum(rowSums(M) == 0L),
    na_per_variable = as.list(colSums(M) |> setNames(names(X))))
  d
}

NOTE_HS_MISSING <- paste(
  NOTE_HS, "Missing values generated by make_hs_missing() in tests/reference/r/_common.R",
  "(set.seed(20261122); 271 of 2709 cells of x1..x9 set to NA, MCAR) and saved to",
  "tests/reference/data/hs_missing.csv (NA = empty cell); the model is fitted on that file.")

# --- reliability fixtures (phase 2) ---------------------------------------------

# write_reliability(dataset, model, data, data_note)
#   Fits cfa(model, data) and writes
#     <dataset>__reliability.csv      construct, n_items, alpha, alpha_std, omega, cr, ave
#     <dataset>__htmt.csv             semTools::htmt(model, data), first column construct
#     <dataset>__reliability_meta.json
write_reliability <- function(dataset, model, data, data_note) {
  message("writing reliability for ", dataset)
  warn <- character(0)
  collect <- function(expr) withCallingHandlers(expr, warning = function(cond) {
    warn <<- c(warn, conditionMessage(cond)); invokeRestart("muffleWarning")
  })
  fit <- collect(cfa(model, data = data))
  pt <- parTable(fit)
  lv <- lavNames(fit, "lv")
  items <- lapply(setNames(lv, lv), function(f) pt$rhs[pt$op == "=~" & pt$lhs == f])

  alph <- lapply(items, function(it) collect(psych::alpha(data[, it]))$total)
  omega <- collect(semTools::compRelSEM(fit))                   # default: obs.var = TRUE
  cr    <- collect(semTools::compRelSEM(fit, obs.var = FALSE))  # model-implied denominator
  ave   <- collect(semTools::AVE(fit))

  rel <- data.frame(
    construct = lv,
    n_items   = vapply(items, length, integer(1)),
    alpha     = vapply(alph, function(a) a$raw_alpha, numeric(1)),
    alpha_std = vapply(alph, function(a) a$std.alpha, numeric(1)),
    omega     = as.numeric(omega[lv]),
    cr        = as.numeric(cr[lv]),
    ave       = as.numeric(ave[lv]),
    stringsAsFactors = FALSE)
  .write_csv(rel, ref_path(paste0(dataset, "__reliability.csv")))

  H <- collect(semTools::htmt(model, data = data))
  H <- unclass(H)
  H <- matrix(H, nrow = nrow(H), dimnames = dimnames(H))
  .write_csv(data.frame(construct = rownames(H), H, check.names = FALSE,
                        stringsAsFactors = FALSE),
             ref_path(paste0(dataset, "__htmt.csv")))

  meta <- list(
    dataset = dataset,
    versions = versions(),
    model = model,
    date = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
    n = nrow(data),
    fit_call = "fit <- cfa(model, data = data)  # lavaan defaults (ML, expected information)",
    converged = lavInspect(fit, "converged"),
    columns = list(
      alpha = "psych::alpha(data[, items])$total$raw_alpha (check.keys = FALSE default)",
      alpha_std = "psych::alpha(data[, items])$total$std.alpha",
      omega = "semTools::compRelSEM(fit) with defaults (obs.var = TRUE, tau.eq = FALSE): observed total variance in the denominator",
      cr = "semTools::compRelSEM(fit, obs.var = FALSE): model-implied total variance in the denominator",
      ave = "semTools::AVE(fit) with defaults (obs.var = TRUE)"),
    htmt_call = "semTools::htmt(model, data = data) with defaults (missing = 'listwise', absolute = TRUE, htmt2 = TRUE i.e. geometric-mean HTMT2)",
    compRelSEM_args = deparse(args(semTools::compRelSEM)),
    AVE_args = deparse(args(semTools::AVE)),
    htmt_args = deparse(args(semTools::htmt)),
    warnings = as.list(unique(warn)),
    data_note = data_note)
  jsonlite::write_json(meta, ref_path(paste0(dataset, "__reliability_meta.json")),
                       auto_unbox = TRUE, pretty = TRUE, digits = NA)
  invisible(list(fit = fit, reliability = rel, htmt = H))
}

# ---- shared by the trust_*.R cases ------------------------------------------

NOTE_TRUST <- paste(
  "trustsem/data/datasets/trust_survey.csv (N = 600, 51 five-point items, about 1% of item cells",
  "missing completely at random, NA = empty cell; read with read.csv). Simulated, no real",
  "respondents: trustsem.data.simulate.simulate_survey(n=600, seed=20261122, scale_points=5,",
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

# Fit `code` (which reads `model_file` and assigns `fit`) to the trust survey:
# time it, write the fixture of `case` with the timing, model and data summary
# in meta (plus `extra`), and check the timed runs equal the fixture fit.
run_timed_trust_case <- function(case, code, model_file, trust, extra = list()) {
  tm <- time_fit(code)
  ov <- lavNames(tm$fit, "ov")
  summary <- list(data_summary = list(n_rows = nrow(trust), n_model_items = length(ov),
                                      missing_cells = sum(is.na(trust[, ov])),
                                      complete_rows = sum(complete.cases(trust[, ov]))))
  env <- run_case(case, code, NOTE_TRUST, extra = c(tm$meta, model_meta(model_file), summary, extra))
  stopifnot(identical(as.numeric(fitMeasures(env$fit, "chisq")), tm$chisq))  # timed runs = fixture fit
  print(fitMeasures(env$fit, c("chisq", "df", "cfi", "rmsea", "srmr")))
  cat("elapsed_seconds:", tm$meta$elapsed_seconds, "runs:", unlist(tm$meta$elapsed_seconds_runs), "\n")
  invisible(list(env = env, tm = tm))
}
