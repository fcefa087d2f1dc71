# Helpers for the measurement-toolkit fixtures (trustsem.measurement, .efa, .cmb).
#
# Sourced by tests/reference/r/measurement_<dataset>.R after _common.R.
# write_measurement() writes, for one data set and one CFA measurement model:
#
#   <ds>__item_stats.csv        psych::alpha() item statistics + psych::describe() moments
#   <ds>__kmo.csv               psych::KMO(): per-item MSA and the overall MSA (item = "overall")
#   <ds>__bartlett.csv          psych::cortest.bartlett(cor(X), n = nrow(X))
#   <ds>__parallel.csv          psych::fa.parallel(): observed pc.values and fa.values
#   <ds>__efa.csv / __efa_phi.csv   psych::fa() loadings, communalities, factor correlations
#   <ds>__fornell_larcker.csv   sqrt(semTools::AVE(fit)) and lavInspect(fit, "cor.lv")
#   <ds>__cross_loadings.csv    cor(items, unit-weighted construct means)
#   <ds>__htmt_classic.csv      semTools::htmt(model, data, htmt2 = FALSE) (arithmetic means)
#   <ds>__cmb_harman.csv        first unrotated component / factor share of variance
#   <ds>__cmb_cfa.csv           fit of the one-factor, measurement and ULMC (method factor) CFAs
#   <ds>__cmb_ulmc.csv          standardized trait loadings without / with the method factor
#   <ds>__cmb_vif.csv           full-collinearity VIFs of the construct means (Kock 2015)
#   <ds>__cmb_marker.csv        Lindell & Whitney (2001) marker-adjusted correlations (if marker)
#   <ds>__measurement_meta.json versions, calls, sample sizes, warnings
#
# X below is the complete-case data of all model items (listwise over the model's items).
# Item statistics use, per construct, the complete cases of that construct's own items.

suppressPackageStartupMessages(library(GPArotation))

.mwarn <- character(0)
.mcollect <- function(expr) withCallingHandlers(expr, warning = function(cond) {
  .mwarn <<- c(.mwarn, conditionMessage(cond)); invokeRestart("muffleWarning")
})

.wcsv <- function(df, name) utils::write.csv(df, ref_path(name), row.names = FALSE, na = "")

.model_items <- function(model) {
  pt <- lavaan::lavaanify(model)
  pt <- pt[pt$op == "=~", ]
  lv <- unique(pt$lhs)
  lapply(setNames(lv, lv), function(f) pt$rhs[pt$lhs == f])
}

.fit_row <- function(label, fit) {
  fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"))
  data.frame(model = label, t(as.numeric(fm)), stringsAsFactors = FALSE,
             check.names = FALSE) |> setNames(c("model", "chisq", "df", "pvalue", "cfi",
                                                 "tli", "rmsea", "srmr"))
}

