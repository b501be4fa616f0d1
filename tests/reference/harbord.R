# Harbord's score test for small-study effects (Harbord, Egger & Sterne 2006, Stat Med 25:3443),
# as R meta's metabias(method.bias = "Harbord"), written out as a plain lm so that it needs only base R:
#   Z = a - (a + c) n1 / N            efficient score of the log odds ratio at 0
#   V = n1 n2 (a + c) (N - a - c) / (N^2 (N - 1))   its (hypergeometric) variance
#   lm(Z / sqrt(V) ~ sqrt(V)): the intercept is the bias; t on k - 2 df.
# Studies with V = 0 (no events, or only events, in both arms) carry no information and are left out.
# Run from the repository root:  Rscript tests/reference/harbord.R
suppressMessages(library(jsonlite))
cases <- fromJSON("tests/data/oracle/cases.json", simplifyVector = FALSE)
num <- function(v) vapply(v, function(z) if (is.null(z)) NA_real_ else as.numeric(z), 0)
out <- list()
for (cs in cases) {
  a <- num(cs$ai); n1 <- num(cs$n1); c <- num(cs$ci); n2 <- num(cs$n2)
  N <- n1 + n2
  Z <- a - (a + c) * n1 / N
  V <- n1 * n2 * (a + c) * (N - a - c) / (N^2 * (N - 1))
  keep <- !is.na(V) & V > 0
  if (sum(keep) < 3) next
  fit <- lm(I(Z / sqrt(V)) ~ sqrt(V), subset = keep)
  co <- summary(fit)$coefficients
  out[[length(out) + 1]] <- list(name = cs$name, k = sum(keep), bias = co[1, 1], se_bias = co[1, 2],
                                 t = co[1, 3], df = fit$df.residual, p = co[1, 4])
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/harbord.json")
