# Reference values for tests/test_network_random.py: R metafor 3.8-1 on synthetic arm-level networks
# the implementation was not developed against (the oracle's nma.json has four real data sets).
# Run from the repository root:  Rscript tests/reference/nma_random.R
# Writes tests/reference/nma_random.json: a list of cases in the shape of the oracle's nma.json
# (name, source, measure, small_values_good, reference, treatments, arms as columns, ref with a
# fixed and a random block), plus `reml` (see below).
# Conventions: exactly the oracle's README, section "nma.json":
# - baseline arm = the study's arm whose treatment comes first in `treatments`; one contrast per
#   other arm (arm - baseline); covariance of two contrasts of a study = the baseline arm's variance;
# - binary data: a study with an arm of 0 events or 0 non-events gets 0.5 added to the events and to
#   the non-events of every arm (1 to the total); a study with no events in any arm, or only events
#   in every arm, is left out;
# - fixed: rma.mv(yi, V, mods = X, intercept = FALSE, method = "FE"); random: rma.mv(yi, V, mods = X,
#   intercept = FALSE, random = ~ comp | study, rho = 1/2) (REML, metafor's default control);
# - d (metafor's beta, se, ci.lb, ci.ub), league "A|B" = d_A - d_B with se from vb, Wald z intervals,
#   P-scores (Rucker & Schwarzer 2015) from beta and vb, QE, QEp, QE_df = k - p, tau2.
# `reml` per case: tau2_metafor and loglik_metafor (metafor's REML fit and its logLik); tau2_max, the
# REML maximum to machine precision (base R: 0 when the REML score at 0 is not positive, else the
# root of the score 1/2 [y'PRPy - tr(PR)], P = W - WX(X'WX)^-1X'W, W = (V + tau2 R)^-1, by uniroot
# bracketed by doubling), and loglik_max, metafor's logLik refitted with tau2 fixed at tau2_max.
# Where nlminb (on log tau2) stops short of the maximum or cannot reach tau2 = 0, loglik_max >
# loglik_metafor: the size of that gap is what the test's per-case tolerances allow for.
# Features covered: OR, RR, MD; 3-6 treatments; two-, three- and four-arm studies; closed loops and
# stars; zero-event arms, arms with only events, studies with no events and studies with only events
# (left out); tau^2 from 0 to large; small values good and bad; arms in shuffled order within studies,
# studies' baselines that are not the reference, integer and text study labels.
suppressMessages(library(metafor))
suppressMessages(library(jsonlite))
source("tests/reference/nma_contrasts.R")

set.seed(20240611)

# ---- data generation ---------------------------------------------------------------------------
# designs: a list of treatment vectors (one per study); d: true effect of each treatment vs the
# first (log OR, log RR or MD); tau: heterogeneity SD (contrasts of one study correlate 1/2);
# zero / full: list(c(study, treatment)) arms forced to 0 events / to events = total; none / all:
# studies forced to 0 events / only events in every arm.
simulate <- function(name, measure, trt, designs, d, tau, svg, p0 = 0.3, n = c(40, 200),
                     mean0 = 10, sd = c(3, 8), zero = list(), full = list(), none = integer(0),
                     all = integer(0), labels = "text", source = "") {
  names(d) <- trt
  rows <- list()
  for (s in seq_along(designs)) {
    ts <- designs[[s]]
    k <- length(ts)
    u <- rnorm(1, 0, tau / sqrt(2))
    re <- c(0, u + rnorm(k - 1, 0, tau / sqrt(2)))   # arm 1 is the study's own baseline here
    delta <- d[ts] - d[ts[1]] + re
    id <- if (labels == "int") s * 3 + 100 else sprintf("%s-%02d", substr(name, 1, 2), s)
    if (measure == "MD") {
      mu <- rnorm(1, mean0, 2)
      nn <- sample(n[1]:n[2], k, replace = TRUE)
      sds <- round(runif(k, sd[1], sd[2]), 2)
      means <- round(mu + delta + rnorm(k) * sds / sqrt(nn), 3)
      arm <- data.frame(study = id, treatment = ts, n = nn, mean = means, sd = sds, stringsAsFactors = FALSE)
    } else {
      lp <- rnorm(1, qlogis(p0), 0.3)
      nn <- sample(n[1]:n[2], k, replace = TRUE)
      p <- if (measure == "OR") plogis(lp + delta) else pmin(exp(log(plogis(lp)) + delta), 0.97)
      ev <- rbinom(k, nn, p)
      for (z in zero) if (z[1] == s) ev[ts == z[2]] <- 0
      for (z in full) if (z[1] == s) ev[ts == z[2]] <- nn[ts == z[2]]
      if (s %in% none) ev[] <- 0
      if (s %in% all) ev <- nn
      arm <- data.frame(study = id, treatment = ts, events = ev, total = nn, stringsAsFactors = FALSE)
    }
    rows[[s]] <- arm[sample(k), ]   # arms in shuffled order: the baseline is found, not assumed
  }
  arms <- do.call(rbind, rows)
  rownames(arms) <- NULL
  list(name = name, source = source, measure = measure, small_values_good = svg, reference = trt[1],
       treatments = trt, arms = arms)
}

