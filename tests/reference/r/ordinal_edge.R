# Run from the repository root:  Rscript tests/reference/r/ordinal_edge.R
#
# Edge cases of the ordinal first stage (trustsem.sem.engine.ordinal) against lavaan:
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

source(file.path(.dir, "_ordinal_common.R"))
write_ordinal_case(case, code, data, items, NOTE_EDGE,
                   extra = list(data = lapply(data, function(x) as.list(x))))
