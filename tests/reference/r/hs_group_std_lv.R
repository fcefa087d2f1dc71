# Multi-group CFA identified by std.lv = TRUE with equality constraints. lavaan
# keeps the factor variances at 1 in group 1 only and frees them in groups 2+
# when the loadings are held equal (unless lv.variances are held equal too); with
# equal intercepts it also frees the latent means in groups 2+.
# Run from the repository root:  Rscript tests/reference/r/hs_group_std_lv.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

HS <- lavaan::HolzingerSwineford1939
hs_model <- HS_MODEL
run_case("hs_group_metric_std_lv",
         'fit <- cfa(hs_model, data = HS, group = "school", std.lv = TRUE, group.equal = "loadings")',
         NOTE_HS)
run_case("hs_group_scalar_std_lv",
         'fit <- cfa(hs_model, data = HS, group = "school", std.lv = TRUE,
           group.equal = c("loadings", "intercepts"))', NOTE_HS)
run_case("hs_group_lvvar_std_lv",
         'fit <- cfa(hs_model, data = HS, group = "school", std.lv = TRUE,
           group.equal = c("loadings", "intercepts", "lv.variances"))', NOTE_HS)
run_case("hs_group_partial_std_lv",
         'fit <- cfa(hs_model, data = HS, group = "school", std.lv = TRUE,
           group.equal = c("loadings", "intercepts"), group.partial = c("visual=~x2", "x3~1"))',
         NOTE_HS)
