#!/bin/sh
# Regenerate every lavaan reference fixture. Run from the repository root:
#     sh tests/reference/r/run_all.sh
set -e
cd "$(dirname "$0")/../../.."
for s in export_data hs_cfa hs_cfa_std_lv poldem_sem poldem_equal hs_fiml hs_fiml_expected \
         wheaton_cov hs_corsd talor_mediation tiktok_cfa tiktok_sem lancelot_sem ecsi_cfa \
         hs_group hs_group_metric hs_group_scalar hs_group_strict \
         reliability_hs reliability_tiktok reliability_ecsi \
         trust_sem_fiml trust_sem_listwise trust_cfa_fiml trust_correlated_fiml \
         reliability_trust \
         regression_trust regression_tiktok regression_corprep regression_latent; do
  echo "== $s"
  Rscript "tests/reference/r/$s.R"
done
Rscript tests/reference/r/hs_bootstrap.R
# measurement toolkit (trustsem.measurement / .efa / .cmb); helpers in _measurement_common.R
for s in measurement_hs measurement_tiktok measurement_ecsi measurement_trust; do
  echo "== $s"
  Rscript "tests/reference/r/$s.R"
done
Rscript tests/reference/r/hs_invariance_tests.R
# ordinal first stage (trustsem._engine.ordinal): thresholds, polychorics, WLSMV Gamma
for s in ordinal_tiktok ordinal_trust ordinal_edge; do echo "== $s"; Rscript "tests/reference/r/$s.R"; done
Rscript tests/reference/r/robust_ml.R
Rscript tests/reference/r/wlsmv.R
# WLSMV in groups, := / ==, difference tests (wlsmv_group.R writes data/hs_ordinal4.csv first)
for s in wlsmv_group wlsmv_defined wlsmv_theta wlsmv_mixed wlsmv_lrt; do echo "== $s"; Rscript "tests/reference/r/$s.R"; done
Rscript tests/reference/r/ordinal_reliability.R
# std.lv multi-group invariance; FIML with a missing fixed covariate; Wald CIs at level 0.90; MLM in groups
for s in hs_group_std_lv hs_mimic_missing_x hs_level90 hs_group_mlm; do echo "== $s"; Rscript "tests/reference/r/$s.R"; done
# every estimator for indirect effects; robust and ordinal invariance ladders (need wlsmv_group.R's data)
Rscript tests/reference/r/mediation_estimators.R
Rscript tests/reference/r/hs_invariance_robust.R
Rscript tests/reference/r/hs4_invariance_ordered.R
# robust CFI/TLI/RMSEA after FIML (FIML-corrected) and under WLSMV (catML; writes data/hs_quartiles.csv)
for s in robust_fiml wlsmv_robust; do echo "== $s"; Rscript "tests/reference/r/$s.R"; done
