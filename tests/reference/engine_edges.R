# Reference values for the engine's edge cases (tests/test_engine_edges.py), from R metafor.
# Run from the repository root:  Rscript tests/reference/engine_edges.R
# Writes tests/reference/engine_edges.json. Conventions as tests/data/oracle/README.md:
# escalc("RR", drop00=TRUE) (0.5 added to the cells of a study with a zero cell, studies with no
# or only events in both arms dropped), rma() at metafor's defaults (no control argument), prediction
# interval est +- qt(.975, k-2) * sqrt(tau2 + se_wald^2), Q-profile CIs for tau2 and I2.
suppressMessages(library(metafor))
suppressMessages(library(jsonlite))

METHODS <- c("REML", "DL", "PM", "ML", "SJ", "HE", "EB")

fit_one <- function(yi, vi, method, test) {
  r <- try(rma(yi, vi, method = method, test = test), silent = TRUE)
  if (inherits(r, "try-error")) return(list(error = conditionMessage(attr(r, "condition"))))
  k <- r$k
  w <- 1 / (vi + r$tau2)
  se_wald <- 1 / sqrt(sum(w))
  out <- list(k = k, est = c(r$beta), se = r$se, ci_lb = r$ci.lb, ci_ub = r$ci.ub, pval = r$pval,
              tau2 = r$tau2, I2 = r$I2, H2 = r$H2, Q = r$QE, Qp = r$QEp, pi_lb = NA, pi_ub = NA)
  if (k >= 3) {
    half <- qt(0.975, k - 2) * sqrt(r$tau2 + se_wald^2)
    out$pi_lb <- c(r$beta) - half
    out$pi_ub <- c(r$beta) + half
  }
  if (test == "z" && k >= 2) {
    ci <- confint(r)$random
    out$tau2_ci_lb <- ci["tau^2", "ci.lb"]
    out$tau2_ci_ub <- ci["tau^2", "ci.ub"]
    out$I2_ci_lb <- ci["I^2(%)", "ci.lb"]
    out$I2_ci_ub <- ci["I^2(%)", "ci.ub"]
  }
  out
}

fit_all <- function(yi, vi) {
  res <- list()
  for (m in METHODS) for (t in c("z", "knha")) res[[paste(m, t, sep = "_")]] <- fit_one(yi, vi, m, t)
  res
}

counts_case <- function(name, ai, n1, ci, n2, note) {
  e <- escalc("RR", ai = ai, n1i = n1, ci = ci, n2i = n2, drop00 = TRUE)
  ok <- !is.na(e$yi)
  mh <- rma.mh(measure = "RR", ai = ai, n1i = n1, ci = ci, n2i = n2)
  list(name = name, note = note, ai = ai, n1 = n1, ci = ci, n2 = n2,
       yi = c(e$yi), vi = c(e$vi),
       fixed_mh = list(k = mh$k, est = c(mh$beta), se = mh$se, Q = mh$QE, Qp = mh$QEp),
       random = fit_all(e$yi[ok], e$vi[ok]))
}

effects_case <- function(name, yi, vi, note) {
  list(name = name, note = note, yi = yi, vi = vi, random = fit_all(yi, vi))
}

cases <- list(
  counts_case("near_homogeneous", c(20, 40, 30, 61), c(100, 200, 150, 300), c(21, 41, 31, 60),
              c(100, 200, 150, 300), "Q far below k-1: tau2 = 0 for every estimator, tau2 CI [0, x]"),
  effects_case("identical_yi", c(0.1, 0.1, 0.1), c(0.01, 0.02, 0.03),
               "identical effects: tau2 = 0, CI [0, 0]; HKSJ se = 0"),
  counts_case("zero_and_all_events", c(0, 10, 5, 20, 0), c(30, 10, 40, 50, 25), c(4, 12, 8, 25, 0),
              c(31, 12, 41, 48, 27),
              "a zero cell (0.5 added), all events in both arms and no events in both arms (both dropped from rma, kept in rma.mh)"),
  counts_case("huge_counts", c(4123456, 9999990, 1234567), c(1e7, 1e7, 9e6), c(4300001, 9999995, 1180000),
              c(1e7, 1e7, 9e6), "counts up to 10^7"),
  counts_case("spread_beyond_100", c(1, 9999999), c(1e7, 1e7), c(9999999, 1), c(1e7, 1e7),
              "log RRs of -16 and 16: Q(100) > k-1, metafor's PM searches up to 10 mad(y)^2"),
  effects_case("outlier_pm_fails", c(0, 0.01, 40), c(0.01, 0.01, 0.01),
               "mad small, spread huge: metafor's PM stops with tau2.max too low"),
  effects_case("mixed_counts_and_rr",
               c(log((30 / 100) / (40 / 100)), log((12 / 60) / (15 / 58)), log(1.08)),
               c(1 / 30 - 1 / 100 + 1 / 40 - 1 / 100, 1 / 12 - 1 / 60 + 1 / 15 - 1 / 58,
                 ((log(1.5) - log(0.80)) / (2 * 1.959964))^2),
               "two count studies and I-MICRO's reported RR 1.08 (0.80-1.5)")
)

bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
maxiter1 <- list()
for (m in c("REML", "ML", "EB")) {
  r <- try(rma(yi, vi, data = bcg, method = m, control = list(maxiter = 1)), silent = TRUE)
  maxiter1[[m]] <- if (inherits(r, "try-error")) conditionMessage(attr(r, "condition")) else "converged"
}

k1 <- rma(yi = log((12 / 40) / (20 / 41)), vi = 1 / 12 - 1 / 40 + 1 / 20 - 1 / 41, method = "REML")
out <- list(
  metafor_version = as.character(packageVersion("metafor")),
  cases = cases,
  bcg_maxiter_1 = list(yi = c(bcg$yi), vi = c(bcg$vi), outcome = maxiter1),
  k1 = list(ai = 12, n1 = 40, ci = 20, n2 = 41, est = c(k1$beta), se = k1$se, ci_lb = k1$ci.lb,
            ci_ub = k1$ci.ub, pval = k1$pval, tau2 = k1$tau2, Q = k1$QE)
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           "tests/reference/engine_edges.json")
