# Run from the repository root:  Rscript tests/reference/r/ordinal_edge.R
#
# Edge cases of the ordinal first stage (trustsem._engine.ordinal) against lavaan:
# binary items (2 x 2 tables, one of them with an empty cell, which lavaan corrects by
# adding 0.5 with the margins kept), an item whose value 3 is never used (lavaan
# recodes the observed values 1, 2, 4, 5 to 4 categories), 3- and 7-category items,
# ~5% MCAR missing cells and one completely empty row (ignored by lavaan).
# Simulated here (set.seed, MASS::mvrnorm); the data are stored in meta$data
# (columns, null = NA) so Python reads exactly what lavaan used.
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

case <- "ordinal_edge"
set.seed(20261122)
n <- 150
S <- matrix(0.5, 5, 5); diag(S) <- 1
Z <- MASS::mvrnorm(n, rep(0, 5), S)
data <- data.frame(
  b1 = as.integer(Z[, 1] > 0.3),
  b2 = as.integer(Z[, 2] > -0.2),
  b3 = NA_integer_,
  g1 = as.integer(cut(Z[, 3], c(-Inf, -1.2, -0.5, 0.6, Inf), labels = FALSE)),
  o3 = as.integer(cut(Z[, 4], c(-Inf, -0.4, 0.7, Inf), labels = FALSE)),
  o7 = as.integer(cut(Z[, 5], c(-Inf, -1.5, -0.8, -0.2, 0.3, 0.9, 1.6, Inf), labels = FALSE)))
data$b3 <- as.integer(data$b1 == 1L & Z[, 2] > 0.2)  # b1 x b3: cell (b1 = 0, b3 = 1) empty
data$g1 <- c(1L, 2L, 4L, 5L)[data$g1]                # value 3 never used
M <- matrix(runif(n * 6) < 0.05, n, 6); data[M] <- NA
data[7, ] <- NA                                        # one empty row
items <- names(data)
stopifnot(sum(data$b1 == 0L & data$b3 == 1L, na.rm = TRUE) == 0L)

code <- 'th  <- lavCor(data, ordered = items, missing = "pairwise", output = "th")
R   <- lavCor(data, ordered = items, missing = "pairwise", output = "cor")
fit <- cfa("F =~ b1 + b2 + b3 + g1 + o3 + o7",
           data = data, ordered = items, estimator = "WLSMV", missing = "pairwise")
G   <- lavInspect(fit, "gamma", add.labels = TRUE)'

NOTE_EDGE <- paste(
  "Simulated in tests/reference/r/ordinal_edge.R (set.seed(20261122), MASS::mvrnorm, n = 150,",
  "6 items, 5% MCAR cells, row 7 empty); stored column-wise in meta$data (null = NA). MIT (trustsem).")

# --- everything below is identical in ordinal_tiktok.R and ordinal_trust.R -----
env <- new.env(parent = globalenv())
assign("data", data, envir = env); assign("items", items, envir = env)
res <- capture_fit(eval(parse(text = code), envir = env))
th <- get("th", env); R <- get("R", env); fit <- get("fit", env); G <- get("G", env)

# the CFA's own first stage must equal lavCor's (same options apart from the model)
ss <- lavInspect(fit, "sampstat")
stopifnot(isTRUE(all.equal(unname(ss$th), unname(th), tolerance = 1e-10)),
          isTRUE(all.equal(unclass(ss$cov)[items, items], unclass(R)[items, items],
                           tolerance = 1e-10, check.attributes = FALSE)),
          identical(lavNames(fit, "ov"), items))

th_lab <- names(th)
.write_csv(data.frame(label = th_lab, item = sub("\\|t[0-9]+$", "", th_lab),
                      threshold = as.integer(sub("^.*\\|t", "", th_lab)),
                      value = as.numeric(th), stringsAsFactors = FALSE),
           ref_path(paste0(case, "__thresholds.csv")))
Rm <- matrix(unclass(R)[items, items], length(items), dimnames = list(items, items))
.write_csv(data.frame(var = items, Rm, check.names = FALSE, stringsAsFactors = FALSE),
           ref_path(paste0(case, "__polychoric.csv")))
Gm <- matrix(unclass(G), nrow(G), dimnames = dimnames(G))
.write_csv(data.frame(label = rownames(Gm), Gm, check.names = FALSE, stringsAsFactors = FALSE),
           ref_path(paste0(case, "__gamma.csv")))

X <- as.matrix(data[, items])
npair <- crossprod(!is.na(X)); storage.mode(npair) <- "integer"
opt <- lavInspect(fit, "options")
meta <- list(
  case = case,
  versions = versions(),
  call = code,
  date = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
  items = items,
  options = list(estimator = opt$estimator, missing = opt$missing, se = opt$se,
                 test = opt$test, parameterization = opt$parameterization,
                 zero.add = opt$zero.add, zero.keep.margins = opt$zero.keep.margins,
                 gamma.n.minus.one = opt$gamma.n.minus.one),
  nobs = lavInspect(fit, "nobs"),
  norig = lavInspect(fit, "norig"),
  n_pairs = lapply(seq_along(items), function(i) as.integer(npair[i, ])),
  n_pairs_range = range(npair[lower.tri(npair)]),
  coverage_equals_n_pairs = isTRUE(all.equal(unclass(lavInspect(fit, "coverage")),
                                             npair / lavInspect(fit, "nobs"),
                                             check.attributes = FALSE)),
  category_counts = lapply(setNames(items, items), function(v) as.list(table(data[[v]]))),
  zero_cell_pairs = unlist(lapply(seq_len(length(items) - 1L), function(j)
    lapply((j + 1L):length(items), function(i)
      if (any(table(data[[items[j]]], data[[items[i]]]) == 0L))
        paste(items[j], items[i], sep = " x ")))),
  gamma_order = paste("thresholds item by item in 'items' order (t1 < t2 < ...), then the",
                      "polychoric correlations of the lower triangle column by column:",
                      "(2,1), (3,1), ..., (p,1), (3,2), ...; labels in the first column of",
                      "__gamma.csv. Gamma = lavInspect(fit, 'gamma') = fit@SampleStats@NACOV,",
                      "i.e. N * WLS.W of lavaan's muthen1984(), gamma.n.minus.one = FALSE"),
  warnings = as.list(unique(res$warnings)),
  data_note = NOTE_EDGE,
  data = lapply(data, function(x) as.list(x)),
  files = list(thresholds = paste0(case, "__thresholds.csv"),
               polychoric = paste0(case, "__polychoric.csv"),
               gamma = paste0(case, "__gamma.csv")))
jsonlite::write_json(meta, ref_path(paste0(case, "__meta.json")),
                     auto_unbox = TRUE, pretty = TRUE, digits = NA,
                     null = "null", na = "null")
message("wrote ", case, ": ", length(th), " thresholds, ", nrow(Gm), " x ", ncol(Gm), " Gamma")
