# Run from the repository root:  Rscript tests/reference/r/measurement_ecsi.R
# Measurement-toolkit fixtures for the ECSI satisfaction data (6-factor CFA model, gender dropped).
# No EFA and no common-method-bias fixtures: EXPE and QUAL are nearly collinear (cor 0.98),
# so the CFA carries lavaan's NPD warning (see ecsi_cfa).
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))
source(file.path(.dir, "_measurement_common.R"))

ecsi <- read.csv(pkg_data_path("ecsi_satisfaction.csv"))
ecsi$gender <- NULL
model <- "
IMAG =~ imag1 + imag2 + imag3 + imag4 + imag5
EXPE =~ expe1 + expe2 + expe3 + expe4 + expe5
QUAL =~ qual1 + qual2 + qual3 + qual4 + qual5
VAL  =~ val1 + val2 + val3 + val4
SAT  =~ sat1 + sat2 + sat3 + sat4
LOY  =~ loy1 + loy2 + loy3 + loy4
"
write_measurement("ecsi", model, ecsi, NOTE_ECSI, cmb = FALSE)