write_measurement <- function(dataset, model, data, data_note, efa_nfactors = NULL,
                              marker = NULL, cmb = TRUE, cfa_missing = "listwise",
                              htmt_missing = "listwise",
                              seed = 20261122L) {
  message("writing measurement fixtures for ", dataset)
  .mwarn <<- character(0)
  items <- .model_items(model)
  all_items <- unlist(items, use.names = FALSE)
  X <- stats::na.omit(data[, all_items])
  attr(X, "na.action") <- NULL
  p <- ncol(X)
  calls <- list()

  # --- item statistics --------------------------------------------------------
  rows <- list()
  for (f in names(items)) {
    it <- items[[f]]
    cc <- stats::na.omit(data[, it])
    a <- .mcollect(psych::alpha(cc, warnings = FALSE))
    ds <- psych::describe(data[, it], type = 3)
    drop_raw <- if (length(it) > 2) a$alpha.drop$raw_alpha else rep(NA_real_, length(it))
    drop_std <- if (length(it) > 2) a$alpha.drop$std.alpha else rep(NA_real_, length(it))
    rows[[f]] <- data.frame(
      construct = f, item = it, n = ds$n, mean = ds$mean, sd = ds$sd,
      skew = ds$skew, kurtosis = ds$kurtosis, n_complete = nrow(cc),
      r_drop = a$item.stats$r.drop, alpha_if_deleted = drop_raw,
      alpha_std_if_deleted = drop_std, stringsAsFactors = FALSE)
  }
  .wcsv(do.call(rbind, rows), paste0(dataset, "__item_stats.csv"))
  calls$item_stats <- paste(
    "per construct: a <- psych::alpha(na.omit(data[, items])); r_drop = a$item.stats$r.drop;",
    "alpha_if_deleted = a$alpha.drop$raw_alpha, alpha_std_if_deleted = a$alpha.drop$std.alpha",
    "(NA for 2-item constructs, where psych reports C[1,2]/C[2,2] instead of an alpha);",
    "n, mean, sd, skew, kurtosis = psych::describe(data[, items], type = 3) on the available values")

  # --- KMO and Bartlett ---------------------------------------------------------
  K <- psych::KMO(X)
  .wcsv(data.frame(item = c(names(K$MSAi), "overall"), msa = c(as.numeric(K$MSAi), K$MSA)),
        paste0(dataset, "__kmo.csv"))
  B <- psych::cortest.bartlett(cor(X), n = nrow(X))
  .wcsv(data.frame(chisq = B$chisq, df = B$df, pvalue = B$p.value, n = nrow(X)),
        paste0(dataset, "__bartlett.csv"))
  calls$kmo <- "psych::KMO(X)"
  calls$bartlett <- "psych::cortest.bartlett(cor(X), n = nrow(X))"

  # --- parallel analysis (observed eigenvalues are deterministic) --------------
  # fa.parallel() draws through parallel::mclapply(); with one core it runs serially on
  # the main RNG stream, so set.seed() makes the simulated columns reproducible.
  options(mc.cores = 1L)
  set.seed(seed)
  fp <- .mcollect(psych::fa.parallel(X, fm = "minres", fa = "both", n.iter = 20, plot = FALSE))
  .wcsv(data.frame(factor = seq_len(p), pc_observed = fp$pc.values, fa_observed = fp$fa.values,
                   pc_sim_mean = fp$pc.sim, fa_sim_mean = fp$fa.sim),
        paste0(dataset, "__parallel.csv"))
  calls$parallel <- sprintf(paste(
    "options(mc.cores = 1); set.seed(%d); psych::fa.parallel(X, fm = 'minres', fa = 'both', n.iter = 20, plot = FALSE);",
    "pc_observed = $pc.values (eigen(cor(X))), fa_observed = $fa.values (eigenvalues of cor(X)",
    "with the communalities of a 1-factor minres fit on the diagonal); *_sim_mean are random"), seed)

  # --- EFA ------------------------------------------------------------------------
  efa_info <- NULL
  if (!is.null(efa_nfactors)) {
    lrows <- list(); prows <- list()
    for (fm in c("ml", "minres")) for (rot in c("none", "varimax", "oblimin", "promax")) {
      f <- .mcollect(psych::fa(X, nfactors = efa_nfactors, fm = fm, rotate = rot))
      L <- unclass(f$loadings)
      for (j in seq_len(ncol(L))) {
        lrows[[length(lrows) + 1]] <- data.frame(
          method = fm, rotation = rot, item = rownames(L), factor = colnames(L)[j],
          loading = L[, j], communality = as.numeric(f$communality),
          uniqueness = as.numeric(f$uniquenesses), stringsAsFactors = FALSE)
      }
      if (!is.null(f$Phi)) {
        P <- f$Phi
        for (j in seq_len(ncol(P))) prows[[length(prows) + 1]] <- data.frame(
          method = fm, rotation = rot, factor = rownames(P), factor2 = colnames(P)[j],
          phi = P[, j], stringsAsFactors = FALSE)
      }
    }
    .wcsv(do.call(rbind, lrows), paste0(dataset, "__efa.csv"))
    .wcsv(do.call(rbind, prows), paste0(dataset, "__efa_phi.csv"))
    efa_info <- list(nfactors = efa_nfactors,
                     call = "psych::fa(X, nfactors, fm = fm, rotate = rot) for fm in ml, minres and rot in none, varimax, oblimin, promax (psych defaults otherwise: SMC = TRUE, GPArotation oblimin, promax = kaiser() + Promax(m = 4))")
  }

  # --- CFA-based validity -------------------------------------------------------
  fitm <- .mcollect(cfa(model, data = data, missing = cfa_missing))
  ave <- semTools::AVE(fitm)
  lv <- names(items)
  C <- lavInspect(fitm, "cor.lv")[lv, lv]
  .wcsv(data.frame(construct = lv, sqrt_ave = sqrt(as.numeric(ave[lv])), C,
                   check.names = FALSE, stringsAsFactors = FALSE),
        paste0(dataset, "__fornell_larcker.csv"))
  calls$fornell_larcker <- sprintf(
    "fit <- cfa(model, data = data, missing = '%s'); sqrt(semTools::AVE(fit)); lavInspect(fit, 'cor.lv')",
    cfa_missing)

  scores <- sapply(items, function(it) rowMeans(X[, it, drop = FALSE]))
  CL <- cor(X[, all_items], scores)
  .wcsv(data.frame(item = all_items, CL, check.names = FALSE, stringsAsFactors = FALSE),
        paste0(dataset, "__cross_loadings.csv"))
  calls$cross_loadings <- "scores <- sapply(items, function(it) rowMeans(X[, it])); cor(X, scores)"

  H1 <- .mcollect(semTools::htmt(model, data = data, missing = htmt_missing, htmt2 = FALSE))
  H1 <- matrix(unclass(H1), nrow = nrow(H1), dimnames = dimnames(H1))
  .wcsv(data.frame(construct = rownames(H1), H1, check.names = FALSE, stringsAsFactors = FALSE),
        paste0(dataset, "__htmt_classic.csv"))
  calls$htmt_classic <- sprintf(
    "semTools::htmt(model, data = data, missing = '%s', htmt2 = FALSE) (absolute = TRUE default)",
    htmt_missing)

  # --- common-method bias ---------------------------------------------------------
  cmb_info <- NULL
  if (cmb) {
    R <- cor(X)
    f1 <- .mcollect(psych::fa(X, nfactors = 1, fm = "minres", rotate = "none"))
    .wcsv(data.frame(n_items = p, pc_first_eigenvalue = eigen(R)$values[1],
                     pc_share = eigen(R)$values[1] / p,
                     fa_share = sum(unclass(f1$loadings)^2) / p),
          paste0(dataset, "__cmb_harman.csv"))

    one <- paste("GENERAL =~", paste(all_items, collapse = " + "))
    ulmc <- paste(model, "\nMETHOD =~", paste0("1*", all_items, collapse = " + "), "\n",
                  paste0("METHOD ~~ 0*", lv, collapse = "\n"))
    fit1 <- .mcollect(cfa(one, data = X))
    fitx <- .mcollect(cfa(model, data = X))
    fitu <- .mcollect(cfa(ulmc, data = X))
    .wcsv(rbind(.fit_row("one_factor", fit1), .fit_row("measurement", fitx),
                .fit_row("ulmc", fitu)), paste0(dataset, "__cmb_cfa.csv"))
    s0 <- standardizedSolution(fitx); s0 <- s0[s0$op == "=~", ]
    s1 <- standardizedSolution(fitu); s1 <- s1[s1$op == "=~", ]
    m1 <- s1[s1$lhs == "METHOD", ]
    t1 <- s1[s1$lhs != "METHOD", ]
    key0 <- paste(s0$lhs, s0$rhs); key1 <- paste(t1$lhs, t1$rhs)
    .wcsv(data.frame(construct = s0$lhs, item = s0$rhs, std_without = s0$est.std,
                     std_with = t1$est.std[match(key0, key1)],
                     method_std = m1$est.std[match(s0$rhs, m1$rhs)], stringsAsFactors = FALSE),
          paste0(dataset, "__cmb_ulmc.csv"))

    Rs <- cor(scores)
    vif <- diag(solve(Rs))
    vif_lm <- sapply(lv, function(f) {
      others <- setdiff(lv, f)
      r2 <- summary(lm(scores[, f] ~ scores[, others]))$r.squared
      1 / (1 - r2)
    })
    stopifnot(isTRUE(all.equal(as.numeric(vif), as.numeric(vif_lm), tolerance = 1e-8)))
    .wcsv(data.frame(construct = lv, vif = as.numeric(vif)), paste0(dataset, "__cmb_vif.csv"))

    marker_info <- NULL
    if (!is.null(marker)) {
      Xm <- stats::na.omit(data[, c(all_items, marker)])
      sc <- sapply(items, function(it) rowMeans(Xm[, it, drop = FALSE]))
      rm_all <- as.numeric(cor(Xm[[marker]], sc))
      r_m <- max(min(rm_all), 0)
      n <- nrow(Xm)
      Rr <- cor(sc)
      out <- list()
      for (i in seq_along(lv)) for (j in seq_along(lv)) if (i < j) {
        ru <- Rr[i, j]
        ra <- (ru - r_m) / (1 - r_m)
        tt <- ra * sqrt((n - 3) / (1 - ra^2))
        out[[length(out) + 1]] <- data.frame(
          construct1 = lv[i], construct2 = lv[j], r = ru, r_adjusted = ra,
          t = tt, pvalue = 2 * pt(-abs(tt), df = n - 3), stringsAsFactors = FALSE)
      }
      .wcsv(do.call(rbind, out), paste0(dataset, "__cmb_marker.csv"))
      marker_info <- list(marker = marker, r_m = r_m, marker_correlations = as.list(setNames(rm_all, lv)),
                          n = n, call = paste(
        "construct scores = unit-weighted means of complete cases (items + marker);",
        "r_M = max(0, min(cor(marker, scores))); r_A = (r - r_M) / (1 - r_M);",
        "t = r_A * sqrt((n - 3) / (1 - r_A^2)), p = 2 * pt(-|t|, n - 3) (Lindell & Whitney 2001)"))
    }
    cmb_info <- list(
      harman = "pc_share = eigen(cor(X))$values[1] / p; fa_share = sum(fa(X, 1, fm = 'minres', rotate = 'none')$loadings^2) / p",
      one_factor_model = one, ulmc_model = ulmc,
      cfa_call = "cfa(<model>, data = X) (lavaan defaults, listwise X)",
      vif = "diag(solve(cor(scores))) (checked equal to 1 / (1 - R^2) from lm of each score on the others)",
      marker = marker_info)
  }

  meta <- list(
    dataset = dataset, versions = c(versions(), GPArotation = as.character(packageVersion("GPArotation"))),
    model = model, date = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
    n_rows = nrow(data), n_complete_all_items = nrow(X), calls = calls,
    parallel_suggested = list(nfact = fp$nfact, ncomp = fp$ncomp),
    efa = efa_info, cmb = cmb_info, warnings = as.list(unique(.mwarn)), data_note = data_note)
  meta <- meta[!vapply(meta, is.null, logical(1))]
  jsonlite::write_json(meta, ref_path(paste0(dataset, "__measurement_meta.json")),
                       auto_unbox = TRUE, pretty = TRUE, digits = NA, null = "null", na = "null")
  invisible(meta)
}
