# Stage 2: pool each analysis (pooled.json/tsv) and run its living-review analyses
# (living.json/tsv). One job per analysis, or per batch of analyses at scale (common.smk).

for batch in BATCHES:

    rule:
        name:
            batch_rule_name("pool", batch)
        input:
            trials=batch_trial_files(batch),
            rob=batch_rob_files(batch),
        output:
            tables=batch_pool_outputs(batch),
            digest=layout.digest(batch),
        log:
            f"logs/pool/{batch}.log",
        conda:
            "../envs/metapool.yaml"
        params:
            analyses=batch_settings(batch),
        script:
            "../scripts/pool.py"
