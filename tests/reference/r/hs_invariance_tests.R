# Score tests of cross-group constraints and Wald tests of equal paths (HS by school).
# Run from the repo root: Rscript tests/reference/r/hs_invariance_tests.R
suppressPackageStartupMessages(library(lavaan))
library(jsonlite)
m <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
fit <- cfa(m, HolzingerSwineford1939, group = "school", group.equal = c("loadings", "intercepts"))
st <- lavTestScore(fit)$uni
pt <- parTable(fit)
st$constraint <- sapply(st$lhs, function(l) { r <- pt[pt$plabel == l, ]; paste0(r$lhs, r$op, r$rhs) })
write.csv(st[, c("constraint", "X2", "df", "p.value")], "tests/reference/hs_score_tests.csv", row.names = FALSE)

m2 <- paste(m, "speed ~ c(b1, b2)*visual + c(c1, c2)*textual", sep = "\n")
fit2 <- sem(m2, HolzingerSwineford1939, group = "school")
w <- rbind(
  data.frame(path = "speed~visual", t(unlist(lavTestWald(fit2, "b1 == b2")[c("stat", "df", "p.value")]))),
  data.frame(path = "speed~textual", t(unlist(lavTestWald(fit2, "c1 == c2")[c("stat", "df", "p.value")]))))
write.csv(w, "tests/reference/hs_wald_paths.csv", row.names = FALSE)
meta <- list(lavaan = as.character(packageVersion("lavaan")), R = R.version.string,
             calls = c("lavTestScore(cfa(m, HS, group = 'school', group.equal = c('loadings','intercepts')))$uni",
                       "lavTestWald(sem(m + 'speed ~ c(b1,b2)*visual + c(c1,c2)*textual', HS, group = 'school'), 'b1 == b2')"),
             date = format(Sys.time(), tz = "UTC", usetz = TRUE))
writeLines(toJSON(meta, auto_unbox = TRUE, pretty = TRUE), "tests/reference/hs_invariance_tests__meta.json")
