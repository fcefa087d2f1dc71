# The invariance ladder on HS by school under MLR and MLM: fit measures of each level and
# lavTestLRT() between consecutive levels with its default method for these estimators
# (the Satorra-Bentler 2001 scaled difference), for trustsem.invariance(estimator=...).
# Run from the repository root:  Rscript tests/reference/r/hs_invariance_robust.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

HS <- lavaan::HolzingerSwineford1939
levels <- list(configural = character(0), metric = "loadings",
               scalar = c("loadings", "intercepts"),
               strict = c("loadings", "intercepts", "residuals"))
keep <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
          "chisq.scaling.factor", "cfi", "cfi.scaled", "cfi.robust", "tli.robust",
          "rmsea", "rmsea.scaled", "rmsea.robust", "srmr")
for (est in c("MLR", "MLM")) {
  case <- paste0("hs_invariance_", tolower(est))
  fits <- lapply(levels, function(ge)
    if (length(ge)) cfa(HS_MODEL, data = HS, group = "school", estimator = est, group.equal = ge)
    else cfa(HS_MODEL, data = HS, group = "school", estimator = est))
  lev <- do.call(rbind, lapply(names(fits), function(n) {
    fm <- fitMeasures(fits[[n]], keep)
    data.frame(level = n, t(as.numeric(fm)), check.names = FALSE, stringsAsFactors = FALSE) |>
      setNames(c("level", gsub(".", "_", keep, fixed = TRUE)))
  }))
  .write_csv(lev, ref_path(paste0(case, "__levels.csv")))
  nm <- names(fits)
  lrt <- do.call(rbind, lapply(2:length(nm), function(k) {
    t <- lavTestLRT(fits[[nm[k - 1]]], fits[[nm[k]]])
    data.frame(restricted = nm[k], unrestricted = nm[k - 1], chisq_diff = t[["Chisq diff"]][2],
               df_diff = t[["Df diff"]][2], pvalue = t[["Pr(>Chisq)"]][2],
               heading = gsub("\n", " ", attr(t, "heading")), stringsAsFactors = FALSE)
  }))
  .write_csv(lrt, ref_path(paste0(case, "__lrt.csv")))
  meta <- list(case = case, versions = versions(),
               call = paste0("cfa(HS_MODEL, data = HS, group = 'school', estimator = '", est,
                             "', group.equal = <level>); lavTestLRT(<previous level>, <level>)"),
               date = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
               levels = levels, model = HS_MODEL, data_note = NOTE_HS,
               files = list(levels = paste0(case, "__levels.csv"), lrt = paste0(case, "__lrt.csv")))
  jsonlite::write_json(meta, ref_path(paste0(case, "__meta.json")), auto_unbox = TRUE,
                       pretty = TRUE, digits = NA, null = "null", na = "null")
  print(lev); print(lrt)
}

# Wald tests of equal paths across schools (trustsem.compare_paths) under MLR, MLM and, on the
# ordinal items, WLSMV: lavTestWald() uses the fit's own (robust) covariance matrix.
hs4 <- utils::read.csv(data_path("hs_ordinal4.csv"))
m2 <- paste(HS_MODEL, "speed ~ c(b1, b2)*visual + c(c1, c2)*textual", sep = "\n")
wald <- function(fit, est) rbind(
  data.frame(estimator = est, path = "speed~visual", t(unlist(lavTestWald(fit, "b1 == b2")[c("stat", "df", "p.value")]))),
  data.frame(estimator = est, path = "speed~textual", t(unlist(lavTestWald(fit, "c1 == c2")[c("stat", "df", "p.value")]))))
w <- rbind(wald(sem(m2, HS, group = "school", estimator = "MLR"), "MLR"),
           wald(sem(m2, HS, group = "school", estimator = "MLM"), "MLM"),
           wald(sem(m2, hs4, group = "school", ordered = TRUE, estimator = "WLSMV"), "WLSMV"))
.write_csv(w, ref_path("hs_wald_paths_robust.csv"))
jsonlite::write_json(list(case = "hs_wald_paths_robust", versions = versions(),
  call = paste("lavTestWald(sem(m2, <data>, group = 'school', estimator = <estimator>[, ordered = TRUE]), 'b1 == b2')",
               "with m2 =", m2, "; data HS (MLR) and hs_ordinal4.csv (WLSMV)"),
  date = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"), files = list(tests = "hs_wald_paths_robust.csv")),
  ref_path("hs_wald_paths_robust__meta.json"), auto_unbox = TRUE, pretty = TRUE, digits = NA)
print(w)
