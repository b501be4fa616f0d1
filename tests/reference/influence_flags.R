# Reference for the leave-one-out plot's influence flags: metafor's influential criteria and
# DFBETAS for synthetic analyses (inputs: influence_flags_inputs.json, written from
# tests/test_plot_living.py's analysis()). Run from the repository root:
#   Rscript tests/reference/influence_flags.R > tests/reference/influence_flags.json
library(metafor)
library(jsonlite)
cases <- fromJSON("tests/reference/influence_flags_inputs.json", simplifyDataFrame = FALSE)
out <- lapply(cases, function(d) {
  res <- rma(unlist(d$yi), unlist(d$vi), method = "REML", test = d$test)
  inf <- influence(res)
  list(k = d$k, seed = d$seed, ci = d$ci, infl = unname(inf$is.infl), dfbs = unname(inf$dfbs$intrcpt))
})
cat(toJSON(out, digits = NA, auto_unbox = TRUE))
