# Robust ML: MLM (Satorra-Bentler) and MLR (Huber-White SEs, Yuan-Bentler scaled
# test, robust CFI/TLI/RMSEA), complete data and FIML.
# Run from the repository root:  Rscript tests/reference/r/robust_ml.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

HS <- lavaan::HolzingerSwineford1939
hs_missing <- utils::read.csv(data_path("hs_missing.csv"))
trust <- utils::read.csv("trustsem/data/datasets/trust_survey.csv")
tiktok <- utils::read.csv("trustsem/data/datasets/tiktok_shop_impulse_buying.csv")
PD <- lavaan::PoliticalDemocracy
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
pd_model <- "ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem65 =~ y5 + y6 + y7 + y8\ndem60 ~ ind60\ndem65 ~ ind60 + dem60\ny1 ~~ y5\ny2 ~~ y4 + y6\ny3 ~~ y7\ny4 ~~ y8\ny6 ~~ y8"
trust_model <- paste(readLines("trustsem/models/second_order.lav"), collapse = "\n")
tiktok_model <- "SC =~ SC1 + SC2 + SC3 + SC4\nSI =~ SI1 + SI2 + SI3 + SI4 + SI5\nTR =~ TR1 + TR2 + TR3 + TR4 + TR5\nHM =~ HM1 + HM2 + HM3\nSL =~ SL1 + SL2 + SL3 + SL4\nPP =~ PP1 + PP2 + PP3 + PP4\nOIB =~ OIB1 + OIB2 + OIB3\nTR ~ SI + PP\nOIB ~ SC + SI + TR + HM + SL + PP"

run_case("hs_mlm", "fit <- cfa(hs_model, data = HS, estimator = 'MLM')", NOTE_HS)
run_case("hs_mlr", "fit <- cfa(hs_model, data = HS, estimator = 'MLR')", NOTE_HS)
run_case("hs_mlr_fiml", "fit <- cfa(hs_model, data = hs_missing, estimator = 'MLR', missing = 'ml')", NOTE_HS_MISSING)
run_case("poldem_mlr", "fit <- sem(pd_model, data = PD, estimator = 'MLR')", "PoliticalDemocracy from lavaan (Bollen 1989).")
run_case("tiktok_mlr", "fit <- sem(tiktok_model, data = tiktok, estimator = 'MLR')", "TikTok Shop impulse buying (Phan et al. 2024, Data in Brief 57:111047).")
run_case("trust_mlr_fiml", "fit <- sem(trust_model, data = trust, estimator = 'MLR', missing = 'ml')", "Bundled simulated trust survey (trustsem).")
