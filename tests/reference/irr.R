# Incidence rate ratio (metafor escalc measure "IRR") for a small made-up data set with a zero
# cell, and its REML random-effects pool (Wald z and Hartung-Knapp-Sidik-Jonkman t intervals):
# the reference for the "rates" data kind (metapool.measures.rates, metapool pool --measure IRR).
#   yi = log((x1i / t1i) / (x2i / t2i)), vi = 1/x1i + 1/x2i; escalc's default add = 1/2,
#   to = "only0": 1/2 is added to both counts of a study where one of them is 0.
# Run: Rscript tests/reference/irr.R > tests/reference/irr.json (metafor only).
suppressPackageStartupMessages(library(metafor))
dat <- data.frame(
  study = c("Alpha", "Beta", "Gamma", "Delta", "Epsilon"),
  events_trt = c(12, 0, 30, 7, 22), ptime_trt = c(250.5, 120, 800, 310, 1500),
  events_ctl = c(20, 4, 41, 9, 52), ptime_ctl = c(240, 115.25, 790, 300, 1480)
)
es <- escalc("IRR", x1i = events_trt, t1i = ptime_trt, x2i = events_ctl, t2i = ptime_ctl, data = dat)
z <- rma(yi, vi, data = es)
k <- rma(yi, vi, data = es, test = "knha")
num <- function(x) trimws(formatC(x, digits = 17, format = "g"))
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
cat("{\n")
cat(sprintf('  "metafor": "%s",\n', as.character(packageVersion("metafor"))))
cat(sprintf('  "study": [%s],\n', paste0('"', dat$study, '"', collapse = ", ")))
for (col in c("events_trt", "ptime_trt", "events_ctl", "ptime_ctl")) cat(sprintf('  "%s": %s,\n', col, vec(dat[[col]])))
cat(sprintf('  "yi": %s,\n  "vi": %s,\n', vec(as.numeric(es$yi)), vec(as.numeric(es$vi))))
fit <- function(f) sprintf('{"est": %s, "se": %s, "ci_lb": %s, "ci_ub": %s, "tau2": %s, "I2": %s, "Q": %s}',
  num(as.numeric(f$beta)), num(f$se), num(f$ci.lb), num(f$ci.ub), num(f$tau2), num(f$I2), num(f$QE))
cat(sprintf('  "reml_z": %s,\n  "reml_hksj": %s\n}\n', fit(z), fit(k)))
