# metafor values behind the trial sequential analysis, for every oracle case (estimable studies,
# input order): the diversity D^2 = (V_R - V_F) / V_R with V_R, V_F the squared standard errors of the
# DerSimonian-Laird random-effects and the inverse-variance fixed-effect pooled log RR (Wetterslev et al.
# 2009), and the cumulative Z-curve, the z statistics of cumul() of the DL model (Wald z).
# Run from the repository root:  Rscript tests/reference/tsa_inputs.R
suppressMessages({library(metafor); library(jsonlite)})
cases <- fromJSON("tests/data/oracle/cases.json", simplifyVector = FALSE)
num <- function(v) vapply(v, function(z) if (is.null(z)) NA_real_ else as.numeric(z), 0)
out <- list()
for (cs in cases) {
  yi <- num(cs$ref$yi); vi <- num(cs$ref$vi)
  keep <- !is.na(yi)
  yi <- yi[keep]; vi <- vi[keep]
  re <- rma(yi, vi, method = "DL")
  fe <- rma(yi, vi, method = "FE")
  cu <- cumul(re)
  out[[length(out) + 1]] <- list(name = cs$name, D2 = (re$se^2 - fe$se^2) / re$se^2, z = cu$zval)
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/tsa_inputs.json")
