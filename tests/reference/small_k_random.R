# small_k.json's checks on data sets the engine has not been tuned on: about 30 synthetic
# meta-analyses of k = 2, 3 and 4 studies given as (yi, vi), chosen for the corners of few-study
# inference (ad hoc correction binding, Q = 0, huge Q, very unequal variances, one dominating study,
# all-negative effects) plus seeded random draws. For each case, the same fields as
# tests/data/oracle/small_k.json (README there):
#   adhoc_<M>, M in REML DL PM ML SJ HE EB: metafor 3.8-1 rma(yi, vi, method = M, test = "adhoc") at
#     its defaults (no control argument): est, se, ci_lb, ci_ub, pval, tau2, and pi_lb/pi_ub from
#     predict() when k >= 3 (null for k = 2, as small_k.json). If rma() stops (e.g. Fisher scoring
#     did not converge) the block is {"error": message}, as engine_edges.json.
#   bayes_hn0.5, bayes_hn1: the exact normal-normal model (uniform prior on mu, half-normal prior on
#     tau of scale 0.5 or 1) by one-dimensional quadrature over tau in base R (integrate, uniroot).
#     The function is fit() of tests/reference/bayes_normal_normal.R, evaluated from that file (not
#     copied), so both references are computed the same way; it reproduces small_k.json's
#     bayes_* blocks to about 1e-13.
# The random cases' yi and vi are rounded to 6 significant digits before fitting, so the JSON
# holds exactly the numbers that were fitted.
# Run from the repository root:  Rscript tests/reference/small_k_random.R
# Writes tests/reference/small_k_random.json.
suppressMessages({library(metafor); library(jsonlite)})

# tol and fit() from bayes_normal_normal.R: only those two assignments are evaluated
for (e in parse("tests/reference/bayes_normal_normal.R")) {
  if (is.call(e) && identical(e[[1]], as.name("<-")) && as.character(e[[2]]) %in% c("tol", "fit")) eval(e)
}
stopifnot(exists("fit"), exists("tol"))

METHODS <- c("REML", "DL", "PM", "ML", "SJ", "HE", "EB")
PRIORS <- c("bayes_hn0.5" = 0.5, "bayes_hn1" = 1)

adhoc <- function(yi, vi, method) {
  r <- try(rma(yi, vi, method = method, test = "adhoc"), silent = TRUE)
  if (inherits(r, "try-error")) return(list(error = conditionMessage(attr(r, "condition"))))
  p <- predict(r)
  pi <- if (r$k >= 3) c(p$pi.lb, p$pi.ub) else c(NA, NA)
  list(est = c(r$beta), se = r$se, ci_lb = r$ci.lb, ci_ub = r$ci.ub, pval = r$pval, tau2 = r$tau2,
       pi_lb = pi[1], pi_ub = pi[2])
}

