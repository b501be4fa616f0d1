# Reference values for tests/test_nlminb.py: R's nlminb (PORT library, portsrc.f) without gradient
# or bounds, default control, on smooth objectives: every point at which nlminb evaluates the
# objective, in order, with the value, and the result (par, objective, convergence, iterations,
# evaluations, message). Run from the repository root:  Rscript tests/reference/nlminb_trace.R
# Writes tests/reference/nlminb_trace.json. The objectives are written so that Python computes
# them to the same bits: x^2 is x*x in R and Python, other powers and exp/log/cosh/atan are the C
# library's, and sums are explicit left-to-right loops (R's sum() accumulates in long double).
vi <- c(0.05, 0.12, 0.3, 0.08, 0.5, 0.2)
yi <- c(0.4, -0.1, 0.9, 0.25, -0.6, 1.1)
reml_like <- function(t) {              # -log-likelihood of yi ~ N(0, vi + exp(t)), loop-summed
  s <- 0
  for (i in seq_along(vi)) { w <- vi[i] + exp(t); s <- s + log(w) + yi[i]^2 / w }
  s / 2 + 3
}

cases <- list(
  list(name = "cosh_quadratic", start = 1, f = function(x) (x[1] - 3)^2 + cosh(x[1])),
  list(name = "quartic_local", start = 2, f = function(x) x[1]^4 - 3 * x[1]^2 + x[1]),
  list(name = "exp_linear", start = -3, f = function(x) exp(x[1]) - 2 * x[1]),
  list(name = "log_quadratic", start = 5, f = function(x) log(1 + x[1]^2) + 0.1 * (x[1] - 2)^2),
  list(name = "double_well_far", start = 0.3, f = function(x) (x[1]^2 - 2)^2 + 1e-3 * x[1]),
  list(name = "large_value", start = -1, f = function(x) 1e4 + 30 * (x[1] - 0.5)^2 + atan(x[1])),
  list(name = "reml_like_log_tau2", start = log(0.1), f = function(x) reml_like(x[1])),
  list(name = "reml_like_start_far", start = log(5), f = function(x) reml_like(x[1])),
  # metafor rma.mv's parameter vector: c(sigma2, log tau2, atanh rho, gamma2, phi), only the second used
  list(name = "metafor_five_par", start = c(0, log(0.1), atanh(0.5), 0, 0), f = function(x) reml_like(x[2])),
  list(name = "rosenbrock", start = c(-1.2, 1), f = function(x) 100 * (x[2] - x[1]^2)^2 + (1 - x[1])^2)
)

# jsonlite prints at most 15 significant digits: numbers are written here with %.17g (round trip).
num <- function(x) if (length(x) == 1) sprintf("%.17g", x) else paste0("[", paste(sprintf("%.17g", x), collapse = ", "), "]")
out <- vapply(cases, function(cs) {
  pts <- list(); vals <- c()
  g <- function(x) { v <- cs$f(x); pts[[length(pts) + 1]] <<- x; vals <<- c(vals, v); v }
  r <- nlminb(cs$start, g)
  paste0("  {\"name\": \"", cs$name, "\", \"start\": [", paste(sprintf("%.17g", cs$start), collapse = ", "), "],\n",
         "   \"points\": [", paste(vapply(pts, function(p) paste0("[", paste(sprintf("%.17g", p), collapse = ", "), "]"), ""),
                                  collapse = ", "), "],\n",
         "   \"values\": [", paste(sprintf("%.17g", vals), collapse = ", "), "],\n",
         "   \"par\": [", paste(sprintf("%.17g", r$par), collapse = ", "), "], \"objective\": ", num(r$objective),
         ", \"convergence\": ", r$convergence, ", \"iterations\": ", r$iterations,
         ", \"evaluations\": [", r$evaluations[[1]], ", ", r$evaluations[[2]], "], \"message\": \"", r$message, "\"}")
}, "")
writeLines(c("[", paste(out, collapse = ",\n"), "]"), "tests/reference/nlminb_trace.json")
