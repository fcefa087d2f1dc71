# Shared helpers for the regression/moderation/group-comparison fixtures
# (trustsem.structural.regression, trustsem.structural.moderation, trustsem.structural.groups).
#
# Sourced by tests/reference/r/regression_<name>.R after _common.R; not a case
# of its own (run_all.sh does not list it).  Every table is written with
# .write_csv() from _common.R (15 significant digits, NA = empty cell).
#
# Conventions, matching the Python side:
#   * OLS: lm(); robust SEs from sandwich::vcovHC(fit, type), tests and CIs
#     with lmtest::coeftest()/coefci() (t distribution, residual df).  HC
#     matrices are also computed by hand from
#       (X'X)^-1 X' diag(w) X (X'X)^-1,  w = e^2 (HC0), e^2 n/(n-k) (HC1),
#       e^2/(1-h) (HC2), e^2/(1-h)^2 (HC3)
#     and the script stops if they differ from sandwich by more than 1e-10.
#   * std_all = b * sd(x) / sd(y) (design column x); NA for the intercept.
#   * Logit: glm(family = binomial); Wald CIs (confint.default);
#     std_all = b * sd(x) / sqrt(var(eta) + pi^2/3) (y*-standardized).
#   * Moderation: x and w mean-centred; slopes b1 + b3 w with
#     var = V11 + 2 w V13 + w^2 V33 from the HC3 matrix; Johnson-Neyman bounds
#     from (b3^2 - t^2 V33) w^2 + 2 (b1 b3 - t^2 V13) w + (b1^2 - t^2 V11) = 0.

suppressPackageStartupMessages({
  library(sandwich)
  library(lmtest)
  library(car)
})

reg_versions <- function() {
  c(versions(), list(
    sandwich = as.character(packageVersion("sandwich")),
    lmtest = as.character(packageVersion("lmtest")),
    car = as.character(packageVersion("car"))))
}

# mean of items per row; NA when any item is missing (= trustsem.data.prep.scale_scores default)
score <- function(d, items) rowMeans(d[, items, drop = FALSE])

hc_by_hand <- function(fit, type) {
  X <- model.matrix(fit)
  e <- residuals(fit)
  h <- hatvalues(fit)
  n <- nrow(X); k <- ncol(X)
  w <- switch(type,
              HC0 = e^2,
              HC1 = e^2 * n / (n - k),
              HC2 = e^2 / (1 - h),
              HC3 = e^2 / (1 - h)^2)
  B <- solve(crossprod(X))
  B %*% crossprod(X, X * w) %*% B
}

check_hc <- function(fit, type) {
  V <- sandwich::vcovHC(fit, type = type)
  M <- hc_by_hand(fit, type)
  d <- max(abs(V - M))
  if (d > 1e-10) stop("sandwich and hand-made ", type, " differ by ", d)
  d
}

std_all_ols <- function(fit) {
  X <- model.matrix(fit)
  y <- model.response(model.frame(fit))
  s <- apply(X, 2, sd)
  out <- coef(fit) * s / sd(y)
  out[s == 0] <- NA
  out
}

# One row per coefficient: classical and robust inference side by side.
ols_table <- function(fit, types = c("HC3", "HC1")) {
  cf <- summary(fit)$coefficients
  ci <- confint(fit)
  tab <- data.frame(term = rownames(cf), est = cf[, 1], se = cf[, 2], t = cf[, 3],
                    pvalue = cf[, 4], ci_lower = ci[, 1], ci_upper = ci[, 2],
                    std_all = std_all_ols(fit), stringsAsFactors = FALSE)
  for (type in types) {
    check_hc(fit, type)
    V <- sandwich::vcovHC(fit, type = type)
    ct <- lmtest::coeftest(fit, vcov. = V)
    cc <- lmtest::coefci(fit, vcov. = V)
    lo <- tolower(type)
    tab[[paste0("se_", lo)]] <- ct[, 2]
    tab[[paste0("t_", lo)]] <- ct[, 3]
    tab[[paste0("pvalue_", lo)]] <- ct[, 4]
    tab[[paste0("ci_lower_", lo)]] <- cc[, 1]
    tab[[paste0("ci_upper_", lo)]] <- cc[, 2]
  }
  rownames(tab) <- NULL
  tab
}

