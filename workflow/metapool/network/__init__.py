"""Network meta-analysis: arm-level data -> contrasts -> a contrast-based consistency model
(metafor ``rma.mv``), league table, P-scores and consistency checks."""
