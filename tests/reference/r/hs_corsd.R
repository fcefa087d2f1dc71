# Run from the repository root:  Rscript tests/reference/r/hs_corsd.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

# Correlation matrix + SDs rounded to 3 decimals, as a paper would publish them.
X <- HolzingerSwineford1939[, paste0("x", 1:9)]
R <- round(cor(X), 3)
sds <- round(apply(X, 2, sd), 3)          # N - 1 divisor
export_data(data.frame(var = rownames(R), R, check.names = FALSE), "hs_cor.csv")
export_data(data.frame(var = names(sds), sd = as.numeric(sds)), "hs_sd.csv")
S <- lavaan::cor2cov(R, sds)              # note: psych also has cor2cov; use lavaan's

run_case("hs_corsd", 'model <- "
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
fit <- cfa(model, sample.cov = S, sample.nobs = 301)',
  paste(NOTE_HS, "Input is S = lavaan::cor2cov(round(cor(x1..x9), 3), round(sd(x1..x9), 3))",
        "with sd using the N-1 divisor; R and sds saved to tests/reference/data/hs_cor.csv",
        "and hs_sd.csv."),
  extra = list(sample_cov_input = "S <- lavaan::cor2cov(R, sds); R = round(cor(X), 3); sds = round(apply(X, 2, sd), 3)"))