ols_fit <- function(fit, types = c("HC3")) {
  s <- summary(fit)
  f <- s$fstatistic
  out <- list(nobs = nobs(fit), npar = length(coef(fit)), df_resid = df.residual(fit),
              r2 = s$r.squared, r2_adj = s$adj.r.squared,
              f = unname(f[1]), f_df1 = unname(f[2]), f_df2 = unname(f[3]),
              f_pvalue = unname(pf(f[1], f[2], f[3], lower.tail = FALSE)),
              sigma = s$sigma, logl = as.numeric(logLik(fit)),
              aic = AIC(fit), bic = BIC(fit))
  for (type in types) {
    # robust Wald F of all slopes: b' V^-1 b / q on (q, df_resid) df
    # (= lmtest::waldtest(fit, vcov = vcovHC(fit, type), test = "F"))
    V <- sandwich::vcovHC(fit, type = type)
    keep <- names(coef(fit)) != "(Intercept)"
    b <- coef(fit)[keep]
    Fr <- drop(t(b) %*% solve(V[keep, keep, drop = FALSE], b)) / sum(keep)
    out[[paste0("f_", tolower(type))]] <- Fr
    out[[paste0("f_", tolower(type), "_pvalue")]] <- pf(Fr, sum(keep), df.residual(fit),
                                                        lower.tail = FALSE)
  }
  data.frame(measure = names(out), value = unlist(out), stringsAsFactors = FALSE)
}

vif_table <- function(fit) {
  v <- car::vif(fit)
  data.frame(term = names(v), vif = unname(v), stringsAsFactors = FALSE)
}

logit_table <- function(fit, types = c("HC0", "HC1")) {
  cf <- summary(fit)$coefficients
  ci <- confint.default(fit)
  X <- model.matrix(fit)
  eta <- drop(X %*% coef(fit))
  s <- apply(X, 2, sd)
  std <- coef(fit) * s / sqrt(var(eta) + pi^2 / 3)
  std[s == 0] <- NA
  tab <- data.frame(term = rownames(cf), est = cf[, 1], se = cf[, 2], z = cf[, 3],
                    pvalue = cf[, 4], ci_lower = ci[, 1], ci_upper = ci[, 2],
                    std_all = std, or = exp(cf[, 1]), or_ci_lower = exp(ci[, 1]),
                    or_ci_upper = exp(ci[, 2]), stringsAsFactors = FALSE)
  for (type in types) {
    V <- sandwich::vcovHC(fit, type = type)
    ct <- lmtest::coeftest(fit, vcov. = V)
    tab[[paste0("se_", tolower(type))]] <- ct[, 2]
    tab[[paste0("pvalue_", tolower(type))]] <- ct[, 4]
  }
  rownames(tab) <- NULL
  tab
}

logit_fit <- function(fit) {
  y <- fit$y
  ll <- as.numeric(logLik(fit))
  ll0 <- as.numeric(logLik(glm(y ~ 1, family = binomial)))
  lr <- 2 * (ll - ll0)
  dfm <- length(coef(fit)) - 1
  out <- list(nobs = nobs(fit), npar = length(coef(fit)), logl = ll, logl_null = ll0,
              r2_mcfadden = 1 - ll / ll0, lr_chisq = lr, lr_df = dfm,
              lr_pvalue = pchisq(lr, dfm, lower.tail = FALSE),
              deviance = deviance(fit), null_deviance = fit$null.deviance,
              aic = AIC(fit), bic = BIC(fit), iterations = fit$iter)
  data.frame(measure = names(out), value = unlist(out), stringsAsFactors = FALSE)
}

# Moderation y ~ x * w (+ covs) on mean-centred x and w with HC3 SEs.
moderation_tables <- function(d, y, x, w, covs = character(0), type = "HC3",
                              alpha = 0.05) {
  d <- d[stats::complete.cases(d[, c(y, x, w, covs)]), ]
  cx <- mean(d[[x]]); cw <- mean(d[[w]])
  wraw <- d[[w]]
  d[[x]] <- d[[x]] - cx
  d[[w]] <- d[[w]] - cw
  f <- as.formula(paste(y, "~", paste(c(paste(x, "*", w), covs), collapse = " + ")))
  fit <- lm(f, data = d)
  V <- sandwich::vcovHC(fit, type = type)
  xw <- paste0(x, ":", w)
  b1 <- coef(fit)[[x]]; b3 <- coef(fit)[[xw]]
  v11 <- V[x, x]; v13 <- V[x, xw]; v33 <- V[xw, xw]
  df <- df.residual(fit)
  tc <- qt(1 - alpha / 2, df)
  sw <- sd(wraw)
  wv <- c(mean(wraw) - sw, mean(wraw), mean(wraw) + sw)
  wc <- wv - cw
  est <- b1 + b3 * wc
  se <- sqrt(v11 + 2 * wc * v13 + wc^2 * v33)
  slopes <- data.frame(level = c("-1 SD", "mean", "+1 SD"), w = wv, est = est, se = se,
                       t = est / se, pvalue = 2 * pt(abs(est / se), df, lower.tail = FALSE),
                       ci_lower = est - tc * se, ci_upper = est + tc * se,
                       stringsAsFactors = FALSE)
  A <- b3^2 - tc^2 * v33
  B <- 2 * (b1 * b3 - tc^2 * v13)
  C <- b1^2 - tc^2 * v11
  disc <- B^2 - 4 * A * C
  roots <- if (disc >= 0) sort(c((-B - sqrt(disc)) / (2 * A), (-B + sqrt(disc)) / (2 * A))) else numeric(0)
  roots <- roots + cw
  # slope significance of every respondent (for the proportion in the region)
  wi <- wraw - cw
  ti <- (b1 + b3 * wi) / sqrt(v11 + 2 * wi * v13 + wi^2 * v33)
  prop <- mean(2 * pt(abs(ti), df, lower.tail = FALSE) < alpha)
  jn <- data.frame(w = roots, within_range = roots >= min(wraw) & roots <= max(wraw))
  # the slope at each bound must be exactly significant at alpha
  for (r in roots) {
    rc <- r - cw
    tr <- (b1 + b3 * rc) / sqrt(v11 + 2 * rc * v13 + rc^2 * v33)
    stopifnot(abs(abs(tr) - tc) < 1e-8)
  }
  list(fit = fit, table = ols_table(fit, types = type), fitm = ols_fit(fit, types = type),
       slopes = slopes, jn = jn,
       summary = data.frame(measure = c("n", "x_mean", "w_mean", "w_sd", "df", "t_crit",
                                        "proportion_significant", "w_min", "w_max"),
                            value = c(nrow(d), cx, cw, sw, df, tc, prop, min(wraw), max(wraw))))
}

