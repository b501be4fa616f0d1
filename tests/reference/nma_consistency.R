# Reference values for the network consistency checks (tests/test_network_consistency.py), from R
# metafor (rma.mv, rma) and base R, on the oracle's network data sets (tests/data/oracle/nma.json).
# Run from the repository root:  Rscript tests/reference/nma_consistency.R
# Writes tests/reference/nma_consistency.json. Contrasts as the oracle's README states (baseline =
# the arm first in the treatment order; 0.5 added to every arm of a study with a zero cell; studies
# with no or only events dropped; covariance = the baseline arm's variance).
# The network (consistency) model is metafor's default fit, as the network's random block reports it
# (nlminb's stopping point; engine.nlminb reproduces it), so node splitting compares with the
# network estimate shown. The inconsistency model of the design-by-treatment test is fitted with optim
# (BFGS, reltol 1e-15) at its REML maximum, with tau^2 = 0 where the boundary is higher.
# - design-by-treatment interaction (Higgins et al. 2012): Q_total = QE of the consistency model
#   (method "FE"), Q_within = QE of the inconsistency model (one coefficient per design and
#   non-baseline treatment), Q_between = the difference. Random effects (Jackson et al. 2014): tau^2
#   by REML under the inconsistency model (random = ~ comp | study, rho = 1/2); Q_between = the drop
#   in r' S^-1 r from the consistency to the inconsistency model at S = V + tau^2 R (base R GLS).
# - node splitting by back-calculation (Dias et al. 2010): direct = rma(method = "FE") (fixed) or
#   rma(tau2 = network tau^2) (random) of the studies' own A vs B contrasts; indirect =
#   (net / v_net - dir / v_dir) / (1 / v_net - 1 / v_dir); for every comparison whose two
#   treatments stay connected without the studies that hold both.
suppressMessages(library(metafor))
suppressMessages(library(jsonlite))
source("tests/reference/nma_contrasts.R")

TIGHT <- list(optimizer = "optim", optmethod = "BFGS", reltol = 1e-15)
cases <- fromJSON("tests/data/oracle/nma.json", simplifyVector = FALSE)

contrasts_of <- function(case) {
  a <- as.data.frame(lapply(case$arms, unlist), stringsAsFactors = FALSE)
  trt <- unlist(case$treatments)
  cs <- readme_contrasts(a, trt, case$measure)
  dat <- cs$dat
  m <- nrow(dat)
  cells <- unique(paste(dat$design, dat$trt, sep = "/"))
  Xi <- sapply(cells, function(cl) as.numeric(paste(dat$design, dat$trt, sep = "/") == cl))
  Xi <- matrix(Xi, nrow = m)
  c(cs, list(Xi = Xi, trt = trt))
}

# The optimiser works on log tau^2 and cannot reach the boundary: where the restricted likelihood
# at tau^2 = 0 is at least that at the optimum found, the REML estimate is 0.
reml_tau2 <- function(fit, y, V, X, dat) {
  zero <- rma.mv(y, V, mods = X, intercept = FALSE, random = ~ comp | study, rho = 1/2, data = dat, tau2 = 0)
  if (c(logLik(zero)) >= c(logLik(fit))) 0 else fit$tau2
}

wrss <- function(y, S, X) {
  W <- solve(S); b <- solve(t(X) %*% W %*% X, t(X) %*% W %*% y); r <- y - X %*% b
  c(t(r) %*% W %*% r)
}

connected <- function(trt, designs, a, b) {
  # label propagation: every treatment of a design takes the design's smallest label, to a fixed point
  comp <- setNames(seq_along(trt), trt)
  repeat {
    changed <- FALSE
    for (d in designs) {
      ts <- strsplit(d, ":")[[1]]
      m <- min(comp[ts])
      if (any(comp[ts] != m)) { comp[comp %in% comp[ts]] <- m; changed <- TRUE }
    }
    if (!changed) break
  }
  comp[[a]] == comp[[b]]
}

