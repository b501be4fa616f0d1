# metafor reference values for the living-review analyses under settings that
# tests/data/oracle/extras.json (REML, Wald z) does not cover: every tau^2 estimator and the
# Hartung-Knapp-Sidik-Jonkman CI (metafor test = "knha"), and the R0 trim-and-fill estimator.
# Same data conventions as the oracle (escalc "RR", 0.5 added to every cell of a study with a
# zero cell, double-zero studies dropped) at metafor's defaults (no control argument).
# trimfill(model, estimator, test = ...) passes the CI method on to the filled model's fit.
# Run from the repository root:  Rscript tests/reference/settings.R
suppressMessages({library(metafor); library(jsonlite)})
cases <- fromJSON("tests/data/oracle/cases.json", simplifyVector = FALSE)
num <- function(v) vapply(v, function(z) if (is.null(z)) NA_real_ else as.numeric(z), 0)
settings <- list(c("REML", "knha"), c("DL", "z"), c("PM", "knha"), c("ML", "z"), c("SJ", "knha"),
                 c("HE", "z"), c("EB", "z"), c("DL", "knha"))
attempt <- function(expr) tryCatch(expr, error = function(e) NULL)
out <- list()
for (cs in cases) {
  yi <- num(cs$ref$yi); vi <- num(cs$ref$vi)
  keep <- !is.na(yi)
  yi <- yi[keep]; vi <- vi[keep]
  if (length(yi) < 3) next
  for (st in settings) {
    m <- attempt(rma(yi, vi, method = st[1], test = st[2]))
    if (is.null(m)) next
    cu <- cumul(m); l1 <- leave1out(m); inf <- influence(m)$inf
    rt <- regtest(m)
    tf <- function(est) attempt({
      r <- trimfill(m, estimator = est, test = st[2])
      list(k0 = r$k0, side = r$side, est = c(r$beta), se = r$se, ci_lb = r$ci.lb, ci_ub = r$ci.ub, tau2 = r$tau2)
    })
    out[[length(out) + 1]] <- list(
      name = cs$name, tau2_method = st[1], ci_method = ifelse(st[2] == "knha", "hksj", "z"),
      cumul = list(est = cu$estimate, se = cu$se, ci_lb = cu$ci.lb, ci_ub = cu$ci.ub, tau2 = cu$tau2, I2 = cu$I2),
      leave1out = list(est = l1$estimate, se = l1$se, ci_lb = l1$ci.lb, ci_ub = l1$ci.ub, tau2 = l1$tau2,
                       I2 = l1$I2, Q = l1$Q),
      influence = list(rstudent = inf$rstudent, dffits = inf$dffits, cooks_d = inf$cook.d,
                       covratio = inf$cov.r, hat = inf$hat, weight = inf$weight),
      egger_rma = list(z = rt$zval, p = rt$pval, limit_est = c(rt$est)),
      trimfill = tf("L0"), trimfill_R0 = tf("R0"))
  }
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", null = "null"), "tests/reference/settings.json")
