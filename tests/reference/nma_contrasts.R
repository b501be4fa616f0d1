# The oracle README's contrast-based data (section "nma.json"), shared by nma_consistency.R and
# nma_random.R (source("tests/reference/nma_contrasts.R") from the repository root):
# - baseline arm = the study's arm whose treatment comes first in `trt`; one contrast per other arm
#   (arm - baseline); covariance of two contrasts of a study = the baseline arm's variance;
# - binary data: a study with an arm of 0 events or 0 non-events gets 0.5 added to the events and to
#   the non-events of every arm (1 to the total); a study with no events in any arm, or only events
#   in every arm, is left out; MD: yi = m1 - m2, vi = sd1^2/n1 + sd2^2/n2.
# readme_contrasts(a, trt, measure): a = arms (study, treatment, events, total | n, mean, sd);
# returns dat (study, trt, base, yi, vi, cv, design, comp), V, R (1 on the diagonal, 1/2 between
# contrasts of one study) and X (one column per non-reference treatment: +1 treatment, -1 baseline).
readme_contrasts <- function(a, trt, measure) {
  a$study <- as.character(a$study)
  a$rank <- match(a$treatment, trt)
  rows <- list()
  for (s in unique(a$study)) {
    d <- a[a$study == s, ]
    d <- d[order(d$rank), ]
    if (measure == "MD") {
      eff <- d$mean; v <- d$sd^2 / d$n
    } else {
      if (all(d$events == 0) || all(d$events == d$total)) next
      ev <- d$events; n <- d$total
      if (any(ev == 0 | ev == n)) { ev <- ev + 0.5; n <- n + 1 }
      if (measure == "OR") { eff <- log(ev / (n - ev)); v <- 1 / ev + 1 / (n - ev) }
      else { eff <- log(ev / n); v <- 1 / ev - 1 / n }
    }
    for (j in 2:nrow(d)) rows[[length(rows) + 1]] <- data.frame(
      study = s, trt = d$treatment[j], base = d$treatment[1], yi = eff[j] - eff[1], vi = v[j] + v[1],
      cv = v[1], design = paste(d$treatment, collapse = ":"), stringsAsFactors = FALSE)
  }
  dat <- do.call(rbind, rows)
  m <- nrow(dat)
  V <- diag(dat$vi, m); R <- diag(1, m)
  for (i in 1:m) for (j in 1:m) if (i != j && dat$study[i] == dat$study[j]) { V[i, j] <- dat$cv[i]; R[i, j] <- 0.5 }
  X <- matrix(sapply(trt[-1], function(t) (dat$trt == t) - (dat$base == t)), nrow = m)
  colnames(X) <- trt[-1]
  dat$comp <- paste(dat$trt, dat$base, sep = "-")
  list(dat = dat, V = V, R = R, X = X)
}
