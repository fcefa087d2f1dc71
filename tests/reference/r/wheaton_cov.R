# Run from the repository root:  Rscript tests/reference/r/wheaton_cov.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

lower <- "
 11.834
  6.947   9.364
  6.819   5.091  12.532
  4.783   5.028   7.495   9.986
 -3.839  -3.889  -3.841  -3.625  9.610
-21.899 -18.831 -21.748 -18.775 35.522 450.288 "
wheaton.cov <- getCov(lower, names = c("anomia67", "powerless67", "anomia71",
                                       "powerless71", "education", "sei"))
export_data(data.frame(var = rownames(wheaton.cov), wheaton.cov, check.names = FALSE),
            "wheaton_cov.csv")

run_case("wheaton_cov", 'model <- "
  # latent variables
    ses     =~ education + sei
    alien67 =~ anomia67 + powerless67
    alien71 =~ anomia71 + powerless71
  # regressions
    alien71 ~ alien67 + ses
    alien67 ~ ses
  # correlated residuals
    anomia67 ~~ anomia71
    powerless67 ~~ powerless71
"
fit <- sem(model, sample.cov = wheaton.cov, sample.nobs = 932)',
  paste("Wheaton, Muthen, Alwin & Summers (1977) covariance matrix (N = 932) as given in",
        "the lavaan tutorial (lavaan.ugent.be/tutorial/cov.html); saved full/symmetric to",
        "tests/reference/data/wheaton_cov.csv. Published summary statistics."),
  extra = list(sample_cov_input = "wheaton.cov <- getCov(lower, names = ...) (lower triangle from the lavaan tutorial)"))
