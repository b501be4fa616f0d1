"""Appraisal of the evidence: risk of bias (RoB 2), its sensitivity analysis, proposed GRADE
certainty and the summary-of-findings table. Importing this package imports nothing else."""