# ---- the README's model -----------------------------------------------------------------------
contrasts_of <- function(case) readme_contrasts(case$arms, case$treatments, case$measure)

reml_score <- function(tau2, y, V, R, X) {
  W <- solve(V + tau2 * R); WX <- W %*% X
  P <- W - WX %*% solve(t(X) %*% WX, t(WX))
  Py <- P %*% y
  0.5 * (c(t(Py) %*% R %*% Py) - sum(P * R))
}

reml_max <- function(y, V, R, X) {
  if (reml_score(0, y, V, R, X) <= 0) return(0)
  hi <- 1
  while (reml_score(hi, y, V, R, X) > 0) hi <- 2 * hi
  uniroot(reml_score, c(0, hi), y = y, V = V, R = R, X = X, tol = 1e-300, maxiter = 5000)$root
}

interval <- function(est, se) {
  z <- qnorm(0.975)
  list(est = est, se = se, ci_lb = est - z * se, ci_ub = est + z * se)
}

block <- function(fit, trt, svg, random) {
  beta <- c(0, as.vector(fit$beta)); names(beta) <- trt
  vb <- matrix(0, length(trt), length(trt)); vb[-1, -1] <- fit$vb
  d <- list()
  for (i in seq_along(trt)[-1]) d[[trt[i]]] <- list(est = fit$beta[i - 1], se = fit$se[i - 1],
                                                     ci_lb = fit$ci.lb[i - 1], ci_ub = fit$ci.ub[i - 1])
  league <- list(); ps <- list()
  sgn <- if (svg) -1 else 1
  for (i in seq_along(trt)) {
    p <- c()
    for (j in seq_along(trt)) {
      if (i == j) next
      se <- sqrt(vb[i, i] + vb[j, j] - 2 * vb[i, j])
      league[[paste(trt[i], trt[j], sep = "|")]] <- interval(beta[[i]] - beta[[j]], se)
      p <- c(p, pnorm(sgn * (beta[[i]] - beta[[j]]) / se))
    }
    ps[[trt[i]]] <- mean(p)
  }
  out <- list(d = d, league = league, pscore = ps, QE = fit$QE, QEp = fit$QEp, QE_df = fit$k - fit$p)
  if (random) out$tau2 <- fit$tau2
  out
}

reference_of <- function(case) {
  cs <- contrasts_of(case); dat <- cs$dat
  fe <- rma.mv(dat$yi, cs$V, mods = cs$X, intercept = FALSE, method = "FE")
  re <- rma.mv(dat$yi, cs$V, mods = cs$X, intercept = FALSE, random = ~ comp | study, rho = 1/2, data = dat)
  at <- function(tau2) c(logLik(rma.mv(dat$yi, cs$V, mods = cs$X, intercept = FALSE, random = ~ comp | study,
                                       rho = 1/2, data = dat, tau2 = tau2)))
  tmax <- reml_max(dat$yi, cs$V, cs$R, cs$X)
  list(ref = list(fixed = block(fe, case$treatments, case$small_values_good, FALSE),
                  random = block(re, case$treatments, case$small_values_good, TRUE)),
       reml = list(tau2_metafor = re$tau2, loglik_metafor = c(logLik(re)), tau2_max = tmax, loglik_max = at(tmax)),
       contrasts = nrow(dat), studies = length(unique(dat$study)))
}

