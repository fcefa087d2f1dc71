# Run from the repository root:  Rscript tests/reference/r/reliability_tiktok.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

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
res <- write_reliability("tiktok", model, tiktok, NOTE_TIKTOK)
print(res$reliability); print(res$htmt)
