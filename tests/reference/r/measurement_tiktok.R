# Run from the repository root:  Rscript tests/reference/r/measurement_tiktok.R
# Measurement-toolkit fixtures for the TikTok Shop impulse-buying data (7-factor CFA model).
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))
source(file.path(.dir, "_measurement_common.R"))

tiktok <- read.csv(pkg_data_path("tiktok_shop_impulse_buying.csv"))
model <- "
SC  =~ SC1 + SC2 + SC3 + SC4
SI  =~ SI1 + SI2 + SI3 + SI4 + SI5
TR  =~ TR1 + TR2 + TR3 + TR4 + TR5
HM  =~ HM1 + HM2 + HM3
SL  =~ SL1 + SL2 + SL3 + SL4
PP  =~ PP1 + PP2 + PP3 + PP4
OIB =~ OIB1 + OIB2 + OIB3
"
write_measurement("tiktok", model, tiktok, NOTE_TIKTOK, efa_nfactors = 7)

# omega / CR / AVE taken from a structural model (latent regressions, so the factor
# variances of TR and OIB are model-implied): trustsem.reliability(fit=<sem fit>).
sem_model <- paste(model, "TR ~ SI + PP", "OIB ~ SC + SI + TR + HM + SL + PP", sep = "\n")
fit_sem <- sem(sem_model, data = tiktok)
lv <- lavNames(fit_sem, "lv")
.wcsv(data.frame(construct = lv,
                 omega = as.numeric(semTools::compRelSEM(fit_sem)[lv]),
                 cr = as.numeric(semTools::compRelSEM(fit_sem, obs.var = FALSE)[lv]),
                 ave = as.numeric(semTools::AVE(fit_sem)[lv])),
      "tiktok__reliability_sem.csv")