# ---- the cases -------------------------------------------------------------------------------
rep_d <- function(...) { x <- list(...); out <- list(); for (e in x) for (i in seq_len(e[[2]])) out[[length(out) + 1]] <- e[[1]]; out }
T3 <- c("A", "B", "C")

cases <- list(
  simulate("or_loop3", "OR", c("Pbo", "Low", "High"),
           rep_d(list(c("Pbo", "Low"), 4), list(c("Pbo", "High"), 3), list(c("Low", "High"), 3), list(c("Pbo", "Low", "High"), 1)),
           c(0, 0.4, 0.7), tau = 0.5, svg = FALSE, source = "closed loop, one three-arm study, tau > 0"),
  simulate("or_star4", "OR", c("P", "A", "B", "C"),
           rep_d(list(c("P", "A"), 4), list(c("P", "B"), 3), list(c("P", "C"), 3)),
           c(0, -0.3, -0.5, 0.1), tau = 0, svg = TRUE, source = "star, homogeneous"),
  simulate("or_zero_arms", "OR", c("A", "B", "C", "D", "E"),
           rep_d(list(c("A", "B"), 3), list(c("B", "C"), 2), list(c("C", "D"), 2), list(c("D", "E"), 2),
                 list(c("A", "E"), 2), list(c("A", "C", "E"), 1)),
           c(0, 0.5, 0.2, -0.4, 0.8), tau = 0.3, svg = FALSE, p0 = 0.15, n = c(20, 80),
           zero = list(c(2, "B"), c(12, "C"), c(6, "D")), source = "five-cycle, zero-event arms (one in a three-arm study)"),
  simulate("or_no_events_study", "OR", c("Ctl", "X", "Y", "Z"),
           rep_d(list(c("Ctl", "X"), 3), list(c("Ctl", "Y"), 3), list(c("X", "Y"), 2), list(c("Ctl", "Z"), 3)),
           c(0, -0.6, -0.2, 0.3), tau = 0, svg = TRUE, p0 = 0.1, n = c(30, 90),
           zero = list(c(1, "X")), none = c(4, 10), source = "loop + spur, studies with no events left out, zero arm"),
  simulate("or_only_events", "OR", T3,
           rep_d(list(c("A", "B"), 4), list(c("A", "C"), 3), list(c("B", "C"), 2)),
           c(0, 0.8, 1.2), tau = 0.6, svg = FALSE, p0 = 0.6, n = c(15, 60),
           full = list(c(2, "B"), c(8, "C")), all = 5, source = "arms with only events corrected, a study with only events left out"),
  simulate("or_four_arm", "OR", c("A", "B", "C", "D", "E"),
           rep_d(list(c("A", "B", "C", "D"), 1), list(c("A", "B", "E"), 1), list(c("A", "B"), 3), list(c("B", "C"), 2),
                 list(c("C", "E"), 2), list(c("A", "D"), 2)),
           c(0, -0.2, -0.7, -0.4, -0.9), tau = 0.6, svg = TRUE, source = "four-arm and three-arm studies, tau > 0"),
  simulate("or_six", "OR", c("T1", "T2", "T3", "T4", "T5", "T6"),
           rep_d(list(c("T1", "T2"), 2), list(c("T1", "T3"), 2), list(c("T2", "T3"), 1), list(c("T3", "T4"), 2),
                 list(c("T4", "T5"), 2), list(c("T3", "T5"), 1), list(c("T5", "T6"), 2), list(c("T1", "T6"), 1)),
           c(0, 0.3, 0.1, 0.5, 0.2, -0.1), tau = 0.2, svg = FALSE, source = "six treatments, several loops"),
  simulate("or_rare", "OR", c("A", "B", "C", "D"),
           rep_d(list(c("A", "B"), 4), list(c("A", "C"), 4), list(c("B", "D"), 3), list(c("C", "D"), 2)),
           c(0, -0.5, -0.3, -0.8), tau = 0, svg = TRUE, p0 = 0.04, n = c(25, 70),
           source = "rare events: zero-event arms (and maybe studies) by chance"),
  simulate("rr_loop3", "RR", T3,
           rep_d(list(c("A", "B"), 3), list(c("A", "C"), 3), list(c("B", "C"), 3), list(c("A", "B", "C"), 2)),
           c(0, -0.3, -0.5), tau = 0.3, svg = TRUE, source = "closed loop, two three-arm studies"),
  simulate("rr_star5", "RR", c("Usual", "W", "X", "Y", "Z"),
           rep_d(list(c("Usual", "W"), 3), list(c("Usual", "X"), 3), list(c("Usual", "Y"), 2), list(c("Usual", "Z"), 3)),
           c(0, 0.2, -0.4, 0.1, -0.2), tau = 0.5, svg = FALSE, p0 = 0.25, source = "star, heterogeneous"),
  simulate("rr_zero", "RR", c("A", "B", "C", "D"),
           rep_d(list(c("A", "B"), 3), list(c("A", "C"), 3), list(c("B", "C"), 2), list(c("C", "D"), 3), list(c("A", "B", "D"), 1)),
           c(0, -0.7, -0.4, -0.2), tau = 0, svg = TRUE, p0 = 0.12, n = c(20, 60),
           zero = list(c(1, "B"), c(12, "B"), c(9, "D")), none = 5, source = "zero arms (one in a three-arm study), a study with no events"),
  simulate("rr_four_arm", "RR", c("A", "B", "C", "D", "E", "F"),
           rep_d(list(c("A", "B", "C", "D"), 1), list(c("A", "B"), 2), list(c("C", "D"), 2), list(c("D", "E"), 2),
                 list(c("E", "F"), 2), list(c("A", "F"), 1), list(c("B", "E", "F"), 1)),
           c(0, 0.2, 0.3, 0.4, 0.1, 0.25), tau = 0.2, svg = FALSE, p0 = 0.2, source = "six treatments, four-arm study"),
  simulate("rr_multi_arm", "RR", c("A", "B", "C", "D"),
           rep_d(list(c("A", "B", "C"), 2), list(c("B", "C", "D"), 2), list(c("A", "D"), 2), list(c("A", "B", "C", "D"), 1)),
           c(0, -0.2, -0.3, -0.6), tau = 0, svg = TRUE, p0 = 0.35, source = "mostly multi-arm studies, homogeneous"),
  simulate("rr_only_events", "RR", T3,
           rep_d(list(c("A", "B"), 4), list(c("A", "C"), 3), list(c("B", "C"), 2)),
           c(0, 0.3, 0.35), tau = 0.1, svg = FALSE, p0 = 0.6, n = c(15, 50),
           full = list(c(1, "B"), c(6, "C")), zero = list(c(3, "A")), all = 8,
           source = "arms with only events / no events corrected, a study with only events left out"),
  simulate("rr_rare", "RR", c("A", "B", "C", "D", "E"),
           rep_d(list(c("A", "B"), 3), list(c("A", "C"), 3), list(c("A", "D"), 3), list(c("D", "E"), 2), list(c("B", "C"), 2)),
           c(0, -0.4, -0.6, 0.3, 0.1), tau = 0.3, svg = TRUE, p0 = 0.05, n = c(30, 100),
           source = "rare events: zero-event arms by chance"),
  simulate("md_loop3", "MD", T3,
           rep_d(list(c("A", "B"), 4), list(c("A", "C"), 3), list(c("B", "C"), 2), list(c("A", "B", "C"), 1)),
           c(0, -2, -3), tau = 1.5, svg = TRUE, source = "closed loop, three-arm study, tau > 0"),
  simulate("md_star4", "MD", c("Pbo", "D1", "D2", "D3"),
           rep_d(list(c("Pbo", "D1"), 3), list(c("Pbo", "D2"), 3), list(c("Pbo", "D3"), 3)),
           c(0, 1, 2, 1.5), tau = 0, svg = FALSE, source = "star, homogeneous"),
  simulate("md_four_arm", "MD", c("A", "B", "C", "D", "E"),
           rep_d(list(c("A", "B", "C", "D"), 1), list(c("A", "B"), 2), list(c("B", "C"), 2), list(c("C", "E"), 2),
                 list(c("D", "E"), 2), list(c("A", "C", "E"), 1)),
           c(0, -1, -2.5, -1.5, -3), tau = 2, svg = TRUE, source = "four-arm and three-arm studies, large tau"),
  simulate("md_six", "MD", c("T1", "T2", "T3", "T4", "T5", "T6"),
           rep_d(list(c("T1", "T2"), 2), list(c("T2", "T3"), 2), list(c("T3", "T4"), 2), list(c("T4", "T5"), 2),
                 list(c("T5", "T6"), 2), list(c("T1", "T6"), 2), list(c("T1", "T3", "T5"), 1)),
           c(0, 0.5, 1, 1.5, 2, 2.5), tau = 0.5, svg = FALSE, source = "six-cycle and a three-arm study"),
  simulate("md_homogeneous", "MD", c("A", "B", "C", "D"),
           rep_d(list(c("A", "B"), 4), list(c("A", "C"), 4), list(c("B", "D"), 3), list(c("C", "D"), 3)),
           c(0, 0.5, 0.8, 1.2), tau = 0, svg = TRUE, n = c(100, 300), source = "square loop, tau = 0"),
  simulate("md_het_star", "MD", c("Ref", "S1", "S2", "S3", "S4", "S5"),
           rep_d(list(c("Ref", "S1"), 3), list(c("Ref", "S2"), 2), list(c("Ref", "S3"), 2), list(c("Ref", "S4"), 2),
                 list(c("Ref", "S5"), 3)),
           c(0, 2, 1, -1, 3, 0.5), tau = 3, svg = FALSE, source = "six-treatment star, very heterogeneous"),
  simulate("or_het_big", "OR", c("A", "B", "C", "D"),
           rep_d(list(c("A", "B"), 3), list(c("A", "C"), 2), list(c("B", "C"), 2), list(c("C", "D"), 2),
                 list(c("A", "B", "D"), 2)),
           c(0, 0.5, 1, 0.2), tau = 1, svg = TRUE, source = "tau = 1, three-arm studies"),
  simulate("rr_int_labels", "RR", c("Z", "Y", "X", "W"),
           rep_d(list(c("Y", "X"), 3), list(c("X", "W"), 3), list(c("Z", "W"), 2), list(c("Y", "W"), 2), list(c("Z", "Y", "X"), 1)),
           c(0, 0.3, -0.2, 0.1), tau = 0.4, svg = FALSE, labels = "int",
           source = "integer study labels, order not alphabetical, most baselines not the reference"),
  simulate("md_two_loops", "MD", c("A", "B", "C", "D", "E"),
           rep_d(list(c("A", "B"), 2), list(c("B", "C"), 2), list(c("A", "C"), 2), list(c("C", "D"), 2),
                 list(c("D", "E"), 2), list(c("C", "E"), 2)),
           c(0, 1, 2, 1, 0), tau = 0.8, svg = FALSE, source = "two triangles joined at one node")
)

out <- list()
for (case in cases) {
  r <- reference_of(case)
  a <- case$arms
  arms <- if (case$measure == "MD") list(study = a$study, treatment = a$treatment, n = a$n, mean = a$mean, sd = a$sd)
          else list(study = a$study, treatment = a$treatment, events = a$events, total = a$total)
  out[[length(out) + 1]] <- list(name = case$name, source = paste0("synthetic (nma_random.R): ", case$source),
                                 measure = case$measure, small_values_good = case$small_values_good,
                                 reference = case$reference, treatments = I(case$treatments), arms = arms,
                                 ref = r$ref, reml = r$reml)
  cat(sprintf("%-20s %s k=%2d studies=%2d tau2=%.4g (max %.4g, dll=%.2g) QE=%.3g df=%d\n", case$name, case$measure,
              r$contrasts, r$studies, r$reml$tau2_metafor, r$reml$tau2_max,
              r$reml$loglik_max - r$reml$loglik_metafor, r$ref$random$QE, r$ref$random$QE_df))
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/nma_random.json")
