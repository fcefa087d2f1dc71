# Robust CFI/TLI/RMSEA under WLSMV: lavaan's catML approach (Savalei 2021;
# lav_fit_catml_dwls). Besides the usual files, each case writes
# <case>__robust_parts.csv: the catML statistic, df and scaling factor of the
# model and of the baseline.
# Data: HolzingerSwineford1939 x1-x9 cut at their quartiles (categories 1-4),
# written to tests/reference/data/hs_quartiles.csv.
# Run from the repository root:  Rscript tests/reference/r/wlsmv_robust.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

HS <- lavaan::HolzingerSwineford1939
hs4 <- data.frame(school = as.character(HS$school))
for (v in paste0("x", 1:9)) {
  q <- stats::quantile(HS[[v]], c(0.25, 0.5, 0.75), type = 7)
  hs4[[v]] <- findInterval(HS[[v]], q, left.open = TRUE) + 1L
}
export_data(hs4, "hs_quartiles.csv")
hs4 <- utils::read.csv(data_path("hs_quartiles.csv"))
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
hs_sem <- paste(hs_model, "speed ~ visual + textual", sep = "\n")
NOTE_HS4 <- paste(NOTE_HS, "x1-x9 cut at their quartiles (type 7; lower limits open) into",
                  "categories 1-4: tests/reference/data/hs_quartiles.csv.")

write_parts <- function(case, env) {
  parts <- lavaan:::lav_fit_catml_dwls(get("fit", envir = env))
  .write_csv(data.frame(quantity = names(parts), value = as.numeric(unlist(parts))),
             ref_path(paste0(case, "__robust_parts.csv")))
}

e <- run_case("robust_wlsmv_hs4_cfa",
              "fit <- cfa(hs_model, data = hs4, ordered = TRUE, estimator = 'WLSMV')", NOTE_HS4)
write_parts("robust_wlsmv_hs4_cfa", e)
e <- run_case("robust_wlsmv_hs4_sem",
              "fit <- sem(hs_sem, data = hs4, ordered = TRUE, estimator = 'WLSMV')", NOTE_HS4)
write_parts("robust_wlsmv_hs4_sem", e)
e <- run_case("robust_wlsmv_hs4_group",
              "fit <- cfa(hs_model, data = hs4, ordered = TRUE, estimator = 'WLSMV', group = 'school')",
              NOTE_HS4)
write_parts("robust_wlsmv_hs4_group", e)
e <- run_case("robust_wlsmv_hs4_group_equal",
              paste("fit <- cfa(hs_model, data = hs4, ordered = TRUE, estimator = 'WLSMV',",
                    "group = 'school', group.equal = 'loadings')"),
              NOTE_HS4)
write_parts("robust_wlsmv_hs4_group_equal", e)
# thresholds held equal across groups: lavaan's catML refit drops the threshold
# rows but keeps their equality constraints and fails, so the robust indices are NA
e <- run_case("robust_wlsmv_hs4_group_thresholds",
              paste("fit <- cfa(hs_model, data = hs4, ordered = TRUE, estimator = 'WLSMV',",
                    "group = 'school', group.equal = c('thresholds', 'loadings'))"),
              NOTE_HS4)
write_parts("robust_wlsmv_hs4_group_thresholds", e)
