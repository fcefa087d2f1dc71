# Ordinal alpha (alpha of the polychoric correlation matrix; Zumbo, Gadermann &
# Zeisser 2007) and omega on the latent-response scale (semTools compRelSEM with
# ord.scale = FALSE) from a WLSMV CFA. Run from the repository root.
suppressPackageStartupMessages({library(lavaan); library(semTools); library(psych)})
library(jsonlite)
tk <- utils::read.csv("trustsem/data/datasets/tiktok_shop_impulse_buying.csv")
model <- "SC =~ SC1 + SC2 + SC3 + SC4\nSI =~ SI1 + SI2 + SI3 + SI4 + SI5\nTR =~ TR1 + TR2 + TR3 + TR4 + TR5\nHM =~ HM1 + HM2 + HM3"
fit <- cfa(model, data = tk, ordered = TRUE, estimator = "WLSMV")
items <- list(SC = paste0("SC", 1:4), SI = paste0("SI", 1:5), TR = paste0("TR", 1:5), HM = paste0("HM", 1:3))
om <- compRelSEM(fit, ord.scale = FALSE)
rows <- lapply(names(items), function(f) {
  R <- lavCor(tk[, items[[f]]], ordered = items[[f]])
  a <- suppressWarnings(psych::alpha(R)$total$raw_alpha)
  data.frame(construct = f, ordinal_alpha = a, ordinal_omega = unname(om[f]))
})
write.csv(do.call(rbind, rows), "tests/reference/tiktok__ordinal_reliability.csv", row.names = FALSE)
writeLines(toJSON(list(lavaan = as.character(packageVersion("lavaan")), semTools = as.character(packageVersion("semTools")),
  psych = as.character(packageVersion("psych")), calls = c("psych::alpha(lavCor(items, ordered = items))$total$raw_alpha",
  "semTools::compRelSEM(cfa(model, tk, ordered = TRUE, estimator = 'WLSMV'), ord.scale = FALSE)"),
  date = format(Sys.time(), tz = "UTC", usetz = TRUE)), auto_unbox = TRUE, pretty = TRUE),
  "tests/reference/tiktok__ordinal_reliability_meta.json")