case <- function(name, what, yi, vi) list(name = name, what = what, yi = yi, vi = vi)
cases <- list(
  # q = sum w (y - mu)^2 / (k - 1) far below 1: the ad hoc max(1, q) binds
  case("k2_near_identical", "Q tiny (yi differ by 1e-4)", c(-0.3, -0.3001), c(0.04, 0.05)),
  case("k3_near_identical", "Q tiny", c(0.2, 0.2002, 0.1999), c(0.02, 0.03, 0.05)),
  case("k4_near_identical", "Q tiny, unequal vi", c(1.1, 1.1003, 1.0998, 1.1001), c(0.01, 0.2, 0.05, 0.5)),
  case("k3_q_below_1", "Q < k - 1, tau2 = 0 for most estimators", c(0.1, 0.25, -0.05), c(0.04, 0.06, 0.05)),
  case("k3_q_just_above_1", "Q slightly above k - 1: the correction does not bind", c(0.1, 0.45, -0.2), c(0.04, 0.06, 0.05)),
  # yi all equal: Q = 0 exactly
  case("k2_all_equal", "yi all equal", c(0.5, 0.5), c(0.1, 0.2)),
  case("k3_all_equal", "yi all equal, unequal vi", c(-0.7, -0.7, -0.7), c(0.01, 0.05, 0.3)),
  case("k4_all_equal_vi", "yi and vi all equal", c(0.25, 0.25, 0.25, 0.25), c(0.05, 0.05, 0.05, 0.05)),
  # large Q
  case("k2_large_Q", "Q large", c(-1.5, 1.2), c(0.01, 0.02)),
  case("k3_large_Q", "Q large", c(-2, 0.3, 1.8), c(0.02, 0.03, 0.01)),
  case("k4_large_Q", "Q large", c(-0.9, 2.4, 0.1, -2.2), c(0.005, 0.01, 0.02, 0.008)),
  case("k2_huge_Q", "Q in the thousands, precise studies", c(-3, 3), c(0.001, 0.002)),
  # very unequal vi
  case("k2_unequal_vi", "vi ratio 4000", c(0.2, -0.6), c(0.0005, 2)),
  case("k3_unequal_vi", "vi ratio 5000", c(-0.1, 0.4, 1.5), c(0.001, 0.1, 5)),
  case("k4_unequal_vi", "vi over four orders of magnitude", c(0.3, 0.9, -0.4, 2), c(0.0004, 0.02, 0.3, 4)),
  # one study dominating the weights
  case("k3_dominant", "one study with 99.9% of the fixed-effect weight", c(0.05, 0.8, 0.6), c(0.0001, 0.3, 0.5)),
  case("k4_dominant", "one study dominating, heterogeneous", c(-0.4, 0.7, 0.9, 0.2), c(0.0002, 0.4, 0.6, 0.25)),
  case("k2_dominant", "one study dominating", c(1.0, -0.2), c(0.0003, 0.6)),
  # negative effects
  case("k2_negative", "all yi negative", c(-1.2, -0.8), c(0.09, 0.12)),
  case("k3_negative", "all yi negative, heterogeneous", c(-1.2, -0.35, -2.1), c(0.05, 0.08, 0.1)),
  case("k4_negative", "all yi negative, strongly", c(-2.5, -1.9, -3.1, -2.2), c(0.2, 0.15, 0.3, 0.25)),
  # large effects relative to the prior scales
  case("k3_wide", "large vi: the data barely inform tau", c(0.5, -1, 2), c(1.5, 2, 3)),
  # metafor stops (found by a random search over k = 2-4): EB's Fisher scoring does not converge in
  # 100 iterations; PM's Q(tau2) still exceeds k - 1 at max(100, 10 mad(y)^2) ("tau2.max too low")
  case("k4_eb_no_convergence", "vi over four orders of magnitude; EB does not converge",
       c(-0.135958, 0.0395492, -0.0946449, 0.107858), c(0.00128982, 0.000532184, 1.05996, 0.488137)),
  case("k3_pm_tau2max", "yi far apart, tiny vi; PM finds no root below tau2.max",
       c(-8.67041, -7.27603, 19.7744), c(0.000715494, 1.70224, 0.00232922))
)

set.seed(20240531)
for (i in 1:10) {
  k <- c(2L, 3L, 4L)[(i - 1) %% 3 + 1]
  tau <- c(0, 0.2, 0.5, 1)[(i - 1) %% 4 + 1]
  vi <- signif(exp(rnorm(k, log(0.05), 1.2)), 6)
  yi <- signif(rnorm(k, rnorm(1, 0, 0.7), sqrt(vi + tau^2)), 6)
  cases[[length(cases) + 1]] <- case(sprintf("random%02d_k%d", i, k),
                                     sprintf("seeded draw, k = %d, true tau = %g", k, tau), yi, vi)
}

out <- lapply(cases, function(cs) {
  ref <- list()
  for (m in METHODS) ref[[paste0("adhoc_", m)]] <- adhoc(cs$yi, cs$vi, m)
  for (key in names(PRIORS)) {
    s <- PRIORS[[key]]
    ref[[key]] <- c(list(prior = sprintf("half-normal(%g)", s)), as.list(fit(cs$yi, cs$vi, "half-normal", s)))
  }
  c(cs, list(ref = ref))
})
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/reference/small_k_random.json")
