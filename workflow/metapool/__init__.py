"""metapool: risk-ratio meta-analysis that reproduces R metafor, plus forest plots."""

__version__ = "0.1.0"
