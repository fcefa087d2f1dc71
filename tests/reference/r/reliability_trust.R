# Run from the repository root:  Rscript tests/reference/r/reliability_trust.R
#
# Reliability fixtures for the simulated trust survey. Same files and columns as
# write_reliability() in _common.R (hs, tiktok, ecsi), but the data have missing
# cells, so:
#   * the CFA is fitted with missing = "ml" (FIML) and compRelSEM()/AVE() use that fit;
#   * psych::alpha() gets the complete cases of each construct's own items;
#   * htmt() uses missing = "ml" (the EM saturated correlation matrix, i.e. the
#     same h1 sample statistics as the FIML fit; checked below).
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

dataset <- "trust"
model_file <- "trustsem/models/cfa_correlated.lav"
model <- paste(readLines(file.path(REPO_DIR, model_file)), collapse = "\n")
data <- read.csv(pkg_data_path("trust_survey.csv"))

message("writing reliability for ", dataset)
warn <- character(0)
collect <- function(expr) withCallingHandlers(expr, warning = function(cond) {
  warn <<- c(warn, conditionMessage(cond)); invokeRestart("muffleWarning")
})
fit <- collect(cfa(model, data = data, missing = "ml"))
pt <- parTable(fit)
lv <- lavNames(fit, "lv")
items <- lapply(setNames(lv, lv), function(f) pt$rhs[pt$op == "=~" & pt$lhs == f])

cc <- lapply(items, function(it) stats::na.omit(data[, it]))
alph <- lapply(cc, function(d) collect(psych::alpha(d))$total)
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

H <- collect(semTools::htmt(model, data = data, missing = "ml"))
H <- unclass(H)
H <- matrix(H, nrow = nrow(H), dimnames = dimnames(H))
.write_csv(data.frame(construct = rownames(H), H, check.names = FALSE,
                      stringsAsFactors = FALSE),
           ref_path(paste0(dataset, "__htmt.csv")))

# htmt(missing = "ml") correlates the items through lavCor(missing = "ml"); check that
# this is the FIML fit's own h1 (EM) covariance matrix, so HTMT and omega share one basis.
S1 <- lavInspect(fit, "sampstat")$cov
ovn <- unlist(items, use.names = FALSE)
R_em <- lavCor(data[, ovn], missing = "ml")
htmt_same_h1 <- isTRUE(all.equal(unclass(cov2cor(S1))[ovn, ovn], unclass(R_em)[ovn, ovn],
                                 tolerance = 1e-6, check.attributes = FALSE))
stopifnot(htmt_same_h1)

meta <- list(
  dataset = dataset,
  versions = versions(),
  model = model,
  model_file = model_file,
  model_md5 = unname(tools::md5sum(file.path(REPO_DIR, model_file))),
  date = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
  n = nrow(data),
  fit_call = "fit <- cfa(model, data = data, missing = \"ml\")  # FIML; otherwise lavaan defaults (ML; information = observed for missing = 'ml')",
  converged = lavInspect(fit, "converged"),
  nobs = lavInspect(fit, "nobs"),
  chisq = unname(fitMeasures(fit, "chisq")), df = unname(fitMeasures(fit, "df")),
  columns = list(
    alpha = "psych::alpha(na.omit(data[, items]))$total$raw_alpha: complete cases of the construct's own items (n per construct in alpha_n_complete); check.keys = FALSE default",
    alpha_std = "psych::alpha(na.omit(data[, items]))$total$std.alpha (same complete cases)",
    omega = "semTools::compRelSEM(fit) with defaults (obs.var = TRUE, tau.eq = FALSE) on the FIML fit: observed total variance = the fit's h1 (EM) sample covariance lavInspect(fit, 'sampstat')",
    cr = "semTools::compRelSEM(fit, obs.var = FALSE) on the FIML fit: model-implied total variance in the denominator",
    ave = "semTools::AVE(fit) with defaults (obs.var = TRUE) on the FIML fit"),
  alpha_n_complete = lapply(cc, nrow),
  htmt_call = "semTools::htmt(model, data = data, missing = 'ml') (absolute = TRUE, htmt2 = TRUE i.e. geometric-mean HTMT2): item correlations from lavCor(missing = 'ml'), the EM saturated estimate",
  htmt_same_h1_as_fit = htmt_same_h1,
  compRelSEM_args = deparse(args(semTools::compRelSEM)),
  AVE_args = deparse(args(semTools::AVE)),
  htmt_args = deparse(args(semTools::htmt)),
  warnings = as.list(unique(warn)),
  data_note = NOTE_TRUST)
jsonlite::write_json(meta, ref_path(paste0(dataset, "__reliability_meta.json")),
                     auto_unbox = TRUE, pretty = TRUE, digits = NA)
print(rel); print(round(H, 3))
