# The categorical invariance ladder (trustsem.invariance(..., ordered=True)) on HS x1-x9 cut
# into quartiles, by school: WLSMV in lavaan's default delta parameterization, group.equal
# configural -> "thresholds" -> c("thresholds", "loadings") (Wu & Estabrook 2016), fit
# measures of each level and lavTestLRT() between consecutive levels (its default for WLSMV:
# satorra.2000 scaled-shifted difference), plus a partial thresholds + loadings level.
# Needs tests/reference/data/hs_ordinal4.csv (wlsmv_group.R).
# Run from the repository root:  Rscript tests/reference/r/hs4_invariance_ordered.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

hs4 <- utils::read.csv(data_path("hs_ordinal4.csv"))
case <- "hs4_invariance_ordered"
fit_level <- function(ge, partial = character(0)) {
  if (!length(ge))
    return(cfa(HS_MODEL, data = hs4, ordered = TRUE, estimator = "WLSMV", group = "school"))
  if (!length(partial))
    return(cfa(HS_MODEL, data = hs4, ordered = TRUE, estimator = "WLSMV", group = "school",
               group.equal = ge))
  cfa(HS_MODEL, data = hs4, ordered = TRUE, estimator = "WLSMV", group = "school",
      group.equal = ge, group.partial = partial)
}
levels <- list(configural = character(0), thresholds = "thresholds",
               `thresholds + loadings` = c("thresholds", "loadings"))
fits <- lapply(levels, fit_level)
fits[["thresholds + loadings (partial)"]] <- fit_level(c("thresholds", "loadings"), "visual=~x2")
keep <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
          "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr")
lev <- do.call(rbind, lapply(names(fits), function(n) {
  fm <- fitMeasures(fits[[n]], keep)
  setNames(data.frame(n, t(as.numeric(fm)), stringsAsFactors = FALSE),
           c("level", gsub(".", "_", keep, fixed = TRUE)))
}))
.write_csv(lev, ref_path(paste0(case, "__levels.csv")))
pairs <- list(c("thresholds", "configural"), c("thresholds + loadings", "thresholds"),
              c("thresholds + loadings (partial)", "thresholds"))
lrt <- do.call(rbind, lapply(pairs, function(pr) {
  t <- lavTestLRT(fits[[pr[2]]], fits[[pr[1]]])
  data.frame(restricted = pr[1], unrestricted = pr[2], chisq_diff = t[["Chisq diff"]][2],
             df_diff = t[["Df diff"]][2], pvalue = t[["Pr(>Chisq)"]][2],
             heading = gsub("\n", " ", attr(t, "heading")), stringsAsFactors = FALSE)
}))
.write_csv(lrt, ref_path(paste0(case, "__lrt.csv")))
meta <- list(case = case, versions = versions(),
             call = paste("cfa(HS_MODEL, data = hs4, ordered = TRUE, estimator = 'WLSMV',",
                          "group = 'school', group.equal = <level>[, group.partial = 'visual=~x2']);",
                          "lavTestLRT(<unrestricted>, <restricted>)"),
             date = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
             levels = levels, partial = "visual=~x2", model = HS_MODEL,
             parameterization = lavInspect(fits[[1]], "options")$parameterization,
             data_note = paste("HolzingerSwineford1939 (lavaan), x1-x9 cut at their quartiles",
                               "into 4 ordered categories (tests/reference/data/hs_ordinal4.csv)."),
             files = list(levels = paste0(case, "__levels.csv"), lrt = paste0(case, "__lrt.csv")))
jsonlite::write_json(meta, ref_path(paste0(case, "__meta.json")), auto_unbox = TRUE,
                     pretty = TRUE, digits = NA, null = "null", na = "null")
print(lev); print(lrt[, 1:5])