write_moderation <- function(prefix, m) {
  .write_csv(m$table, ref_path(paste0(prefix, "__mod.csv")))
  .write_csv(m$fitm, ref_path(paste0(prefix, "__mod_fit.csv")))
  .write_csv(m$slopes, ref_path(paste0(prefix, "__mod_slopes.csv")))
  .write_csv(m$jn, ref_path(paste0(prefix, "__mod_jn.csv")))
  .write_csv(m$summary, ref_path(paste0(prefix, "__mod_summary.csv")))
}

# Welch and Student t tests of value by a two-level group; d and g with CIs
# (d: pooled SD; CI d +- t_{n1+n2-2} sqrt((n1+n2)/(n1 n2) + d^2/(2(n1+n2)));
#  g = J d with J = 1 - 3/(4(n1+n2) - 9), CI = J * CI(d)).
ttest_table <- function(d, value, group, alpha = 0.05) {
  d <- d[stats::complete.cases(d[, c(value, group)]), ]
  lev <- sort(unique(d[[group]]))
  x1 <- d[[value]][d[[group]] == lev[1]]
  x2 <- d[[value]][d[[group]] == lev[2]]
  n1 <- length(x1); n2 <- length(x2)
  rows <- list()
  for (ev in c(FALSE, TRUE)) {
    tt <- t.test(x2, x1, var.equal = ev, conf.level = 1 - alpha)
    rows[[length(rows) + 1]] <- data.frame(
      test = if (ev) "student" else "welch", t = unname(tt$statistic),
      df = unname(tt$parameter), pvalue = tt$p.value,
      mean_diff = mean(x2) - mean(x1), se = unname(tt$stderr),
      ci_lower = tt$conf.int[1], ci_upper = tt$conf.int[2], stringsAsFactors = FALSE)
  }
  sp <- sqrt(((n1 - 1) * var(x1) + (n2 - 1) * var(x2)) / (n1 + n2 - 2))
  dd <- (mean(x2) - mean(x1)) / sp
  se <- sqrt((n1 + n2) / (n1 * n2) + dd^2 / (2 * (n1 + n2)))
  tc <- qt(1 - alpha / 2, n1 + n2 - 2)
  J <- 1 - 3 / (4 * (n1 + n2) - 9)
  list(tests = do.call(rbind, rows),
       groups = data.frame(group = lev, n = c(n1, n2), mean = c(mean(x1), mean(x2)),
                           sd = c(sd(x1), sd(x2))),
       effects = data.frame(effect = c("cohen_d", "hedges_g"), est = c(dd, J * dd),
                            ci_lower = c(dd - tc * se, J * (dd - tc * se)),
                            ci_upper = c(dd + tc * se, J * (dd + tc * se))))
}

write_ttest <- function(prefix, tt) {
  .write_csv(tt$tests, ref_path(paste0(prefix, "__ttest.csv")))
  .write_csv(tt$groups, ref_path(paste0(prefix, "__ttest_groups.csv")))
  .write_csv(tt$effects, ref_path(paste0(prefix, "__ttest_effects.csv")))
}

write_reg_meta <- function(prefix, call_text, data_note, extra = list()) {
  meta <- c(list(case = prefix, versions = reg_versions(), call = call_text,
                 date = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
                 data_note = data_note,
                 files = as.list(sort(list.files(REF_DIR, pattern = paste0("^", prefix, "__.*csv$"))))),
            extra)
  jsonlite::write_json(meta, ref_path(paste0(prefix, "__meta.json")), auto_unbox = TRUE,
                       pretty = TRUE, digits = NA, null = "null", na = "null")
  invisible(meta)
}

# The source of the calling script, stored verbatim in meta$call.
script_text <- function() {
  args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  if (length(f) == 1L) paste(readLines(f), collapse = "\n") else NA_character_
}
