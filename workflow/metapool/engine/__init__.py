"""Statistics on effect sizes (yi, vi): tau^2 estimators, heterogeneity, fixed and random-effects
models, Mantel-Haenszel, subgroups, and pooling a list of studies into the result dict (metafor rma.uni,
rma.mh, confint)."""
