# Run from the repository root:  Rscript tests/reference/r/ordinal_tiktok.R
#
# Ordinal first stage (WLSMV sample statistics) for trustsem.sem.engine.ordinal:
# thresholds and polychoric correlations from lavCor(), and the asymptotic
# covariance matrix Gamma (lavaan's NACOV) of (thresholds, polychorics) from a
# WLSMV CFA, for the TikTok items TR1-TR5 and OIB1-OIB3 (N = 361, no missing).
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

case <- "ordinal_tiktok"
items <- c(paste0("TR", 1:5), paste0("OIB", 1:3))
tiktok <- read.csv(pkg_data_path("tiktok_shop_impulse_buying.csv"))
data <- tiktok[, items]

code <- 'th  <- lavCor(data, ordered = items, output = "th")
R   <- lavCor(data, ordered = items, output = "cor")
fit <- cfa("TR =~ TR1 + TR2 + TR3 + TR4 + TR5\nOIB =~ OIB1 + OIB2 + OIB3",
           data = data, ordered = items, estimator = "WLSMV")
G   <- lavInspect(fit, "gamma", add.labels = TRUE)'

source(file.path(.dir, "_ordinal_common.R"))
write_ordinal_case(case, code, data, items, NOTE_TIKTOK)
