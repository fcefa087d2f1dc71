# Run from the repository root:  Rscript tests/reference/r/talor_mediation.R
.args <- commandArgs(trailingOnly = FALSE)
.f <- sub("^--file=", "", .args[grep("^--file=", .args)])
.dir <- if (length(.f) == 1L) dirname(normalizePath(.f)) else file.path("tests", "reference", "r")
source(file.path(.dir, "_common.R"))

env <- run_case("talor_mediation", 'model <- "
pmi ~ a*cond
reaction ~ c*cond + b*pmi
ab := a*b
total := c + a*b
"
fit <- sem(model, data = Tal_Or)', NOTE_TALOR,
  extra = list(published = list(source = "Hayes (2013), Tal-Or et al. example",
                                a = 0.4765, b = 0.5064, c_prime = 0.2544, ab = 0.2413)))
pe <- parameterEstimates(get("fit", envir = env))
got <- setNames(pe$est[match(c("a", "b", "c", "ab"), pe$label)], c("a", "b", "c", "ab"))
print(round(got, 4))
stopifnot(isTRUE(all.equal(unname(round(got, 4)), c(0.4765, 0.5064, 0.2544, 0.2413))))
