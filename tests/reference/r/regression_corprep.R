# Moderation with listwise deletion on real data with missing values:
# trustsem/data/datasets/corp_rep.csv (N = 344; missing coded -99, recoded to NA first).
# CUSL (loyalty) ~ CUSA (satisfaction) x SC (switching costs), the moderation example
# of Hair et al. (2017, 2021), here on composite scores with HC3 SEs.
# Run from the repository root:  Rscript tests/reference/r/regression_corprep.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))
source(file.path(.dir, "regression_helpers.R"))

P <- "regression_corprep"
d <- utils::read.csv(pkg_data_path("corp_rep.csv"))
d[d == -99] <- NA
d$CUSL <- score(d, paste0("cusl_", 1:3))
d$CUSA <- d$cusa
d$SC <- score(d, paste0("switch_", 1:4))

m <- moderation_tables(d, "CUSL", "CUSA", "SC")
write_moderation(P, m)
fit <- lm(CUSL ~ CUSA + SC, data = d)
.write_csv(ols_table(fit, c("HC3")), ref_path(paste0(P, "__ols.csv")))
.write_csv(ols_fit(fit, c("HC3")), ref_path(paste0(P, "__ols_fit.csv")))

write_reg_meta(P, script_text(), paste(
  "trustsem/data/datasets/corp_rep.csv (N = 344), the corp_rep_data of the R package seminr 2.3.1",
  "(GPL-3; github.com/sem-in-r/seminr commit ae2524a). Hair, J.F., Hult, G.T.M., Ringle, C.M.,",
  "Sarstedt, M. (2017). A Primer on PLS-SEM, 2nd ed. Missing values coded -99 (recoded to NA)."),
  extra = list(n_rows = nrow(d), n_used = nobs(m$fit),
               n_minus99 = sum(utils::read.csv(pkg_data_path("corp_rep.csv")) == -99)))
message("done ", P)
