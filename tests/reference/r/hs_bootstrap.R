# lavaan nonparametric bootstrap SEs and percentile CIs for the HS CFA (B = 2000).
# Run from the repo root: Rscript tests/reference/r/hs_bootstrap.R
# Bootstrap values are Monte Carlo estimates: the Python test compares with a
# tolerance that allows for the simulation error of both programs.
suppressPackageStartupMessages(library(lavaan))
library(jsonlite)
model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
set.seed(20261122)
fit <- cfa(model, data = HolzingerSwineford1939, se = "bootstrap", bootstrap = 2000)
pe <- parameterEstimates(fit, boot.ci.type = "perc", standardized = TRUE)
write.csv(pe, "tests/reference/hs_bootstrap__estimates.csv", row.names = FALSE)
meta <- list(case = "hs_bootstrap", lavaan = as.character(packageVersion("lavaan")),
             R = R.version.string, call = "cfa(model, HolzingerSwineford1939, se = 'bootstrap', bootstrap = 2000); parameterEstimates(fit, boot.ci.type = 'perc')",
             seed = 20261122, nboot_ok = nrow(lavInspect(fit, "boot")), date = format(Sys.time(), tz = "UTC", usetz = TRUE))
writeLines(toJSON(meta, auto_unbox = TRUE, pretty = TRUE), "tests/reference/hs_bootstrap__meta.json")
