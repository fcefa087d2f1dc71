# Indirect effects (:= rows) of one latent mediation model under every estimator:
# ML, MLR, MLM, FIML (missing = "ml"), and WLSMV (delta and theta parameterizations) on the
# ordinal HS items; plus the
# trust survey's second-order model (WLSMV, pairwise) with the H1-H7 indirect effects.
# Reference for trustsem.indirect_effects() (delta-method SEs of the := rows).
# Needs tests/reference/data/hs_ordinal4.csv (wlsmv_group.R) and hs_missing.csv (hs_fiml.R).
# Run from the repository root:  Rscript tests/reference/r/mediation_estimators.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

HS <- lavaan::HolzingerSwineford1939
hs_missing <- utils::read.csv(data_path("hs_missing.csv"))
hs4 <- utils::read.csv(data_path("hs_ordinal4.csv"))
trust <- utils::read.csv("trustsem/data/datasets/trust_survey.csv")
NOTE_HS4 <- paste("HolzingerSwineford1939 (lavaan), x1-x9 cut at their quartiles into 4 ordered",
                  "categories (tests/reference/data/hs_ordinal4.csv).")
med <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ a*visual
speed ~ b*textual + c*visual
ab := a*b
total := c + a*b"
assign("med", med, envir = globalenv())

run_case("hs_med_ml", "fit <- sem(med, data = HS)", NOTE_HS)
run_case("hs_med_mlr", "fit <- sem(med, data = HS, estimator = 'MLR')", NOTE_HS)
run_case("hs_med_mlm", "fit <- sem(med, data = HS, estimator = 'MLM')", NOTE_HS)
run_case("hs_med_fiml", "fit <- sem(med, data = hs_missing, missing = 'ml')", NOTE_HS_MISSING)
run_case("hs4_med_wlsmv", "fit <- sem(med, data = hs4, ordered = TRUE, estimator = 'WLSMV')", NOTE_HS4)
run_case("hs4_med_wlsmv_theta",
         "fit <- sem(med, data = hs4, ordered = TRUE, estimator = 'WLSMV', parameterization = 'theta')",
         NOTE_HS4)

# second-order trust model: the measurement part of the shipped file, labelled paths
lav <- readLines("trustsem/models/second_order.lav")
meas <- sub("\\s*#.*$", "", lav[grepl("=~", lav)])
trust_med <- paste(c(meas,
  "TRUST ~ h1*PREP + h2*PASS + h3*MREP + h4*PQ + h5*INFO + h6*SOC + h7*EXP",
  "PI ~ h8*TRUST + d5*INFO + d6*SOC",
  paste0("ind", 1:7, " := h", 1:7, "*h8"),
  "tot5 := d5 + h5*h8", "tot6 := d6 + h6*h8"), collapse = "\n")
assign("trust_med", trust_med, envir = globalenv())
run_case("trust_med_wlsmv",
         "fit <- sem(trust_med, data = trust, ordered = TRUE, estimator = 'WLSMV', missing = 'pairwise')",
         NOTE_TRUST, extra = list(model_syntax = trust_med))
