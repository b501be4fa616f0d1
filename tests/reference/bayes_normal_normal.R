# Bayesian normal-normal random-effects model by one-dimensional numerical integration over tau,
# in base R (integrate, uniroot): the reference for metapool.engine.bayes beyond small_k.json
# (which covers half-normal priors of scale 0.5 and 1 on log risk ratios). Here: half-Cauchy
# priors, half-normal priors of other scales, one study, and mean differences / standardised
# mean differences (yi, vi of metafor's escalc in tests/data/oracle/measures.json).
#   y_i ~ N(mu, v_i + tau^2); p(mu) uniform; p(tau) = 2 dnorm(tau, 0, s) or 2 dcauchy(tau, 0, s)
#   p(tau | y) ∝ p(tau) V^(1/2) prod (v_i + tau^2)^(-1/2) exp(-1/2 sum w_i (y_i - muhat)^2)
#   mu | tau, y ~ N(muhat, V); theta | tau, y ~ N(muhat, V + tau^2)
# Run: Rscript tests/reference/bayes_normal_normal.R > tests/reference/bayes_normal_normal.json
# (base R only: the JSON is written by hand).

cases <- list(
  list(name = "bcg_first3", measure = "RR",
       yi = c(-0.889311333920205, -1.58538865720143, -1.34807314829969),
       vi = c(0.325584765003961, 0.194581121398144, 0.415367965367965)),
  list(name = "k2", measure = "RR", yi = c(-0.248054126440106, -0.72960199608912),
       vi = c(0.0109905464794354, 0.0423364127618116)),
  list(name = "one_study", measure = "RR", yi = -0.3, vi = 0.04),
  list(name = "cont_k2_MD", measure = "MD", yi = c(-1.86, -1.37),
       vi = c(0.497708928571429, 0.181467361111111)),
  list(name = "cont_k2_SMD", measure = "SMD", yi = c(-0.481625149625758, -0.40268774977427),
       vi = c(0.0327871982116128, 0.0160306328422971)),
  list(name = "normand1999_MD", measure = "MD", yi = c(-20, -2, -55, -71, -4, 1, 11, -10, 7),
       vi = c(40.5080231596361, 2.08064516129032, 15.6984037558685, 150.222222222222,
              17.3076923076923, 1.16734143049933, 94.5891265597148, 6.31087928464978,
              19.8423076923077))
)
priors <- list(
  RR = list(c("half-normal", 0.5), c("half-cauchy", 0.5), c("half-cauchy", 1)),
  SMD = list(c("half-normal", 0.5), c("half-cauchy", 0.5)),
  MD = list(c("half-normal", 1), c("half-cauchy", 1), c("half-normal", 20))
)

tol <- 1e-9
fit <- function(yi, vi, family, s) {
  dprior <- if (family == "half-normal") function(t) 2 * dnorm(t, 0, s) else function(t) 2 * dcauchy(t, 0, s)
  cond <- function(t) {
    w <- 1 / (vi + t^2); V <- 1 / sum(w); m <- sum(w * yi) * V
    list(m = m, V = V, ll = 0.5 * log(V) - 0.5 * sum(log(vi + t^2)) - 0.5 * sum(w * (yi - m)^2))
  }
  # scaled so that its maximum on the grid is 1: integrate's abs.tol (1e-13) is then negligible
  # against Z even where the posterior lies far out in the prior's tail (dprior there ~ 1e-10)
  lp0 <- max(sapply(seq(0, 20 * s, length.out = 2001), function(t) log(dprior(t)) + cond(t)$ll))
  dens <- Vectorize(function(t) { c <- cond(t); exp(log(dprior(t)) + c$ll - lp0) })
  # integrals over tau split at s/4, s, 4s, 20s; beyond the last finite cut T, t = T/x with x in
  # (0, 1] (integrate meets roundoff on the heavy half-Cauchy tail otherwise)
  Q <- function(f, a, b) integrate(f, a, b, rel.tol = tol, abs.tol = 1e-13, subdivisions = 10000L)$value
  I <- function(f, lo = 0, hi = Inf) {
    cuts <- c(lo, s * c(0.25, 1, 4, 20), hi)
    cuts <- sort(unique(cuts[cuts >= lo & cuts <= hi]))
    if (length(cuts) < 2) return(0)
    n <- length(cuts)
    total <- 0
    for (i in seq_len(n - 1)) {
      if (is.finite(cuts[i + 1])) total <- total + Q(f, cuts[i], cuts[i + 1])
      else { T <- cuts[i]; total <- total + Q(function(x) ifelse(x > 0, f(T / x) * T / x^2, 0), 0, 1) }
    }
    total
  }
  Z <- I(dens)
  post <- function(t) dens(t) / Z
  mixcdf <- function(x, pred) I(Vectorize(function(t) {
    c <- cond(t); sdv <- sqrt(c$V + if (pred) t^2 else 0); pnorm((x - c$m) / sdv) * post(t) }))
  q <- function(p, pred) {
    c0 <- cond(0); span <- 50 * (max(abs(yi)) + sqrt(max(vi)) + 10 * s)
    uniroot(function(x) mixcdf(x, pred) - p, c(-span, span), tol = 1e-14, maxiter = 1000)$root
  }
  tauq <- function(p) uniroot(function(t) I(post, 0, t) - p, c(0, 100 * s + 100), tol = 1e-14, maxiter = 1000)$root
  mean <- I(Vectorize(function(t) cond(t)$m * post(t)))
  # Var(mu | y) = E[V(tau) + (muhat - mean)^2]: V ~ tau^2 / k and p(tau | y) ~ tau^-(k+1) under a
  # half-Cauchy prior, so it is infinite when k <= 2 (null in the JSON)
  second <- if (family == "half-cauchy" && length(yi) <= 2) Inf else
    I(Vectorize(function(t) { c <- cond(t); (c$V + (c$m - mean)^2) * post(t) }))
  c(mu_median = q(0.5, FALSE), mu_lb = q(0.025, FALSE), mu_ub = q(0.975, FALSE),
    mu_mean = mean, mu_sd = sqrt(second),
    tau_median = tauq(0.5), tau_lb = tauq(0.025), tau_ub = tauq(0.975),
    pred_lb = q(0.025, TRUE), pred_ub = q(0.975, TRUE), p_mu_below_0 = mixcdf(0, FALSE))
}

num <- function(x) ifelse(is.finite(x), formatC(x, digits = 15, format = "g"), "null")
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
out <- character(0)
for (case in cases) {
  for (pr in priors[[case$measure]]) {
    r <- fit(case$yi, case$vi, pr[1], as.numeric(pr[2]))
    fields <- paste0('"', names(r), '": ', num(r), collapse = ", ")
    out <- c(out, sprintf('  {"name": "%s", "measure": "%s", "yi": %s, "vi": %s, "prior": {"family": "%s", "scale": %s}, "ref": {%s}}',
                          case$name, case$measure, vec(case$yi), vec(case$vi), pr[1], pr[2], fields))
  }
}
cat("[\n", paste(out, collapse = ",\n"), "\n]\n", sep = "")
