"""The Snakemake workflow's glue: analyses from the config, what each job does, and where outputs go."""
