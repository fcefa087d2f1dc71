# Latent interaction fixtures (H13a: privacy concern PC x precision-marketing fit PMF ->
# TRUST) on trustsem/data/datasets/trust_survey.csv: double-mean-centred matched-pair product
# indicators (semTools::indProd), the lavaan fit (listwise) and semTools::probe2WayMC
# simple slopes at -1/0/+1 SD of the latent moderator.
# Run from the repository root:  Rscript tests/reference/r/regression_latent.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))
source(file.path(.dir, "regression_helpers.R"))

P <- "regression_latent"
d <- utils::read.csv(pkg_data_path("trust_survey.csv"))
w_items <- paste0("PC", 1:4); x_items <- paste0("PMF", 1:4)
nm <- paste0(w_items, "_", x_items)
# meanC/doubleMC use scale(), i.e. column means over the available values;
# a product is NA when either item is.
d <- semTools::indProd(d, var1 = w_items, var2 = x_items, match = TRUE, meanC = TRUE,
                       residualC = FALSE, doubleMC = TRUE, namesProd = nm)
.write_csv(d[, nm], ref_path(paste0(P, "__prod_dmc.csv")))

code <- 'model <- "
PMF =~ PMF1 + PMF2 + PMF3 + PMF4
PC =~ PC1 + PC2 + PC3 + PC4
PCxPMF =~ PC1_PMF1 + PC2_PMF2 + PC3_PMF3 + PC4_PMF4
TF =~ TF1 + TF2 + TF3
TA =~ TA1 + TA2 + TA3
TI =~ TI1 + TI2 + TI3
TRUST =~ TF + TA + TI
TRUST ~ b1*PMF + b2*PC + b3*PCxPMF
"
fit <- sem(model, data = d)'
env <- run_case(P, code, NOTE_TRUST <- paste(
  "trustsem/data/datasets/trust_survey.csv: simulated (trustsem.data.simulate.simulate_survey(n=600,",
  "seed=20261122, ...)); MIT, no real respondents. Product indicators added with",
  "semTools::indProd(d, var1 = PC1:PC4, var2 = PMF1:PMF4, match = TRUE, meanC = TRUE,",
  "doubleMC = TRUE, namesProd = c('PC1_PMF1', ..., 'PC4_PMF4'))."))
fit <- get("fit", envir = env)

pe <- parameterEstimates(fit)
v_pc <- pe$est[pe$lhs == "PC" & pe$op == "~~" & pe$rhs == "PC"]
sdw <- sqrt(v_pc)
pr <- semTools::probe2WayMC(fit, nameX = c("PMF", "PC", "PCxPMF"), nameY = "TRUST",
                            modVar = "PC", valProbe = c(-1, 0, 1) * sdw)
ss <- as.data.frame(pr$SimpleSlope)
names(ss) <- c("w", "est", "se", "z", "pvalue")
ss$level <- c("-1 SD", "mean", "+1 SD")
.write_csv(ss[, c("level", "w", "est", "se", "z", "pvalue")],
           ref_path(paste0(P, "__probe.csv")))

# Johnson-Neyman bounds (latent units) from the same quadratic, normal critical value
V <- lavInspect(fit, "vcov")
b <- coef(fit)
b1 <- b[["b1"]]; b3 <- b[["b3"]]
v11 <- V["b1", "b1"]; v13 <- V["b1", "b3"]; v33 <- V["b3", "b3"]
zc <- qnorm(0.975)
A <- b3^2 - zc^2 * v33; B <- 2 * (b1 * b3 - zc^2 * v13); C <- b1^2 - zc^2 * v11
disc <- B^2 - 4 * A * C
roots <- if (disc >= 0) sort(c((-B - sqrt(disc)) / (2 * A), (-B + sqrt(disc)) / (2 * A))) else numeric(0)
.write_csv(data.frame(w = roots, w_sd = roots / sdw), ref_path(paste0(P, "__probe_jn.csv")))

meta <- jsonlite::read_json(ref_path(paste0(P, "__meta.json")))
meta$probe <- list(
  call = paste0("semTools::probe2WayMC(fit, nameX = c('PMF', 'PC', 'PCxPMF'), nameY = 'TRUST',",
                " modVar = 'PC', valProbe = c(-1, 0, 1) * sqrt(PC~~PC estimate))"),
  w_sd = sdw, semTools = as.character(packageVersion("semTools")),
  files = list(probe = paste0(P, "__probe.csv"), probe_jn = paste0(P, "__probe_jn.csv"),
               products = paste0(P, "__prod_dmc.csv")))
jsonlite::write_json(meta, ref_path(paste0(P, "__meta.json")), auto_unbox = TRUE,
                     pretty = TRUE, digits = NA, null = "null", na = "null")
message("done ", P)
