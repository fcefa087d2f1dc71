# WLSMV (DWLS on polychoric correlations, robust SEs, scaled-shifted test).
# Run from the repository root:  Rscript tests/reference/r/wlsmv.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

tiktok <- utils::read.csv("trustsem/data/datasets/tiktok_shop_impulse_buying.csv")
trust <- utils::read.csv("trustsem/data/datasets/trust_survey.csv")
tk_model <- "SC =~ SC1 + SC2 + SC3 + SC4\nSI =~ SI1 + SI2 + SI3 + SI4 + SI5\nTR =~ TR1 + TR2 + TR3 + TR4 + TR5\nHM =~ HM1 + HM2 + HM3"
tk_sem <- paste(tk_model, "TR ~ SI\nHM ~ SC + TR", sep = "\n")
trust_cfa <- paste(readLines("trustsem/models/cfa_second_order.lav"), collapse = "\n")
trust_sem <- paste(readLines("trustsem/models/second_order.lav"), collapse = "\n")
NOTE_TK <- "TikTok Shop impulse buying (Phan, Nguyen & Nguyen Phuc 2024, Data in Brief 57:111047), 5-point items."
NOTE_TRUST <- "Bundled simulated trust survey (trustsem); ~1% missing cells, pairwise deletion in the first stage."

run_case("tiktok_wlsmv_cfa", "fit <- cfa(tk_model, data = tiktok, ordered = TRUE, estimator = 'WLSMV')", NOTE_TK)
run_case("tiktok_wlsmv_sem", "fit <- sem(tk_sem, data = tiktok, ordered = TRUE, estimator = 'WLSMV')", NOTE_TK)
run_case("trust_wlsmv_cfa", "fit <- cfa(trust_cfa, data = trust, ordered = TRUE, estimator = 'WLSMV', missing = 'pairwise')", NOTE_TRUST)
run_case("trust_wlsmv_sem", "fit <- sem(trust_sem, data = trust, ordered = TRUE, estimator = 'WLSMV', missing = 'pairwise')", NOTE_TRUST)
