# Reference values for the effect measures' edge cases (tests/test_measures_oracle.py), from R
# metafor 3.8-1 at its defaults. Run from the repository root:  Rscript tests/reference/measures_edges.R
# Writes tests/reference/measures_edges.json. Counts are integer vectors, as read.csv and jsonlite
# give them (and as tests/data/oracle/measures.json was computed).
# - escalc(measure, ai, n1i, ci, n2i) with add = 1/2, to = "only0"; drop00 = TRUE for RR, OR and
#   PETO, FALSE for RD (as in measures.json): zero cells, tables with only events, double zeros;
# - rma.mh(measure = "OR"/"RD") and rma.peto() at their defaults (add = c(1/2, 0), to = c("only0",
#   "none"), drop00 = c(TRUE, FALSE)): the RD variance (Sato, Greenland & Robins 1989) on
#   synthetic tables, one table, a double-zero table (left out of Q for RD too), an OR with S = 0,
#   no events anywhere (Peto stops, MH RD has se 0 and p NA), and R's integer overflow of count
#   products (the RD variance just below / just above 2^31 - 1, Peto's (a + c) n1; the same tables
#   as doubles, *_double, for comparison);
# - escalc("SMD") for tiny and huge arms, escalc("ROM") with a ratio of means <= 0.
# NA (or an error, recorded as "error") where metafor cannot compute.
suppressMessages({library(metafor); library(jsonlite)})
num <- function(x) if (is.null(x) || length(x) == 0) NA else x
fixed <- function(m) list(k = m$k, est = c(m$beta), se = num(m$se), ci_lb = num(m$ci.lb), ci_ub = num(m$ci.ub),
                          pval = num(m$pval), Q = num(m$QE), Qp = num(m$QEp), I2 = num(m$I2), H2 = num(m$H2))
attempt <- function(expr) tryCatch(expr, error = function(e) "error")
binary_case <- function(name, ai, n1, ci, n2, note) {
  ai <- as.integer(ai); n1 <- as.integer(n1); ci <- as.integer(ci); n2 <- as.integer(n2)
  out <- list(name = name, note = note, ai = ai, n1 = n1, ci = ci, n2 = n2)
  for (ms in c("OR", "RD", "PETO")) {
    e <- escalc(ms, ai = ai, n1i = n1, ci = ci, n2i = n2, drop00 = ms != "RD")
    out[[paste0("escalc_", ms)]] <- list(yi = c(e$yi), vi = c(e$vi))
  }
  out$mh_OR <- attempt(fixed(rma.mh(measure = "OR", ai = ai, n1i = n1, ci = ci, n2i = n2)))
  out$mh_RD <- attempt(fixed(rma.mh(measure = "RD", ai = ai, n1i = n1, ci = ci, n2i = n2)))
  out$peto <- attempt(fixed(rma.peto(ai = ai, n1i = n1, ci = ci, n2i = n2)))
  dbl <- function(x) as.numeric(x)
  out$mh_RD_double <- attempt(fixed(rma.mh(measure = "RD", ai = dbl(ai), n1i = dbl(n1), ci = dbl(ci), n2i = dbl(n2))))
  out$peto_double <- attempt(fixed(rma.peto(ai = dbl(ai), n1i = dbl(n1), ci = dbl(ci), n2i = dbl(n2))))
  out
}
binary <- list(
  binary_case("rd_synthetic", c(12, 0, 30, 5), c(80, 40, 150, 60), c(20, 3, 41, 5), c(82, 38, 149, 55),
              "RD variance on four tables, one with a zero cell"),
  binary_case("double_zero_and_all_events", c(0, 7, 25, 10), c(30, 50, 25, 40), c(0, 12, 30, 15), c(28, 52, 30, 44),
              "a table with no events and one with only events in both arms: estimable for RD, not for OR/PETO, left out of every Q"),
  binary_case("one_table", 9, 50, 17, 52, "k = 1: Q = 0, Qp = 1, I2 = 0, H2 = 1"),
  binary_case("or_s_zero", c(5, 8), c(5, 20), c(3, 0), c(10, 20), "b c = 0 in every table: S = 0, the MH OR is NA"),
  binary_case("peto_no_outcome_mix", c(0, 0), c(10, 12), c(0, 0), c(11, 9), "no events anywhere: sum V = 0, rma.peto stops; MH RD = 0 with se 0, z = 0/0, p NA"),
  binary_case("int_just_below", c(46340, 100), c(92681, 500), c(40, 90), c(46381, 480),
              "a (n2 - c) = 46340 x 46341 = 2147441940 < 2^31 - 1: metafor's RD variance is computed; (a + c) n1 overflows, so rma.peto stops (a number from doubles)"),
  binary_case("int_just_above", c(46341, 100), c(92681, 500), c(40, 90), c(46381, 480),
              "a (n2 - c) = 46341 x 46341 = 2147488281 > 2^31 - 1: NA in integer arithmetic, a number from doubles"))
cont_case <- function(name, m1, sd1, n1, m2, sd2, n2, note) {
  out <- list(name = name, note = note, m1 = m1, sd1 = sd1, n1 = n1, m2 = m2, sd2 = sd2, n2 = n2)
  for (ms in c("MD", "SMD", "ROM")) {
    e <- suppressWarnings(escalc(ms, m1i = m1, sd1i = sd1, n1i = n1, m2i = m2, sd2i = sd2, n2i = n2))
    out[[paste0("escalc_", ms)]] <- list(yi = c(e$yi), vi = c(e$vi))
  }
  out
}
continuous <- list(
  cont_case("tiny_and_huge_arms", c(5, 5, 3.2, 10), c(2, 2, 1.1, 4), c(1, 2, 2000000, 3),
            c(4, 4, 3.0, 12), c(2, 2, 1.0, 5), c(2, 2, 1900000, 4),
            "n1 + n2 - 2 = 1 (no Hedges factor, NA), 2, about 4 million (lgamma stays finite), 5"),
  cont_case("non_positive_ratio", c(-2, 0, 3), c(1, 1, 1), c(10, 10, 10), c(4, 4, -3), c(1, 1, 1), c(10, 10, 10),
            "ratio of means negative or zero: no log ROM"))
writeLines(toJSON(list(binary = binary, continuous = continuous), auto_unbox = TRUE, digits = NA,
                  na = "null", null = "null"), "tests/reference/measures_edges.json")
