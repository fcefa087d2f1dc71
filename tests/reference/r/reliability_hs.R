# Run from the repository root:  Rscript tests/reference/r/reliability_hs.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

model <- "
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
res <- write_reliability("hs", model, HolzingerSwineford1939[, paste0("x", 1:9)], NOTE_HS)
print(res$reliability); print(res$htmt)