pair_contrasts <- function(dat, a, b) {
  out <- NULL
  for (s in unique(dat$study)) {
    d <- dat[dat$study == s, ]
    tr <- c(d$base[1], d$trt)
    if (!(a %in% tr && b %in% tr)) next
    eff <- c(0, d$yi); names(eff) <- tr
    var <- function(t) if (t == d$base[1]) 0 else d$vi[d$trt == t]
    cv <- d$cv[1]
    va <- var(a); vb <- var(b)
    v <- if (a == d$base[1]) vb else if (b == d$base[1]) va else va + vb - 2 * cv
    out <- rbind(out, data.frame(study = s, yi = eff[[a]] - eff[[b]], vi = v))
  }
  out
}

split_one <- function(dnet, vnet, ddir, vdir) {
  vind <- 1 / (1 / vnet - 1 / vdir); dind <- (dnet / vnet - ddir / vdir) * vind
  diff <- ddir - dind; se <- sqrt(vdir + vind)
  list(network = dnet, network_se = sqrt(vnet), direct = ddir, direct_se = sqrt(vdir),
       indirect = dind, indirect_se = sqrt(vind), prop_direct = vnet / vdir,
       diff = diff, diff_se = se, z = diff / se, p = 2 * pnorm(-abs(diff / se)))
}

out <- list()
for (case in cases) {
  cs <- contrasts_of(case); dat <- cs$dat; trt <- cs$trt
  fe <- rma.mv(dat$yi, cs$V, mods = cs$X, intercept = FALSE, method = "FE")
  re <- rma.mv(dat$yi, cs$V, mods = cs$X, intercept = FALSE, random = ~ comp | study, rho = 1/2,
               data = dat)
  fei <- rma.mv(dat$yi, cs$V, mods = cs$Xi, intercept = FALSE, method = "FE")
  rei <- rma.mv(dat$yi, cs$V, mods = cs$Xi, intercept = FALSE, random = ~ comp | study, rho = 1/2,
                data = dat, control = TIGHT)
  tau2_inc <- reml_tau2(rei, dat$yi, cs$V, cs$Xi, dat)
  S <- cs$V + tau2_inc * cs$R
  dfb <- ncol(cs$Xi) - ncol(cs$X)
  qb <- wrss(dat$yi, S, cs$X) - wrss(dat$yi, S, cs$Xi)
  dbt <- list(designs = length(unique(dat$design)),
              Q_total = fe$QE, df_total = fe$k - fe$p, Q_within = fei$QE, df_within = fei$k - fei$p,
              Q_between = fe$QE - fei$QE, df_between = dfb, p_between = pchisq(fe$QE - fei$QE, dfb, lower.tail = FALSE),
              tau2_within = tau2_inc, Q_between_random = qb, p_between_random = pchisq(qb, dfb, lower.tail = FALSE))
  splits <- list(fixed = list(), random = list())
  designs <- unique(dat$design)
  for (j in seq_along(trt)) for (i in seq_along(trt)) {
    if (i <= j) next
    a <- trt[i]; b <- trt[j]
    pc <- pair_contrasts(dat, a, b)
    if (is.null(pc)) next
    holds <- sapply(strsplit(designs, ":"), function(ts) a %in% ts && b %in% ts)
    if (!connected(trt, designs[!holds], a, b)) next
    for (type in c("fixed", "random")) {
      fit <- if (type == "fixed") fe else re
      L <- numeric(length(trt) - 1)
      if (i > 1) L[i - 1] <- 1
      if (j > 1) L[j - 1] <- -1
      dnet <- sum(L * fit$beta); vnet <- c(t(L) %*% fit$vb %*% L)
      dir <- if (type == "fixed") rma(pc$yi, pc$vi, method = "FE") else rma(pc$yi, pc$vi, tau2 = re$tau2)
      splits[[type]][[paste(a, b, sep = "|")]] <- c(list(k_direct = nrow(pc)),
                                                    split_one(dnet, vnet, c(dir$beta), dir$se^2))
    }
  }
  out[[case$name]] <- list(tau2 = re$tau2, design_by_treatment = dbt, node_split = splits)
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/nma_consistency.json")
