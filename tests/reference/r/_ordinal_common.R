# Shared by ordinal_tiktok.R and ordinal_trust.R: fit the WLSMV CFA in `code`,
# check its first stage against lavCor, and write the thresholds, polychoric,
# Gamma and meta files of `case` (`extra`: more meta entries, before `files`).
write_ordinal_case <- function(case, code, data, items, data_note, extra = list()) {
  env <- new.env(parent = globalenv())
  assign("data", data, envir = env); assign("items", items, envir = env)
  res <- capture_fit(eval(parse(text = code), envir = env))
  th <- get("th", env); R <- get("R", env); fit <- get("fit", env); G <- get("G", env)

  # the CFA's own first stage must equal lavCor's (same options apart from the model)
  ss <- lavInspect(fit, "sampstat")
  stopifnot(isTRUE(all.equal(unname(ss$th), unname(th), tolerance = 1e-10)),
            isTRUE(all.equal(unclass(ss$cov)[items, items], unclass(R)[items, items],
                             tolerance = 1e-10, check.attributes = FALSE)),
            identical(lavNames(fit, "ov"), items))

  th_lab <- names(th)
  .write_csv(data.frame(label = th_lab, item = sub("\\|t[0-9]+$", "", th_lab),
                        threshold = as.integer(sub("^.*\\|t", "", th_lab)),
                        value = as.numeric(th), stringsAsFactors = FALSE),
             ref_path(paste0(case, "__thresholds.csv")))
  Rm <- matrix(unclass(R)[items, items], length(items), dimnames = list(items, items))
  .write_csv(data.frame(var = items, Rm, check.names = FALSE, stringsAsFactors = FALSE),
             ref_path(paste0(case, "__polychoric.csv")))
  Gm <- matrix(unclass(G), nrow(G), dimnames = dimnames(G))
  .write_csv(data.frame(label = rownames(Gm), Gm, check.names = FALSE, stringsAsFactors = FALSE),
             ref_path(paste0(case, "__gamma.csv")))

  X <- as.matrix(data[, items])
  npair <- crossprod(!is.na(X)); storage.mode(npair) <- "integer"
  opt <- lavInspect(fit, "options")
  meta <- c(list(
    case = case,
    versions = versions(),
    call = code,
    date = format(Sys.time(), "%Y-%m-%d %H:%M:%S %Z"),
    items = items,
    options = list(estimator = opt$estimator, missing = opt$missing, se = opt$se,
                   test = opt$test, parameterization = opt$parameterization,
                   zero.add = opt$zero.add, zero.keep.margins = opt$zero.keep.margins,
                   gamma.n.minus.one = opt$gamma.n.minus.one),
    nobs = lavInspect(fit, "nobs"),
    norig = lavInspect(fit, "norig"),
    n_pairs = lapply(seq_along(items), function(i) as.integer(npair[i, ])),
    n_pairs_range = range(npair[lower.tri(npair)]),
    coverage_equals_n_pairs = isTRUE(all.equal(unclass(lavInspect(fit, "coverage")),
                                               npair / lavInspect(fit, "nobs"),
                                               check.attributes = FALSE)),
    category_counts = lapply(setNames(items, items), function(v) as.list(table(data[[v]]))),
    zero_cell_pairs = unlist(lapply(seq_len(length(items) - 1L), function(j)
      lapply((j + 1L):length(items), function(i)
        if (any(table(data[[items[j]]], data[[items[i]]]) == 0L))
          paste(items[j], items[i], sep = " x ")))),
    gamma_order = paste("thresholds item by item in 'items' order (t1 < t2 < ...), then the",
                        "polychoric correlations of the lower triangle column by column:",
                        "(2,1), (3,1), ..., (p,1), (3,2), ...; labels in the first column of",
                        "__gamma.csv. Gamma = lavInspect(fit, 'gamma') = fit@SampleStats@NACOV,",
                        "i.e. N * WLS.W of lavaan's muthen1984(), gamma.n.minus.one = FALSE"),
    warnings = as.list(unique(res$warnings)),
    data_note = data_note), extra, list(
    files = list(thresholds = paste0(case, "__thresholds.csv"),
                 polychoric = paste0(case, "__polychoric.csv"),
                 gamma = paste0(case, "__gamma.csv"))))
  jsonlite::write_json(meta, ref_path(paste0(case, "__meta.json")),
                       auto_unbox = TRUE, pretty = TRUE, digits = NA,
                       null = "null", na = "null")
  message("wrote ", case, ": ", length(th), " thresholds, ", nrow(Gm), " x ", ncol(Gm), " Gamma")
}
