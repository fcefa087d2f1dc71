# Difference tests between nested multi-group WLSMV fits: lavTestLRT() with its default
# method for scaled-shifted statistics (satorra.2000, A.method = "delta").
# Needs tests/reference/data/hs_ordinal4.csv (wlsmv_group.R).
# Run from the repository root:  Rscript tests/reference/r/wlsmv_lrt.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

hs4 <- utils::read.csv(data_path("hs_ordinal4.csv"))
fits <- list()
for (lev in list(c(name = "configural"), c(name = "thresholds", "thresholds"),
                 c(name = "metric", "thresholds", "loadings"))) {
  ge <- unname(lev[-1])
  fits[[lev[["name"]]]] <- if (length(ge))
    cfa(HS_MODEL, data = hs4, ordered = TRUE, estimator = "WLSMV", group = "school", group.equal = ge)
  else cfa(HS_MODEL, data = hs4, ordered = TRUE, estimator = "WLSMV", group = "school")
}
pairs <- list(c("thresholds", "configural"), c("metric", "thresholds"), c("metric", "configural"))
out <- do.call(rbind, lapply(pairs, function(pr) {
  t <- lavTestLRT(fits[[pr[2]]], fits[[pr[1]]])
  data.frame(restricted = pr[1], unrestricted = pr[2], chisq_diff = t[["Chisq diff"]][2],
             df_diff = t[["Df diff"]][2], pvalue = t[["Pr(>Chisq)"]][2],
             method = sub("^.*method = .(.*).\\)\\s*$", "\\1",
                          strsplit(attr(t, "heading"), "\n")[[1]][2]),
             stringsAsFactors = FALSE)
}))
.write_csv(out, ref_path("hs4_wlsmv_lrt__tests.csv"))
meta <- list(case = "hs4_wlsmv_lrt", versions = versions(),
             call = "lavTestLRT(unrestricted, restricted) for the pairs in __tests.csv; fits as in wlsmv_group.R",
             date = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
             heading = attr(lavTestLRT(fits$thresholds, fits$metric), "heading"),
             files = list(tests = "hs4_wlsmv_lrt__tests.csv"))
jsonlite::write_json(meta, ref_path("hs4_wlsmv_lrt__meta.json"), auto_unbox = TRUE, pretty = TRUE,
                     digits = NA, null = "null", na = "null")
print(out)
