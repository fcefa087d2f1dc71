# FIML with missing values in a fixed exogenous covariate (MIMIC model on HS).
# 15 of 301 ageyr values (5 %) are set to NA: set.seed(20261122);
# sample.int(301, 15). Writes tests/reference/data/hs_mimic_missing_x.csv.
#   hs_mimic_ml  : missing = "ml"   (rows with a missing covariate are dropped, lavaan warns)
#   hs_mimic_mlx : missing = "ml.x" (those rows are kept; covariates enter the likelihood)
#   hs_mimic_mlx_y: missing = "ml.x" on the same data plus the NA cells of hs_missing.csv in x1-x9
# Run from the repository root:  Rscript tests/reference/r/hs_mimic_missing_x.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

HS <- lavaan::HolzingerSwineford1939[, c("ageyr", paste0("x", 1:9))]
set.seed(20261122)
na_rows <- sample.int(nrow(HS), 15)
HS$ageyr[na_rows] <- NA
hs_y <- utils::read.csv(data_path("hs_missing.csv"))
both <- HS
both[, paste0("x", 1:9)] <- hs_y[, paste0("x", 1:9)]
names(both)[-1] <- paste0(names(both)[-1], "m")
out <- cbind(HS, both[, -1])
export_data(out, "hs_mimic_missing_x.csv")
dat <- utils::read.csv(data_path("hs_mimic_missing_x.csv"))
dx <- dat[, c("ageyr", paste0("x", 1:9))]
dxy <- dat[, c("ageyr", paste0("x", 1:9, "m"))]
names(dxy) <- names(dx)
note <- paste(NOTE_HS, "ageyr: 15 values set to NA (set.seed(20261122); sample.int(301, 15));",
              "columns x1m..x9m carry the NA cells of hs_missing.csv.")
mimic <- paste(HS_MODEL, "visual + textual + speed ~ ageyr", sep = "\n")
extra <- list(na_rows = as.list(sort(na_rows)))
run_case("hs_mimic_ml", 'fit <- cfa(mimic, data = dx, missing = "ml")', note, extra)
run_case("hs_mimic_mlx", 'fit <- cfa(mimic, data = dx, missing = "ml.x")', note, extra)
run_case("hs_mimic_mlx_y", 'fit <- cfa(mimic, data = dxy, missing = "ml.x")', note, extra)
run_case("hs_mimic_ml_y", 'fit <- cfa(mimic, data = dxy, missing = "ml")', note, extra)
